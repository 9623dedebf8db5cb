"""The enrolment life cycle end to end: self-enrolment, manual enrolment, nomination and approval,
completion through progress, withdrawal, illegal transitions, capacity (also under 50 concurrent
requests), and the all-or-nothing staff import."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from conftest import World
from lms_core.auth.tokens import issue_token
from lms_core.http.problems import Problem
from lms_core.models import (
    CourseClass, CourseCompletion, CourseModule, Enrolment, EnrolmentStatus, EventLog, Membership,
    ModuleProgress, Role, User,
)
from lms_core.models.classes import ClassStatus
from lms_core.models.enrolments import SEAT_HOLDING
from lms_core.services.progress import complete_module
from lms_core.services.staff_file import parse_staff_file
from lms_core.services.staff_import import StaffImportRejected, apply_staff_file
from lms_core.services.users import user_fields
from lms_core.text import name_sort_key

V1 = "/api/v1"


async def make_trainees(world: World, count: int, prefix: str = "hv") -> list[int]:
    """Trainees of institution A in the child unit (no password: they use API tokens)."""
    ids = []
    for i in range(count):
        user = await User.create(login=f"{prefix}{i:03d}", email=f"{prefix}{i:03d}@example.vn",
                                 password_hash="", unit_id=world.units["a-child"],
                                 **user_fields(f"Học Viên Số {i}"))
        await Membership.create(user=user, institution_id=world.inst["a"], role=Role.TRAINEE)
        ids.append(user.id)
    return ids


async def create_class(admin: httpx.AsyncClient, world: World, code: str, **extra) -> int:
    r = await admin.post(f"{V1}/classes", json={"course_id": world.courses["a"], "code": code,
                                                "title": f"Lớp {code}", **extra})
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def event_names(institution_id: int) -> list[str]:
    return list(await EventLog.filter(institution_id=institution_id).order_by("id")
                .values_list("name", flat=True))


async def enrolment_transitions(enrolment_id: int) -> list[str | None]:
    rows = await EventLog.filter(name="enrolment_changed").order_by("id").values_list(
        "payload", flat=True)
    return [p.get("to") for p in rows if p.get("enrolment_id") == enrolment_id]


# --- ways in ---------------------------------------------------------------------------------


async def test_self_enrol_into_open_class(world, client_for):
    t2 = await client_for("trainee2_a")
    r = await t2.post(f"{V1}/classes/{world.classes['a-open']}/self-enrol")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "active" and body["activated_at"]
    assert body["user_id"] == world.users["trainee2_a"]
    mine = (await t2.get(f"{V1}/my/classes")).json()["items"]
    assert [(c["id"], c["my_enrolment"]) for c in mine] == [(world.classes["a-open"], "active")]
    log = await EventLog.filter(name="enrolment_changed").values_list("payload", flat=True)
    assert any(p["enrolment_id"] == body["id"] and p["via"] == "self" for p in log)


async def test_self_enrol_refused_into_class_that_is_not_open(world, client_for):
    admin = await client_for("admin_a")
    r = await admin.post(f"{V1}/classes/{world.classes['a']}/nominations",
                         json={"user_ids": [world.users["trainee2_a"]]})
    assert r.status_code == 201  # nominated: the trainee now sees the (closed) class
    t2 = await client_for("trainee2_a")
    assert (await t2.get(f"{V1}/classes/{world.classes['a']}")).status_code == 200
    r = await t2.post(f"{V1}/classes/{world.classes['a']}/self-enrol")
    assert r.status_code == 403
    assert r.json()["detail"] == "Lớp này không mở tự đăng ký."
    e = await Enrolment.get(user_id=world.users["trainee2_a"], klass_id=world.classes["a"])
    assert e.status == EnrolmentStatus.NOMINATED


async def test_admin_enrols_manually(world, client_for):
    admin = await client_for("admin_a")
    r = await admin.post(f"{V1}/classes/{world.classes['a']}/enrolments",
                         json={"user_id": world.users["trainee2_a"]})
    assert r.status_code == 201
    assert r.json()["status"] == "active"
    r = await admin.post(f"{V1}/classes/{world.classes['a']}/enrolments",
                         json={"user_id": world.users["trainee2_a"], "status": "approved"})
    assert r.status_code == 409  # active -> approved goes backwards
    roster = (await admin.get(f"{V1}/classes/{world.classes['a']}/enrolments")).json()
    assert roster["seats_taken"] == 2
    assert {e["user_id"] for e in roster["items"]} == {world.users["trainee_a"],
                                                       world.users["trainee2_a"]}


async def test_nomination_approval_activation_and_completion(app, world, client_for):
    admin = await client_for("admin_a")
    sup = await client_for("supervisor_a")
    klass = await create_class(admin, world, "K-CU", capacity=5)

    r = await sup.post(f"{V1}/classes/{klass}/nominations",
                       json={"user_ids": [world.users["trainee_a"]]})
    assert r.status_code == 201, r.text
    nominated = r.json()["items"][0]
    assert nominated["status"] == "nominated"
    assert nominated["nominated_by"] == world.users["supervisor_a"]
    assert nominated["approved_by"] is None
    eid = nominated["id"]
    # someone outside the supervisor's unit subtree: refused, nothing written
    r = await sup.post(f"{V1}/classes/{klass}/nominations",
                       json={"user_ids": [world.users["trainee2_a"]]})
    assert r.status_code == 403
    assert "không thuộc đơn vị của bạn" in r.json()["detail"]
    assert not await Enrolment.filter(klass_id=klass, user_id=world.users["trainee2_a"]).exists()
    # a nomination does not take a seat yet, and the trainee sees the class
    assert (await admin.get(f"{V1}/classes/{klass}")).json()["seats_taken"] == 0
    trainee = await client_for("trainee_a")
    mine = {c["id"]: c["my_enrolment"] for c in
            (await trainee.get(f"{V1}/my/classes")).json()["items"]}
    assert mine[klass] == "nominated"
    # the supervisor cannot approve their own nomination
    assert (await sup.patch(f"{V1}/enrolments/{eid}", json={"status": "approved"})
            ).status_code == 403

    r = await admin.patch(f"{V1}/enrolments/{eid}", json={"status": "approved"})
    assert r.status_code == 200
    assert r.json()["status"] == "approved"
    assert r.json()["approved_by"] == world.users["admin_a"] and r.json()["approved_at"]
    assert (await admin.get(f"{V1}/classes/{klass}")).json()["seats_taken"] == 1
    r = await admin.patch(f"{V1}/enrolments/{eid}", json={"status": "active"})
    assert r.status_code == 200 and r.json()["status"] == "active" and r.json()["activated_at"]

    plugins = app.state.lms.plugins
    user = await User.get(id=world.users["trainee_a"])
    modules = await CourseModule.filter(course_id=world.courses["a"]).order_by("position")
    assert len(modules) == 3
    finished = []
    for module in modules:
        enrolment = await Enrolment.get(id=eid)
        finished.append(await complete_module(plugins, enrolment, module, user))
    assert finished == [False, False, True]
    enrolment = await Enrolment.get(id=eid)
    assert enrolment.status == EnrolmentStatus.COMPLETED and enrolment.completed_at
    completion = await CourseCompletion.get(user_id=user.id, klass_id=klass)
    assert completion.course_id == world.courses["a"] and completion.course_version == 1
    # completing a module again later changes nothing and records no second completion
    assert await complete_module(plugins, enrolment, modules[0], user) is False
    assert await CourseCompletion.filter(user_id=user.id, klass_id=klass).count() == 1

    names = await event_names(world.inst["a"])
    assert names.count("module_completed") == 3
    assert names.count("course_completed") == 1
    assert await enrolment_transitions(eid) == ["nominated", "approved", "active", "completed"]

    # completed is final: back to active is a readable 409, in both languages
    r = await admin.patch(f"{V1}/enrolments/{eid}", json={"status": "active"})
    assert r.status_code == 409
    problem = r.json()
    assert "đã hoàn thành" in problem["detail"] and "đang học" in problem["detail"]
    assert problem["detail_en"] == "Cannot change enrolment from completed to active."
    r = await admin.patch(f"{V1}/enrolments/{eid}", json={"status": "withdrawn"})
    assert r.status_code == 409
    assert (await Enrolment.get(id=eid)).status == EnrolmentStatus.COMPLETED


async def test_a_refused_nomination_batch_writes_nothing(world, client_for):
    sup = await client_for("supervisor_a")
    [newcomer] = await make_trainees(world, 1, prefix="moi")
    r = await sup.post(f"{V1}/classes/{world.classes['a']}/nominations",
                       json={"user_ids": [newcomer, world.users["trainee_a"]]})
    assert r.status_code == 409  # trainee_a is already active there
    assert not await Enrolment.filter(user_id=newcomer).exists()


async def test_withdraw_then_enrol_again_reuses_the_row(world, client_for):
    trainee = await client_for("trainee_a")
    admin = await client_for("admin_a")
    r = await trainee.post(f"{V1}/classes/{world.classes['a']}/withdraw")
    assert r.status_code == 200
    assert r.json()["status"] == "withdrawn" and r.json()["withdrawn_at"]
    assert (await admin.get(f"{V1}/classes/{world.classes['a']}")).json()["seats_taken"] == 0
    r = await admin.post(f"{V1}/classes/{world.classes['a']}/enrolments",
                         json={"user_id": world.users["trainee_a"]})
    assert r.status_code == 201 and r.json()["status"] == "active"
    assert await Enrolment.filter(user_id=world.users["trainee_a"],
                                  klass_id=world.classes["a"]).count() == 1
    # the same by oneself in an open class
    open_url = f"{V1}/classes/{world.classes['a-open']}"
    for action, status in (("self-enrol", "active"), ("withdraw", "withdrawn"),
                           ("self-enrol", "active")):
        r = await trainee.post(f"{open_url}/{action}")
        assert r.status_code in (200, 201) and r.json()["status"] == status
    assert await Enrolment.filter(user_id=world.users["trainee_a"],
                                  klass_id=world.classes["a-open"]).count() == 1


async def test_illegal_transitions_are_409_with_a_readable_message(world, client_for):
    trainee2 = await client_for("trainee2_a")
    r = await trainee2.post(f"{V1}/classes/{world.classes['a-open']}/withdraw")
    assert r.status_code == 409  # withdrawing from a class one never joined
    assert "chưa ghi danh" in r.json()["detail"] and "đã rút" in r.json()["detail"]
    assert r.json()["detail_en"] == "Cannot change enrolment from none to withdrawn."
    assert not await Enrolment.filter(user_id=world.users["trainee2_a"]).exists()
    admin = await client_for("admin_a")
    r = await admin.post(f"{V1}/classes/{world.classes['a']}/nominations",
                         json={"user_ids": [world.users["trainee2_a"]]})
    eid = r.json()["items"][0]["id"]
    r = await admin.patch(f"{V1}/enrolments/{eid}", json={"status": "completed"})
    assert r.status_code == 409
    assert r.json()["detail_en"] == "Cannot change enrolment from nominated to completed."
    assert (await Enrolment.get(id=eid)).status == EnrolmentStatus.NOMINATED


async def test_same_status_twice_is_one_row_and_no_error(world, client_for):
    admin = await client_for("admin_a")
    e = await Enrolment.get(user_id=world.users["trainee_a"], klass_id=world.classes["a"])
    events_before = await EventLog.all().count()
    for _ in range(2):
        r = await admin.patch(f"{V1}/enrolments/{e.id}", json={"status": "active"})
        assert r.status_code == 200 and r.json()["status"] == "active"
        r = await admin.post(f"{V1}/classes/{world.classes['a']}/enrolments",
                             json={"user_id": world.users["trainee_a"]})
        assert r.status_code == 201 and r.json()["id"] == e.id
    sup = await client_for("supervisor_a")
    for _ in range(2):
        r = await sup.post(f"{V1}/classes/{world.classes['a-open']}/nominations",
                           json={"user_ids": [world.users["trainee_a"]] * 2})
        assert r.status_code == 201 and len(r.json()["items"]) == 1
    assert await Enrolment.filter(user_id=world.users["trainee_a"]).count() == 2
    # only the first nomination was a change worth logging
    assert await EventLog.all().count() == events_before + 1


async def test_no_new_learners_in_an_ended_class_and_no_progress_before_active(app, world,
                                                                               client_for):
    admin = await client_for("admin_a")
    r = await admin.post(f"{V1}/classes/{world.classes['a']}/end")
    assert r.status_code == 200 and r.json()["status"] == "ended"
    assert (await CourseClass.get(id=world.classes["a"])).status == ClassStatus.ENDED
    assert "class_ended" in await event_names(world.inst["a"])
    r = await admin.post(f"{V1}/classes/{world.classes['a']}/end")
    assert r.status_code == 409
    r = await admin.post(f"{V1}/classes/{world.classes['a']}/enrolments",
                         json={"user_id": world.users["trainee2_a"]})
    assert r.status_code == 409 and r.json()["detail"] == "Lớp đã kết thúc."
    # the learners already in it can still be completed (or withdrawn)
    e = await Enrolment.get(user_id=world.users["trainee_a"], klass_id=world.classes["a"])
    r = await admin.patch(f"{V1}/enrolments/{e.id}", json={"status": "completed"})
    assert r.status_code == 200 and r.json()["status"] == "completed"

    r = await admin.post(f"{V1}/classes/{world.classes['a-open']}/nominations",
                         json={"user_ids": [world.users["trainee2_a"]]})
    nominated = await Enrolment.get(id=r.json()["items"][0]["id"])
    module = await CourseModule.filter(course_id=world.courses["a"]).first()
    user = await User.get(id=world.users["trainee2_a"])
    with pytest.raises(Problem) as info:
        await complete_module(app.state.lms.plugins, nominated, module, user)
    assert info.value.status == 409
    assert not await ModuleProgress.filter(enrolment=nominated).exists()


# --- capacity --------------------------------------------------------------------------------


async def test_eleventh_enrolment_in_a_class_of_ten_is_class_full(world, client_for):
    admin = await client_for("admin_a")
    klass = await create_class(admin, world, "K-10", capacity=10)
    users = await make_trainees(world, 12)
    for uid in users[:10]:
        r = await admin.post(f"{V1}/classes/{klass}/enrolments", json={"user_id": uid})
        assert r.status_code == 201, r.text
    r = await admin.post(f"{V1}/classes/{klass}/enrolments", json={"user_id": users[10]})
    assert r.status_code == 409
    assert r.json()["code"] == "class_full"
    assert r.json()["detail"] == "Lớp đã đủ 10 học viên."
    assert not await Enrolment.filter(klass_id=klass, user_id=users[10]).exists()
    # a nomination holds no seat, so it is accepted; approving it needs a free seat
    r = await admin.post(f"{V1}/classes/{klass}/nominations", json={"user_ids": [users[11]]})
    assert r.status_code == 201
    nominated = r.json()["items"][0]["id"]
    r = await admin.patch(f"{V1}/enrolments/{nominated}", json={"status": "approved"})
    assert r.status_code == 409 and r.json()["code"] == "class_full"
    # a withdrawal frees a seat
    first = await Enrolment.get(klass_id=klass, user_id=users[0])
    assert (await admin.patch(f"{V1}/enrolments/{first.id}", json={"status": "withdrawn"})
            ).status_code == 200
    r = await admin.patch(f"{V1}/enrolments/{nominated}", json={"status": "approved"})
    assert r.status_code == 200
    assert await Enrolment.filter(klass_id=klass, status__in=SEAT_HOLDING).count() == 10


async def test_fifty_simultaneous_self_enrolments_fill_exactly_ten_seats(app, world, client_for):
    """Real concurrency: the handlers interleave on one event loop; on PostgreSQL each runs in
    its own pooled connection, so only the row lock on the class keeps the count right."""
    admin = await client_for("admin_a")
    klass = await create_class(admin, world, "K-RUSH", capacity=10, self_enrol=True)
    users = await make_trainees(world, 50)
    tokens = [(await issue_token(uid, world.inst["a"], "rush"))[1] for uid in users]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://testserver") as client:
        responses = await asyncio.gather(*[
            client.post(f"{V1}/classes/{klass}/self-enrol",
                        headers={"Authorization": f"Bearer {token}"}) for token in tokens])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] * 10 + [409] * 40, [r.text for r in responses if r.status_code
                                                 not in (201, 409)][:3]
    assert all(r.json()["code"] == "class_full" for r in responses if r.status_code == 409)
    enrolled = {r.json()["user_id"] for r in responses if r.status_code == 201}
    rows = await Enrolment.filter(klass_id=klass).values_list("user_id", "status")
    assert len(rows) == 10
    assert {uid for uid, _s in rows} == enrolled
    assert all(status in SEAT_HOLDING for _u, status in rows)


# --- staff lists -----------------------------------------------------------------------------


def staff_csv(*rows: str, header: str = "STT,Họ và tên,Email,Đơn vị") -> bytes:
    return ("\n".join((header, *rows)) + "\n").encode("utf-8")


async def counts() -> tuple[int, int, int]:
    return (await User.all().count(), await Membership.all().count(),
            await Enrolment.all().count())


async def test_staff_file_creates_users_memberships_and_enrolments(app, world):
    plugins = app.state.lms.plugins
    parsed = parse_staff_file("danh-sach.csv", staff_csv(
        "1,Nguyễn Thị Hoa,hoa@phuong.gov.vn,Phòng Tổ chức",
        "2,Trần Văn Nam,nam@phuong.gov.vn,phong to chuc",
        "3,Lê Thị Lan,Lan@Phuong.gov.vn,Ua-2",
    ))
    assert parsed.ok
    report = await apply_staff_file(plugins, world.inst["a"], parsed, class_id=world.classes["a"],
                                    actor_id=world.users["admin_a"])
    assert (report.created, report.updated, report.enrolled) == (3, 0, 3)
    users = {u.login: u for u in await User.filter(id__in=report.user_ids)}
    assert set(users) == {"hoa@phuong.gov.vn", "nam@phuong.gov.vn", "lan@phuong.gov.vn"}
    assert users["hoa@phuong.gov.vn"].unit_id == world.units["a-child"]
    assert users["nam@phuong.gov.vn"].unit_id == world.units["a-child"]
    assert users["lan@phuong.gov.vn"].unit_id == world.units["a-other"]
    assert users["hoa@phuong.gov.vn"].full_name == "Nguyễn Thị Hoa"
    for user in users.values():
        roles = await Membership.filter(user=user).values_list("institution_id", "role")
        assert [(i, str(getattr(r, "value", r))) for i, r in roles] == [(world.inst["a"],
                                                                         "trainee")]
        e = await Enrolment.get(user=user, klass_id=world.classes["a"])
        assert e.status == EnrolmentStatus.ACTIVE and e.approved_by_id == world.users["admin_a"]
    assert (await EventLog.filter(name="user_created").count()) == 3


async def test_staff_file_with_bad_rows_is_rejected_whole(app, world):
    plugins = app.state.lms.plugins
    parsed = parse_staff_file("danh-sach.csv", staff_csv(
        "1,Nguyễn Thị Hoa,hoa@phuong.gov.vn,Phòng Tổ chức,",
        "2,Trần Văn Ma,ma@phuong.gov.vn,Phòng Không Có,",
        "3,Người Của B,b@phuong.gov.vn,Phòng Tổ chức,trainee_b",
        "4,Nguyễn Thị Hoa Trùng,HOA@phuong.gov.vn,Phòng Tổ chức,",
        header="STT,Họ và tên,Email,Đơn vị,Tên đăng nhập",
    ))
    before = await counts()
    with pytest.raises(StaffImportRejected) as info:
        await apply_staff_file(plugins, world.inst["a"], parsed, class_id=world.classes["a"],
                               actor_id=world.users["admin_a"])
    errors = info.value.errors
    assert [e.line for e in errors] == [3, 4, 5]
    by_line = {e.line: e for e in errors}
    assert "Phòng Không Có" in by_line[3].message and by_line[3].column == "Đơn vị"
    assert "trainee_b" in by_line[4].message and "đơn vị khác" in by_line[4].message
    assert "Trùng email với dòng 2" in by_line[5].message
    assert await counts() == before
    assert not await User.filter(login="hoa@phuong.gov.vn").exists()
    user_b = await User.get(login="trainee_b")
    assert user_b.full_name != "Người Của B"


async def test_staff_file_needing_more_seats_than_free_is_rejected_whole(app, world, client_for):
    admin = await client_for("admin_a")
    klass = await create_class(admin, world, "K-2", capacity=2)
    parsed = parse_staff_file("ds.csv", staff_csv(
        *[f"{i},Cán Bộ {i},cb{i}@phuong.gov.vn,Phòng Tổ chức" for i in range(1, 4)]))
    before = await counts()
    with pytest.raises(StaffImportRejected) as info:
        await apply_staff_file(app.state.lms.plugins, world.inst["a"], parsed, class_id=klass,
                               actor_id=world.users["admin_a"])
    [error] = info.value.errors
    assert error.line == 0 and "chỉ còn 2 chỗ" in error.message and "cần 3" in error.message
    assert await counts() == before


async def test_staff_file_cannot_target_another_institutions_class(app, world):
    parsed = parse_staff_file("ds.csv", staff_csv("1,Cán Bộ Một,cb1@phuong.gov.vn,Phòng Tổ chức"))
    before = await counts()
    with pytest.raises(StaffImportRejected) as info:
        await apply_staff_file(app.state.lms.plugins, world.inst["a"], parsed,
                               class_id=world.classes["b"], actor_id=world.users["admin_a"])
    assert [e.line for e in info.value.errors] == [0]
    assert await counts() == before


async def test_staff_reimport_updates_names_without_duplicating_users(app, world):
    plugins = app.state.lms.plugins
    first = parse_staff_file("ds.csv", staff_csv(
        "1,Nguyen Thi Hoa,hoa@phuong.gov.vn,Phòng Tổ chức",
        "2,Tran Van Nam,nam@phuong.gov.vn,Phòng Tổ chức"))
    await apply_staff_file(plugins, world.inst["a"], first, class_id=world.classes["a"],
                           actor_id=None)
    before = await counts()
    again = parse_staff_file("ds.csv", staff_csv(
        "1,Nguyễn Thị Hoa,hoa@phuong.gov.vn,Phòng khác",
        "2,Trần Văn Nam,nam@phuong.gov.vn,Phòng Tổ chức"))
    report = await apply_staff_file(plugins, world.inst["a"], again, class_id=world.classes["a"],
                                    actor_id=None)
    assert (report.created, report.updated, report.enrolled) == (0, 2, 0)
    assert await counts() == before
    hoa = await User.get(login="hoa@phuong.gov.vn")
    assert hoa.full_name == "Nguyễn Thị Hoa" and hoa.unit_id == world.units["a-other"]
    assert hoa.name_key == "nguyen thi hoa"
    assert hoa.sort_key == name_sort_key("Nguyễn Thị Hoa")  # Vietnamese order follows the name
