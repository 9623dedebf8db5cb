"""The API's contract: health, OpenAPI, login, problem details, my classes, the catalogue."""

from __future__ import annotations


async def test_healthz_reports_database_and_broker(anon):
    r = await anon.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["database"]["ok"] is True and body["broker"] == {"ok": True, "kind": "memory"}


async def test_openapi_describes_every_api_route(app, anon):
    doc = (await anon.get("/api/v1/openapi.json")).json()
    assert doc["openapi"].startswith("3.1")
    described = {(p, m) for p, ops in doc["paths"].items() for m in ops}
    for route in app.routes:
        meta = getattr(getattr(route, "endpoint", None), "__lms_api__", None)
        if meta is None and getattr(route, "path", "").startswith("/api/v1"):
            raise AssertionError(f"{route.path} has no API metadata")
        if meta is not None:
            path = route.path.replace(":int}", "}").replace(":str}", "}")
            assert (path, meta.method.lower()) in described
    create_class = doc["paths"]["/api/v1/classes"]["post"]
    schema_ref = create_class["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert schema_ref.rsplit("/", 1)[1] in doc["components"]["schemas"]
    assert "422" in create_class["responses"] and "403" in create_class["responses"]


async def test_login_wrong_password_is_a_problem_in_vietnamese(anon, world):
    r = await anon.post("/api/v1/auth/login", json={"login": "admin_a", "password": "sai"})
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["detail"] == "Sai tên đăng nhập hoặc mật khẩu."
    r = await anon.post("/api/v1/auth/login", json={"login": "admin_a", "password": "sai"},
                        headers={"Accept-Language": "en-GB"})
    assert r.json()["detail"] == "Wrong login or password."


async def test_login_is_rate_limited(anon, world, settings):
    for _ in range(settings.login_rate_limit):
        r = await anon.post("/api/v1/auth/login", json={"login": "trainee_a", "password": "x"})
        assert r.status_code == 401
    r = await anon.post("/api/v1/auth/login",
                        json={"login": "trainee_a", "password": "mat-khau-thu-nghiem"})
    assert r.status_code == 429 and "Retry-After" in r.headers


async def test_malformed_input_gets_4xx_never_500(client_for, world):
    admin = await client_for("admin_a")
    bad_bodies = [
        (b"{not json", "application/json"),
        (b"[]", "application/json"),
        (b'{"course_id": "x"}', "application/json"),
        (b'{"course_id": 1, "code": "../../etc", "title": "t"}', "application/json"),
        (b"code=1", "text/plain"),
        ('{"course_id": 99999999999999999999, "code": "A", "title": "t"}'.encode(),
         "application/json"),
    ]
    for raw, ctype in bad_bodies:
        r = await admin.post("/api/v1/classes", content=raw, headers={"Content-Type": ctype})
        assert 400 <= r.status_code < 500, (raw, r.status_code, r.text)
        assert r.json()["detail"]
    r = await admin.get("/api/v1/users?limit=-5")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "limit"
    r = await admin.get("/api/v1/classes/99999999999")
    assert r.status_code == 404


async def test_my_classes_and_catalogue(client_for, world):
    trainee = await client_for("trainee_a")
    items = (await trainee.get("/api/v1/my/classes")).json()["items"]
    assert [c["code"] for c in items] == ["K-a"]
    assert items[0]["my_enrolment"] == "active"
    lecturer = await client_for("lecturer_a")
    items = (await lecturer.get("/api/v1/my/classes")).json()["items"]
    assert items[0]["i_teach"] is True
    cat = (await trainee.get("/api/v1/courses?q=KHOA HOC")).json()
    assert cat["total"] == 1 and cat["items"][0]["code"] == "C-a"


async def test_bearer_token_for_scripts(client_for, anon, world):
    trainee = await client_for("trainee_a")
    r = await trainee.post("/api/v1/me/tokens", json={"name": "script"})
    assert r.status_code == 201
    token = r.json()["token"]
    r = await anon.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["login"] == "trainee_a"
    r = await anon.get("/api/v1/me", headers={"Authorization": "Bearer lms_wrong"})
    assert r.status_code == 401
    tid = r = (await trainee.get("/api/v1/me/tokens")).json()["items"][0]["id"]
    assert (await trainee.delete(f"/api/v1/me/tokens/{tid}")).status_code == 200
    r = await anon.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401


async def test_a_burst_of_cold_tokens_resolves_each_to_its_own_user(app, anon, world):
    """Every user's token and principal are loaded together (lms_core.batching): a burst of
    first requests from different users, with a revoked and an unknown token among them, must
    still answer each with its own user, or 401."""
    import asyncio

    from lms_core.auth import tokens
    from lms_core.auth.tokens import issue_token
    from lms_core.models import ApiToken, Membership

    members = {m.user_id: m.institution_id for m in await Membership.all()}
    issued = []
    for login, user_id in sorted(world.users.items()):
        if user_id in members:
            _row, secret = await issue_token(user_id, members[user_id], "burst")
            issued.append((login, secret))
    assert len(issued) >= 6
    revoked_row, revoked = await issue_token(*next(iter(members.items())), "gone")
    await ApiToken.filter(id=revoked_row.id).update(revoked=True)
    tokens._cache.clear()
    app.state.lms.principals.forget()
    calls = [(login, secret) for login, secret in issued] * 2 + [
        (None, revoked), (None, "lms_" + "x" * 43)]
    replies = await asyncio.gather(*(anon.get("/api/v1/me", headers={
        "Authorization": f"Bearer {secret}"}) for _login, secret in calls))
    for (login, _secret), reply in zip(calls, replies):
        if login is None:
            assert reply.status_code == 401
        else:
            assert reply.status_code == 200 and reply.json()["login"] == login, reply.text


async def test_csrf_required_for_cookie_sessions(client_for, world):
    admin = await client_for("admin_a")
    token = admin.headers.pop("X-CSRF-Token")
    r = await admin.post("/api/v1/units", json={"code": "X1", "name": "Phòng X"})
    assert r.status_code == 403
    r = await admin.post("/api/v1/units", json={"code": "X1", "name": "Phòng X"},
                         headers={"X-CSRF-Token": token})
    assert r.status_code == 201


async def test_password_change_ends_other_sessions(client_for, world):
    first = await client_for("trainee_a")
    second = await client_for("trainee_a")
    r = await first.post("/api/v1/me/password", json={
        "current_password": "mat-khau-thu-nghiem", "new_password": "mat-khau-moi-2026"})
    assert r.status_code == 200
    first.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    assert (await first.get("/api/v1/me")).status_code == 200
    assert (await second.get("/api/v1/me")).status_code == 401


async def test_ending_a_class_tells_plugins_and_is_not_repeated(client_for, world, app):
    from lms_core.models import EventLog

    admin = await client_for("admin_a")
    r = await admin.post(f"/api/v1/classes/{world.classes['a']}/end")
    assert r.status_code == 200 and r.json()["status"] == "ended"
    assert await EventLog.filter(name="class_ended").count() == 1
    assert (await admin.post(f"/api/v1/classes/{world.classes['a']}/end")).status_code == 409
    lecturer = await client_for("lecturer_a")
    assert (await lecturer.post(f"/api/v1/classes/{world.classes['a']}/end")).status_code == 403
    other = await client_for("admin_b")
    assert (await other.post(f"/api/v1/classes/{world.classes['a']}/end")).status_code == 404
