"""The assessment plugin's part of ``lms demo``: the sample competency framework from
``content/frameworks/``, what the demo positions require, the demo class's assessment plan, a
prior certificate for one trainee (so the duplication check has something to say) and
certificates switched on. Idempotent: each piece is added only when missing, and settings an
admin has changed are left alone."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

from lms_core import clock
from lms_core.models import Enrolment, EnrolmentStatus, InstitutionSetting, JobPosition
from lms_core.services.settings import set_setting

from lms_assessment import frames, framework_files, frameworks, plans, profile
from lms_assessment.models import AssessmentPlan, Evidence, Framework, PositionCompetency
from lms_assessment.schemas import CompetencyRequirement

log = logging.getLogger("lms.assessment")

FRAMEWORK_CODE = "KNL-SO"
FRAMEWORK_NAME = "Khung năng lực số của công chức cấp xã"

#: position code -> (competency code, required level, mandatory, weight)
REQUIREMENTS: dict[str, list[tuple[str, int, bool, float]]] = {
    "CV-MOTCUA": [("NL-CDS-01", 3, True, 1.0), ("NL-CDS-02", 3, True, 2.0),
                  ("NL-GT-01", 3, True, 1.0), ("NL-CDS-04", 2, False, 1.0)],
    "CV-VANTHU": [("NL-CDS-03", 3, True, 2.0), ("NL-VB-01", 3, True, 1.0),
                  ("NL-CDS-05", 2, False, 1.0)],
    "LD-PHUONG": [("NL-CDS-01", 4, True, 1.0), ("NL-CDS-06", 3, True, 2.0)],
}

SETTINGS = {"assessment.certificates": True, "assessment.default_plan": "standard"}


async def load(institution: Any, users: dict[str, Any], classes: dict[str, Any],
               settings: Any, plugins: Any) -> None:
    inst_id = institution.id
    await _framework(inst_id, Path(settings.content_dir) / "frameworks" / "khung-nang-luc-so.csv")
    for code, items in REQUIREMENTS.items():
        position = await JobPosition.get_or_none(institution_id=inst_id, code=code)
        if position is None or await PositionCompetency.filter(position_id=position.id).exists():
            continue
        await frames.set_frame(inst_id, position.id, [
            CompetencyRequirement(code=c, required_level=lv, mandatory=m, weight=w)
            for c, lv, m, w in items])
    for key, value in SETTINGS.items():
        if not await InstitutionSetting.filter(institution_id=inst_id, key=key).exists():
            await set_setting(plugins, inst_id, key, value)
    klass = classes.get("CDS-2026-01")
    admin = users.get("admin")
    if klass is not None and admin is not None and \
            not await AssessmentPlan.filter(klass_id=klass.id).exists():
        await plans.set_plan(plugins, klass, "standard", {}, admin.id)
        from lms_assessment.on_the_job import schedule_baseline

        for enrolment in await Enrolment.filter(klass_id=klass.id,
                                                status=EnrolmentStatus.ACTIVE):
            await schedule_baseline(enrolment, plugins)
    trainee = users.get("hocvien2")
    resolve = await frameworks.resolve_codes(inst_id)
    if trainee is not None and "NL-CDS-05" in resolve and not await Evidence.filter(
            user_id=trainee.id, ref="demo:chung-chi-attt").exists():
        await profile.record_evidence(
            institution_id=inst_id, user_id=trainee.id, competency_id=resolve["NL-CDS-05"],
            level=3, source="prior_certificate", observed_at=clock.now() - timedelta(days=200),
            expires_at=clock.now() + timedelta(days=530), ref="demo:chung-chi-attt",
            note="Chứng chỉ An toàn thông tin cơ bản (Sở Thông tin và Truyền thông, 2026)")


async def _framework(institution_id: int, path: Path) -> None:
    if await Framework.filter(institution_id=institution_id, code=FRAMEWORK_CODE).exists():
        return
    if not path.is_file():
        log.warning("demo: no framework file at %s", path)
        return
    parsed = framework_files.parse_csv(path.read_bytes())
    await frameworks.import_into(institution_id, parsed, code=FRAMEWORK_CODE,
                                 name=FRAMEWORK_NAME, shared=True)
