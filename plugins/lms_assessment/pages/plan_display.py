"""What the planning pages (frameworks, requirements, needs, exemptions, profile) show the same
way: dates in Vietnam's time, evidence sources and decisions by name, levels as "3/5", and the
notices a redirect after a successful form carries (only known codes are shown: the query
string is anyone's to write)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Callable, Mapping
from zoneinfo import ZoneInfo

from starlette.requests import Request

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

#: Evidence sources, as the profile page names them.
SOURCES: dict[str, tuple[str, str]] = {
    "post_test": ("Bài kiểm tra sau khoá học", "Post-test"),
    "practical": ("Bài tập thực hành", "Practical task"),
    "supervisor": ("Thủ trưởng đánh giá", "Supervisor's rating"),
    "self": ("Tự đánh giá", "Self-rating"),
    "prior_certificate": ("Chứng chỉ đã có", "Prior certificate"),
    "recognition": ("Công nhận kết quả học tập trước", "Recognition of prior learning"),
    "course": ("Hoàn thành khoá học", "Course completed"),
}

#: Recognition requests' states.
EXEMPTION_STATES: dict[str, tuple[str, str]] = {
    "pending": ("Chờ duyệt", "Pending"),
    "approved": ("Đã duyệt", "Approved"),
    "rejected": ("Từ chối", "Rejected"),
}

#: Enrolment states, as a person's needs page shows a class they are already in.
ENROLMENT_STATES: dict[str, tuple[str, str]] = {
    "nominated": ("Đã được cử đi học", "Nominated"),
    "approved": ("Đã duyệt", "Approved"),
    "active": ("Đang học", "Learning"),
    "completed": ("Đã hoàn thành", "Completed"),
    "withdrawn": ("Đã rút", "Withdrawn"),
}


def day(value: date | datetime | None) -> str:
    """dd/mm/yyyy, a moment taken in Vietnam's time; "–" for none."""
    if value is None:
        return "–"
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(LOCAL_TZ)
    return value.strftime("%d/%m/%Y")


def pct(share: float | None) -> str:
    return "–" if share is None else f"{round(share * 100)}%"


def named(table: Mapping[str, tuple[str, str]]) -> Callable[[Any], tuple[str, str]]:
    """A template function: the (vi, en) pair of a key, for ``label(*pair)``."""
    def pair(key: Any) -> tuple[str, str]:
        key = getattr(key, "value", key)
        return table.get(str(key), (str(key), str(key)))
    return pair


#: Template globals of the planning pages.
FILTERS: dict[str, Any] = {"day": day, "pct": pct, "source_name": named(SOURCES),
                           "exemption_state": named(EXEMPTION_STATES),
                           "enrolment_state": named(ENROLMENT_STATES)}


def notice(request: Request, known: tuple[str, ...]) -> str:
    """The ``notice`` a redirect carried, when it is one this page knows."""
    value = request.query_params.get("notice", "")
    return value if value in known else ""


def count(request: Request, name: str) -> int | None:
    """A small count a redirect carried (``?added=3``), or None."""
    text = request.query_params.get(name, "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 7 else None
