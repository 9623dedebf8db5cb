"""The printable summary of a report (``lms_core.pdf.Document``, DejaVu Sans embedded so every
Vietnamese name prints whole): the scope, the key figures, the tables per unit, position and
year, the classes, what changed at work and the class quality. Vietnamese, or English when the
reader's language is English. Pure: it draws the JSON report it is given."""

from __future__ import annotations

from typing import Any

from lms_core.pdf import Document

from lms_assessment import report_format as fmt


def _t(locale: str, vi: str, en: str) -> str:
    return en if locale == "en" else vi


def _training_headers(locale: str, first: str) -> list[str]:
    return [first, _t(locale, "Đã đào tạo", "Trained"), _t(locale, "Lớp", "Classes"),
            _t(locale, "Ghi danh", "Enrolled"), _t(locale, "Hoàn thành", "Completed"),
            _t(locale, "Tỉ lệ HT", "Completion"), _t(locale, "Nhân sự", "Staff"),
            _t(locale, "Đạt chuẩn", "Meeting"), _t(locale, "Tỉ lệ đạt chuẩn", "Share meeting")]


def _training_cells(row: dict[str, Any], locale: str) -> list[Any]:
    return [row["trained"], row["classes"], row["enrolled"], row["completed"],
            fmt.pct(row["completion_rate"], locale), row["staff"], row["meeting"],
            fmt.pct(row["share"], locale)]


WIDTHS = (52, 16, 13, 16, 18, 18, 16, 15, 16)


def render(report: dict[str, Any], locale: str = "vi") -> bytes:
    scope = report["scope"]
    f = report["figures"]
    title = _t(locale, f"Báo cáo kết quả đào tạo, bồi dưỡng năm {scope['year']}",
               f"Training report {scope['year']}")
    doc = Document(title, author=scope["institution"]["name"],
                   footer=f"{scope['institution']['name']} · {title}")
    doc.heading(title)
    doc.paragraph(fmt.scope_label(report, locale))
    moment = fmt.moment_label(report, locale)
    doc.key_values([
        (_t(locale, "Người đã được đào tạo", "People trained"), f["trained"]),
        (_t(locale, "Số lớp", "Classes"), f["classes"]),
        (_t(locale, "Hoàn thành / ghi danh", "Completed / enrolled"),
         f"{f['completed']} / {f['enrolled']} ({fmt.pct(f['completion_rate'], locale)})"),
        (_t(locale, "Mức tiến bộ chuẩn hoá TB", "Mean normalised gain"),
         f"{fmt.num(f['gain'], locale)} ({f['gain_classes']} "
         f"{_t(locale, 'lớp', 'classes')})"),
        (_t(locale, "Đạt chuẩn vị trí việc làm", "Meeting their position's standard"),
         f"{f['meeting']} / {f['staff']} ({fmt.pct(f['share'], locale)}), "
         f"{_t(locale, 'tính tại', 'as of')} {moment}"),
    ], label_width=75)
    doc.heading(_t(locale, "Theo đơn vị", "Per unit"), 2)
    doc.table(_training_headers(locale, _t(locale, "Đơn vị", "Unit")),
              [[fmt.unit_label(r, report, locale), *_training_cells(r, locale)]
               for r in report["units"]], widths=WIDTHS, size=8)
    doc.heading(_t(locale, "Theo vị trí việc làm", "Per job position"), 2)
    doc.table(_training_headers(locale, _t(locale, "Vị trí", "Position")),
              [[fmt.position_label(r, locale), *_training_cells(r, locale)]
               for r in report["positions"]], widths=WIDTHS, size=8)
    doc.heading(_t(locale, "Qua các năm", "Over the years"), 2)
    doc.table(_training_headers(locale, _t(locale, "Năm", "Year")),
              [[str(r["year"]), *_training_cells(r, locale)] for r in report["years"]],
              widths=WIDTHS, size=8)
    if report["classes"]:
        doc.heading(_t(locale, "Các lớp trong năm", "The year's classes"), 2)
        doc.table([_t(locale, "Lớp", "Class"), _t(locale, "Khoá bồi dưỡng", "Course"),
                   _t(locale, "Kết thúc", "Ends"), _t(locale, "Ghi danh", "Enrolled"),
                   _t(locale, "Hoàn thành", "Completed"), _t(locale, "Tiến bộ", "Gain")],
                  [[f"{c['code']} {c['title']}", c["course_title"],
                    fmt.day(c["ends_on"] or c["starts_on"]), c["enrolled"], c["completed"],
                    fmt.num(c["gain"], locale)] for c in report["classes"]],
                  widths=(50, 50, 22, 18, 20, 20), size=8)
    rows = [[fmt.role_label(role, locale), f"{i['code']} {i['name']}", i["n"],
             fmt.num(i["baseline"], locale), fmt.num(i["last"], locale),
             fmt.signed(i["change"], locale)]
            for role in ("supervisor", "self") for i in report["changes"][role]["competencies"]]
    if rows:
        doc.heading(_t(locale, "Thay đổi trong công việc sau đào tạo",
                       "What changed at work after training"), 2)
        doc.table([_t(locale, "Người đánh giá", "Rater"), _t(locale, "Năng lực", "Competency"),
                   _t(locale, "Học viên", "Trainees"), _t(locale, "Ban đầu", "Baseline"),
                   _t(locale, "Lần cuối", "Last wave"), _t(locale, "Thay đổi", "Change")],
                  rows, widths=(36, 70, 18, 18, 20, 18), size=8)
    quality = report["quality"]
    if quality["courses"]:
        doc.heading(_t(locale, "Chất lượng lớp học theo khoá (thang 1–5)",
                       "Class quality per course (scale 1–5)"), 2)
        sections = quality["sections"]
        doc.table([_t(locale, "Khoá", "Course"), _t(locale, "Phiếu hợp lệ", "Valid forms"),
                   _t(locale, "Chung", "Overall"),
                   *[_t(locale, s["name"], s["name_en"]) for s in sections]],
                  [[c["title"], c["valid"], fmt.num(c["overall"]["mean"], locale),
                    *[fmt.num(c["sections"][s["key"]]["mean"], locale) for s in sections]]
                   for c in quality["courses"]], size=7)
    if quality["lecturers"]:
        doc.heading(_t(locale, "Đánh giá giảng viên (thang 1–5)", "Lecturers (scale 1–5)"), 2)
        doc.table([_t(locale, "Giảng viên", "Lecturer"), _t(locale, "Số lớp", "Classes"),
                   _t(locale, "Số câu trả lời", "Answers"), _t(locale, "Điểm TB", "Mean")],
                  [[x["full_name"], x["classes"], x["n"], fmt.num(x["mean"], locale)]
                   for x in quality["lecturers"]], widths=(80, 30, 35, 35), size=8)
    doc.paragraph(_t(
        locale,
        "Năm của một lớp là năm lớp kết thúc. Tỉ lệ đạt chuẩn = số người đạt mọi yêu cầu bắt "
        "buộc của vị trí việc làm / tổng nhân sự, theo hồ sơ năng lực tại thời điểm nêu trên. "
        "Khảo sát chất lượng là ẩn danh: chỉ có số liệu tổng hợp, phiếu không hợp lệ không "
        "được tính.",
        "A class's year is the year it ended. Share meeting = people reaching every mandatory "
        "requirement of their position / all staff, from the competency profile at the moment "
        "above. The quality survey is anonymous: aggregates only, invalid forms left out."),
        size=8)
    return doc.to_bytes()
