"""The report as spreadsheets (CSV and XLSX through ``lms_core.spreadsheets``, the same tables):
the figures of the JSON report, shares as fractions (numbers stay numbers in a sheet), headers
in Vietnamese with the English alongside, row labels in the reader's language."""

from __future__ import annotations

from typing import Any

from lms_core.spreadsheets import Sheet

from lms_assessment import report_format as fmt

TRAINING = ("Đã đào tạo, người (Trained, people)", "Lớp (Classes)",
            "Ghi danh (Enrolled)", "Hoàn thành (Completed)",
            "Tỉ lệ hoàn thành (Completion rate)", "Nhân sự (Staff)",
            "Có chuẩn vị trí (With a standard)", "Đạt chuẩn (Meeting)",
            "Tỉ lệ đạt chuẩn (Share meeting)")
CLASS_HEADERS = ("Mã lớp (Class code)", "Lớp (Class)", "Khoá bồi dưỡng (Course)",
                 "Bắt đầu (Starts)", "Kết thúc (Ends)", "Ghi danh (Enrolled)",
                 "Hoàn thành (Completed)", "Tỉ lệ hoàn thành (Completion rate)",
                 "Mức tiến bộ chuẩn hoá (Normalised gain)",
                 "Học viên làm đủ hai bài kiểm tra (Trainees with both tests)")
CHANGE_HEADERS = ("Người đánh giá (Rater)", "Mã năng lực (Code)", "Năng lực (Competency)",
                  "Số học viên (Trainees)", "Mức ban đầu (Baseline)",
                  "Mức lần cuối (Last wave)", "Thay đổi (Change)")
LECTURER_HEADERS = ("Giảng viên (Lecturer)", "Số lớp (Classes)", "Số câu trả lời (Answers)",
                    "Điểm trung bình, 1–5 (Mean, 1–5)")
PEOPLE_HEADERS = ("Họ và tên (Full name)", "Vị trí việc làm (Position)",
                  "Đạt chuẩn (Meets the standard)", "Năng lực còn thiếu (Open gaps)",
                  "Lớp đã hoàn thành trong năm (Classes completed in the year)")


def _training(row: dict[str, Any]) -> list[Any]:
    return [row["trained"], row["classes"], row["enrolled"], row["completed"],
            row["completion_rate"], row["staff"], row["with_standard"], row["meeting"],
            row["share"]]


def _yes(value: bool | None, locale: str) -> str:
    if value is None:
        return "no standard" if locale == "en" else "chưa có chuẩn"
    if locale == "en":
        return "yes" if value else "no"
    return "có" if value else "không"


def sheets(report: dict[str, Any], locale: str = "vi") -> list[Sheet]:
    f = report["figures"]
    en = locale == "en"
    summary = [
        ("Phạm vi (Scope)", fmt.scope_label(report, locale)),
        ("Năm (Year)", report["scope"]["year"]),
        ("Đạt chuẩn tính tại (Standard read at)", report["scope"]["moment"]),
        (TRAINING[0], f["trained"]), (TRAINING[1], f["classes"]), (TRAINING[2], f["enrolled"]),
        (TRAINING[3], f["completed"]), (TRAINING[4], f["completion_rate"]),
        ("Mức tiến bộ chuẩn hoá TB của các lớp (Mean normalised gain of the classes)",
         f["gain"]),
        ("Số lớp có mức tiến bộ (Classes with a gain)", f["gain_classes"]),
        (TRAINING[5], f["staff"]), (TRAINING[6], f["with_standard"]),
        (TRAINING[7], f["meeting"]), (TRAINING[8], f["share"]),
    ]
    units = [[fmt.unit_label(r, report, locale), *_training(r)] for r in report["units"]]
    positions = [[fmt.position_label(r, locale), *_training(r)] for r in report["positions"]]
    years = [[r["year"], *_training(r)] for r in report["years"]]
    classes = [[c["code"], c["title"],
                (c["course_title_en"] or c["course_title"]) if en else c["course_title"],
                c["starts_on"], c["ends_on"], c["enrolled"], c["completed"],
                c["completion_rate"], c["gain"], c["with_both"]] for c in report["classes"]]
    changes = [[fmt.role_label(role, locale), i["code"],
                (i["name_en"] or i["name"]) if en else i["name"], i["n"], i["baseline"],
                i["last"], i["change"]]
               for role in ("supervisor", "self")
               for i in report["changes"][role]["competencies"]]
    quality = report["quality"]
    quality_headers = ("Khoá bồi dưỡng (Course)", "Số lớp (Classes)", "Phiếu (Forms)",
                       "Phiếu hợp lệ (Valid forms)", "Chung (Overall)",
                       *[f"{s['name']} ({s['name_en']})" for s in quality["sections"]])
    courses = [[(c["title_en"] or c["title"]) if en else c["title"], c["classes"], c["forms"],
                c["valid"], c["overall"]["mean"],
                *[c["sections"][s["key"]]["mean"] for s in quality["sections"]]]
               for c in quality["courses"]]
    lecturers = [[x["full_name"], x["classes"], x["n"], x["mean"]] for x in quality["lecturers"]]
    out = [Sheet("Tổng hợp", ("Chỉ tiêu (Figure)", "Giá trị (Value)"), summary),
           Sheet("Theo đơn vị", ("Đơn vị (Unit)", *TRAINING), units),
           Sheet("Theo vị trí việc làm", ("Vị trí việc làm (Position)", *TRAINING), positions),
           Sheet("Theo năm", ("Năm (Year)", *TRAINING), years),
           Sheet("Các lớp", CLASS_HEADERS, classes),
           Sheet("Thay đổi sau đào tạo", CHANGE_HEADERS, changes),
           Sheet("Chất lượng theo khoá", quality_headers, courses),
           Sheet("Theo giảng viên", LECTURER_HEADERS, lecturers)]
    if report["people"]:
        out.append(Sheet("Nhân sự", PEOPLE_HEADERS, [
            [p["full_name"], p["position"], _yes(p["meets_standard"], locale), p["gaps"],
             p["classes_completed"]] for p in report["people"]]))
    return out


def filename(report: dict[str, Any], ext: str) -> str:
    unit = report["scope"]["unit"]
    where = f"-{unit['id']}" if unit else ""
    return f"bao-cao-dao-tao-{report['scope']['year']}{where}.{ext}"
