"""What the assessment plugin adds to the core's class and course pages (``lms_page_panels``):

* the **course page** shows the viewer's own level in each competency the course develops,
  read with ``profile.current_levels`` like the profile page and the reports, so the three
  always agree (the issue's point: profiles saying "met" while the course says "incomplete");
* the **class page** leads each person to their part of the class's assessment: a trainee to
  the survey, the practical task, their ratings and their certificate; the class's staff to
  the overview, the plan and the submissions.
"""

from __future__ import annotations

from typing import Any

from lms_core.models import ClassLecturer
from lms_core.models.enrolments import EnrolmentStatus
from lms_core.plugin_api import PagePanel

from lms_assessment import class_steps, frameworks, plans, profile
from lms_assessment.models import Certificate, Competency, JobRating, PracticalTask, \
    ReviewStatus
from lms_assessment.needs import course_levels


async def course_panel(course: Any, principal: Any) -> PagePanel | None:
    resolve = await frameworks.resolve_codes(principal.institution_id)
    develops = course_levels(course.competencies, resolve)
    if not develops:
        return None
    mine = (await profile.current_levels([principal.user_id],
                                         competency_ids=list(develops))).get(
        principal.user_id, {})
    comps = {c["id"]: c for c in await Competency.filter(id__in=list(develops)).values(
        "id", "code", "name", "name_en")}
    rows = [{"code": comps[cid]["code"], "name": comps[cid]["name"],
             "name_en": comps[cid]["name_en"], "course_level": level,
             "my_level": mine.get(cid), "reached": (mine.get(cid) or 0) >= level}
            for cid, level in sorted(develops.items(), key=lambda kv: comps[kv[0]]["code"])
            if cid in comps]
    return PagePanel("Năng lực của tôi trong khoá học này", "My level in this course's "
                     "competencies", "assessment/_panel_course.html",
                     {"rows": rows, "reached": sum(r["reached"] for r in rows)}, order=20)


async def class_panel(klass: Any, enrolment: Any, principal: Any, plugins: Any
                      ) -> PagePanel | None:
    plan = await plans.effective_plan(plugins, klass)
    staff = principal.can("assessment.manage") or principal.can("assessment.report") or \
        await ClassLecturer.filter(klass_id=klass.id, user_id=principal.user_id).exists()
    links: list[dict[str, str]] = []
    base = f"/assessment/classes/{klass.id}"
    if enrolment is not None and enrolment.status in (EnrolmentStatus.ACTIVE,
                                                      EnrolmentStatus.COMPLETED):
        if plan is not None and plan.id is not None and plans.enabled(plan, "reaction"):
            if await class_steps.survey_answered(plan, principal.user_id):
                links.append({"label": "Khảo sát chất lượng lớp học: đã gửi, cảm ơn anh/chị",
                              "label_en": "Class-quality survey: sent, thank you", "url": ""})
            elif class_steps.survey_open(klass, plan, enrolment):
                links.append({"label": "Trả lời khảo sát chất lượng lớp học (ẩn danh)",
                              "label_en": "Answer the class-quality survey (anonymous)",
                              "url": f"{base}/survey"})
        if plans.enabled(plan, "application") and \
                await PracticalTask.filter(klass_id=klass.id).exists():
            links.append({"label": "Bài tập thực hành theo vị trí việc làm",
                          "label_en": "Practical task on your job", "url": f"{base}/task"})
        due = await JobRating.filter(enrolment_id=enrolment.id, rater_id=principal.user_id,
                                     status=ReviewStatus.PENDING).count()
        if due:
            links.append({"label": f"Tự đánh giá tại nơi làm việc: {due} phiếu cần thực hiện",
                          "label_en": f"On-the-job self-rating: {due} to do",
                          "url": "/assessment/ratings"})
        certificate = await Certificate.get_or_none(enrolment_id=enrolment.id)
        if certificate is not None:
            links.append({"label": f"Giấy chứng nhận {certificate.number} (PDF)",
                          "label_en": f"Certificate {certificate.number} (PDF)",
                          "url": f"/api/v1/assessment/certificates/{certificate.id}.pdf"})
    if staff:
        links.append({"label": "Kết quả đánh giá sau đào tạo của lớp",
                      "label_en": "The class's post-training assessment", "url": base})
        if principal.can("assessment.manage"):
            links.append({"label": "Kế hoạch đánh giá của lớp", "label_en": "Assessment plan",
                          "url": f"{base}/plan"})
        if plans.enabled(plan, "application"):
            if await PracticalTask.filter(klass_id=klass.id).exists():
                links.append({"label": "Bài tập thực hành: bài nộp và chấm điểm",
                              "label_en": "Practical task: submissions and grading",
                              "url": f"{base}/task/submissions"})
            else:  # the submissions page has nothing to show (404) before the task is set
                links.append({"label": "Giao bài tập thực hành cho lớp",
                              "label_en": "Set the class's practical task",
                              "url": f"{base}/task"})
    if not links:
        return None
    return PagePanel("Đánh giá sau đào tạo", "Post-training assessment",
                     "assessment/_panel_class.html",
                     {"links": links, "plan": plan, "default_plan": plan is not None and
                      plan.id is None}, order=30)


async def panels(page: str, context: dict[str, Any], principal: Any, plugins: Any
                 ) -> list[PagePanel]:
    panel = None
    if page == "course" and context.get("course") is not None:
        panel = await course_panel(context["course"], principal)
    elif page == "class" and context.get("klass") is not None:
        panel = await class_panel(context["klass"], context.get("enrolment"), principal,
                                  plugins)
    return [panel] if panel is not None else []
