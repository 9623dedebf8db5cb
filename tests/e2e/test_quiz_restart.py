"""A trainee's quiz attempt survives the server being killed (SIGKILL, no graceful shutdown) and
started again: the same attempt resumes with every saved answer and the server's clock still
running, and two simultaneous submits grade it once. Real ``lms serve`` processes over HTTP, on
SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from conftest import PG_URL, ROOT, _pg_admin, _pg_url
from live_server import LMS, Server, base_env

pytestmark = pytest.mark.e2e

BACKENDS = ["sqlite"] + (["postgres"] if PG_URL else [])
Q = "/api/v1/quizzes"


def _answer(slot: dict) -> dict | None:
    """Some answer of the right shape for each type (right or wrong does not matter here)."""
    q = slot["question"]
    kind = q["type"]
    if kind == "single_choice":
        return {"choice": q["choices"][0]["id"]}
    if kind == "multiple_response":
        return {"choices": [c["id"] for c in q["choices"][:2]]}
    if kind == "true_false":
        return {"value": True}
    if kind == "short_answer":
        return {"text": "VNeID"}
    if kind == "numerical":
        return {"value": "72"}
    if kind == "matching":
        return {"pairs": {str(s["id"]): q["choices"][0]["text"] for s in q["stems"]}}
    return None


def _login(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=15)
    r = client.post("/api/v1/auth/login", json={"login": "hocvien1", "password": "hocvien1-2026"})
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return client


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_attempt_survives_a_killed_server_and_grades_once(tmp_path: Path, backend: str):
    if backend == "postgres":
        name = f"lms_e2e_quiz_{os.getpid()}"
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
        url = _pg_url(name)
    else:
        url = f"sqlite://{tmp_path / 'demo.sqlite3'}"
    env = base_env(tmp_path, url)
    done = subprocess.run([LMS, "demo", "--no-serve"], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    server = Server(env)
    try:
        server.wait_ready()
        client = _login(server.url)
        courses = client.get("/api/v1/courses").json()["items"]
        course_id = next(c["id"] for c in courses if c["code"] == "CDS-101")
        modules = client.get(f"/api/v1/courses/{course_id}").json()["modules"]
        module_id = next(m["id"] for m in modules if m["key"] == "kiem-tra-cuoi-khoa")
        r = client.post(f"{Q}/modules/{module_id}/attempts")
        assert r.status_code == 201, r.text
        attempt = r.json()
        assert len(attempt["slots"]) == 10 and attempt["seconds_left"] > 1100
        saved = {}
        for slot in attempt["slots"][:6]:
            response = _answer(slot)
            r = client.put(f"{Q}/attempts/{attempt['id']}/slots/{slot['slot']}",
                           json={"response": response, "flagged": slot["slot"] == 2})
            assert r.status_code == 200, r.text
            saved[slot["slot"]] = response
        server.proc.kill()  # no shutdown handler runs: only what was committed survives
        server.proc.wait()
        server.stop()

        server = Server(env)
        server.wait_ready()
        client.base_url = httpx.URL(server.url)  # same session cookie, new process
        r = client.post(f"{Q}/modules/{module_id}/attempts")
        assert r.status_code == 200, r.text  # resumed, not started again
        resumed = r.json()
        assert resumed["id"] == attempt["id"]
        assert {s["slot"]: s["response"] for s in resumed["slots"] if s["response"]} == saved
        assert [s["slot"] for s in resumed["slots"] if s["flagged"]] == [2]
        assert [s["question"] for s in resumed["slots"]] == [s["question"] for s in
                                                             attempt["slots"]]
        assert resumed["seconds_left"] <= attempt["seconds_left"]  # the clock kept running
        for slot in resumed["slots"][6:]:
            r = client.put(f"{Q}/attempts/{attempt['id']}/slots/{slot['slot']}",
                           json={"response": _answer(slot)})
            assert r.status_code == 200, r.text

        def submit() -> httpx.Response:
            with httpx.Client(base_url=server.url, cookies=client.cookies,
                              headers={"X-CSRF-Token": client.headers["X-CSRF-Token"]},
                              timeout=15) as c:
                return c.post(f"{Q}/attempts/{attempt['id']}/submit")

        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda _: submit(), range(4)))
        assert [a.status_code for a in answers] == [200] * 4, [a.text for a in answers]
        assert len({a.json()["finished_at"] for a in answers}) == 1
        info = client.get(f"{Q}/modules/{module_id}/quiz").json()
        assert [a["state"] for a in info["attempts"]] == ["finished"]
        late = client.put(f"{Q}/attempts/{attempt['id']}/slots/1", json={"response": None})
        assert late.status_code == 409
    finally:
        server.stop()
        if backend == "postgres":
            asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "lms_e2e_quiz_{os.getpid()}" '
                                  "WITH (FORCE)"))
