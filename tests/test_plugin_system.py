"""The plugin system from an institution developer's side.

Part one installs examples/lms-plugin-hello with pip into a temporary folder (never into the
shared venv), puts it on ``sys.path`` and drives a real app: the entry point is found, its
migration runs, its route, table, permission, module type, setting and event hook all work, and
the real ``lms`` command lists it. Part two checks the rules with in-memory plugin modules:
version and requirement checks at start-up, misspelt hooks, failing event hooks, filters that
refuse, and per-institution enabling.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import itertools
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import types
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, AsyncIterator, Callable

import httpx
import pluggy
import pytest
from asgi_lifespan import LifespanManager
from packaging.specifiers import SpecifierSet
from packaging.version import Version
from starlette.routing import Route
from tortoise.backends.base.executor import EXECUTOR_CACHE

from conftest import BACKENDS, PASSWORD, ROOT, _pg_admin, _pg_url, seed_world
from lms_core import PLUGIN_API_VERSION
from lms_core.app import create_app
from lms_core.cli import run_migrations
from lms_core.db import tortoise_config
from lms_core.http.endpoints import api
from lms_core.plugin_api import ActionRefused, PluginInfo, hookimpl
from lms_core.plugins import ENTRY_POINT_GROUP, PluginError, PluginManager
from lms_core.settings import Settings

HELLO_SRC = ROOT / "examples" / "lms-plugin-hello"
SECRET = "test-secret-key-" + "x" * 32
_db_counter = itertools.count()


# --- part one: a real third-party distribution, installed with pip ---------------------------


def _cannot_build_reason() -> str | None:
    """``pip --no-build-isolation`` builds with the venv's own setuptools, which can make a wheel
    by itself only from 70.1 on; older ones need the separate ``wheel`` package."""
    try:
        import setuptools
    except ImportError:
        return "setuptools is not importable in the venv, so pip cannot build the example plugin"
    if Version(setuptools.__version__) >= Version("70.1"):
        return None
    if importlib.util.find_spec("wheel") is None:
        return (f"setuptools {setuptools.__version__} in the venv needs the `wheel` package to "
                "build the example plugin (or setuptools>=70.1 in the test extras)")
    return None


@pytest.fixture(scope="module")
def hello_site(tmp_path_factory) -> Path:
    """The example installed once per module into a private folder, as ``pip install`` would."""
    reason = _cannot_build_reason()
    if reason:
        pytest.skip(reason)
    work = tmp_path_factory.mktemp("hello-plugin")
    src = work / "src"  # a copy, so the build leaves no build/ or egg-info in the repository
    shutil.copytree(HELLO_SRC, src, ignore=shutil.ignore_patterns(
        "__pycache__", "build", "*.egg-info"))
    target = work / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation",
         "--no-index", "--disable-pip-version-check", "-q", "--target", str(target), str(src)],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (target / "lms_plugin_hello-0.1.0.dist-info").is_dir()
    return target


@contextlib.contextmanager
def _on_sys_path(folder: Path):
    sys.path.insert(0, str(folder))
    importlib.invalidate_caches()
    try:
        yield folder
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m == "lms_hello" or m.startswith("lms_hello.")]:
            del sys.modules[name]
        importlib.invalidate_caches()


@pytest.fixture
def hello_installed(hello_site: Path):
    """The install folder on ``sys.path`` for one test; entry_points() then sees its dist-info."""
    with _on_sys_path(hello_site):
        yield hello_site


@pytest.fixture(params=BACKENDS)
async def empty_db(request, tmp_path) -> AsyncIterator[str]:
    """A database with nothing in it: the session template was migrated without the plugin."""
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path / 'hello.sqlite3'}"
        return
    from tortoise import Tortoise

    name = f"lms_hello_{os.getpid()}_{next(_db_counter)}"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield _pg_url(name)
    finally:
        await Tortoise.close_connections()
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _login(app: Any, stack: contextlib.AsyncExitStack, login: str) -> httpx.AsyncClient:
    client = await stack.enter_async_context(httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"))
    r = await client.post("/api/v1/auth/login", json={"login": login, "password": PASSWORD})
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return client


async def test_installed_plugin_works_end_to_end(hello_installed, empty_db, tmp_path):
    plugins = PluginManager().load()
    hello = plugins.plugins["hello"]
    assert hello.source == "entry point (lms-plugin-hello 0.1.0)"
    assert hello.info.version == "0.1.0" and not hello.essential
    await run_migrations(tortoise_config(empty_db, plugins.registry.model_apps))

    EXECUTOR_CACHE.clear()  # per-(connection, table) SQL cache; see conftest's app fixture
    settings = Settings.from_env(var_dir=tmp_path / "var", database_url=empty_db,
                                 broker_url="memory://", secret_key=SECRET, disabled_plugins=[])
    app = create_app(settings)
    async with LifespanManager(app), contextlib.AsyncExitStack() as stack:
        from lms_core.models import CourseModule
        from lms_core.services.settings import set_setting
        from lms_hello.models import Greeting

        world = await seed_world()
        lms = app.state.lms
        assert "hello" in lms.plugins.registry.module_types
        assert lms.plugins.registry.permissions["hello.greet"].roles == frozenset({"trainee"})

        admin = await _login(app, stack, "admin_a")
        rows = {p["name"]: p for p in (await admin.get("/api/v1/plugins")).json()["items"]}
        assert rows["hello"]["source"] == "entry point (lms-plugin-hello 0.1.0)"
        assert rows["hello"]["enabled"] is True
        assert "lms_event_enrolment_changed" in rows["hello"]["hooks"]

        # The event hook greets a trainee who starts a class, with the institution's setting.
        welcome_b = "Xin chào học viên"
        await set_setting(lms.plugins, world.inst["b"], "hello.welcome", welcome_b)
        trainee = await _login(app, stack, "trainee2_a")
        r = await trainee.post(f"/api/v1/classes/{world.classes['a-open']}/self-enrol")
        assert r.status_code == 201, r.text
        trainee_b = await _login(app, stack, "trainee2_b")
        r = await trainee_b.post(f"/api/v1/classes/{world.classes['b-open']}/self-enrol")
        assert r.status_code == 201, r.text

        r = await trainee.get("/api/v1/hello/greetings")
        assert r.status_code == 200, r.text
        assert [g["message"] for g in r.json()["items"]] == [
            "Chào mừng bạn đến với lớp học: Lớp mở a"]
        r = await trainee.post("/api/v1/hello/greetings", json={"message": "Học vui nhé"})
        assert r.status_code == 201, r.text
        r = await trainee.get("/api/v1/hello/greetings")
        assert [g["message"] for g in r.json()["items"]] == [
            "Học vui nhé", "Chào mừng bạn đến với lớp học: Lớp mở a"]
        r = await trainee_b.get("/api/v1/hello/greetings")  # the other institution's own rows
        assert [g["message"] for g in r.json()["items"]] == [f"{welcome_b}: Lớp mở b"]
        assert await Greeting.filter(user_id=world.users["trainee2_a"],
                                     institution_id=world.inst["a"]).count() == 2
        r = await trainee.post("/api/v1/hello/greetings", json={"message": ""})
        assert r.status_code == 422

        # The permission is enforced: lecturers do not hold hello.greet.
        lecturer = await _login(app, stack, "lecturer_a")
        assert (await lecturer.get("/api/v1/hello/greetings")).status_code == 403
        r = await lecturer.post("/api/v1/hello/greetings", json={"message": "x"})
        assert r.status_code == 403
        assert (await lecturer.get("/hello")).status_code == 403

        # The page behind the menu entry, rendered from the plugin's template.
        r = await trainee.get("/hello")
        assert r.status_code == 200 and "Học vui nhé" in r.text
        assert 'href="/hello"' in r.text
        assert 'href="/hello"' not in (await lecturer.get("/")).text

        # A course module of the plugin's type, rendered by it inside the core's module page.
        await CourseModule.create(course_id=world.courses["a"], key="chao", type="hello",
                                  title="Lời chào", position=9,
                                  data={"message": "Xin chào <b>bạn</b>"})
        t_a = await _login(app, stack, "trainee_a")
        r = await t_a.get(f"/courses/{world.courses['a']}/m/chao")
        assert r.status_code == 200, r.text
        assert "Xin chào &lt;b&gt;bạn&lt;/b&gt;, Nguyễn Văn Trainee A!" in r.text
        assert lms.plugins.registry.module_types["hello"].validate({"message": " "})


async def test_lms_command_migrates_and_lists_the_installed_plugin(hello_site, tmp_path):
    lms_cmd = Path(sys.executable).with_name("lms")
    cmd = [str(lms_cmd)] if lms_cmd.exists() else [sys.executable, "-m", "lms_core.cli"]
    db = tmp_path / "cli.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(hello_site), "LMS_VAR_DIR": str(tmp_path / "var"),
           "LMS_DATABASE_URL": f"sqlite://{db}", "LMS_SECRET_KEY": SECRET,
           "LMS_DISABLED_PLUGINS": ""}

    def run(*args: str) -> str:
        proc = subprocess.run([*cmd, *args], env=env, capture_output=True, text=True,
                              timeout=120, cwd=tmp_path)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout

    assert "hello.0001_initial" in run("migrate")
    with contextlib.closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'hello_greeting'"
                            ).fetchone()
        # Index columns are real columns (SQLite would silently index a misnamed one as a
        # string constant, where PostgreSQL refuses the migration).
        names = conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND "
                             "tbl_name = 'hello_greeting' AND sql IS NOT NULL").fetchall()
        columns = {tuple(r[2] for r in conn.execute(f"PRAGMA index_info('{n}')"))
                   for (n,) in names}
        assert ("institution_id", "user_id") in columns, columns
    out = run("plugins", "list")
    assert re.search(r"^hello\s+0\.1\.0\s+enabled\s+entry point \(lms-plugin-hello 0\.1\.0\)$",
                     out, re.MULTILINE), out


async def test_example_migrations_match_its_models():
    """What ``lms makemigrations hello`` would do: nothing, since the shipped migration is
    complete. Computed with Tortoise's autodetector over all apps (hello's foreign keys need the
    core's), without writing anything. Runs from the source folder, so it needs no pip."""
    from tortoise.cli.cli import tortoise_cli_context
    from tortoise.migrations.autodetector import MigrationAutodetector

    with _on_sys_path(HELLO_SRC):
        plugins = PluginManager().load(extra_modules=["lms_hello.plugin"])
        assert plugins.plugins["hello"].source == "registered"
        config = tortoise_config("sqlite://:memory:", plugins.registry.model_apps)
        async with tortoise_cli_context(config) as ctx:
            writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
    assert [w.name for w in writers if w.app_label == "hello"] == []


# --- part two: the rules, with plugin modules built in memory --------------------------------


def make_plugin(name: str, version: str = "0.1.0", api_range: str = ">=1.0,<2",
                requires: tuple[str, ...] = (), **hooks: Callable[..., Any]) -> types.ModuleType:
    """A plugin module as an institution would write it, without a file."""
    module = types.ModuleType(f"test_plugin_{name}")
    module.PLUGIN_INFO = PluginInfo(name=name, version=version, api=api_range,
                                    requires=requires)
    for hook_name, fn in hooks.items():
        setattr(module, hook_name, hookimpl(fn))
    return module


def isolated() -> PluginManager:
    """A manager that skips the installed entry-point plugins: these checks concern only the
    modules a test passes, not whatever else is installed."""
    return PluginManager(disabled=[ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)])


def _excluding_range() -> str:
    major = Version(PLUGIN_API_VERSION).major
    spec = f">={major + 1}.0,<{major + 2}"
    assert Version(PLUGIN_API_VERSION) not in SpecifierSet(spec)
    return spec


def test_api_range_excluding_this_lms_is_refused_at_start_up(tmp_path):
    spec = _excluding_range()
    future = make_plugin("tuong_lai", version="3.1.0", api_range=spec)
    settings = Settings.from_env(var_dir=tmp_path, database_url="sqlite://:memory:",
                                 broker_url="memory://", secret_key=SECRET, disabled_plugins=[])
    with pytest.raises(PluginError) as refused:
        create_app(settings, extra_plugins=[future])
    message = str(refused.value)
    assert "'tuong_lai' 3.1.0" in message
    assert f"supports plugin API {spec}" in message
    assert f"this LMS provides {PLUGIN_API_VERSION}" in message


def test_invalid_api_range_is_refused():
    with pytest.raises(PluginError, match=r"'hong' declares an invalid API range 'một'"):
        isolated().load(extra_modules=[make_plugin("hong", api_range="một")])


def test_missing_required_plugin_is_refused_by_name():
    needy = make_plugin("can_them", requires=("khong_co>=1.0",))
    with pytest.raises(PluginError, match=r"'can_them' requires plugin 'khong_co', not installed"):
        isolated().load(extra_modules=[needy])


def test_too_old_required_plugin_is_refused():
    base = make_plugin("nen", version="0.1.0")
    dependent = make_plugin("phu_thuoc", requires=("nen>=0.2",))
    with pytest.raises(PluginError,
                       match=r"'phu_thuoc' requires nen>=0\.2, installed is 0\.1\.0"):
        isolated().load(extra_modules=[base, dependent])
    loaded = isolated().load(extra_modules=[make_plugin("nen", version="0.2.0"), dependent])
    assert {"nen", "phu_thuoc"} <= set(loaded.plugins)


def test_all_problems_are_reported_at_once():
    with pytest.raises(PluginError) as refused:
        isolated().load(extra_modules=[make_plugin("a1", api_range=_excluding_range()),
                                       make_plugin("a2", requires=("khong_co",))])
    assert "'a1'" in str(refused.value) and "'a2'" in str(refused.value)


def test_misspelt_hook_fails_loudly():
    typo = make_plugin("go_nham", lms_register_routez=lambda: [])
    with pytest.raises(pluggy.PluginValidationError, match="lms_register_routez"):
        isolated().load(extra_modules=[typo])


def test_hook_argument_that_the_spec_lacks_fails_loudly():
    bad = make_plugin("sai_tham_so",
                      lms_event_enrolment_changed=lambda enrolment, institution: None)
    with pytest.raises(pluggy.PluginValidationError, match="institution"):
        isolated().load(extra_modules=[bad])


# Plugins registered into the real app through the ``extra_plugins`` fixture below.

RECORDED: list[tuple[str, int, int, str]] = []


def _recorder(name: str) -> Callable[..., None]:
    def record(enrolment: Any, new_status: str) -> None:
        RECORDED.append((name, enrolment.user_id, enrolment.klass_id, new_status))
    return record


def _boom(enrolment: Any) -> None:
    raise RuntimeError("plugin bug")


@api("GET", permission=None, summary="Which institution am I in")
async def _ping(request, principal):
    return {"institution_id": principal.institution_id}


def _refuse_open_classes(request: Any) -> str | None:
    if request.klass.code.startswith("OPEN-"):
        return "Lớp mở tạm ngừng nhận học viên."
    return None


async def _refuse_async(request: Any) -> None:
    if request.via == "nomination":
        raise ActionRefused("Chưa đến đợt cử đi học.", "Nominations are closed.")


BOOM = make_plugin("boom", lms_event_enrolment_changed=_boom)
AFTER_BOOM = make_plugin("after_boom", lms_event_enrolment_changed=_recorder("after_boom"))
RECORDER = make_plugin(
    "recorder",
    lms_register_routes=lambda: [Route("/api/v1/recorder/ping", _ping, methods=["GET"])],
    lms_event_enrolment_changed=_recorder("recorder"),
)
GATE = make_plugin("gate", lms_filter_enrolment=_refuse_open_classes)
ASYNC_GATE = make_plugin("async_gate", lms_filter_enrolment=_refuse_async)


@pytest.fixture
def extra_plugins(request) -> list[Any]:
    """Each test names the plugins it needs with ``parametrize(..., indirect=True)``."""
    return list(getattr(request, "param", []))


@pytest.fixture(autouse=True)
def _clear_recorded():
    RECORDED.clear()
    yield
    RECORDED.clear()


def uses(*modules: types.ModuleType):
    ids = ["+".join(m.PLUGIN_INFO.name for m in modules)]
    return pytest.mark.parametrize("extra_plugins", [list(modules)], indirect=True, ids=ids)


@uses(BOOM, AFTER_BOOM)
async def test_failing_event_hook_is_logged_by_name_and_the_request_succeeds(
        client_for, world, caplog):
    caplog.set_level(logging.ERROR, logger="lms.plugins")
    trainee = await client_for("trainee2_a")
    r = await trainee.post(f"/api/v1/classes/{world.classes['a-open']}/self-enrol")
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "active"
    failures = [rec for rec in caplog.records
                if rec.getMessage() == "plugin boom failed in lms_event_enrolment_changed"]
    assert len(failures) == 1 and failures[0].exc_info[1].args == ("plugin bug",)
    # The plugins after the failing one were still told.
    assert RECORDED == [("after_boom", world.users["trainee2_a"], world.classes["a-open"],
                         "active")]
    from lms_core.models import Enrolment

    assert await Enrolment.filter(user_id=world.users["trainee2_a"],
                                  klass_id=world.classes["a-open"], status="active").exists()


@uses(GATE, ASYNC_GATE)
async def test_filter_reason_refuses_enrolment_with_409(client_for, world):
    from lms_core.models import Enrolment

    trainee = await client_for("trainee2_a")
    r = await trainee.post(f"/api/v1/classes/{world.classes['a-open']}/self-enrol")
    assert r.status_code == 409
    assert r.json()["detail"] == "Lớp mở tạm ngừng nhận học viên."
    assert not await Enrolment.filter(user_id=world.users["trainee2_a"],
                                      klass_id=world.classes["a-open"]).exists()
    # An async filter raising ActionRefused: its English message for English readers.
    admin = await client_for("admin_a")
    r = await admin.post(f"/api/v1/classes/{world.classes['a']}/nominations",
                         json={"user_ids": [world.users["trainee2_a"]]})
    assert r.status_code == 409
    assert r.json()["detail_vi"] == "Chưa đến đợt cử đi học."
    assert r.json()["detail_en"] == "Nominations are closed."
    # What the filters do not object to is unaffected.
    r = await admin.post(f"/api/v1/classes/{world.classes['a']}/enrolments",
                         json={"user_id": world.users["trainee2_a"], "status": "active"})
    assert r.status_code == 201, r.text


@uses(RECORDER)
async def test_disabling_a_plugin_is_per_institution(client_for, world):
    admin_a = await client_for("admin_a")
    trainee_a, trainee_b = await client_for("trainee2_a"), await client_for("trainee2_b")
    assert (await trainee_a.get("/api/v1/recorder/ping")).status_code == 200
    r = await trainee_a.post(f"/api/v1/classes/{world.classes['a-open']}/self-enrol")
    assert r.status_code == 201
    assert [e[0] for e in RECORDED] == ["recorder"]

    r = await admin_a.put("/api/v1/plugins/recorder", json={"enabled": False})
    assert r.status_code == 200, r.text
    RECORDED.clear()
    r = await trainee_a.get("/api/v1/recorder/ping")
    assert r.status_code == 404
    assert r.json()["detail"] == "Thành phần này chưa được bật cho đơn vị của bạn."
    assert (await trainee_b.get("/api/v1/recorder/ping")).json() == {
        "institution_id": world.inst["b"]}
    r = await trainee_a.post(f"/api/v1/classes/{world.classes['a-open']}/withdraw")
    assert r.status_code == 200, r.text
    r = await trainee_b.post(f"/api/v1/classes/{world.classes['b-open']}/self-enrol")
    assert r.status_code == 201
    assert RECORDED == [("recorder", world.users["trainee2_b"], world.classes["b-open"],
                         "active")]  # institution a's withdrawal was not told
    rows = {p["name"]: p for p in (await admin_a.get("/api/v1/plugins")).json()["items"]}
    assert rows["recorder"]["enabled"] is False and rows["recorder"]["source"] == "registered"

    r = await admin_a.put("/api/v1/plugins/recorder", json={"enabled": True})
    assert r.status_code == 200
    assert (await trainee_a.get("/api/v1/recorder/ping")).status_code == 200


@uses(RECORDER)
async def test_essential_plugins_cannot_be_disabled(client_for, world):
    admin = await client_for("admin_a")
    for name in ("core", "lessons"):
        r = await admin.put(f"/api/v1/plugins/{name}", json={"enabled": False})
        assert r.status_code == 409, r.text
        assert name in r.json()["detail"]
    rows = {p["name"]: p for p in (await admin.get("/api/v1/plugins")).json()["items"]}
    assert rows["core"]["essential"] and rows["core"]["enabled"]
    assert (await admin.put("/api/v1/plugins/khong_co", json={"enabled": False})
            ).status_code == 404
    trainee = await client_for("trainee_a")
    assert (await trainee.put("/api/v1/plugins/recorder", json={"enabled": False})
            ).status_code == 403


@uses(RECORDER)
async def test_an_expired_plugin_state_is_read_once_by_concurrent_requests(app, world,
                                                                          monkeypatch):
    """When the cache runs out under load, one query answers every request waiting for it; a
    change made while that query runs is not overwritten by its (older) answer."""
    import asyncio

    plugins = app.state.lms.plugins
    inst = world.inst["a"]
    reads = 0
    release = asyncio.Event()
    load = plugins._load_enabled

    async def slow_load(institution_id):
        nonlocal reads
        reads += 1
        found = await load(institution_id)
        await release.wait()  # the answer is read, not yet handed back
        return found

    monkeypatch.setattr(plugins, "_load_enabled", slow_load)
    plugins.forget_state(inst)
    waiting = [asyncio.create_task(plugins.enabled_for(inst)) for _ in range(50)]
    await asyncio.sleep(0.01)
    release.set()
    answers = await asyncio.gather(*waiting)
    assert reads == 1 and all("recorder" in a for a in answers)
    assert "recorder" in await plugins.enabled_for(inst) and reads == 1  # cached now

    plugins.forget_state(inst)
    release.clear()
    first = asyncio.create_task(plugins.enabled_for(inst))
    await asyncio.sleep(0.01)
    await plugins.set_enabled(inst, "recorder", False)  # while the first read is in flight
    release.set()
    await first
    assert "recorder" not in await plugins.enabled_for(inst)
    assert reads == 3
