"""Per-institution settings: the default a plugin declared, unless the institution changed it."""

from __future__ import annotations

import json
from typing import Any

from tortoise.transactions import in_transaction

from lms_core.models import InstitutionSetting
from lms_core.plugins import PluginManager


async def get_setting(plugins: PluginManager, institution_id: int, key: str) -> Any:
    spec = plugins.registry.settings.get(key)
    if spec is None:
        raise KeyError(f"no setting {key!r} is registered")
    row = await InstitutionSetting.get_or_none(institution_id=institution_id, key=key)
    return spec.default if row is None else row.value


async def set_setting(plugins: PluginManager, institution_id: int, key: str, value: Any) -> None:
    spec = plugins.registry.settings.get(key)
    if spec is None:
        raise KeyError(f"no setting {key!r} is registered")
    if spec.default is not None and not isinstance(value, type(spec.default)):
        raise TypeError(f"{key} expects {type(spec.default).__name__}")
    if isinstance(value, str):
        # Tortoise reads a plain str given to a JSONField as JSON text: encode it as a string.
        value = json.dumps(value, ensure_ascii=False)
    # A model instance would decode that JSON text back into a bare str on assignment and then
    # refuse it as invalid JSON; an UPDATE passes it through as it is, so create the row with a
    # placeholder and set the value by UPDATE, in one transaction.
    async with in_transaction():
        row, _ = await InstitutionSetting.get_or_create(
            defaults={"value": 0}, institution_id=institution_id, key=key)
        await InstitutionSetting.filter(id=row.id).update(value=value)
