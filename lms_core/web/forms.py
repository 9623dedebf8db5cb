"""Reading server-rendered forms: the text of a field, a whole number in a range, a capped
multipart upload, and a problem's message in the reader's language.

Shared by the core's administration pages and the plugins' pages, so every form trims, caps
and refuses input the same way (``"²".isdigit()`` is True in Python; a form must not say so).
"""

from __future__ import annotations

from typing import Callable

from starlette.datastructures import FormData
from starlette.requests import Request

from lms_core.http.bodies import read_capped, replay
from lms_core.http.problems import request_locale, to_problem

Say = Callable[[str, str], str]


def say(request: Request) -> Say:
    """Pick the Vietnamese or the English text of a message pair for this request."""
    english = request_locale(request) == "en"
    return lambda vi, en: en if english else vi


def problem_text(request: Request, exc: Exception) -> tuple[int, str]:
    """The status and the reader's-language message of a raised problem (or refusal)."""
    problem = to_problem(exc)
    return problem.status, say(request)(problem.detail, problem.detail_en)


def one(form: FormData, name: str, limit: int = 1000) -> str:
    """A text field, trimmed and capped; a file or a missing field is ``""``."""
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def to_int(text: str, low: int = 1, high: int = 2**31 - 1) -> int | None:
    """ASCII digits within [low, high], else None."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        return None
    value = int(text)
    return value if low <= value <= high else None


async def capped_form(request: Request, limit: int, max_fields: int = 20,
                      max_part_size: int = 1024 * 1024) -> FormData | None:
    """Read at most ``limit`` bytes before parsing, so an oversized upload is refused without
    being spooled to disk first. None means too large."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = await read_capped(request.receive, limit)
    if body is None:
        return None
    buffered = Request(request.scope, replay(body))
    return await buffered.form(max_files=1, max_fields=max_fields, max_part_size=max_part_size)
