"""Step 1 of the post-training assessment, *reaction*: the class-quality survey trainees answer at
the end, anonymous to lecturers (and to everyone), covering what Vietnam's rules on evaluating
in-service training name: the programme, the lecturers, the learners, the facilities, the
course's organisation and its usefulness for the job.

The form is the template's items, the lecturer items once per lecturer of the class, on a
1–5 agreement scale, plus an optional comment. A form with more than ``INVALID_SHARE`` (5%) of
its items unanswered is invalid: kept and counted apart, left out of every statistic.
Statistics per item, section and lecturer: valid answers, mean, the distribution 1–5, and the
class's response rate (valid forms / trainees of the class). Comments are shown only when at
least ``MIN_FOR_COMMENTS`` forms were received, so a small class cannot tell who wrote what.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from lms_core import clock
from lms_core.http.problems import Problem

from lms_assessment.models import AssessmentPlan, SurveyReceipt, SurveyResponse

INVALID_SHARE = 0.05
MIN_FOR_COMMENTS = 3
SCALE = (1, 2, 3, 4, 5)
SCALE_LABELS = {1: ("Rất không đồng ý", "Strongly disagree"), 2: ("Không đồng ý", "Disagree"),
                3: ("Phân vân", "Neither agree nor disagree"), 4: ("Đồng ý", "Agree"),
                5: ("Rất đồng ý", "Strongly agree")}

SECTIONS = {
    "programme": ("Chương trình bồi dưỡng", "The programme"),
    "lecturers": ("Giảng viên", "The lecturers"),
    "learners": ("Học viên", "The learners"),
    "facilities": ("Cơ sở vật chất, tài liệu", "Facilities and materials"),
    "organisation": ("Công tác tổ chức lớp", "The course's organisation"),
    "usefulness": ("Tính hữu ích cho công việc", "Usefulness for the job"),
}


@dataclass(frozen=True)
class Item:
    key: str
    section: str
    text: str
    text_en: str
    per_lecturer: bool = False


STANDARD_ITEMS: tuple[Item, ...] = (
    Item("P1", "programme", "Nội dung chương trình phù hợp với yêu cầu của vị trí việc làm",
         "The content fits what my job position requires"),
    Item("P2", "programme", "Nội dung cập nhật, sát với thực tiễn công tác",
         "The content is up to date and close to the realities of the work"),
    Item("P3", "programme", "Thời lượng phù hợp với nội dung", "The length suits the content"),
    Item("L1", "lecturers", "Giảng viên nắm vững nội dung, truyền đạt dễ hiểu",
         "The lecturer masters the content and explains it clearly", True),
    Item("L2", "lecturers", "Giảng viên liên hệ thực tiễn, tổ chức trao đổi, thảo luận",
         "The lecturer relates it to practice and gets the class discussing", True),
    Item("L3", "lecturers", "Giảng viên bảo đảm thời gian và kế hoạch giảng dạy",
         "The lecturer keeps to the time and the teaching plan", True),
    Item("H1", "learners", "Tôi tham gia đầy đủ, tích cực các hoạt động của lớp",
         "I took a full and active part in the class"),
    Item("H2", "learners", "Học viên trong lớp trao đổi, hỗ trợ nhau trong học tập",
         "Trainees exchanged and helped each other"),
    Item("F1", "facilities", "Phòng học và trang thiết bị đáp ứng yêu cầu",
         "The rooms and equipment met the needs"),
    Item("F2", "facilities", "Hệ thống học trực tuyến hoạt động ổn định, dễ sử dụng",
         "The online platform worked reliably and was easy to use"),
    Item("F3", "facilities", "Tài liệu học tập đầy đủ, kịp thời",
         "The learning materials were complete and on time"),
    Item("O1", "organisation", "Công tác tổ chức, quản lý lớp chu đáo",
         "The class was well organised and managed"),
    Item("O2", "organisation", "Lịch học hợp lý, thuận tiện", "The timetable was sensible"),
    Item("U1", "usefulness", "Kiến thức, kỹ năng thu được áp dụng được vào công việc",
         "What I learnt can be applied in my work"),
    Item("U2", "usefulness", "Khoá học giúp tôi thực hiện tốt hơn nhiệm vụ của vị trí việc làm",
         "The course helps me do my job better"),
)


def form_items(lecturers: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The form of one class: lecturer items once per lecturer (key ``L1@<user id>``)."""
    out = []
    for item in STANDARD_ITEMS:
        if item.per_lecturer:
            for lecturer in lecturers:
                out.append({"key": f"{item.key}@{lecturer['id']}", "section": item.section,
                            "text": item.text, "text_en": item.text_en,
                            "lecturer_id": lecturer["id"],
                            "lecturer_name": lecturer["full_name"]})
        else:
            out.append({"key": item.key, "section": item.section, "text": item.text,
                        "text_en": item.text_en, "lecturer_id": None, "lecturer_name": ""})
    return out


def check(answers: dict[str, Any], items: list[dict[str, Any]]) -> tuple[dict[str, int], int]:
    """Keep the answers to this form's items (1–5 integers); returns them and the number of
    items left unanswered. Anything else is a 422: a wrong value is a mistake, not a blank."""
    keys = {i["key"] for i in items}
    unknown = sorted(set(answers) - keys)
    if unknown:
        raise Problem(422, f"Câu hỏi không có trong phiếu: {', '.join(unknown[:5])}.",
                      f"Not items of this form: {', '.join(unknown[:5])}.")
    kept: dict[str, int] = {}
    for key, value in answers.items():
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
            raise Problem(422, f"Câu {key}: chọn một mức từ 1 đến 5.",
                          f"Item {key}: choose a level from 1 to 5.")
        kept[key] = value
    return kept, len(keys) - len(kept)


def is_valid(unanswered: int, items: int) -> bool:
    return items > 0 and unanswered <= INVALID_SHARE * items + 1e-9


async def submit(plan: AssessmentPlan, user_id: int, items: list[dict[str, Any]],
                 answers: dict[str, Any], comment: str) -> dict[str, Any]:
    kept, unanswered = check(answers, items)
    valid = is_valid(unanswered, len(items))
    try:
        async with in_transaction():
            await SurveyReceipt.create(plan=plan, user_id=user_id)
            await SurveyResponse.create(plan=plan, answers=kept, comment=comment.strip(),
                                        items=len(items), unanswered=unanswered, valid=valid,
                                        submitted_on=clock.now().date())
    except IntegrityError:
        raise Problem(409, "Anh/chị đã gửi phiếu khảo sát của lớp này.",
                      "You have already sent this class's survey.") from None
    return {"valid": valid, "unanswered": unanswered, "items": len(items),
            "message_vi": "Cảm ơn anh/chị đã góp ý." if valid else
            f"Phiếu đã được ghi nhận nhưng không hợp lệ: còn {unanswered} câu chưa trả lời "
            f"(tối đa {int(INVALID_SHARE * len(items))}).",
            "message_en": "Thank you for your feedback." if valid else
            f"The form is recorded but not valid: {unanswered} items unanswered "
            f"(at most {int(INVALID_SHARE * len(items))})."}


def _stats(values: list[int]) -> dict[str, Any]:
    n = len(values)
    return {"n": n, "mean": round(sum(values) / n, 2) if n else None,
            "distribution": {str(v): values.count(v) for v in SCALE}}


def statistics(items: list[dict[str, Any]], responses: list[dict[str, Any]], trainees: int,
               with_comments: bool = True) -> dict[str, Any]:
    valid = [r for r in responses if r["valid"]]
    per_item = []
    for item in items:
        values = [r["answers"][item["key"]] for r in valid if item["key"] in r["answers"]]
        per_item.append({**item, **_stats(values)})
    sections = []
    for key, (vi, en) in SECTIONS.items():
        values = [v for item in items if item["section"] == key
                  for r in valid for k, v in r["answers"].items() if k == item["key"]]
        if any(i["section"] == key for i in items):
            sections.append({"section": key, "name": vi, "name_en": en, **_stats(values)})
    lecturers: dict[int, dict[str, Any]] = {}
    for item in items:
        if item["lecturer_id"] is None:
            continue
        entry = lecturers.setdefault(item["lecturer_id"], {
            "lecturer_id": item["lecturer_id"], "full_name": item["lecturer_name"],
            "_values": []})
        entry["_values"] += [r["answers"][item["key"]] for r in valid
                             if item["key"] in r["answers"]]
    lecturer_rows = [{k: v for k, v in e.items() if k != "_values"} | _stats(e["_values"])
                     for e in lecturers.values()]
    everything = [v for r in valid for v in r["answers"].values()]
    out = {"forms": len(responses), "valid": len(valid), "invalid": len(responses) - len(valid),
           "trainees": trainees,
           "response_rate": round(len(valid) / trainees, 3) if trainees else None,
           "overall": _stats(everything), "items": per_item, "sections": sections,
           "lecturers": lecturer_rows}
    if with_comments:
        out["comments"] = ([r["comment"] for r in valid if r["comment"]]
                           if len(responses) >= MIN_FOR_COMMENTS else [])
        out["comments_hidden"] = len(responses) < MIN_FOR_COMMENTS
    return out
