"""Every answer given in a session (or in all sessions of a class), as CSV and XLSX: one row per
trainee and activity, with who they are, their enrolment, what they answered and when (Vietnam
time). A second part lists the activities with their totals. Text cells are guarded against
formula injection: a trainee's answer "=HYPERLINK(...)" must stay text in Excel.
Two more parts follow: the Q&A questions and the groups' shared answers
(``interaction_export``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from lms_core.spreadsheets import neutralise

from lms_live_sessions.interaction_export import GROUP_HEADERS, QUESTION_HEADERS, \
    group_rows, question_rows
from lms_live_sessions.models import Activity, ActivityResponse
from lms_live_sessions.results import aggregate
from lms_live_sessions.schemas import VN_TZ

KIND_LABELS = {"poll": "Bình chọn (Poll)", "rating": "Thang đánh giá (Rating scale)",
               "word_cloud": "Đám mây từ (Word cloud)",
               "open_question": "Câu hỏi mở (Open question)",
               "quick_quiz": "Câu hỏi nhanh (Quick quiz)"}
STATE_LABELS = {"draft": "Nháp (draft)", "queued": "Đang chờ (queued)", "open": "Đang mở (open)",
                "closed": "Đã đóng (closed)"}
ANSWER_HEADERS = ("Phiên học (Session)", "Ngày giờ phiên (Session time)",
                  "Mã hoạt động (Activity id)", "Loại (Kind)", "Nội dung hoạt động (Prompt)",
                  "Họ và tên (Full name)", "Tên đăng nhập (Login)", "Mã ghi danh (Enrolment id)",
                  "Câu trả lời (Answer)", "Lần sửa (Revision)", "Thời điểm trả lời (Answered at)")
ACTIVITY_HEADERS = ("Phiên học (Session)", "Mã hoạt động (Activity id)", "Thứ tự (Position)",
                    "Loại (Kind)", "Nội dung hoạt động (Prompt)", "Trạng thái (State)",
                    "Số câu trả lời (Responses)", "Tóm tắt kết quả (Summary)")


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


def _when(value: Any) -> str:
    return value.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M:%S") if value else ""


def answer_text(kind: str, config: dict[str, Any], answer: dict[str, Any]) -> str:
    """What a person reads: the chosen options' labels, the value with its label, the words."""
    if kind == "poll":
        options = config.get("options", [])
        return " | ".join(options[i] for i in answer.get("choices", ()) if i < len(options))
    if kind == "rating":
        value = answer.get("value")
        label = config.get("labels", {}).get(str(value), "")
        return f"{value} ({label})" if label else str(value)
    if kind == "word_cloud":
        return " | ".join(answer.get("words", ()))
    if kind == "quick_quiz":
        return _quiz_answer_text(config, answer)
    return answer.get("text", "")


def _quiz_answer_text(config: dict[str, Any], answer: dict[str, Any]) -> str:
    """The chosen choices' text (HTML tags dropped), the value or the typed text."""
    import re

    labels = {c["id"]: re.sub(r"<[^>]*>", "", c.get("html", ""))
              for c in (config.get("question") or {}).get("choices", ())}
    if "choices" in answer or "choice" in answer:
        chosen = answer.get("choices") or [answer.get("choice")]
        return " | ".join(labels.get(c, str(c)) for c in chosen)
    if isinstance(answer.get("value"), bool):
        return labels.get(1 if answer["value"] else 2, str(answer["value"]))
    return str(answer.get("value", answer.get("text", "")))


def _summary(results: dict[str, Any]) -> str:
    kind = results["kind"]
    if kind == "poll":
        return " | ".join(f"{o['label']}: {o['count']}" for o in results["options"])
    if kind == "rating":
        avg = results["average"]
        dist = " | ".join(f"{d['value']}: {d['count']}" for d in results["distribution"])
        return f"Trung bình (average) {avg if avg is not None else '-'} · {dist}"
    if kind == "word_cloud":
        return " | ".join(f"{w['text']}: {w['count']}" for w in results["words"][:20])
    return f"{results['responses']}"


async def collect(session_ids: Sequence[int], institution_id: int
                  ) -> tuple[list[list[Any]], list[list[Any]], list[list[Any]],
                             list[list[Any]]]:
    """Rows of answers and of activities, ordered by session time, queue position, then the
    trainee's name in Vietnamese alphabetical order; then the questions and group answers."""
    activities = await Activity.filter(
        session_id__in=list(session_ids), institution_id=institution_id).order_by(
        "session__starts_at", "session_id", "position", "id").values(
        "id", "kind", "config", "prompt", "state", "position", "session__title",
        "session__starts_at")
    by_id = {a["id"]: a for a in activities}
    answers = await ActivityResponse.filter(
        activity_id__in=list(by_id) or [0], institution_id=institution_id).order_by(
        "user__sort_key", "id").values("activity_id", "user__full_name", "user__login",
        "enrolment_id", "answer", "revision", "updated_at", "score")
    per_activity: dict[int, list[dict[str, Any]]] = {}
    for row in answers:
        per_activity.setdefault(row["activity_id"], []).append(row)
    answer_rows, activity_rows = [], []
    for a in activities:
        kind = _plain(a["kind"])
        rows = per_activity.get(a["id"], [])
        for r in rows:
            answer_rows.append([a["session__title"], _when(a["session__starts_at"]), a["id"],
                                KIND_LABELS[kind], a["prompt"], r["user__full_name"],
                                r["user__login"], r["enrolment_id"],
                                answer_text(kind, a["config"], r["answer"])
                                + (f" (điểm/score {r['score']})" if r["score"] is not None
                                   else ""), r["revision"],
                                _when(r["updated_at"])])
        results = aggregate(a, rows, with_names=False)
        activity_rows.append([a["session__title"], a["id"], a["position"], KIND_LABELS[kind],
                              a["prompt"], STATE_LABELS[_plain(a["state"])], len(rows),
                              _summary(results)])
    return (answer_rows, activity_rows, await question_rows(session_ids, institution_id),
            await group_rows(session_ids, institution_id))


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    return value if isinstance(value, int) else neutralise(str(value))


def to_csv(answer_rows: Iterable[Sequence[Any]], activity_rows: Iterable[Sequence[Any]],
           question_rows: Iterable[Sequence[Any]] = (),
           group_rows: Iterable[Sequence[Any]] = ()) -> bytes:
    """UTF-8 with a BOM (Excel otherwise reads Vietnamese as Windows-1252): the answers, then
    the activities, the questions and the group answers, each after an empty row and under
    its own header."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ANSWER_HEADERS)
    writer.writerows([_csv_cell(v) for v in row] for row in answer_rows)
    for headers, rows in ((ACTIVITY_HEADERS, activity_rows), (QUESTION_HEADERS, question_rows),
                          (GROUP_HEADERS, group_rows)):
        writer.writerow([])
        writer.writerow(headers)
        writer.writerows([_csv_cell(v) for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(answer_rows: Sequence[Sequence[Any]], activity_rows: Sequence[Sequence[Any]],
            question_rows: Sequence[Sequence[Any]] = (),
            group_rows: Sequence[Sequence[Any]] = ()) -> bytes:
    """Two sheets, bold frozen headers; numbers stay numbers, text is never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, headers, rows in (("Câu trả lời", ANSWER_HEADERS, answer_rows),
                                 ("Hoạt động", ACTIVITY_HEADERS, activity_rows),
                                 ("Hỏi đáp", QUESTION_HEADERS, question_rows),
                                 ("Thảo luận nhóm", GROUP_HEADERS, group_rows)):
        sheet = workbook.create_sheet(title)
        for column, header in enumerate(headers, start=1):
            sheet.cell(row=1, column=column, value=header).font = Font(bold=True)
        for r, values in enumerate(rows, start=2):
            for column, value in enumerate(values, start=1):
                cell = sheet.cell(row=r, column=column)
                if isinstance(value, int) and not isinstance(value, bool):
                    cell.value = value
                elif value is not None:
                    cell.value = neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))
                    cell.data_type = "s"
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
