"""How the report's numbers read to people, the same on the page, in the PDF and in the labels of
the exports: Vietnamese writes a decimal comma ("83,3%"), English a point; a missing figure is
a dash, never a zero that was not measured."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

DASH = "–"
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _decimal(text: str, locale: str) -> str:
    return text if locale == "en" else text.replace(".", ",")


def pct(share: float | None, locale: str = "vi") -> str:
    """0.8333 -> "83,3%" (vi) / "83.3%" (en)."""
    if share is None:
        return DASH
    text = f"{share * 100:.1f}".rstrip("0").rstrip(".")
    return _decimal(text, locale) + "%"


def num(value: float | int | None, locale: str = "vi", digits: int = 2) -> str:
    if value is None:
        return DASH
    if isinstance(value, int):
        return f"{value:,}".replace(",", "." if locale != "en" else ",")
    text = f"{value:.{digits}f}"
    return _decimal(text, locale)


def signed(value: float | None, locale: str = "vi") -> str:
    """A change: "+1,5" / "−0,5" / "0"."""
    if value is None:
        return DASH
    if value == 0:
        return "0"
    text = _decimal(f"{abs(value):.2f}".rstrip("0").rstrip("."), locale)
    return ("+" if value > 0 else "−") + text


def day(value: Any) -> str:
    """dd/mm/yyyy, the way dates are written in Vietnam (and on these reports in English); a
    moment is shown on its Vietnamese calendar day."""
    if value is None or value == "":
        return DASH
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if len(value) > 10 else date.fromisoformat(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(LOCAL_TZ).date()
    return value.strftime("%d/%m/%Y")


def moment_label(report: dict[str, Any], locale: str = "vi") -> str:
    """When "% meeting standard" was read: the end of a past year, or today."""
    scope = report["scope"]
    if scope["current_year"]:
        return f"{'today' if locale == 'en' else 'hôm nay'}, {day(scope['moment'])}"
    return f"the end of {scope['year']}" if locale == "en" else f"cuối năm {scope['year']}"


def unit_label(row: dict[str, Any], report: dict[str, Any], locale: str = "vi") -> str:
    """A breakdown row's name: the unit's, or what the remainder row holds."""
    if not row.get("own"):
        return row["name"]
    unit = report["scope"]["unit"]
    if unit is None:
        return "No unit" if locale == "en" else "Chưa gắn đơn vị"
    return (f"{unit['name']} (direct staff)" if locale == "en"
            else f"{unit['name']} (trực thuộc trực tiếp)")


def position_label(row: dict[str, Any], locale: str = "vi") -> str:
    if row.get("position_id") is None:
        return "No position" if locale == "en" else "Chưa có vị trí việc làm"
    return row["title"]


def scope_label(report: dict[str, Any], locale: str = "vi") -> str:
    """"Trường A › Sở Nội vụ › Phòng Tổ chức · Chuyên viên · 2025"."""
    scope = report["scope"]
    parts = [scope["institution"]["name"], *[c["name"] for c in scope["crumbs"]]]
    text = " › ".join(parts)
    if scope["position"]:
        text += f" · {scope['position']['title']}"
    return f"{text} · {'year' if locale == 'en' else 'năm'} {scope['year']}"


def role_label(role: str, locale: str = "vi") -> str:
    names = {"supervisor": ("Thủ trưởng đánh giá", "Supervisor's rating"),
             "self": ("Tự đánh giá", "Self-rating")}
    vi, en = names.get(role, (role, role))
    return en if locale == "en" else vi


SOURCES = {"post_test": ("Bài kiểm tra cuối khoá", "Post-test"),
           "practical": ("Bài tập thực hành", "Practical task"),
           "supervisor": ("Thủ trưởng đánh giá", "Supervisor's rating"),
           "self": ("Tự đánh giá", "Self-rating"),
           "prior_certificate": ("Chứng chỉ đã có", "Prior certificate"),
           "recognition": ("Công nhận kết quả học tập trước", "Recognition of prior learning"),
           "course": ("Hoàn thành khoá học", "Completed course")}

STATUSES = {"nominated": ("Được cử đi học", "Nominated"), "approved": ("Đã duyệt", "Approved"),
            "active": ("Đang học", "Learning"), "completed": ("Hoàn thành", "Completed"),
            "withdrawn": ("Đã rút", "Withdrawn")}


def source_label(source: str, locale: str = "vi") -> str:
    vi, en = SOURCES.get(source, (source, source))
    return en if locale == "en" else vi


def status_label(status: str, locale: str = "vi") -> str:
    vi, en = STATUSES.get(status, (status, status))
    return en if locale == "en" else vi


FILTERS = {"pct": pct, "num": num, "signed": signed, "day": day}
