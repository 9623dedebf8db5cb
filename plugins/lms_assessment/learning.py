"""Step 2 of the post-training assessment, *learning*: the pre-test at enrolment and the
post-test at the end (quiz modules of kind ``pre_test`` and ``post_test`` in the class's
course, read through ``lms_assessment_quiz_results`` so this plugin never imports quizzes).

Each trainee's **normalised change** (Marx and Cummings, 2007), which unlike Hake's gain
(post − pre) / (max − pre) is defined for a perfect pre-test too:

* post > pre: (post − pre) / (1 − pre)
* post < pre: (post − pre) / pre
* post = pre: 0 (a perfect pre-test kept perfect, or no change)

The class's figure is the mean of its trainees' changes (those with both tests), and the same
is given per competency from the questions' tags. A post-test also becomes evidence of each
competency it tests: the level the course develops when at least ``FULL_SHARE`` of that
competency's marks were earned, one level lower from ``PART_SHARE``, none below.
"""

from __future__ import annotations

from typing import Any

from lms_core import clock
from lms_core.models import CourseClass, CourseModule, Enrolment, EnrolmentStatus

from lms_assessment import frameworks, profile
from lms_assessment.models import EvidenceSource
from lms_assessment.needs import course_levels

FULL_SHARE = 0.8
PART_SHARE = 0.6


def change(pre: float | None, post: float | None) -> float | None:
    if pre is None or post is None:
        return None
    if post > pre:
        return round((post - pre) / (1 - pre), 4)
    if post < pre:
        return round((post - pre) / pre, 4)
    return 0.0


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


async def results(plugins: Any, institution_id: int, course_id: int,
                  user_ids: list[int] | None) -> list[dict[str, Any]]:
    modules = await CourseModule.filter(course_id=course_id, type="quiz",
                                        is_active=True).values_list("id", flat=True)
    if not modules or plugins is None:
        return []
    return await plugins.collect("lms_assessment_quiz_results", institution_id,
                                 institution_id=institution_id, module_ids=list(modules),
                                 user_ids=user_ids)


async def class_learning(plugins: Any, klass: CourseClass) -> dict[str, Any]:
    trainees = await Enrolment.filter(
        klass_id=klass.id, status__in=(EnrolmentStatus.ACTIVE, EnrolmentStatus.COMPLETED)
    ).values("user_id", "user__full_name", "user__sort_key")
    ids = [t["user_id"] for t in trainees]
    found = await results(plugins, klass.institution_id, klass.course_id, ids) if ids else []
    pre = {r["user_id"]: r for r in found if r["kind"] == "pre_test"}
    post = {r["user_id"]: r for r in found if r["kind"] == "post_test"}
    rows, changes = [], []
    codes: set[str] = set()
    for t in sorted(trainees, key=lambda t: (t["user__sort_key"], t["user_id"])):
        a, b = pre.get(t["user_id"]), post.get(t["user_id"])
        c = change(a["fraction"] if a else None, b["fraction"] if b else None)
        if c is not None:
            changes.append(c)
        codes |= set((a or {}).get("competencies", {})) | set((b or {}).get("competencies", {}))
        rows.append({"user_id": t["user_id"], "full_name": t["user__full_name"],
                     "pre": a["fraction"] if a else None, "post": b["fraction"] if b else None,
                     "change": c})
    per_competency = []
    for code in sorted(codes):
        pairs = [(pre[u]["competencies"].get(code), post[u]["competencies"].get(code))
                 for u in ids if u in pre and u in post]
        cs = [change(x, y) for x, y in pairs if x is not None and y is not None]
        per_competency.append({
            "code": code,
            "pre_mean": _mean([pre[u]["competencies"][code] for u in pre
                               if code in pre[u]["competencies"]]),
            "post_mean": _mean([post[u]["competencies"][code] for u in post
                                if code in post[u]["competencies"]]),
            "change_mean": _mean([c for c in cs if c is not None])})
    return {"class_id": klass.id, "trainees": rows, "with_both": len(changes),
            "class_change": _mean(changes),
            "pre_mean": _mean([r["pre"] for r in rows if r["pre"] is not None]),
            "post_mean": _mean([r["post"] for r in rows if r["post"] is not None]),
            "competencies": per_competency}


def evidence_level(share: float, course_level: int) -> int | None:
    if share + 1e-9 >= FULL_SHARE:
        return course_level
    if share + 1e-9 >= PART_SHARE:
        return max(1, course_level - 1)
    return None


async def record_post_test(plugins: Any, module: Any, user_id: int) -> int:
    """Called when a post-test module is completed: its result per competency as evidence."""
    course = await module.course
    found = [r for r in await results(plugins, course.institution_id, course.id, [user_id])
             if r["module_id"] == module.id and r["kind"] == "post_test"]
    if not found:
        return 0
    resolve = await frameworks.resolve_codes(course.institution_id)
    develops = course_levels(course.competencies, resolve)
    recorded = 0
    for code, share in found[0]["competencies"].items():
        competency_id = resolve.get(code)
        if competency_id is None:
            continue
        level = evidence_level(share, develops.get(competency_id, 3))
        if level is None:
            continue
        finished = found[0]["finished_at"] or clock.now()
        await profile.record_evidence(
            institution_id=course.institution_id, user_id=user_id, competency_id=competency_id,
            level=level, source=EvidenceSource.POST_TEST, observed_at=finished,
            ref=f"post_test:{module.id}", note=f"{share:.0%}")
        recorded += 1
    return recorded
