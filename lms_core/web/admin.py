"""Administration pages: classes and their rosters, the staff-list import, users, plugins.

Plain server-rendered forms, so they work on a phone without any build step. A form with a user
error is rendered again with the admin's input kept and each message next to its field, in the
admin's language; a successful POST redirects (303) so a reload never repeats it.
"""

from __future__ import annotations

import asyncio
import re
from datetime import date, datetime
from typing import Any, Awaitable, Callable

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.functions import Count

from lms_core.api.plugins import plugin_rows
from lms_core.http.endpoints import path_int
from lms_core.http.problems import Problem, to_problem
from lms_core.models import (
    Course, CourseClass, DeliveryMode, Enrolment, EnrolmentStatus, Role, Unit, User,
)
from lms_core.models.enrolments import SEAT_HOLDING
from lms_core.plugin_api import ActionRefused
from lms_core.runtime import runtime
from lms_core.services import classes as classes_svc
from lms_core.services import users as users_svc
from lms_core.services.enrolments import TRANSITIONS, change_enrolment, seats_taken
from lms_core.services.staff_file import StaffFileError, parse_staff_file
from lms_core.services.staff_import import StaffImportRejected, apply_staff_file
from lms_core.text import fold
from lms_core.web.forms import Say, capped_form as _capped_form, one as _one, \
    problem_text as _problem_text, say as _say, to_int as _int
from lms_core.web.pages import page
from lms_core.web.templating import render

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
#: Room for the multipart boundaries and headers around the file itself.
_MULTIPART_SLACK = 64 * 1024
CLASS_PAGE_SIZE = 100
USER_PAGE_SIZE = 50
_CODE_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")
_ROSTER_ACTIONS = ("approved", "active", "withdrawn")


def N_(msgid: str) -> str:
    """Marks a msgid for extraction without translating it here."""
    return msgid


#: Values the templates translate with ``_(value)``. Listed so that ``pybabel extract`` (see
#: babel.cfg) keeps them in the catalogues; the msgid-coverage test checks the list is complete.
ENUM_MSGIDS = (
    N_("in_person"), N_("online"), N_("blended"),
    N_("planned"), N_("running"), N_("ended"),
    N_("nominated"), N_("approved"), N_("active"), N_("completed"), N_("withdrawn"),
    N_("admin"), N_("lecturer"), N_("trainee"), N_("supervisor"), N_("planner"),
)

def _date(text: str) -> date:
    """``<input type=date>`` sends ISO dates; older phones let people type 31/12/2026."""
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


# --- classes -------------------------------------------------------------------------------

_CLASS_DEFAULTS = {"course_id": "", "code": "", "title": "", "starts_on": "", "ends_on": "",
                   "delivery_mode": DeliveryMode.BLENDED.value, "capacity": "0",
                   "self_enrol": "", "location": "", "lecturer_ids": []}


async def _render_classes(request: Request, principal: Any, form: dict[str, Any],
                          errors: dict[str, str], status_code: int = 200) -> Response:
    inst = principal.institution_id
    offset = _int(request.query_params.get("offset", "0"), 0, 10_000_000) or 0
    q = request.query_params.get("q", "").strip()[:200]
    qs = CourseClass.filter(institution_id=inst)
    for word in fold(q).split():
        qs = qs.filter(Q(title_key__contains=word) | Q(code__icontains=word))
    total = await qs.count()
    rows = await qs.order_by("-starts_on", "-id").offset(offset).limit(CLASS_PAGE_SIZE).values(
        *classes_svc.CLASS_FIELDS, "course__title", "course__code")
    ids = [r["id"] for r in rows]
    seats = dict(await Enrolment.filter(klass_id__in=ids, status__in=SEAT_HOLDING)
                 .annotate(n=Count("id")).group_by("klass_id").values_list("klass_id", "n"))
    classes = []
    for row in rows:
        item = classes_svc.class_dict(row)
        item["seats_taken"] = seats.get(row["id"], 0)
        classes.append(item)
    courses = await Course.filter(institution_id=inst).order_by("code").values(
        "id", "code", "title", "title_en")
    _total, lecturers = await users_svc.search_users(inst, role="lecturer", limit=500)
    return await render(request, "admin/classes.html", {
        "classes": classes, "total": total, "q": q, "offset": offset, "page_size": CLASS_PAGE_SIZE,
        "courses": courses, "lecturers": lecturers, "modes": [m.value for m in DeliveryMode],
        "form": form, "errors": errors,
    }, status_code=status_code)


@page("classes.manage")
async def classes_page(request: Request, principal: Any) -> Response:
    return await _render_classes(request, principal, dict(_CLASS_DEFAULTS), {})


def _parse_class_form(form: FormData, say: Say) -> tuple[dict[str, Any], dict[str, str],
                                                          dict[str, Any]]:
    """Return the input as typed (to show it again), errors by field, and the service's
    arguments."""
    kept: dict[str, Any] = {k: _one(form, k, 300) for k in _CLASS_DEFAULTS if k != "lecturer_ids"}
    kept["self_enrol"] = "1" if form.get("self_enrol") else ""
    raw_lecturers = [v for v in form.getlist("lecturer_ids") if isinstance(v, str)][:50]
    lecturer_ids = [i for i in (_int(v) for v in raw_lecturers) if i is not None]
    kept["lecturer_ids"] = lecturer_ids
    errors: dict[str, str] = {}
    args: dict[str, Any] = {"schedule": [], "lecturer_ids": lecturer_ids,
                            "self_enrol": bool(kept["self_enrol"])}

    course_id = _int(kept["course_id"])
    if course_id is None:
        errors["course_id"] = say("Hãy chọn khoá học.", "Choose a course.")
    args["course_id"] = course_id
    if not kept["code"]:
        errors["code"] = say("Hãy nhập mã lớp.", "Enter a class code.")
    elif not _CODE_RE.fullmatch(kept["code"]):
        errors["code"] = say("Mã lớp chỉ gồm chữ không dấu, số và dấu . _ - (tối đa 64 ký tự).",
                             "The class code may hold letters, digits and . _ - (64 at most).")
    args["code"] = kept["code"]
    if not kept["title"]:
        errors["title"] = say("Hãy nhập tên lớp.", "Enter a class title.")
    elif len(kept["title"]) > 255:
        errors["title"] = say("Tên lớp dài quá 255 ký tự.", "The title is over 255 characters.")
    args["title"] = kept["title"]
    for key in ("starts_on", "ends_on"):
        args[key] = None
        if kept[key]:
            try:
                args[key] = _date(kept[key])
            except ValueError:
                errors[key] = say("Ngày không hợp lệ (ngày/tháng/năm).",
                                  "Invalid date (day/month/year).")
    if args["starts_on"] and args["ends_on"] and args["ends_on"] < args["starts_on"]:
        errors["ends_on"] = say("Ngày kết thúc phải sau ngày bắt đầu.",
                                "The end date must not be before the start date.")
    if kept["delivery_mode"] not in {m.value for m in DeliveryMode}:
        errors["delivery_mode"] = say("Hình thức học không hợp lệ.", "Invalid delivery mode.")
    args["delivery_mode"] = kept["delivery_mode"]
    capacity = _int(kept["capacity"] or "0", 0, 100_000)
    if capacity is None:
        errors["capacity"] = say("Sĩ số tối đa là một số từ 0 đến 100000 (0 là không giới hạn).",
                                 "Capacity is a number from 0 to 100000 (0 means unlimited).")
    args["capacity"] = capacity or 0
    if len(kept["location"]) > 255:
        errors["location"] = say("Địa điểm dài quá 255 ký tự.",
                                 "The location is over 255 characters.")
    args["location"] = kept["location"]
    if len(raw_lecturers) != len(lecturer_ids):
        errors["lecturer_ids"] = say("Giảng viên không hợp lệ.", "Invalid lecturer.")
    return kept, errors, args


@page("classes.manage")
async def classes_create(request: Request, principal: Any) -> Response:
    form = await request.form()
    kept, errors, args = _parse_class_form(form, _say(request))
    status = 422
    if not errors:
        try:
            klass = await classes_svc.create_class(principal.institution_id, **args)
        except (Problem, IntegrityError) as exc:
            status, text = _problem_text(request, exc)
            field = to_problem(exc).extra.get("field")
            errors[field if field in _CLASS_DEFAULTS else "form"] = text
        else:
            return RedirectResponse(f"/admin/classes/{klass.id}?notice=created", status_code=303)
    return await _render_classes(request, principal, kept, errors, status_code=status)


# --- one class: roster, enrolling, staff-list import ----------------------------------------

async def _class_in(principal: Any, class_id: int) -> CourseClass:
    klass = await CourseClass.get_or_none(id=class_id, institution_id=principal.institution_id)
    if klass is None:
        raise Problem(404, "Không tìm thấy lớp học.", "Class not found.")
    return klass


async def _render_class(request: Request, principal: Any, class_id: int,
                        status_code: int = 200, **extra: Any) -> Response:
    inst = principal.institution_id
    klass = await _class_in(principal, class_id)
    course = await Course.get(id=klass.course_id)
    lecturers = await User.filter(lecturing__klass_id=klass.id).order_by("sort_key").values(
        "id", "full_name")
    rows = await Enrolment.filter(klass_id=klass.id).order_by("user__sort_key", "id").values(
        "id", "user_id", "status", "user__full_name", "user__login", "user__email",
        "user__unit_id")
    unit_names = dict(await Unit.filter(institution_id=inst).filter(
        id__in={r["user__unit_id"] for r in rows if r["user__unit_id"]}).values_list("id", "name"))
    roster = []
    for r in rows:
        status = EnrolmentStatus(r["status"])
        roster.append({
            "id": r["id"], "user_id": r["user_id"], "status": status.value,
            "full_name": r["user__full_name"], "login": r["user__login"],
            "email": r["user__email"], "unit": unit_names.get(r["user__unit_id"], ""),
            "actions": [a for a in _ROSTER_ACTIONS if EnrolmentStatus(a) in TRANSITIONS[status]],
        })
    enrolled = {r["user_id"] for r in roster if r["status"] != EnrolmentStatus.WITHDRAWN.value}
    q = request.query_params.get("q", "").strip()[:200]
    found: list[dict[str, Any]] = []
    found_total = 0
    if q:
        found_total, found = await users_svc.search_users(inst, q, limit=20)
        for user in found:
            user["enrolled"] = user["id"] in enrolled
    return await render(request, "admin/class.html", {
        "klass": klass, "course": course, "lecturers": lecturers, "roster": roster,
        "seats": await seats_taken(klass.id), "q": q, "found": found,
        "found_total": found_total, "notice": request.query_params.get("notice", ""),
        "max_upload_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
        "error": "", "import_errors": None, "import_report": None, "import_error": "",
        **extra,
    }, status_code=status_code)


@page("classes.manage")
async def class_page(request: Request, principal: Any) -> Response:
    return await _render_class(request, principal, path_int(request, "class_id"))


@page("enrolments.manage")
async def class_enrol(request: Request, principal: Any) -> Response:
    class_id = path_int(request, "class_id")
    form = await request.form()
    try:
        klass = await _class_in(principal, class_id)
        user_id = _int(_one(form, "user_id"))
        if user_id is None:
            raise Problem(422, "Hãy chọn người cần ghi danh.", "Choose the person to enrol.")
        status = _one(form, "status") or EnrolmentStatus.ACTIVE.value
        if status not in ("nominated", "approved", "active"):
            raise Problem(422, "Trạng thái ghi danh không hợp lệ.", "Invalid enrolment status.")
        user = await users_svc.get_user_in(principal.institution_id, user_id)
        await change_enrolment(runtime(request).plugins, klass, user, EnrolmentStatus(status),
                               actor_id=principal.user_id,
                               via="nomination" if status == "nominated" else "manual")
    except (Problem, ActionRefused) as exc:
        code, text = _problem_text(request, exc)
        return await _render_class(request, principal, class_id, status_code=code, error=text)
    return RedirectResponse(f"/admin/classes/{class_id}?notice=enrolled", status_code=303)


@page("enrolments.manage")
async def enrolment_change(request: Request, principal: Any) -> Response:
    class_id = path_int(request, "class_id")
    form = await request.form()
    try:
        klass = await _class_in(principal, class_id)
        enrolment = await Enrolment.get_or_none(id=path_int(request, "enrolment_id"),
                                                klass_id=klass.id)
        if enrolment is None:
            raise Problem(404, "Không tìm thấy ghi danh.", "Enrolment not found.")
        status = _one(form, "status")
        if status not in ("approved", "active", "completed", "withdrawn"):
            raise Problem(422, "Trạng thái ghi danh không hợp lệ.", "Invalid enrolment status.")
        user = await users_svc.get_user_in(principal.institution_id, enrolment.user_id)
        await change_enrolment(runtime(request).plugins, klass, user, EnrolmentStatus(status),
                               actor_id=principal.user_id,
                               via="approval" if status == "approved" else "manual")
    except (Problem, ActionRefused) as exc:
        code, text = _problem_text(request, exc)
        return await _render_class(request, principal, class_id, status_code=code, error=text)
    return RedirectResponse(f"/admin/classes/{class_id}?notice={status}", status_code=303)


@page("classes.manage")
async def class_end(request: Request, principal: Any) -> Response:
    """The admin's "the class is over": the same service as the API, so plugins hear of it."""
    class_id = path_int(request, "class_id")
    try:
        klass = await _class_in(principal, class_id)
        await classes_svc.end_class(runtime(request).plugins, klass, principal.user_id)
    except Problem as exc:
        code, text = _problem_text(request, exc)
        return await _render_class(request, principal, class_id, status_code=code, error=text)
    return RedirectResponse(f"/admin/classes/{class_id}?notice=ended", status_code=303)


#: How a staff-list upload's outcome is shown: render(status, **what) -> the page again.
Render = Callable[..., Awaitable[Response]]


@page("users.import")
async def class_import(request: Request, principal: Any) -> Response:
    """All or nothing: any bad row rejects the file and every bad row is listed at once."""
    class_id = path_int(request, "class_id")
    await _class_in(principal, class_id)

    async def again(status_code: int = 200, **extra: Any) -> Response:
        return await _render_class(request, principal, class_id, status_code, **extra)

    return await _staff_upload(request, principal, again, class_id)


@page("users.import")
async def users_import(request: Request, principal: Any) -> Response:
    """The staff list of the institution, enrolling nobody: people are created or updated with
    their unit and job position, so that supervisors can see their gaps and nominate them."""

    async def again(status_code: int = 200, **extra: Any) -> Response:
        return await _render_users(request, principal, dict(_USER_DEFAULTS), {},
                                   status_code=status_code, **extra)

    return await _staff_upload(request, principal, again, None)


async def _staff_upload(request: Request, principal: Any, again: Render,
                        class_id: int | None) -> Response:
    say = _say(request)
    too_big = say(f"Tệp quá lớn: tối đa {MAX_UPLOAD_BYTES // (1024 * 1024)} MB. Hãy chia danh "
                  "sách thành nhiều tệp.",
                  f"The file is too large: {MAX_UPLOAD_BYTES // (1024 * 1024)} MB at most. "
                  "Please split the list into several files.")
    form = await _capped_form(request, MAX_UPLOAD_BYTES + _MULTIPART_SLACK)
    if form is None:
        return await again(413, import_error=too_big)
    try:
        return await _import_upload(request, principal, again, class_id, form.get("file"),
                                    too_big)
    finally:
        await form.close()


async def _import_upload(request: Request, principal: Any, again: Render, class_id: int | None,
                         upload: Any, too_big: str) -> Response:
    say = _say(request)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await again(422, import_error=say(
            "Hãy chọn tệp danh sách (.xlsx hoặc .csv).", "Choose a staff list (.xlsx or .csv)."))
    data = await upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        return await again(413, import_error=too_big)
    try:
        parsed = await asyncio.to_thread(parse_staff_file, upload.filename, data)
        report = await apply_staff_file(runtime(request).plugins, principal.institution_id,
                                        parsed, class_id=class_id, actor_id=principal.user_id)
    except StaffFileError as exc:
        return await again(422, import_error=say(exc.message, exc.message_en))
    except StaffImportRejected as exc:
        rows = [{"line": e.line, "column": e.column, "message": say(e.message, e.message_en)}
                for e in exc.errors]
        return await again(422, import_errors=rows)
    return await again(import_report=report)


# --- users ---------------------------------------------------------------------------------

_USER_DEFAULTS = {"login": "", "email": "", "full_name": "", "unit_id": "", "locale": "vi",
                  "roles": ["trainee"]}


async def _render_users(request: Request, principal: Any, form: dict[str, Any],
                        errors: dict[str, str], status_code: int = 200,
                        **extra: Any) -> Response:
    inst = principal.institution_id
    q = request.query_params.get("q", "").strip()[:200]
    offset = _int(request.query_params.get("offset", "0"), 0, 10_000_000) or 0
    total, users = await users_svc.search_users(inst, q, limit=USER_PAGE_SIZE,
                                       offset=offset)
    units = await Unit.filter(institution_id=inst).order_by("path").values(
        "id", "code", "name", "depth")
    names = {u["id"]: u["name"] for u in units}
    for user in users:
        user["unit"] = names.get(user["unit_id"], "")
    created = request.query_params.get("created", "")[:150]
    if created and not await users_svc.institution_users(inst).filter(login=created).exists():
        created = ""  # only confirm a real user: the query string is anyone's to write
    password_set = request.query_params.get("password_set", "")[:150]
    if password_set and not await users_svc.institution_users(inst).filter(
            login=password_set).exists():
        password_set = ""
    return await render(request, "admin/users.html", {
        "users": users, "total": total, "q": q, "offset": offset, "page_size": USER_PAGE_SIZE,
        "units": units, "roles": [r.value for r in Role], "form": form, "errors": errors,
        "notice": created, "password_set": password_set,
        "max_upload_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
        "can_import": principal.can("users.import"),
        "import_error": "", "import_errors": None, "import_report": None, "password_error": "",
        **extra,
    }, status_code=status_code)


@page("users.manage")
async def users_page(request: Request, principal: Any) -> Response:
    return await _render_users(request, principal, dict(_USER_DEFAULTS), {})


@page("users.manage")
async def users_create(request: Request, principal: Any) -> Response:
    form = await request.form()
    say = _say(request)
    kept: dict[str, Any] = {k: _one(form, k, 300) for k in ("login", "email", "full_name",
                                                            "unit_id", "locale")}
    roles = [r for r in form.getlist("roles") if isinstance(r, str)][:10]
    kept["roles"] = roles
    password = form.get("password")
    password = password if isinstance(password, str) and password else None
    errors: dict[str, str] = {}
    if not kept["full_name"]:
        errors["full_name"] = say("Hãy nhập họ và tên.", "Enter the full name.")
    elif len(kept["full_name"]) > 255:
        errors["full_name"] = say("Họ và tên dài quá 255 ký tự.",
                                  "The full name is over 255 characters.")
    if not roles or any(r not in {x.value for x in Role} for r in roles):
        errors["roles"] = say("Hãy chọn ít nhất một vai trò.", "Choose at least one role.")
    unit_id = None
    if kept["unit_id"]:
        unit_id = _int(kept["unit_id"])
        if unit_id is None:
            errors["unit_id"] = say("Đơn vị không hợp lệ.", "Invalid unit.")
    if kept["locale"] not in ("vi", "en"):
        kept["locale"] = "vi"
    if password is not None and len(password) > 1024:
        errors["password"] = say("Mật khẩu quá dài.", "The password is too long.")
    status = 422
    if not errors:
        try:
            user = await users_svc.create_user(
                runtime(request).plugins, principal.institution_id, login=kept["login"],
                email=kept["email"], full_name=kept["full_name"], password=password,
                roles=roles, unit_id=unit_id, locale=kept["locale"],
                actor_id=principal.user_id)
        except (Problem, IntegrityError) as exc:
            status, errors["form"] = _problem_text(request, exc)
        else:
            return RedirectResponse(f"/admin/users?q={user.login}&created={user.login}",
                                    status_code=303)
    return await _render_users(request, principal, kept, errors, status_code=status)


@page("users.manage")
async def user_password(request: Request, principal: Any) -> Response:
    """An admin gives a person a password (a first one after a staff-list import, or a new one
    when forgotten): every session of that person ends, as on any password change."""
    form = await request.form()
    say = _say(request)
    try:
        user = await users_svc.get_user_in(principal.institution_id,
                                           path_int(request, "user_id"))
        password = form.get("password")
        if not isinstance(password, str) or not password:
            raise Problem(422, "Hãy nhập mật khẩu mới.", "Enter the new password.")
        if len(password) > 1024:
            raise Problem(422, "Mật khẩu quá dài.", "The password is too long.")
        await users_svc.set_password(user.id, password)
    except Problem as exc:
        status, text = _problem_text(request, exc)
        return await _render_users(request, principal, dict(_USER_DEFAULTS), {},
                                   status_code=status, password_error=text)
    return RedirectResponse(f"/admin/users?q={user.login}&password_set={user.login}",
                            status_code=303)


# --- plugins -------------------------------------------------------------------------------

async def _render_plugins(request: Request, principal: Any, error: str = "",
                          status_code: int = 200) -> Response:
    rows = sorted(await plugin_rows(request, principal.institution_id),
                  key=lambda p: (not p["essential"], p["name"]))
    return await render(request, "admin/plugins.html", {
        "plugins": rows, "error": error, "can_manage": principal.can("plugins.manage"),
    }, status_code=status_code)


@page("plugins.view")
async def plugins_page(request: Request, principal: Any) -> Response:
    return await _render_plugins(request, principal)


@page("plugins.manage")
async def plugin_toggle(request: Request, principal: Any) -> Response:
    form = await request.form()
    name = str(request.path_params["name"])[:100]
    enabled = _one(form, "enabled") == "1"
    try:
        await runtime(request).plugins.set_enabled(principal.institution_id, name, enabled)
    except KeyError:
        raise Problem(404, f"Không có thành phần {name}.", f"No plugin {name}.") from None
    except ActionRefused as exc:
        code, text = _problem_text(request, exc)
        return await _render_plugins(request, principal, text, status_code=code)
    return RedirectResponse("/admin/plugins", status_code=303)


def routes() -> list[BaseRoute]:
    return [
        Route("/admin/classes", classes_page, methods=["GET"], name="admin-classes"),
        Route("/admin/classes", classes_create, methods=["POST"]),
        Route("/admin/classes/{class_id:int}", class_page, methods=["GET"], name="admin-class"),
        Route("/admin/classes/{class_id:int}/enrol", class_enrol, methods=["POST"]),
        Route("/admin/classes/{class_id:int}/enrolments/{enrolment_id:int}", enrolment_change,
              methods=["POST"]),
        Route("/admin/classes/{class_id:int}/import", class_import, methods=["POST"]),
        Route("/admin/classes/{class_id:int}/end", class_end, methods=["POST"]),
        Route("/admin/users", users_page, methods=["GET"], name="admin-users"),
        Route("/admin/users", users_create, methods=["POST"]),
        Route("/admin/users/import", users_import, methods=["POST"]),
        Route("/admin/users/{user_id:int}/password", user_password, methods=["POST"]),
        Route("/admin/plugins", plugins_page, methods=["GET"], name="admin-plugins"),
        Route("/admin/plugins/{name:str}", plugin_toggle, methods=["POST"]),
    ]
