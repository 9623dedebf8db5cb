"""A real ``lms serve`` subprocess for the tests that talk to it over the network (tests/e2e,
tests/browser): started on a free port, waited for, stopped cleanly, its log kept for the
failure message."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from lms_core.cli import WS_PROTOCOL

ROOT = Path(__file__).resolve().parent.parent
LMS = str(Path(sys.executable).with_name("lms"))


def free_port() -> int:
    """A port nobody listens on right now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@asynccontextmanager
async def serve_app(application: Any, **config: Any) -> AsyncIterator[str]:
    """Runs ``application`` on a free port in this event loop, with the websocket protocol
    and settings ``lms serve`` uses unless ``config`` says otherwise (the ORM is already set
    up by the ``app`` fixture's lifespan, so the server's own lifespan is off)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config.setdefault("ws", WS_PROTOCOL)
    config.setdefault("ws_per_message_deflate", False)  # as ``lms serve``
    server = uvicorn.Server(uvicorn.Config(application, lifespan="off", log_level="warning",
                                           **config))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.01)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
        sock.close()


class Server:
    """``lms serve`` with the given environment; its output goes to a log file in the var
    dir so that a failing test can show the server's side."""

    def __init__(self, env: dict[str, str], workers: int = 1) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        Path(env["LMS_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
        self.log = Path(env["LMS_VAR_DIR"]) / f"server-{self.port}.log"
        self._log_file = self.log.open("wb")
        self.proc = subprocess.Popen(
            [LMS, "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(workers)],
            env=env, cwd=ROOT, stdout=self._log_file, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 20.0) -> None:
        """Poll /healthz; fail with the server's log when it exits or never answers."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited early:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"server not ready:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        """SIGTERM (uvicorn's graceful shutdown), SIGKILL after 10 s."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log_file.close()


def base_env(tmp: Path, database_url: str) -> dict[str, str]:
    """The environment of a test server: its own var dir and database, and none of the
    developer's LMS_* settings leaking in."""
    env = {**os.environ, "LMS_VAR_DIR": str(tmp / "var"), "LMS_DATABASE_URL": database_url}
    for key in ("LMS_CONTENT_DIR", "LMS_PORT", "LMS_HOST", "LMS_DISABLED_PLUGINS",
                "LMS_BROKER_URL", "LMS_JOBS_URL", "LMS_TEST_CLOCK"):
        env.pop(key, None)
    return env


@contextmanager
def seeded_server(tmp: Path, template: str, seed: Callable[[str], Awaitable[dict[str, Any]]],
                  extra_env: dict[str, str] | None = None) -> Iterator[dict[str, Any]]:
    """A copy of the migrated SQLite template, ``seed(url)`` run on it, and ``lms serve`` on
    it (with ``extra_env`` added to its environment) until the block ends: what each browser
    test module's ``site`` fixture needs. The server's var dir is ``tmp / "var"``. Yields what
    the seed returned with ``url`` and ``server``."""
    import asyncio
    import shutil

    target = tmp / "lms.sqlite3"
    shutil.copy(template, target)
    url = f"sqlite://{target}"
    seeded = asyncio.run(seed(url))
    server = Server({**base_env(tmp, url), **(extra_env or {})})
    try:
        server.wait_ready()
        yield {**seeded, "url": server.url, "server": server}
    finally:
        server.stop()
