"""The baseline: a bare Starlette app answering the benchmarked paths with constant bytes.

It returns exactly the JSON body the real app gave for the benchmark's first user, with no
middleware, no session, no database and no serialisation: what is left is uvicorn, httptools
and Starlette's routing, i.e. the floor any endpoint of this stack pays. Served the same way as
the real app (``uvicorn bench.bare_app:app --loop uvloop --http httptools``, one worker).

``BENCH_BARE_BODIES`` names a JSON file ``{"/path?query": "<body text>", ...}`` written by
http_bench.py after it fetched the real responses.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_BODIES: dict[str, bytes] = {
    key: text.encode() for key, text in
    json.loads(Path(os.environ["BENCH_BARE_BODIES"]).read_text(encoding="utf-8")).items()
} if os.environ.get("BENCH_BARE_BODIES") else {}

NOT_FOUND = Response(b'{"status":404}', status_code=404, media_type="application/json")


async def constant(request: Request) -> Response:
    query = request.scope["query_string"].decode("latin-1")
    key = request.scope["path"] + ("?" + query if query else "")
    body = _BODIES.get(key)
    if body is None:
        return NOT_FOUND
    return Response(body, media_type="application/json")


async def healthz(request: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


app = Starlette(routes=[
    Route("/healthz", healthz),
    Route("/api/v1/me", constant),
    Route("/api/v1/my/classes", constant),
    Route("/api/v1/courses", constant),
])
