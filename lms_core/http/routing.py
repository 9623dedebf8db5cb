"""A router that looks routes up by the path's leading words instead of trying them all.

Starlette tries every route's regular expression in order until one matches. The app has over
two hundred routes (every plugin adds its own), so a quiz submit was found after 48 failed
matches (31 µs) and a page near the end after some 200 (over 100 µs), on every request. Here
each route is filed under the literal segments its path starts with (up to four:
``/api/v1/quizzes/attempts/{id}`` under ``api/v1/quizzes/attempts``), and a request tries only
the routes filed under its own leading segments, plus those that start with a parameter, in
their original order. Any route that could match is among them, so the first full match, the
405 of a partial one and the order are Starlette's; a request nothing matches falls through to
Starlette's own loop (trailing-slash redirects, 404).
"""

from __future__ import annotations

from typing import Any

from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Match, Mount, Route, Router, WebSocketRoute
from starlette.types import Receive, Scope, Send

#: How many leading path segments file a route.
DEPTH = 4


def literal_segments(path: str) -> tuple[str, ...] | None:
    """The segments of ``path`` before its first parameter, or None when the route has no
    usable literal start (a parameter first, a root mount)."""
    words = []
    for word in path.split("/")[1:]:
        if "{" in word:
            break
        words.append(word)
        if len(words) == DEPTH:
            break
    return tuple(words) or None


class IndexedRouter(Router):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._indexed: tuple[int, int] | None = None
        self._buckets: dict[tuple[str, ...], list[int]] = {}
        self._anywhere: list[int] = []
        self._merged: dict[tuple[tuple[str, ...], ...], list[BaseRoute]] = {}

    def _index(self) -> None:
        """(Re)file the routes; done again if the list changed (a test adding a route)."""
        self._buckets, self._anywhere, self._merged = {}, [], {}
        for i, route in enumerate(self.routes):
            key = None
            if isinstance(route, (Route, WebSocketRoute, Mount)):
                key = literal_segments(route.path)
            if key is None:
                self._anywhere.append(i)
            else:
                self._buckets.setdefault(key, []).append(i)
        self._indexed = (id(self.routes), len(self.routes))

    def candidates(self, path: str) -> list[BaseRoute]:
        if self._indexed != (id(self.routes), len(self.routes)):
            self._index()
        words = tuple(path.split("/", DEPTH + 1)[1:DEPTH + 1])
        keys = tuple(k for k in (words[:n] for n in range(1, len(words) + 1))
                     if k in self._buckets)
        merged = self._merged.get(keys)
        if merged is None:
            order = sorted({i for k in keys for i in self._buckets[k]} | set(self._anywhere))
            merged = self._merged[keys] = [self.routes[i] for i in order]
        return merged

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope.setdefault("router", self)
            partial = None
            for route in self.candidates(get_route_path(scope)):
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    scope["route"] = route
                    scope.update(child_scope)
                    await route.handle(scope, receive, send)
                    return
                if match is Match.PARTIAL and partial is None:
                    partial = (route, child_scope)
            if partial is not None:
                scope["route"] = partial[0]
                scope.update(partial[1])
                await partial[0].handle(scope, receive, send)
                return
        await super().app(scope, receive, send)
