"""Institution settings keep every JSON value as given: text (which Tortoise's JSONField would
otherwise read as JSON text), numbers, booleans, lists and objects, created and then changed."""

from __future__ import annotations

from lms_core.models import InstitutionSetting
from lms_core.services.settings import get_setting, set_setting


async def test_values_of_every_json_type_survive_creation_and_change(app, world):
    plugins = app.state.lms.plugins
    inst = world.inst["a"]
    key = "assessment.default_plan"  # a text setting
    assert await get_setting(plugins, inst, key) == ""
    await set_setting(plugins, inst, key, "standard")
    assert await get_setting(plugins, inst, key) == "standard"
    await set_setting(plugins, inst, key, 'chữ "có" dấu {không phải JSON}')
    assert await get_setting(plugins, inst, key) == 'chữ "có" dấu {không phải JSON}'
    assert await InstitutionSetting.filter(institution_id=inst, key=key).count() == 1
    await set_setting(plugins, inst, "assessment.on_the_job_waves", [14, 60])
    assert await get_setting(plugins, inst, "assessment.on_the_job_waves") == [14, 60]
    await set_setting(plugins, inst, "assessment.certificates", True)
    assert await get_setting(plugins, inst, "assessment.certificates") is True
    assert await get_setting(plugins, world.inst["b"], key) == ""  # the other institution's
