"""What the pages of a class's assessment steps (class_plan, survey, task, ratings) share: the
message pair in the reader's language, reading form fields, numbers and dates written the
Vietnamese way (or the English), and the level descriptors of the competencies a form asks
about. Display and input only: every rule lives in the step modules and ``class_steps``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Callable

from starlette.datastructures import FormData
from starlette.requests import Request

from lms_core.http.problems import request_locale, to_problem

from lms_assessment import frameworks
from lms_assessment.models import Competency, CompetencyLevel

Say = Callable[[str, str], str]


def say(request: Request) -> Say:
    """Pick the Vietnamese or the English text of a message pair for this request."""
    english = request_locale(request) == "en"
    return lambda vi, en: en if english and en else vi


def problem_text(request: Request, exc: Exception) -> tuple[int, str]:
    """A service's refusal as (status, message in the reader's language) for a form."""
    problem = to_problem(exc)
    return problem.status, say(request)(problem.detail, problem.detail_en)


def text(form: FormData, name: str) -> str:
    """A text field as sent (files and absent fields read as empty), not cut: a field too long
    is an error to show, never silently shortened."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


def small_int(raw: str, low: int, high: int) -> int | None:
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:  # "²".isdigit() is True
        return None
    value = int(raw)
    return value if low <= value <= high else None


def number(raw: str, low: float, high: float) -> float | None:
    """A decimal typed the Vietnamese way (1,5) or the English (1.5)."""
    raw = raw.strip().replace(",", ".")
    if not raw or len(raw) > 12 or not all(c.isdigit() or c == "." for c in raw) or \
            raw.count(".") > 1 or raw == ".":
        return None
    value = float(raw)
    return value if low <= value <= high else None


def parse_date(raw: str) -> date | None:
    """``<input type=date>`` sends ISO dates; older phones let people type 31/12/2026."""
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(raw.strip(), fmt).date()
        except ValueError:
            continue
    return None


def formats(request: Request) -> dict[str, Callable[..., str]]:
    """Template helpers: ``num``, ``pct``, ``signed`` with the decimal comma in Vietnamese,
    ``dmy`` for dates (and the date of a datetime) as day/month/year."""
    comma = request_locale(request) != "en"

    def num(value: float | None, places: int = 2) -> str:
        if value is None:
            return "–"
        out = f"{value:.{places}f}"
        return out.replace(".", ",") if comma else out

    def signed(value: float | None, places: int = 2) -> str:
        if value is None:
            return "–"
        return ("+" if value > 0 else "") + num(value, places)

    def pct(share: float | None) -> str:
        return "–" if share is None else f"{round(share * 100)}%"

    def dmy(value: date | datetime | None) -> str:
        if value is None:
            return "–"
        return f"{value:%d/%m/%Y}" if comma else f"{value:%Y-%m-%d}"

    return {"num": num, "signed": signed, "pct": pct, "dmy": dmy}


async def competencies_with_levels(institution_id: int,
                                   codes: list[str]) -> dict[str, dict[str, Any]]:
    """Name and five level descriptors of each code in the frameworks the institution uses
    (its own first, as everywhere); codes no framework knows are left out."""
    resolve = await frameworks.resolve_codes(institution_id)
    ids = {resolve[c]: c for c in codes if c in resolve}
    if not ids:
        return {}
    out = {ids[row["id"]]: {**row, "levels": {}} for row in await Competency.filter(
        id__in=list(ids)).values("id", "code", "name", "name_en")}
    for row in await CompetencyLevel.filter(competency_id__in=list(ids)).values(
            "competency_id", "level", "descriptor", "descriptor_en"):
        out[ids[row["competency_id"]]]["levels"][row["level"]] = row
    return out


def level_options(levels: dict[int, dict[str, Any]] | list[dict[str, Any]]
                  ) -> list[dict[str, Any]]:
    """Always the five levels, with the descriptor where the framework gives one."""
    by_level = levels if isinstance(levels, dict) else {lv["level"]: lv for lv in levels}
    return [{"level": n, "descriptor": (by_level.get(n) or {}).get("descriptor", ""),
             "descriptor_en": (by_level.get(n) or {}).get("descriptor_en", "")}
            for n in range(1, 6)]
