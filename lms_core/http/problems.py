"""RFC 9457 problem-details responses, in the caller's language with the other one alongside."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from tortoise.exceptions import DoesNotExist, IntegrityError

from lms_core.http.jsonio import dumps
from lms_core.plugin_api import ActionRefused

log = logging.getLogger("lms.http")

_TITLES = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 409: "Conflict", 413: "Content Too Large",
    415: "Unsupported Media Type", 422: "Unprocessable Content", 429: "Too Many Requests",
    500: "Internal Server Error",
}

_DEFAULTS = {
    400: ("Yêu cầu không hợp lệ.", "Bad request."),
    401: ("Bạn cần đăng nhập.", "You need to log in."),
    403: ("Bạn không có quyền thực hiện thao tác này.", "You are not allowed to do this."),
    404: ("Không tìm thấy.", "Not found."),
    405: ("Phương thức không được hỗ trợ.", "Method not allowed."),
    409: ("Xung đột dữ liệu.", "Conflict."),
    413: ("Dữ liệu gửi lên quá lớn.", "Request too large."),
    422: ("Dữ liệu không hợp lệ.", "Invalid data."),
    429: ("Quá nhiều yêu cầu, hãy thử lại sau.", "Too many requests, try again later."),
    500: ("Lỗi máy chủ. Sự cố đã được ghi lại.", "Server error. It has been logged."),
}


class Problem(Exception):
    """Raise from a handler to answer with a problem document."""

    def __init__(self, status: int, detail: str = "", detail_en: str = "",
                 errors: list[dict[str, Any]] | None = None, **extra: Any) -> None:
        default_vi, default_en = _DEFAULTS.get(status, ("Lỗi.", "Error."))
        self.status = status
        self.detail = detail or default_vi
        self.detail_en = detail_en or (default_en if not detail else detail)
        self.errors = errors or []
        self.extra = extra
        super().__init__(self.detail)


def request_locale(request: Request) -> str:
    principal = request.scope.get("principal")
    session = request.scope.get("session") or {}
    if session.get("locale") in ("vi", "en"):
        return session["locale"]
    if principal is not None:
        return principal.locale
    accept = request.headers.get("accept-language", "")
    return "en" if accept.lower().startswith("en") else "vi"


def problem_body(problem: Problem, locale: str, instance: str = "") -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": _TITLES.get(problem.status, "Error"),
        "status": problem.status,
        "detail": problem.detail_en if locale == "en" else problem.detail,
        "detail_vi": problem.detail,
        "detail_en": problem.detail_en,
    }
    if instance:
        body["instance"] = instance
    if problem.errors:
        body["errors"] = problem.errors
    body.update(problem.extra)
    return body


def problem_response(request: Request, problem: Problem) -> Response:
    body = problem_body(problem, request_locale(request), request.url.path)
    headers = {"Retry-After": str(problem.extra["retry_after"])} if "retry_after" in problem.extra else None
    return Response(dumps(body), status_code=problem.status, headers=headers,
                    media_type="application/problem+json")


def validation_problem(exc: ValidationError, where: str = "body") -> Problem:
    errors = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err.get("loc", ()))
        errors.append({"field": loc, "location": where, "message": err.get("msg", "")})
    fields = ", ".join(e["field"] for e in errors if e["field"]) or where
    return Problem(422, f"Dữ liệu không hợp lệ ở: {fields}.", f"Invalid data in: {fields}.",
                   errors=errors)


def to_problem(exc: Exception) -> Problem:
    """Map known exception kinds onto problems; anything else is a logged 500."""
    if isinstance(exc, Problem):
        return exc
    if isinstance(exc, ActionRefused):
        return Problem(409, exc.message, exc.message_en)
    if isinstance(exc, ValidationError):
        return validation_problem(exc)
    if isinstance(exc, DoesNotExist):
        return Problem(404)
    if isinstance(exc, IntegrityError):
        return Problem(409, "Dữ liệu trùng hoặc mâu thuẫn với dữ liệu đã có.",
                       "Duplicate or conflicting data.")
    if isinstance(exc, HTTPException):
        return Problem(exc.status_code, *_DEFAULTS.get(exc.status_code, ("", "")))
    log.exception("unhandled error", exc_info=exc)
    return Problem(500)
