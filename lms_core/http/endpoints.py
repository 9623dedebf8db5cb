"""The ``api`` decorator: one place where every JSON endpoint is authenticated, checked against a
named permission, has its input validated, and is described for the OpenAPI document.

    @api("GET", permission="classes.view", query=ClassQuery, summary="List classes")
    async def list_classes(request, principal, query): ...

Handlers return plain data (serialised as JSON) or a Response. Errors become problem documents.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response

from lms_core.http.jsonio import JSON
from lms_core.http.problems import Problem, problem_response, to_problem, validation_problem

MAX_JSON_BYTES = 2_000_000


@dataclass
class ApiMeta:
    method: str
    permission: str | None
    summary: str
    description: str
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: Any
    tags: tuple[str, ...]
    status: int
    anonymous: bool
    extra_responses: dict[int, str] = field(default_factory=dict)


def api(
    method: str,
    *,
    permission: str | None,
    summary: str,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: Any = None,
    tags: tuple[str, ...] = (),
    status: int = 200,
    anonymous: bool = False,
    responses: dict[int, str] | None = None,
) -> Callable[[Callable[..., Awaitable[Any]]], Callable[[Request], Awaitable[Response]]]:
    def decorate(fn: Callable[..., Awaitable[Any]]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                principal = request.scope.get("principal")
                if not anonymous:
                    if principal is None:
                        if request.scope.get("auth_failed"):
                            raise Problem(401, "Mã truy cập không hợp lệ hoặc đã hết hạn.",
                                          "Invalid or expired API token.")
                        raise Problem(401)
                    if permission and not principal.can(permission):
                        raise Problem(403, extra_permission=permission)
                kwargs: dict[str, Any] = {}
                if query is not None:
                    try:
                        kwargs["query"] = query.model_validate(dict(request.query_params))
                    except ValidationError as exc:
                        raise validation_problem(exc, "query") from None
                if body is not None:
                    kwargs["body"] = body.model_validate(await read_json(request))
                result = await fn(request, principal, **kwargs)
            except ValidationError as exc:
                return problem_response(request, validation_problem(exc))
            except Exception as exc:  # every failure answers as a problem document
                return problem_response(request, to_problem(exc))
            if isinstance(result, Response):
                return result
            if isinstance(result, BaseModel):
                result = result.model_dump(mode="json")
            return JSON(result, status_code=status)

        endpoint.__name__ = fn.__name__
        endpoint.__doc__ = fn.__doc__
        endpoint.__lms_api__ = ApiMeta(  # type: ignore[attr-defined]
            method=method.upper(), permission=permission, summary=summary,
            description=(fn.__doc__ or "").strip(), body=body, query=query, response=response,
            tags=tags, status=status, anonymous=anonymous, extra_responses=responses or {},
        )
        return endpoint

    return decorate


async def read_json(request: Request) -> Any:
    ctype = request.headers.get("content-type", "")
    if not ctype.startswith("application/json"):
        raise Problem(415, "Dữ liệu phải ở dạng JSON (Content-Type: application/json).",
                      "The body must be JSON (Content-Type: application/json).")
    raw = await request.body()
    if len(raw) > MAX_JSON_BYTES:
        raise Problem(413)
    try:
        return json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise Problem(400, f"JSON không đọc được: {exc}.", f"Malformed JSON: {exc}.") from None


def path_int(request: Request, name: str) -> int:
    """Path parameters declared ``{id:int}`` are already ints; this guards the range."""
    value = request.path_params[name]
    if not isinstance(value, int) or value <= 0 or value > 2**31 - 1:
        raise Problem(404)
    return value
