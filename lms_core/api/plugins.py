"""Installed plugins and their per-institution state."""

from __future__ import annotations

from starlette.requests import Request

from lms_core.api.schemas import PluginToggle
from lms_core.http.endpoints import api
from lms_core.http.problems import Problem
from lms_core.runtime import runtime


async def plugin_rows(request: Request, institution_id: int | None) -> list[dict]:
    lms = runtime(request)
    enabled = await lms.plugins.enabled_for(institution_id)
    return [{
        "name": p.name, "version": p.info.version, "title": p.info.title,
        "description": p.info.description, "api": p.info.api, "requires": list(p.info.requires),
        "source": p.source, "essential": p.essential, "enabled": p.name in enabled,
        "hooks": lms.plugins.hooks_of(p.name),
    } for p in lms.plugins.plugins.values()]


@api("GET", permission="plugins.view", summary="Installed plugins and their state here",
     tags=("plugins",))
async def list_plugins(request: Request, principal):
    return {"items": await plugin_rows(request, principal.institution_id)}


@api("PUT", permission="plugins.manage", body=PluginToggle,
     summary="Enable or disable a plugin for my institution", tags=("plugins",),
     responses={404: "No such plugin", 409: "Essential plugin"})
async def toggle_plugin(request: Request, principal, body: PluginToggle):
    name = request.path_params["name"]
    try:
        await runtime(request).plugins.set_enabled(principal.institution_id, name, body.enabled)
    except KeyError:
        raise Problem(404, f"Không có thành phần {name}.", f"No plugin {name}.") from None
    return {"name": name, "enabled": body.enabled}
