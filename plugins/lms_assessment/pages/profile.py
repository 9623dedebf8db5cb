"""A person's own competency profile ("Hồ sơ năng lực của tôi", any logged-in user): what their
job position requires against their current level, and the evidence behind each level, with its
source and when it expires.

The levels are ``profile.current_levels`` (through ``needs.person`` for the requirements), the
very numbers the needs pages and the reports use; the evidence named as deciding a level is the
one of the profile segment holding that level now, so the page explains the figure rather than
recomputing it. Only the caller's own rows are read.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from lms_core import clock
from lms_core.auth.principal import Principal
from lms_core.http.problems import Problem
from lms_core.models import JobPosition
from lms_core.plugin_api import MenuItem
from lms_core.web.pages import page
from lms_core.web.templating import render

from lms_assessment import needs, profile
from lms_assessment.models import Competency, Evidence, ProfileSegment
from lms_assessment.pages.plan_display import FILTERS

MENU = [MenuItem("assessment-profile", "Hồ sơ năng lực của tôi", "My competency profile",
                 "/assessment/me", order=94, group="personal")]


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=timezone.utc) if value and value.tzinfo is None else value


def _state(e: dict[str, Any], now: datetime) -> str:
    if e["observed_at"] > now:
        return "future"
    if e["expires_at"] is not None and e["expires_at"] <= now:
        return "expired"
    return "valid"


async def own_profile(institution_id: int, user_id: int,
                      now: datetime | None = None) -> dict[str, Any]:
    """The page's rows: each required competency (in the position's order), then any other
    competency the person has a level or evidence of."""
    now = now or clock.now()
    person = await needs.person(institution_id, user_id)
    current = (await profile.current_levels([user_id], now)).get(user_id, {})
    deciding = {}
    for cid, eid, until in await ProfileSegment.filter(
            user_id=user_id, valid_from__lte=now).values_list("competency_id", "evidence_id",
                                                              "valid_until"):
        if until is None or now < _aware(until):
            deciding[cid] = eid
    evidence: dict[int, list[dict[str, Any]]] = {}
    for row in await Evidence.filter(user_id=user_id, institution_id=institution_id,
                                     withdrawn_at__isnull=True).order_by(
            "-observed_at", "-id").values("id", "competency_id", "level", "source",
                                          "observed_at", "expires_at", "note"):
        row = {**profile.evidence_dict(row), "observed_at": _aware(row["observed_at"]),
               "expires_at": _aware(row["expires_at"])}
        row["state"] = _state(row, now)
        row["deciding"] = deciding.get(row["competency_id"]) == row["id"]
        evidence.setdefault(row["competency_id"], []).append(row)
    required = {g["competency_id"]: g for g in person["gaps"]}
    others = (set(current) | set(evidence)) - set(required)
    names = {r["id"]: r for r in await Competency.filter(id__in=list(others)).values(
        "id", "code", "name", "name_en")} if others else {}
    rows = []
    for cid in [*required, *sorted(others, key=lambda c: names.get(c, {}).get("code", ""))]:
        req = required.get(cid)
        info = req or names.get(cid, {"code": "", "name": "", "name_en": ""})
        rows.append({"competency_id": cid, "code": info["code"], "name": info["name"],
                     "name_en": info["name_en"], "current": current.get(cid, 0),
                     "required": req["required"] if req else None,
                     "mandatory": req["mandatory"] if req else None,
                     "gap": req["gap"] if req else 0, "evidence": evidence.get(cid, [])})
    return {"person": person, "rows": rows, "required": len(required)}


@page()
async def my_profile(request: Request, principal: Principal) -> Response:
    if principal.institution_id is None:
        raise Problem(403, "Bạn chưa thuộc đơn vị đào tạo nào.",
                      "You do not belong to any institution.")
    data = await own_profile(principal.institution_id, principal.user_id)
    position = await JobPosition.get_or_none(id=data["person"]["position_id"] or 0,
                                             institution_id=principal.institution_id)
    return await render(request, "assessment/profile.html", {
        "page": "assessment-profile", **data, "position": position, **FILTERS})


ROUTES: list[BaseRoute] = [
    Route("/assessment/me", my_profile, methods=["GET"], name="assessment.me"),
]
