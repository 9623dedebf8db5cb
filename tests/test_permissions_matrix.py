"""Who reaches what: one row per (core endpoint, method, role) with the exact status, then the
walls between institutions and the narrower scopes inside one (supervisor's unit subtree,
lecturer's own classes, trainee's own and open classes).

The matrix must name every core ``/api/v1`` route: a new endpoint without a row fails
``test_matrix_names_every_core_endpoint``, so nobody can add one without deciding who may call it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable

import httpx
import pytest

from conftest import PASSWORD, ROLES, World
from lms_core.builtin.core_permissions import PERMISSIONS
from lms_core.models import CourseClass, Enrolment, EnrolmentStatus, Membership, Role, Unit
from lms_core.models.classes import ClassStatus

V1 = "/api/v1"
ANON = "anonymous"
WHO = (*ROLES, ANON)  # admin, lecturer, trainee, supervisor, planner, anonymous


@dataclass
class Ctx:
    """What one row's call needs: the caller's client and a way to get a fresh one."""

    role: str
    tag: str
    client: httpx.AsyncClient
    fresh: Callable[[], Awaitable[httpx.AsyncClient]]
    unauthenticated: Callable[[], Awaitable[httpx.AsyncClient]]
    w: World
    enrolment_id: int

    @property
    def login(self) -> str:
        return f"{self.role}_{self.tag}" if self.role != ANON else "khong-co-ai"


Call = Callable[[Ctx], Awaitable[httpx.Response]]


def E(admin: int, lecturer: int, trainee: int, supervisor: int, planner: int,
      anonymous: int) -> dict[str, int]:
    return dict(zip(WHO, (admin, lecturer, trainee, supervisor, planner, anonymous)))


def everyone(status: int) -> dict[str, int]:
    return E(status, status, status, status, status, 401)


def req(method: str, url: Callable[[Ctx], str],
        body: Callable[[Ctx], Any] | None = None) -> Call:
    async def call(ctx: Ctx) -> httpx.Response:
        kwargs = {"json": body(ctx)} if body is not None else {}
        return await ctx.client.request(method, V1 + url(ctx), **kwargs)
    return call


async def _login(ctx: Ctx) -> httpx.Response:
    client = await ctx.unauthenticated()
    return await client.post(f"{V1}/auth/login",
                             json={"login": ctx.login, "password": PASSWORD})


async def _logout(ctx: Ctx) -> httpx.Response:
    client = await ctx.fresh()  # the shared client must stay logged in for the later rows
    return await client.post(f"{V1}/auth/logout")


async def _revoke_token(ctx: Ctx) -> httpx.Response:
    made = await ctx.client.post(f"{V1}/me/tokens", json={"name": "tạm"})
    token_id = made.json()["id"] if made.status_code == 201 else 1
    return await ctx.client.delete(f"{V1}/me/tokens/{token_id}")


async def _withdraw(ctx: Ctx) -> httpx.Response:
    await ctx.client.post(f"{V1}/classes/{ctx.w.classes['a-open']}/self-enrol")
    return await ctx.client.post(f"{V1}/classes/{ctx.w.classes['a-open']}/withdraw")


def _user(login: str) -> Callable[[Ctx], int]:
    return lambda c: c.w.users[login]


# (method, route path as registered, expected status per caller, the call). Rows run in this
# order with one client per role; the password change ends that client's session, so it is last.
MATRIX: list[tuple[str, str, dict[str, int], Call]] = [
    ("GET", f"{V1}/openapi.json", E(200, 200, 200, 200, 200, 200),
     req("GET", lambda c: "/openapi.json")),
    ("POST", f"{V1}/auth/login", E(200, 200, 200, 200, 200, 401), _login),
    ("POST", f"{V1}/auth/logout", everyone(200), _logout),
    ("GET", f"{V1}/me", everyone(200), req("GET", lambda c: "/me")),
    ("POST", f"{V1}/me/institution", everyone(200),
     req("POST", lambda c: "/me/institution", lambda c: {"institution_id": c.w.inst["a"]})),
    ("POST", f"{V1}/me/tokens", everyone(201),
     req("POST", lambda c: "/me/tokens", lambda c: {"name": "kịch bản"})),
    ("GET", f"{V1}/me/tokens", everyone(200), req("GET", lambda c: "/me/tokens")),
    ("DELETE", f"{V1}/me/tokens/{{token_id:int}}", everyone(200), _revoke_token),
    ("GET", f"{V1}/users", E(200, 403, 403, 200, 200, 401), req("GET", lambda c: "/users")),
    ("POST", f"{V1}/users", E(201, 403, 403, 403, 403, 401),
     req("POST", lambda c: "/users", lambda c: {
         "login": f"moi-{c.role}", "email": f"moi-{c.role}@example.vn",
         "full_name": "Vũ Thị Mới", "roles": ["trainee"], "unit_id": c.w.units["a-child"]})),
    ("GET", f"{V1}/users/{{user_id:int}}", E(200, 403, 403, 200, 200, 401),
     req("GET", lambda c: f"/users/{c.w.users['trainee_a']}")),
    ("GET", f"{V1}/units", everyone(200), req("GET", lambda c: "/units")),
    ("POST", f"{V1}/units", E(201, 403, 403, 403, 403, 401),
     req("POST", lambda c: "/units", lambda c: {"code": f"P-{c.role}", "name": "Phòng Mới",
                                                "parent_id": c.w.units["a"]})),
    ("GET", f"{V1}/positions", everyone(200), req("GET", lambda c: "/positions")),
    ("POST", f"{V1}/positions", E(201, 403, 403, 403, 403, 401),
     req("POST", lambda c: "/positions", lambda c: {"code": f"VT-{c.role}",
                                                    "title": "Chuyên viên một cửa"})),
    ("GET", f"{V1}/courses", everyone(200), req("GET", lambda c: "/courses")),
    ("GET", f"{V1}/courses/{{course_id:int}}", everyone(200),
     req("GET", lambda c: f"/courses/{c.w.courses['a']}")),
    ("GET", f"{V1}/classes", everyone(200), req("GET", lambda c: "/classes")),
    ("POST", f"{V1}/classes", E(201, 403, 403, 403, 403, 401),
     req("POST", lambda c: "/classes", lambda c: {
         "course_id": c.w.courses["a"], "code": f"K-{c.role}", "title": "Lớp bồi dưỡng mới"})),
    ("GET", f"{V1}/my/classes", everyone(200), req("GET", lambda c: "/my/classes")),
    ("GET", f"{V1}/classes/{{class_id:int}}", everyone(200),
     req("GET", lambda c: f"/classes/{c.w.classes['a']}")),
    ("GET", f"{V1}/classes/{{class_id:int}}/enrolments", E(200, 200, 403, 200, 200, 401),
     req("GET", lambda c: f"/classes/{c.w.classes['a']}/enrolments")),
    ("POST", f"{V1}/classes/{{class_id:int}}/enrolments", E(201, 403, 403, 403, 403, 401),
     req("POST", lambda c: f"/classes/{c.w.classes['a']}/enrolments",
         lambda c: {"user_id": c.w.users["trainee2_a"]})),
    ("POST", f"{V1}/classes/{{class_id:int}}/self-enrol", E(403, 403, 201, 403, 403, 401),
     req("POST", lambda c: f"/classes/{c.w.classes['a-open']}/self-enrol")),
    ("POST", f"{V1}/classes/{{class_id:int}}/withdraw", E(403, 403, 200, 403, 403, 401),
     _withdraw),
    ("POST", f"{V1}/classes/{{class_id:int}}/nominations", E(201, 403, 403, 201, 403, 401),
     req("POST", lambda c: f"/classes/{c.w.classes['a-open']}/nominations",
         lambda c: {"user_ids": [c.w.users["trainee_a"]]})),
    ("PATCH", f"{V1}/enrolments/{{enrolment_id:int}}", E(200, 403, 403, 403, 403, 401),
     req("PATCH", lambda c: f"/enrolments/{c.enrolment_id}", lambda c: {"status": "completed"})),
    ("POST", f"{V1}/classes/{{class_id:int}}/end", E(200, 403, 403, 403, 403, 401),
     req("POST", lambda c: f"/classes/{c.w.classes['a-open']}/end")),
    ("GET", f"{V1}/plugins", E(200, 403, 403, 403, 403, 401), req("GET", lambda c: "/plugins")),
    ("PUT", f"{V1}/plugins/{{name:str}}", E(200, 403, 403, 403, 403, 401),
     req("PUT", lambda c: "/plugins/core", lambda c: {"enabled": True})),
    ("POST", f"{V1}/me/password", everyone(200),
     req("POST", lambda c: "/me/password", lambda c: {
         "current_password": PASSWORD, "new_password": "mat-khau-moi-2026"})),
]


#: Rows that fail today because of a known core bug, per database engine. A listed row that
#: passes makes the test fail (so the entry is removed once the bug is fixed); any other wrong
#: row fails it as usual.
KNOWN_BUGS: dict[tuple[str, str, str], str] = {}  # (engine, method, path) -> bug description


def engine(app) -> str:
    return "postgres" if app.state.lms.settings.database_url.startswith("postgres") else "sqlite"


def core_api_routes(app) -> set[tuple[str, str]]:
    """(method, path) of every core JSON endpoint: routes under /api/v1 with API metadata,
    less those a plugin registered (plugins test their own)."""
    plugin_routes = {id(r) for r in app.state.lms.plugins.registry.routes}
    out = set()
    for route in app.routes:
        meta = getattr(getattr(route, "endpoint", None), "__lms_api__", None)
        if meta is None or id(route) in plugin_routes:
            continue
        if route.path.startswith(V1):
            out.add((meta.method, route.path))
    return out


async def test_matrix_names_every_core_endpoint(app):
    rows = [(m, p) for m, p, _e, _c in MATRIX]
    assert len(rows) == len(set(rows)), "a (method, path) appears twice in MATRIX"
    routes = core_api_routes(app)
    missing = routes - set(rows)
    assert not missing, f"core endpoints without a row in the permission matrix: {missing}"
    stale = set(rows) - routes
    assert not stale, f"rows for endpoints that no longer exist: {stale}"
    for method, path, expected, _call in MATRIX:
        assert set(expected) == set(WHO), (method, path)


@pytest.mark.parametrize("role", WHO)
async def test_permission_matrix(app, world, client_for, role):
    clients: list[httpx.AsyncClient] = []

    async def unauthenticated() -> httpx.AsyncClient:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                   base_url="http://testserver")
        clients.append(client)
        return client

    async def fresh() -> httpx.AsyncClient:
        return await (unauthenticated() if role == ANON else client_for(f"{role}_a"))

    enrolment = await Enrolment.get(user_id=world.users["trainee_a"], klass_id=world.classes["a"])
    ctx = Ctx(role=role, tag="a", client=await fresh(), fresh=fresh,
              unauthenticated=unauthenticated, w=world, enrolment_id=enrolment.id)
    wrong, known, fixed = [], [], []
    try:
        for method, path, expected, call in MATRIX:
            response = await call(ctx)
            bug = KNOWN_BUGS.get((engine(app), method, path))
            if response.status_code != expected[role]:
                line = (f"{method} {path}: expected {expected[role]}, got "
                        f"{response.status_code} {response.text[:160]}")
                (known if bug else wrong).append(line)
            elif bug and expected[role] < 400:
                fixed.append(f"{method} {path} works now: remove it from KNOWN_BUGS")
            elif response.status_code >= 400:
                assert response.headers["content-type"].startswith("application/problem+json")
    finally:
        for c in clients:
            await c.aclose()
    assert not wrong + fixed, f"{role}:\n  " + "\n  ".join(wrong + fixed)
    if known:
        pytest.xfail("known core bug: " + "; ".join(known))


# --- between institutions ----------------------------------------------------------------------

ROLE_PERMISSIONS = {role: {p.name for p in PERMISSIONS if role in p.roles} for role in ROLES}

#: Secrets of institution A that must never appear in an answer to B.
A_MARKERS = ("trainee_a", "admin_a", "K-a", "OPEN-a", "C-a", "inst-a", "Trường A", "Lớp a")


def _cross_requests(w: World) -> list[tuple[str, str, dict | None, str]]:
    """(method, url, body, permission) of requests from B that touch A's objects."""
    a_enrolment_url = f"{V1}/enrolments/{{enrolment}}"
    return [
        ("GET", f"{V1}/users/{w.users['trainee_a']}", None, "users.view"),
        ("GET", f"{V1}/users/{w.users['supervisor_a']}", None, "users.view"),
        ("GET", f"{V1}/classes/{w.classes['a']}", None, "classes.view"),
        ("GET", f"{V1}/classes/{w.classes['a-open']}", None, "classes.view"),
        ("GET", f"{V1}/classes/{w.classes['a']}/enrolments", None, "enrolments.view"),
        ("GET", f"{V1}/courses/{w.courses['a']}", None, "courses.view"),
        ("PATCH", a_enrolment_url, {"status": "withdrawn"}, "enrolments.manage"),
        ("POST", f"{V1}/classes/{w.classes['a']}/enrolments",
         {"user_id": w.users["trainee_b"]}, "enrolments.manage"),
        ("POST", f"{V1}/classes/{w.classes['b']}/enrolments",
         {"user_id": w.users["trainee_a"]}, "enrolments.manage"),
        ("POST", f"{V1}/classes/{w.classes['a-open']}/nominations",
         {"user_ids": [w.users["trainee_b"]]}, "enrolments.nominate"),
        ("POST", f"{V1}/classes/{w.classes['b-open']}/nominations",
         {"user_ids": [w.users["trainee_a"]]}, "enrolments.nominate"),
        ("POST", f"{V1}/classes/{w.classes['a']}/end", None, "classes.manage"),
        ("POST", f"{V1}/classes/{w.classes['a-open']}/self-enrol", None, "enrolments.self"),
        ("POST", f"{V1}/classes/{w.classes['a']}/withdraw", None, "enrolments.self"),
    ]


@pytest.mark.parametrize("role", ROLES)
async def test_institution_b_gets_404_for_institution_a_objects(world, client_for, role):
    """Holders of the permission get 404 (A's ids do not exist for B); the others are stopped
    by the permission first. Either way no byte of A's data comes back and nothing changes."""
    client = await client_for(f"{role}_b")
    enrolment = await Enrolment.get(user_id=world.users["trainee_a"], klass_id=world.classes["a"])
    wrong = []
    for method, url, body, permission in _cross_requests(world):
        url = url.format(enrolment=enrolment.id)
        response = await client.request(method, url, **({"json": body} if body else {}))
        expected = 404 if permission in ROLE_PERMISSIONS[role] else 403
        if response.status_code != expected:
            wrong.append(f"{method} {url} ({permission}): expected {expected}, got "
                         f"{response.status_code} {response.text[:160]}")
        leaked = [m for m in A_MARKERS if m in response.text]
        if leaked:
            wrong.append(f"{method} {url} leaked {leaked}: {response.text[:200]}")
    r = await client.post(f"{V1}/me/institution", json={"institution_id": world.inst["a"]})
    if r.status_code != 403:
        wrong.append(f"switching to institution A: {r.status_code}")
    assert not wrong, f"{role}_b:\n  " + "\n  ".join(wrong)
    # nothing of A changed and nobody crossed over
    assert (await Enrolment.get(id=enrolment.id)).status == EnrolmentStatus.ACTIVE
    assert (await CourseClass.get(id=world.classes["a"])).status == ClassStatus.PLANNED
    assert not await Enrolment.filter(user_id=world.users["trainee_b"],
                                      klass__institution_id=world.inst["a"]).exists()
    assert not await Enrolment.filter(user_id=world.users["trainee_a"],
                                      klass__institution_id=world.inst["b"]).exists()


async def test_b_cannot_use_a_ids_inside_its_own_writes(world, client_for):
    admin_b = await client_for("admin_b")
    r = await admin_b.post(f"{V1}/classes", json={"course_id": world.courses["a"], "code": "X1",
                                                  "title": "Lớp mượn khoá học"})
    assert r.status_code == 422
    r = await admin_b.post(f"{V1}/users", json={
        "login": "muon-don-vi", "email": "muon@example.vn", "full_name": "Lý Văn Mượn",
        "unit_id": world.units["a"]})
    assert r.status_code == 422
    r = await admin_b.post(f"{V1}/units", json={"code": "X2", "name": "Phòng con",
                                                "parent_id": world.units["a"]})
    assert r.status_code == 422
    r = await admin_b.post(f"{V1}/classes", json={
        "course_id": world.courses["b"], "code": "X3", "title": "Lớp có giảng viên lạ",
        "lecturer_ids": [world.users["lecturer_a"]]})
    assert r.status_code == 422


async def _ids(client: httpx.AsyncClient, url: str) -> set[int]:
    r = await client.get(url)
    assert r.status_code == 200, (url, r.text)
    return {item["id"] for item in r.json()["items"]}


@pytest.mark.parametrize("role", ROLES)
async def test_lists_of_b_never_contain_a(world, client_for, role):
    client = await client_for(f"{role}_b")
    a_users = {v for k, v in world.users.items() if k.endswith("_a")}
    a_classes = {world.classes["a"], world.classes["a-open"]}
    a_units = {world.units["a"], world.units["a-child"], world.units["a-other"]}
    perms = ROLE_PERMISSIONS[role]
    if "users.view" in perms:
        seen = await _ids(client, f"{V1}/users?limit=500")
        assert seen and not seen & a_users
        assert not (await _ids(client, f"{V1}/users?unit_id={world.units['a']}")) & a_users
        assert not (await _ids(client, f"{V1}/users?q=a")) & a_users
    classes = await _ids(client, f"{V1}/classes?limit=500")
    assert classes and not classes & a_classes
    mine = await _ids(client, f"{V1}/my/classes")
    assert not mine & a_classes
    catalogue = await _ids(client, f"{V1}/courses")
    assert catalogue == {world.courses["b"]}
    units = await _ids(client, f"{V1}/units")
    assert units and not units & a_units


async def test_users_list_answers_on_every_database(world, client_for):
    """GET /users once answered 500 on PostgreSQL (DISTINCT with ORDER BY an unselected column):
    search, role filter and paging as the admin pages use them."""
    admin = await client_for("admin_a")
    for url in (f"{V1}/users", f"{V1}/users?q=nguyen&role=trainee", f"{V1}/users?offset=2"):
        r = await admin.get(url)
        assert r.status_code == 200, (url, r.text)
    r = await admin.get(f"{V1}/users?q=nguyen+trainee&role=trainee")
    assert [u["login"] for u in r.json()["items"]] == ["trainee_a"]


async def test_a_person_in_two_institutions_holds_only_the_roles_of_the_one_they_act_in(
        world, client_for):
    """trainee_a is also an admin of B: acting in A they are a trainee, acting in B an admin who
    still cannot see A."""
    await Membership.create(user_id=world.users["trainee_a"], institution_id=world.inst["b"],
                            role=Role.ADMIN)
    person = await client_for("trainee_a")
    me = (await person.get(f"{V1}/me")).json()
    assert me["institution_id"] == world.inst["a"] and me["roles"] == ["trainee"]
    assert (await person.get(f"{V1}/plugins")).status_code == 403
    r = await person.post(f"{V1}/me/institution", json={"institution_id": world.inst["b"]})
    assert r.status_code == 200
    me = (await person.get(f"{V1}/me")).json()
    assert me["institution_id"] == world.inst["b"] and me["roles"] == ["admin"]
    assert (await person.get(f"{V1}/plugins")).status_code == 200
    assert (await person.get(f"{V1}/classes/{world.classes['a']}")).status_code == 404
    assert await _ids(person, f"{V1}/classes") == {world.classes["b"], world.classes["b-open"]}
    assert await _ids(person, f"{V1}/my/classes") == set()
    r = await person.post(f"{V1}/classes/{world.classes['a']}/enrolments",
                          json={"user_id": world.users["trainee2_a"]})
    assert r.status_code == 404


# --- scopes inside one institution -------------------------------------------------------------


async def test_supervisor_sees_only_own_unit_subtree(world, client_for):
    admin = await client_for("admin_a")
    r = await admin.post(f"{V1}/classes/{world.classes['a']}/enrolments",
                         json={"user_id": world.users["trainee2_a"]})
    assert r.status_code == 201
    sup = await client_for("supervisor_a")
    subtree = {world.units["a"], world.units["a-child"]}
    expected = {uid for login, uid in world.users.items() if login.endswith("_a")
                and login != "trainee2_a"}  # trainee2_a works in the unrelated unit
    seen = await _ids(sup, f"{V1}/users?limit=500")
    assert seen == expected
    assert (await sup.get(f"{V1}/users/{world.users['trainee2_a']}")).status_code == 404
    assert (await sup.get(f"{V1}/users/{world.users['trainee_a']}")).status_code == 200
    # asking for another unit gives nothing, not that unit's people
    assert await _ids(sup, f"{V1}/users?unit_id={world.units['a-other']}") == set()
    roster = (await sup.get(f"{V1}/classes/{world.classes['a']}/enrolments")).json()
    assert [e["user_id"] for e in roster["items"]] == [world.users["trainee_a"]]
    assert all(e["user"]["unit_id"] in subtree for e in roster["items"])
    full = (await admin.get(f"{V1}/classes/{world.classes['a']}/enrolments")).json()
    assert {e["user_id"] for e in full["items"]} == {world.users["trainee_a"],
                                                     world.users["trainee2_a"]}
    assert roster["seats_taken"] == full["seats_taken"] == 2
    # a planner sees everyone of the institution
    planner = await client_for("planner_a")
    assert world.users["trainee2_a"] in await _ids(planner, f"{V1}/users?limit=500")


async def test_supervisor_scope_follows_a_deeper_tree(world, client_for):
    """A sub-unit created later (grandchild) is inside the subtree."""
    admin = await client_for("admin_a")
    r = await admin.post(f"{V1}/units", json={"code": "GC", "name": "Tổ một cửa",
                                              "parent_id": world.units["a-child"]})
    assert r.status_code == 201
    grandchild = r.json()["id"]
    assert (await Unit.get(id=grandchild)).path.startswith(
        (await Unit.get(id=world.units["a"])).path)
    r = await admin.post(f"{V1}/users", json={
        "login": "chau-noi", "email": "chau@example.vn", "full_name": "Đinh Thị Cháu",
        "unit_id": grandchild})
    assert r.status_code == 201
    sup = await client_for("supervisor_a")
    assert r.json()["id"] in await _ids(sup, f"{V1}/users?limit=500")
    assert (await sup.get(f"{V1}/users/{r.json()['id']}")).status_code == 200


async def test_lecturer_sees_only_rosters_of_classes_they_teach(world, client_for):
    admin = await client_for("admin_a")
    r = await admin.post(f"{V1}/classes", json={"course_id": world.courses["a"], "code": "K2",
                                                "title": "Lớp không dạy"})
    assert r.status_code == 201
    other = r.json()["id"]
    lec = await client_for("lecturer_a")
    assert await _ids(lec, f"{V1}/classes") == {world.classes["a"]}
    assert (await lec.get(f"{V1}/classes/{other}")).status_code == 404
    assert (await lec.get(f"{V1}/classes/{other}/enrolments")).status_code == 404
    assert (await lec.get(f"{V1}/classes/{world.classes['a-open']}/enrolments")).status_code \
        == 404
    roster = await lec.get(f"{V1}/classes/{world.classes['a']}/enrolments")
    assert roster.status_code == 200
    assert [e["user_id"] for e in roster.json()["items"]] == [world.users["trainee_a"]]
    # learning in a class (not teaching it) shows the class but never its roster
    r = await admin.post(f"{V1}/classes/{other}/enrolments",
                         json={"user_id": world.users["lecturer_a"]})
    assert r.status_code == 201
    assert (await lec.get(f"{V1}/classes/{other}")).status_code == 200
    assert (await lec.get(f"{V1}/classes/{other}/enrolments")).status_code == 403
    lec_b = await client_for("lecturer_b")
    assert (await lec_b.get(f"{V1}/classes/{world.classes['a']}/enrolments")).status_code == 404


async def test_trainee_sees_only_own_classes_and_open_ones(world, client_for):
    admin = await client_for("admin_a")
    r = await admin.post(f"{V1}/classes", json={"course_id": world.courses["a"], "code": "K3",
                                                "title": "Lớp riêng"})
    closed = r.json()["id"]
    t1 = await client_for("trainee_a")
    t2 = await client_for("trainee2_a")
    assert await _ids(t1, f"{V1}/classes") == {world.classes["a"], world.classes["a-open"]}
    assert await _ids(t2, f"{V1}/classes") == {world.classes["a-open"]}
    for url in (f"{V1}/classes/{world.classes['a']}", f"{V1}/classes/{closed}"):
        assert (await t2.get(url)).status_code == 404
    assert (await t1.get(f"{V1}/classes/{closed}")).status_code == 404
    assert await _ids(t2, f"{V1}/my/classes") == set()
    # another trainee's withdrawal from K-a hides nothing from trainee_a, shows nothing to t2
    r = await admin.post(f"{V1}/classes/{world.classes['a']}/enrolments",
                         json={"user_id": world.users["trainee2_a"]})
    e2 = r.json()["id"]
    assert (await admin.patch(f"{V1}/enrolments/{e2}", json={"status": "withdrawn"})
            ).status_code == 200
    assert (await t2.get(f"{V1}/classes/{world.classes['a']}")).status_code == 404
    assert world.classes["a"] not in await _ids(t2, f"{V1}/classes")
    assert (await t1.get(f"{V1}/classes/{world.classes['a']}")).status_code == 200
    assert world.classes["a"] in await _ids(t1, f"{V1}/classes")
    # withdrawing oneself hides the class again
    assert (await t1.post(f"{V1}/classes/{world.classes['a']}/withdraw")).status_code == 200
    assert (await t1.get(f"{V1}/classes/{world.classes['a']}")).status_code == 404
    assert await _ids(t1, f"{V1}/classes") == {world.classes["a-open"]}
    assert await _ids(t1, f"{V1}/my/classes") == set()
