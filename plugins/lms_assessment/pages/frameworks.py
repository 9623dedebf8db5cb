"""Competency framework pages (planners and admins, ``assessment.frameworks``): the frameworks
in use and the shared ones to adopt, one framework's tree (groups, competencies, their five
levels), and creating or merging one from a CSV or IMS CASE file.

A file always goes through a preview first: it is checked whole by the same parser the JSON API
uses (``framework_files``), every problem is listed with its line (CSV) or item (CASE), and
nothing is stored. Only the preview's "store" button writes, sending the very same bytes back
(base64 in a hidden field, so browsers cannot rewrite its line ends) to be checked again and
stored by ``frameworks.import_into`` in one transaction.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route
from tortoise.functions import Count

from lms_core.auth.principal import Principal
from lms_core.http.endpoints import path_int
from lms_core.http.problems import Problem
from lms_core.models import Institution
from lms_core.plugin_api import MenuItem
from lms_core.text import word_key
from lms_core.web.forms import Say, capped_form, one, problem_text, say as say_for
from lms_core.web.pages import page
from lms_core.web.templating import render

from lms_assessment import framework_files, frameworks
from lms_assessment.models import Competency, Framework
from lms_assessment.pages.plan_display import FILTERS, count, notice
from lms_assessment.schemas import CODE_PATTERN, MAX_FILE_CHARS

PERMISSION = "assessment.frameworks"
#: The same ceiling as the API's ``content`` (characters there, bytes here).
MAX_FILE_BYTES = MAX_FILE_CHARS
#: The preview sends the file back base64-encoded (4/3 of its size) with a few small fields.
_FORM_LIMIT = MAX_FILE_BYTES * 4 // 3 + 64 * 1024
_CODE_RE = re.compile(CODE_PATTERN)
_NOTICES = ("created", "merged", "adopted", "stopped")

MENU = [MenuItem("assessment-frameworks", "Khung năng lực", "Competency frameworks",
                 "/assessment/frameworks", permission=PERMISSION, order=60, group="assessment")]


# --- the list --------------------------------------------------------------------------------

async def _rows(institution_id: int, items: list[Framework]) -> list[dict[str, Any]]:
    ids = [f.id for f in items]
    sizes = dict(await Competency.filter(framework_id__in=ids).annotate(n=Count("id"))
                 .group_by("framework_id").values_list("framework_id", "n")) if ids else {}
    owners = dict(await Institution.filter(id__in={f.institution_id for f in items})
                  .values_list("id", "name")) if items else {}
    rows = [{"id": f.id, "code": f.code, "name": f.name, "name_en": f.name_en,
             "version": f.version, "shared": f.shared, "own": f.institution_id == institution_id,
             "owner": owners.get(f.institution_id, ""), "competencies": sizes.get(f.id, 0)}
            for f in items]
    return sorted(rows, key=lambda r: (word_key(r["name"]), r["code"], r["id"]))


async def _render_list(request: Request, principal: Principal, status_code: int = 200,
                       **extra: Any) -> Response:
    inst = principal.institution_id
    in_use = await _rows(inst, await frameworks.readable(inst))
    return await render(request, "assessment/frameworks.html", {
        "page": "assessment-frameworks",
        "own": [f for f in in_use if f["own"]], "adopted": [f for f in in_use if not f["own"]],
        "available": await _rows(inst, await frameworks.shared_elsewhere(inst)),
        "notice": notice(request, _NOTICES), "form": {"code": "", "name": "", "shared": ""},
        "errors": {}, "max_mb": MAX_FILE_BYTES // 1_000_000, **FILTERS, **extra,
    }, status_code=status_code)


@page(PERMISSION)
async def list_page(request: Request, principal: Principal) -> Response:
    """Own frameworks, adopted ones, shared ones to adopt, and the form to create one."""
    return await _render_list(request, principal)


@page(PERMISSION)
async def use_framework(request: Request, principal: Principal) -> Response:
    """Adopt (``use=1``) or stop using another institution's shared framework."""
    form = await request.form()
    on = one(form, "use") == "1"
    await frameworks.use(principal.institution_id, path_int(request, "framework_id"), on)
    return RedirectResponse(f"/assessment/frameworks?notice={'adopted' if on else 'stopped'}",
                            status_code=303)


# --- one framework ---------------------------------------------------------------------------

def _grouped(tree: dict[str, Any]) -> list[dict[str, Any]]:
    """Groups in order, each with its competencies and their five levels (gaps as None);
    competencies without a group come last."""
    groups = [{**g, "competencies": []} for g in tree["groups"]]
    by_code = {g["code"]: g for g in groups}
    loose = {"code": "", "name": "", "name_en": "", "competencies": []}
    for c in tree["competencies"]:
        levels = {lv["level"]: lv for lv in c["levels"]}
        item = {**c, "five": [levels.get(n) for n in range(1, 6)]}
        by_code.get(c["group"] or "", loose)["competencies"].append(item)
    return groups + ([loose] if loose["competencies"] else [])


async def _render_tree(request: Request, principal: Principal, framework: Framework,
                       status_code: int = 200, **extra: Any) -> Response:
    tree = await frameworks.tree(framework)
    own = framework.institution_id == principal.institution_id
    return await render(request, "assessment/frameworks_tree.html", {
        "page": "assessment-framework", "framework": tree, "groups": _grouped(tree),
        "own": own, "notice": notice(request, _NOTICES),
        "added": count(request, "added"), "updated": count(request, "updated"),
        "max_mb": MAX_FILE_BYTES // 1_000_000, "upload_error": "", **FILTERS, **extra,
    }, status_code=status_code)


@page(PERMISSION)
async def tree_page(request: Request, principal: Principal) -> Response:
    framework = await frameworks.get_readable(principal.institution_id,
                                              path_int(request, "framework_id"))
    return await _render_tree(request, principal, framework)


# --- files: preview, then store ----------------------------------------------------------------

def _format(chosen: str, filename: str) -> str | None:
    if chosen in ("csv", "case"):
        return chosen
    if chosen in ("", "auto"):
        return "case" if filename.lower().endswith(".json") else "csv"
    return None


def _parse(fmt: str, data: bytes) -> tuple[framework_files.FrameworkIn | None,
                                           list[dict[str, Any]]]:
    """The API's parsers: (the framework, []) or (None, every problem found)."""
    try:
        return (framework_files.parse_csv(data) if fmt == "csv"
                else framework_files.parse_case(data)), []
    except framework_files.FileError as exc:
        return None, exc.problems


def _problems(problems: list[dict[str, Any]], say: Say) -> list[dict[str, str]]:
    out = []
    for p in problems:
        if p.get("line"):
            where = say(f"Dòng {p['line']}", f"Line {p['line']}")
        elif p.get("item") is not None:
            where = say(f"Mục {p['item']}", f"Item {p['item']}")
        else:
            where = say("Cả tệp", "The file")
        out.append({"where": where, "message": say(p["message_vi"], p["message_en"])})
    return out


def _kept(form: FormData) -> dict[str, str]:
    return {"code": one(form, "code", 100), "name": one(form, "name", 300),
            "shared": "1" if one(form, "shared") else ""}


def _check_fields(kept: dict[str, str], creating: bool, say: Say) -> dict[str, str]:
    errors: dict[str, str] = {}
    if creating:
        if not kept["code"]:
            errors["code"] = say("Hãy nhập mã cho khung năng lực mới.",
                                 "Enter a code for the new framework.")
        elif not _CODE_RE.match(kept["code"]):
            errors["code"] = say("Mã chỉ gồm chữ không dấu, số và dấu . _ - (tối đa 64 ký tự).",
                                 "The code may hold letters, digits and . _ - (64 at most).")
    if len(kept["name"]) > 255:
        errors["name"] = say("Tên dài quá 255 ký tự.", "The name is over 255 characters.")
    return errors


async def _render_preview(request: Request, principal: Principal, *,
                          framework: Framework | None, fmt: str, data: bytes,
                          kept: dict[str, str], errors: dict[str, str], filename: str = "",
                          status_code: int | None = None) -> Response:
    """The file as it would be stored, or every problem in it; stores nothing."""
    say = say_for(request)
    parsed, problems = _parse(fmt, data)
    existing: set[str] = set()
    if framework is not None:
        existing = set(await Competency.filter(framework_id=framework.id)
                       .values_list("code", flat=True))
    competencies, groups = [], {}
    if parsed is not None:
        groups = {g.code: g for g in parsed.groups}
        competencies = [{"code": c.code, "name": c.name, "name_en": c.name_en,
                         "description": c.description, "group": groups.get(c.group),
                         "levels": [c.levels.get(n, "") for n in range(1, 6)],
                         "new": c.code not in existing} for c in parsed.competencies]
    status = status_code or (422 if problems or errors else 200)
    return await render(request, "assessment/frameworks_preview.html", {
        "page": "assessment-framework-preview",
        "framework": framework, "fmt": fmt, "filename": filename,
        "parsed": parsed, "competencies": competencies, "groups": list(groups.values()),
        "added": sum(1 for c in competencies if c["new"]),
        "updated": sum(1 for c in competencies if not c["new"]),
        "problems": _problems(problems, say),
        "content": base64.b64encode(data).decode("ascii") if parsed is not None else "",
        "form": kept, "errors": errors, **FILTERS,
    }, status_code=status)


async def _upload(request: Request, principal: Principal, framework: Framework | None
                  ) -> Response:
    say = say_for(request)
    too_big = say(f"Tệp quá lớn: tối đa {MAX_FILE_BYTES // 1_000_000} MB.",
                  f"The file is too large: {MAX_FILE_BYTES // 1_000_000} MB at most.")

    async def again(status: int, message: str) -> Response:
        if framework is None:
            return await _render_list(request, principal, status, upload_error=message)
        return await _render_tree(request, principal, framework, status, upload_error=message)

    form = await capped_form(request, MAX_FILE_BYTES + 64 * 1024)
    if form is None:
        return await again(413, too_big)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return await again(422, say("Hãy chọn tệp khung năng lực (.csv hoặc .json).",
                                        "Choose a framework file (.csv or .json)."))
        data = await upload.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            return await again(413, too_big)
        fmt = _format(one(form, "format"), upload.filename)
        if fmt is None:
            return await again(422, say("Định dạng tệp không hợp lệ.", "Invalid file format."))
        kept = _kept(form)
        if framework is not None:  # the preview's store form offers the choice
            kept["shared"] = "1" if framework.shared else ""
        return await _render_preview(
            request, principal, framework=framework, fmt=fmt, data=data, kept=kept,
            errors=_check_fields(kept, framework is None, say),
            filename=upload.filename[:200])
    finally:
        await form.close()


async def _store(request: Request, principal: Principal, framework: Framework | None
                 ) -> Response:
    say = say_for(request)
    form = await capped_form(request, _FORM_LIMIT, max_part_size=_FORM_LIMIT)
    if form is None:
        raise Problem(413, "Tệp quá lớn.", "The file is too large.")
    try:
        fmt = _format(one(form, "format"), "")
        raw = form.get("content")
        try:
            data = base64.b64decode(raw if isinstance(raw, str) else "", validate=True)
        except (binascii.Error, ValueError):
            data = b""
        if fmt is None or not data or len(data) > MAX_FILE_BYTES:
            raise Problem(422, "Không đọc được tệp đã xem trước; hãy tải tệp lên lại.",
                          "The previewed file could not be read; upload it again.")
        kept = _kept(form)
        errors = _check_fields(kept, framework is None, say)
        parsed, problems = _parse(fmt, data)
        if errors or parsed is None:
            return await _render_preview(request, principal, framework=framework, fmt=fmt,
                                         data=data, kept=kept, errors=errors)
        try:
            stored, counts = await frameworks.import_into(
                principal.institution_id, parsed, code=kept["code"] if framework is None else "",
                name=kept["name"], framework_id=framework.id if framework else None,
                shared=bool(kept["shared"]))
        except Problem as exc:
            status, text = problem_text(request, exc)
            return await _render_preview(request, principal, framework=framework, fmt=fmt,
                                         data=data, kept=kept, errors={"form": text},
                                         status_code=status)
    finally:
        await form.close()
    query = urlencode({"notice": "created" if framework is None else "merged",
                       "added": counts["competencies_added"],
                       "updated": counts["competencies_updated"]})
    return RedirectResponse(f"/assessment/frameworks/{stored.id}?{query}", status_code=303)


@page(PERMISSION)
async def preview_new(request: Request, principal: Principal) -> Response:
    return await _upload(request, principal, None)


@page(PERMISSION)
async def create(request: Request, principal: Principal) -> Response:
    return await _store(request, principal, None)


@page(PERMISSION)
async def preview_merge(request: Request, principal: Principal) -> Response:
    framework = await frameworks.get_own(principal.institution_id,
                                         path_int(request, "framework_id"))
    return await _upload(request, principal, framework)


@page(PERMISSION)
async def merge(request: Request, principal: Principal) -> Response:
    framework = await frameworks.get_own(principal.institution_id,
                                         path_int(request, "framework_id"))
    return await _store(request, principal, framework)


ROUTES: list[BaseRoute] = [
    Route("/assessment/frameworks", list_page, methods=["GET"], name="assessment.frameworks"),
    Route("/assessment/frameworks", create, methods=["POST"]),
    Route("/assessment/frameworks/preview", preview_new, methods=["POST"]),
    Route("/assessment/frameworks/{framework_id:int}", tree_page, methods=["GET"],
          name="assessment.framework"),
    Route("/assessment/frameworks/{framework_id:int}/preview", preview_merge, methods=["POST"]),
    Route("/assessment/frameworks/{framework_id:int}/import", merge, methods=["POST"]),
    Route("/assessment/frameworks/{framework_id:int}/use", use_framework, methods=["POST"]),
]
