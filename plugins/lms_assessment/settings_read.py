"""The assessment plugin's institution settings, read the same way wherever the code runs: in a
request (the plugin manager knows the declared defaults), and in the command line or a job,
where events may arrive without a runtime (``lms demo`` enrols its trainees from the CLI)."""

from __future__ import annotations

from typing import Any

from lms_core.models import InstitutionSetting


async def setting(plugins: Any, institution_id: int, key: str) -> Any:
    """The institution's value, else the default the plugin declares (``plugin.SETTINGS``)."""
    if plugins is not None and key in getattr(plugins.registry, "settings", {}):
        from lms_core.services.settings import get_setting

        return await get_setting(plugins, institution_id, key)
    from lms_assessment.plugin import SETTINGS

    row = await InstitutionSetting.get_or_none(institution_id=institution_id, key=key)
    if row is not None:
        return row.value
    return next((s.default for s in SETTINGS if s.key == key), None)
