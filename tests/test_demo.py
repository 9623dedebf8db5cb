"""`lms demo` data: the core's accounts and classes and, through ``lms_demo_loaded``, the
assessment plugin's framework, position requirements, class plan and settings; loading twice
changes nothing (the demo loads on every start)."""

from __future__ import annotations

from lms_core.demo import load_demo
from lms_core.models import CourseClass, Institution, User
from lms_core.services.settings import get_setting

from lms_assessment.models import AssessmentPlan, Competency, Evidence, Framework, JobRating, \
    PositionCompetency


async def _counts() -> tuple[int, ...]:
    return (await User.all().count(), await CourseClass.all().count(),
            await Framework.all().count(), await Competency.all().count(),
            await PositionCompetency.all().count(), await AssessmentPlan.all().count(),
            await JobRating.all().count(), await Evidence.all().count())


async def test_demo_loads_every_plugins_data_once(app, settings):
    plugins = app.state.lms.plugins
    accounts = await load_demo(settings, plugins)
    assert {role for _l, _p, role in accounts} == {"admin", "lecturer", "trainee", "supervisor",
                                                   "planner"}
    inst = await Institution.get(code="demo")
    framework = await Framework.get(institution_id=inst.id)
    assert framework.code == "KNL-SO" and framework.shared is True
    codes = set(await Competency.filter(framework=framework).values_list("code", flat=True))
    assert {"NL-CDS-01", "NL-CDS-06", "NL-GT-01", "NL-VB-01"} <= codes
    # every code a demo position requires is in the framework: no unknown codes in the needs
    assert set(await PositionCompetency.filter(institution_id=inst.id).values_list(
        "code", flat=True)) <= codes
    klass = await CourseClass.get(institution_id=inst.id, code="CDS-2026-01")
    plan = await AssessmentPlan.get(klass_id=klass.id)
    assert plan.steps["on_the_job"]["waves"] == [30, 90]
    # the two enrolled trainees have their baseline to give, self and supervisor
    assert await JobRating.filter(klass_id=klass.id, wave=0).count() == 4
    assert await get_setting(plugins, inst.id, "assessment.certificates") is True
    assert await get_setting(plugins, inst.id, "assessment.default_plan") == "standard"
    before = await _counts()
    await load_demo(settings, plugins)
    assert await _counts() == before
