"""Position requirement pages (admins, ``assessment.manage``): per job position the competencies
it requires, each at a level 1–5, mandatory (decides "meets the standard") or optional, with a
weight (training priority); and the form that edits the whole list at once.

Codes are chosen from the frameworks the institution uses (its own and the adopted ones), so a
requirement always names a competency the needs and the reports can resolve; a code stored
earlier that no framework knows any more is shown as such and may be kept or removed. The list
is stored by ``frames.set_frame``, the function behind the JSON API's PUT, after each row has
been checked with the API's own schema (``CompetencyRequirement``).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from lms_core.auth.principal import Principal
from lms_core.http.endpoints import path_int
from lms_core.http.problems import Problem
from lms_core.plugin_api import MenuItem
from lms_core.text import word_key
from lms_core.web.forms import Say, problem_text, say as say_for, to_int
from lms_core.web.pages import page
from lms_core.web.templating import render

from lms_assessment import frames, frameworks
from lms_assessment.models import Competency
from lms_assessment.pages.plan_display import FILTERS, notice
from lms_assessment.schemas import CompetencyRequirement

#: Planners set what each position requires (they plan the training from it), admins too.
PERMISSION = "assessment.frameworks"
#: Empty rows under the filled ones, and the most rows a form may send (the API's list cap).
BLANK_ROWS = 3
MAX_ROWS = 200

MENU = [MenuItem("assessment-positions", "Năng lực theo vị trí", "Position competencies",
                 "/assessment/positions",
                 permission=PERMISSION, order=61, group="assessment")]


async def _choices(institution_id: int) -> list[dict[str, Any]]:
    """The frameworks in use, each with its competencies: the codes a requirement may name."""
    out = []
    for f in await frameworks.readable(institution_id):
        comps = await Competency.filter(framework_id=f.id).order_by("position", "code").values(
            "code", "name", "name_en")
        out.append({"code": f.code, "name": f.name, "name_en": f.name_en,
                    "own": f.institution_id == institution_id, "competencies": comps})
    out.sort(key=lambda f: (not f["own"], word_key(f["name"]), f["code"]))
    return out


@page(PERMISSION)
async def list_page(request: Request, principal: Principal) -> Response:
    positions = await frames.positions_with_frames(principal.institution_id)
    for p in positions:
        p["mandatory"] = sum(1 for c in p["competencies"] if c["mandatory"])
    positions.sort(key=lambda p: (word_key(p["title"]), p["code"]))
    return await render(request, "assessment/positions.html", {
        "page": "assessment-positions", "positions": positions, **FILTERS})


def _weight(text: str) -> float | None:
    """A weight as people type it: "2", "1.5" or "1,5"."""
    try:
        value = float(text.replace(",", ".", 1)) if text else 1.0
    except ValueError:
        return None
    return value if 0 <= value <= 100 else None


def _read_rows(form: FormData, known: set[str], stored: set[str], say: Say
               ) -> tuple[list[dict[str, str]], dict[int, dict[str, str]],
                          list[CompetencyRequirement]]:
    """The rows as typed (to show again), errors by row and field, and the requirements."""
    def column(name: str) -> list[str]:
        return [v.strip()[:100] if isinstance(v, str) else "" for v in form.getlist(name)]

    codes, levels, mandatory, weights = (column(n) for n in ("code", "level", "mandatory",
                                                              "weight"))
    width = min(max(len(codes), len(levels), len(mandatory), len(weights)), MAX_ROWS + 1)
    pad = lambda values: values + [""] * (width - len(values))  # noqa: E731
    codes, levels, mandatory, weights = pad(codes), pad(levels), pad(mandatory), pad(weights)
    rows: list[dict[str, str]] = []
    errors: dict[int, dict[str, str]] = {}
    items: list[CompetencyRequirement] = []
    seen: dict[str, int] = {}
    for i in range(width):
        row = {"code": codes[i], "level": levels[i], "mandatory": mandatory[i] or "1",
               "weight": weights[i]}
        rows.append(row)
        if not row["code"]:
            continue  # an empty row, or one the admin cleared to remove it
        wrong: dict[str, str] = {}
        if i >= MAX_ROWS:
            wrong["code"] = say(f"Tối đa {MAX_ROWS} năng lực cho một vị trí.",
                                f"At most {MAX_ROWS} competencies per position.")
        elif row["code"] not in known and row["code"] not in stored:
            wrong["code"] = say(f"Mã {row['code']} không có trong khung năng lực nào đang dùng.",
                                f"No framework in use has the code {row['code']}.")
        elif row["code"] in seen:
            wrong["code"] = say(f"Năng lực này đã có ở dòng {seen[row['code']] + 1}.",
                                f"This competency is already on row {seen[row['code']] + 1}.")
        level = to_int(row["level"], 1, 5)
        if level is None:
            wrong["level"] = say("Mức yêu cầu là một số từ 1 đến 5.",
                                 "The required level is a number from 1 to 5.")
        if row["mandatory"] not in ("1", "0"):
            wrong["mandatory"] = say("Hãy chọn bắt buộc hoặc không.",
                                     "Choose mandatory or optional.")
        weight = _weight(row["weight"])
        if weight is None:
            wrong["weight"] = say("Trọng số là một số từ 0 đến 100.",
                                  "The weight is a number from 0 to 100.")
        seen.setdefault(row["code"], i)
        if wrong:
            errors[i] = wrong
            continue
        try:
            items.append(CompetencyRequirement(code=row["code"], required_level=level,
                                               mandatory=row["mandatory"] == "1",
                                               weight=weight))
        except ValidationError:
            errors[i] = {"code": say("Mã năng lực không hợp lệ.", "Invalid competency code.")}
    return rows, errors, items


def _rows_of(frame: dict[str, Any]) -> list[dict[str, str]]:
    return [{"code": c["code"], "level": str(c["required_level"]),
             "mandatory": "1" if c["mandatory"] else "0", "weight": f"{c['weight']:g}"}
            for c in frame["competencies"]]


async def _render_edit(request: Request, principal: Principal, position_id: int,
                       rows: list[dict[str, str]] | None = None,
                       errors: dict[int, dict[str, str]] | None = None, form_error: str = "",
                       status_code: int = 200, more: int = 0) -> Response:
    inst = principal.institution_id
    frame = await frames.position_frame(inst, position_id)
    choices = await _choices(inst)
    known = {c["code"] for f in choices for c in f["competencies"]}
    rows = _rows_of(frame) if rows is None else list(rows)
    blank = {"code": "", "level": "3", "mandatory": "1", "weight": "1"}
    rows = rows + [dict(blank) for _ in range(BLANK_ROWS + more)]
    stored = [c["code"] for c in frame["competencies"]]
    return await render(request, "assessment/positions_edit.html", {
        "page": "assessment-position", "position": frame, "rows": rows, "errors": errors or {},
        "form_error": form_error, "choices": choices,
        "orphans": sorted({r["code"] for r in rows if r["code"] and r["code"] not in known}
                          | {c for c in stored if c not in known}),
        "notice": notice(request, ("saved",)), **FILTERS,
    }, status_code=status_code)


@page(PERMISSION)
async def edit_page(request: Request, principal: Principal) -> Response:
    return await _render_edit(request, principal, path_int(request, "position_id"))


@page(PERMISSION)
async def save(request: Request, principal: Principal) -> Response:
    """Check every row, then replace the list in one transaction (``frames.set_frame``);
    "add rows" shows the same input with more empty rows and stores nothing."""
    position_id = path_int(request, "position_id")
    inst = principal.institution_id
    frame = await frames.position_frame(inst, position_id)  # 404 before reading the form
    form = await request.form(max_fields=4 * (MAX_ROWS + BLANK_ROWS) + 10)
    say = say_for(request)
    choices = await _choices(inst)
    known = {c["code"] for f in choices for c in f["competencies"]}
    stored = {c["code"] for c in frame["competencies"]}
    rows, errors, items = _read_rows(form, known, stored, say)
    filled = [r for r in rows if r["code"]]
    # errors are keyed by the row's place among the filled rows, as the form shows them again
    place = {i: n for n, i in enumerate(i for i, r in enumerate(rows) if r["code"])}
    shown = {place[i]: e for i, e in errors.items()}
    if form.get("action") == "more":
        return await _render_edit(request, principal, position_id, filled, more=BLANK_ROWS)
    if errors:
        return await _render_edit(request, principal, position_id, filled, shown,
                                  say("Chưa lưu: hãy sửa các ô được đánh dấu.",
                                      "Not saved: correct the marked fields."), 422)
    try:
        await frames.set_frame(inst, position_id, items)
    except Problem as exc:
        status, text = problem_text(request, exc)
        return await _render_edit(request, principal, position_id, filled, shown, text, status)
    return RedirectResponse(f"/assessment/positions/{position_id}?notice=saved", status_code=303)


ROUTES: list[BaseRoute] = [
    Route("/assessment/positions", list_page, methods=["GET"], name="assessment.positions"),
    Route("/assessment/positions/{position_id:int}", edit_page, methods=["GET"],
          name="assessment.position"),
    Route("/assessment/positions/{position_id:int}", save, methods=["POST"]),
]
