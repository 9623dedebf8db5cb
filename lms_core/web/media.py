"""Course media (lesson images) served only to members of the owning institution.

Paths are ``/media/courses/<institution id>/<code>/v<version>/<file>``. Files are served with
``nosniff`` and a locked-down CSP so that an SVG opened directly cannot run anything, even
though imports already refuse SVGs with scripts.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from lms_core.http.problems import Problem, problem_response

_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy", b"default-src 'none'; style-src 'unsafe-inline'; sandbox"),
    (b"cache-control", b"private, max-age=3600"),
]


class MediaFiles:
    def __init__(self, directory: Path) -> None:
        self.files = StaticFiles(directory=directory)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = scope.get("principal")
        rel = scope["path"].split("/media/", 1)[-1].split("/")
        owner = rel[1] if len(rel) > 2 and rel[0] == "courses" else None
        if principal is None or owner is None or not owner.isdigit() \
                or int(owner) not in principal.institution_ids:
            await problem_response(Request(scope), Problem(404))(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + _HEADERS
            await send(message)

        await self.files(scope, receive, send_with_headers)
