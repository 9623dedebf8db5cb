"""The indexed router finds, for every route of the app, the route Starlette's own loop finds:
the same first full match, the same 405 for a wrong method, the same 404 and slash redirect."""

from __future__ import annotations

import re

import pytest
from starlette.routing import Match, Mount, Route, Router, WebSocketRoute

from lms_core.http.routing import IndexedRouter, literal_segments

_PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")


def _sample(path: str) -> str:
    return _PARAM.sub(lambda m: {"int": "7", "path": "a/b.txt"}.get(m.group(2) or "", "x1"),
                      path)


def _first(routes, scope: dict) -> tuple[str, object] | None:
    """What Starlette's loop picks among ``routes``: the first full match, else the first
    partial one."""
    partial = None
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return "full", route
        if match is Match.PARTIAL and partial is None:
            partial = ("partial", route)
    return partial


def test_literal_segments():
    assert literal_segments("/api/v1/quizzes/attempts/{id:int}/submit") == (
        "api", "v1", "quizzes", "attempts")
    assert literal_segments("/quizzes/modules/{m:int}/edit") == ("quizzes", "modules")
    assert literal_segments("/export.{fmt}") is None
    assert literal_segments("/{slug}") is None
    assert literal_segments("/") == ("",)


async def test_every_route_of_the_app_is_found_as_starlette_finds_it(app):
    router = app.router
    assert isinstance(router, IndexedRouter)
    plain = Router(routes=router.routes)
    paths = set()
    for route in router.routes:
        if isinstance(route, (Route, WebSocketRoute)):
            paths.add(_sample(route.path))
        elif isinstance(route, Mount):
            paths.add(route.path + "/x.css")
    paths |= {"/", "/nope", "/api/v1/nope", "/api/v1/quizzes/attempts/7/nope", ""}
    assert len(paths) > 150
    for path in sorted(paths):
        for kind, method in (("http", "GET"), ("http", "POST"), ("http", "DELETE"),
                             ("websocket", None)):
            scope = {"type": kind, "path": path, "root_path": "", "method": method}
            assert _first(router.candidates(path), scope) == _first(plain.routes, scope), \
                (kind, method, path)


@pytest.mark.parametrize("path, status", [("/healthz", 200), ("/api/v1/no-such-thing", 404)])
async def test_found_and_not_found_through_the_app(anon, path, status):
    assert (await anon.get(path)).status_code == status


async def test_a_wrong_method_is_still_405(anon):
    r = await anon.delete("/api/v1/auth/login")
    assert r.status_code == 405
