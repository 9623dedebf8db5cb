"""Pages every user sees: login, language, my classes, the catalogue, a course and its lessons,
a class."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from lms_core.api.auth import authenticate, start_session
from lms_core.http.endpoints import path_int
from lms_core.http.problems import Problem
from lms_core.models import ClassLecturer, CourseModule, Enrolment, EnrolmentStatus, User
from lms_core.runtime import runtime
from lms_core.services import classes as classes_svc
from lms_core.services import courses as courses_svc
from lms_core.services.enrolments import change_enrolment, seats_taken
from lms_core.services.progress import complete_module, progress_summary, start_module
from lms_core.web.pages import error_page, page, safe_next
from lms_core.web.templating import render


@page(anonymous=True)
async def login_form(request: Request, principal) -> Response:
    return await render(request, "login.html", {"next": safe_next(request.query_params.get("next"))})


@page(anonymous=True)
async def login_submit(request: Request, principal) -> Response:
    form = await request.form()
    login = str(form.get("login", ""))[:150]
    nxt = safe_next(str(form.get("next", "/")))
    try:
        user = await authenticate(request, login, str(form.get("password", ""))[:1024])
    except Problem as problem:
        return await render(request, "login.html", {"next": nxt, "login": login,
                                                    "error": problem},
                            status_code=problem.status)
    start_session(request, user)
    return RedirectResponse(nxt, status_code=303)


@page()
async def logout(request: Request, principal) -> Response:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@page(anonymous=True)
async def set_language(request: Request, principal) -> Response:
    form = await request.form()
    lang = form.get("lang")
    if lang in ("vi", "en"):
        request.session["locale"] = lang
        if principal is not None:
            await User.filter(id=principal.user_id).update(locale=lang)
            runtime(request).principals.forget(principal.user_id)
    return RedirectResponse(safe_next(str(form.get("next", "/"))), status_code=303)


@page()
async def home(request: Request, principal) -> Response:
    classes = await classes_svc.my_classes(principal)
    open_classes = []
    if principal.can("enrolments.self"):
        mine = {c["id"] for c in classes}
        rows = await classes_svc.visible_classes(principal).filter(self_enrol=True).values(
            *classes_svc.CLASS_FIELDS, "course__title", "course__code")
        open_classes = [classes_svc.class_dict(r) for r in rows if r["id"] not in mine]
    return await render(request, "home.html", {"classes": classes, "open_classes": open_classes})


@page("courses.view")
async def catalogue(request: Request, principal) -> Response:
    q = request.query_params.get("q", "")[:200]
    total, rows = await courses_svc.catalogue(principal.institution_id, q, 200, 0)
    return await render(request, "catalogue.html", {"courses": rows, "total": total, "q": q})


async def _my_enrolment(principal, course_id: int) -> Enrolment | None:
    return await Enrolment.filter(
        user_id=principal.user_id, klass__course_id=course_id,
        klass__institution_id=principal.institution_id,
        status__in=[EnrolmentStatus.APPROVED, EnrolmentStatus.ACTIVE, EnrolmentStatus.COMPLETED],
    ).order_by("-id").first()


@page("courses.view")
async def course_page(request: Request, principal) -> Response:
    course = await courses_svc.get_course(principal.institution_id,
                                          path_int(request, "course_id"))
    modules = await courses_svc.course_modules(course.id)
    enrolment = await _my_enrolment(principal, course.id)
    done: set[int] = set()
    summary = None
    if enrolment:
        from lms_core.models import ModuleProgress, ProgressStatus
        done = set(await ModuleProgress.filter(enrolment=enrolment,
                                               status=ProgressStatus.COMPLETED)
                   .values_list("module_id", flat=True))
        summary = await progress_summary(enrolment.id, course.id)
    types = runtime(request).plugins.registry.module_types
    from lms_core.web.panels import page_panels

    panels = await page_panels(request, "course", {"course": course, "enrolment": enrolment})
    return await render(request, "course.html", {
        "course": course, "modules": modules, "done": done, "enrolment": enrolment,
        "summary": summary, "types": types, "panels": panels})


@page("courses.view")
async def module_page(request: Request, principal) -> Response:
    course = await courses_svc.get_course(principal.institution_id,
                                          path_int(request, "course_id"))
    module = await CourseModule.get_or_none(course_id=course.id, key=request.path_params["key"],
                                            is_active=True)
    if module is None:
        raise Problem(404, "Không tìm thấy bài học.", "Module not found.")
    lms = runtime(request)
    enrolment = await _my_enrolment(principal, course.id)
    if enrolment is not None:
        if enrolment.status == EnrolmentStatus.APPROVED:
            klass = await enrolment.klass
            user = await User.get(id=principal.user_id)
            enrolment = await change_enrolment(lms.plugins, klass, user, EnrolmentStatus.ACTIVE,
                                               actor_id=principal.user_id, via="self")
        await start_module(enrolment, module)
    # A module whose type's plugin is missing or disabled here shows a notice, not an error.
    mtype = lms.plugins.registry.module_types.get(module.type)
    owner = lms.plugins.registry.module_type_owner.get(module.type)
    usable = mtype is not None and mtype.render is not None and owner in (
        await lms.plugins.enabled_for(principal.institution_id))
    body = await mtype.render(request, module, enrolment) if usable else None
    modules = await courses_svc.course_modules(course.id)
    idx = next((i for i, m in enumerate(modules) if m.id == module.id), 0)
    return await render(request, "module.html", {
        "page": "lesson",
        "body_data": {"course-id": course.id, "module-id": module.id,
                      "enrolled": "1" if enrolment else ""},
        "course": course, "module": module, "body": body, "enrolment": enrolment,
        "prev": modules[idx - 1] if idx > 0 else None,
        "next": modules[idx + 1] if idx + 1 < len(modules) else None,
    })


@page("progress.record")
async def module_complete(request: Request, principal) -> Response:
    course = await courses_svc.get_course(principal.institution_id,
                                          path_int(request, "course_id"))
    module = await CourseModule.get_or_none(course_id=course.id, key=request.path_params["key"],
                                            is_active=True, type="lesson")
    enrolment = await _my_enrolment(principal, course.id)
    if module is None or enrolment is None:
        raise Problem(404, "Bạn chưa ghi danh khoá học này.", "You are not enrolled in it.")
    user = await User.get(id=principal.user_id)
    await complete_module(runtime(request).plugins, enrolment, module, user)
    return RedirectResponse(f"/courses/{course.id}", status_code=303)


@page("classes.view")
async def class_page(request: Request, principal) -> Response:
    klass = await classes_svc.get_visible_class(principal, path_int(request, "class_id"))
    course = await klass.course
    mine = await Enrolment.get_or_none(klass_id=klass.id, user_id=principal.user_id)
    lecturers = await User.filter(lecturing__klass_id=klass.id).values("id", "full_name")
    teaches = await ClassLecturer.filter(klass_id=klass.id, user_id=principal.user_id).exists()
    from lms_core.web.panels import page_panels

    panels = await page_panels(request, "class", {"klass": klass, "course": course,
                                                  "enrolment": mine, "teaches": teaches})
    return await render(request, "class.html", {
        "klass": klass, "course": course, "mine": mine, "lecturers": lecturers,
        "teaches": teaches, "seats": await seats_taken(klass.id), "panels": panels})


@page("enrolments.self")
async def class_self_enrol(request: Request, principal) -> Response:
    klass = await classes_svc.get_visible_class(principal, path_int(request, "class_id"))
    if not klass.self_enrol:
        raise Problem(403, "Lớp này không mở tự đăng ký.", "This class is not open.")
    user = await User.get(id=principal.user_id)
    await change_enrolment(runtime(request).plugins, klass, user, EnrolmentStatus.ACTIVE,
                           actor_id=principal.user_id, via="self")
    return RedirectResponse(f"/classes/{klass.id}", status_code=303)


async def not_found(request: Request) -> Response:
    return await error_page(request, Problem(404))
