"""The app with tracemalloc on, for bench/live_memory.py: ``GET /__trace/snapshot?name=x``
keeps a snapshot, ``GET /__trace/compare?a=x&b=y&per=N&out=path`` writes the growth between
two of them, per socket (``per``), grouped by file, by line and by traceback. A measuring
tool served only by that script, never by ``lms serve``."""

from __future__ import annotations

import gc
import importlib
import os
import tracemalloc
from typing import Any
from urllib.parse import parse_qs

tracemalloc.start(int(os.environ.get("TRACE_FRAMES", "8")))
_module, _, _name = os.environ.get("TRACE_APP", "lms_core.asgi:app").partition(":")
inner = getattr(importlib.import_module(_module), _name)
_snapshots: dict[str, tracemalloc.Snapshot] = {}


def _compare(a: str, b: str, per: int) -> str:
    out = []
    for key, top in (("filename", 40), ("lineno", 40), ("traceback", 25)):
        stats = _snapshots[b].compare_to(_snapshots[a], key)
        total = sum(s.size_diff for s in stats)
        out.append(f"==== grouped by {key}: {total / per:,.0f} bytes per socket")
        for s in stats[:top]:
            out.append(f"{s.size_diff / per:8.0f} B {s.count_diff / per:6.2f} blocks")
            lines = s.traceback.format()
            out.extend("    " + line for line in (lines if key == "traceback" else lines[:2]))
    return "\n".join(out)


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http" or not scope["path"].startswith("/__trace/"):
        await inner(scope, receive, send)
        return
    query = {k: v[0] for k, v in parse_qs(scope["query_string"].decode()).items()}
    gc.collect()
    if scope["path"] == "/__trace/snapshot":
        _snapshots[query["name"]] = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.Filter(False, tracemalloc.__file__)])
        body = b"ok"
    else:
        text = _compare(query["a"], query["b"], int(query.get("per", "1")))
        with open(query["out"], "w", encoding="utf-8") as f:
            f.write(text)
        body = text.split("\n", 1)[0].encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
    await send({"type": "http.response.body", "body": body})
