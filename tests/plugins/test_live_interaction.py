"""Q&A, raise hand and group discussion in a live session, over a real server with real
websocket clients: questions asked and upvoted once per person, moderation, pinning and
answering, the list's order, anonymity kept from trainees; the queue of raised hands; groups
split at random and by unit, a shared answer whose stale edits are refused, a group's edits
kept from the other groups, the projector; resume; the export; two workers over Redis."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import random
from typing import Any

import openpyxl
from websockets.asyncio.client import connect

from lms_core.models import Enrolment, EnrolmentStatus, Membership, User
from lms_core.services.users import user_fields

from lms_live_sessions import realtime
from lms_live_sessions.grouping import even_parts, split
from lms_live_sessions.models import Discussion, DiscussionMember, HandRaise, LiveQuestion, \
    QuestionVote

from .live_helpers import two_redis_workers, first_state, live_session, of_type
from .test_live_sessions import (  # noqa: F401  (redis_available is a fixture)
    REDIS_URL, cookie_of, frames, redis_available, serve,
)

NAME_1 = "Nguyễn Văn Trainee A"  # trainee_a, unit "Phòng Tổ chức"
NAME_2 = "Trần Thị Bình A"       # trainee2_a, unit "Phòng khác"


async def send(ws, **message: Any) -> None:
    await ws.send(json.dumps(message))


async def request(ws, kind: str, *, log: list[dict[str, Any]] | None = None,
                  **message: Any) -> dict[str, Any]:
    """Send one message and return its ``ok`` or ``error`` reply; what arrived meanwhile is
    appended to ``log`` when given."""
    await send(ws, type=kind, **message)
    got = await frames(ws, lambda f: (f["type"] == "ok" and f["for"] == kind)
                       or f["type"] == "error")
    if log is not None:
        log.extend(got)
    return got[-1]


async def quiet(ws) -> list[dict[str, Any]]:
    """Everything a socket received until now (a ping round trip marks "now")."""
    await send(ws, type="ping")
    return await frames(ws, of_type("pong"))


def mentions(received: list[dict[str, Any]], text: str) -> bool:
    return text in json.dumps(received, ensure_ascii=False)


async def more_trainees(world, *names_units: tuple[str, str]) -> list[str]:
    """Extra trainees of class "a" (``(full name, unit key)``), returning their logins."""
    any_user = await User.get(id=world.users["trainee_a"])
    logins = []
    for i, (name, unit) in enumerate(names_units):
        login = f"extra_{i}_{random.randint(0, 10**6)}"
        user = await User.create(login=login, email=f"{login}@example.vn",
                                 password_hash=any_user.password_hash,
                                 unit_id=world.units[unit], **user_fields(name))
        await Membership.create(user=user, institution_id=world.inst["a"], role="trainee")
        await Enrolment.create(user=user, klass_id=world.classes["a"],
                               status=EnrolmentStatus.ACTIVE)
        logins.append(login)
    return logins


# --- Q&A -------------------------------------------------------------------------------------


async def test_questions_votes_order_moderation_and_anonymity(app, client_for, world):
    lecturer, sid = await live_session(client_for, world)
    t1, t2 = await client_for("trainee_a"), await client_for("trainee2_a")
    async with serve(app) as host:
        url = f"ws://{host}/ws/live/{sid}"
        async with connect(url, additional_headers=cookie_of(lecturer)) as wsl, \
                connect(url, additional_headers=cookie_of(t1)) as ws1, \
                connect(url, additional_headers=cookie_of(t2)) as ws2, \
                connect(f"{url}?view=projector", additional_headers=cookie_of(lecturer)) as wsp:
            assert (await first_state(wsl))["qna"] == {"moderated": False, "items": []}
            state1 = await first_state(ws1)
            assert state1["qna"] == {"moderated": False, "items": [], "my_votes": [],
                                     "mine": []}
            await first_state(ws2)
            await first_state(wsp)

            ok = await request(ws1, "ask", client_id="q-a", text="  Khi nào   áp dụng? ",
                               anonymous=True)
            assert ok["type"] == "ok" and ok["client_id"] == "q-a"
            qa = ok["question"]
            assert qa["text"] == "Khi nào áp dụng?" and qa["status"] == "visible"
            assert qa["author"]["full_name"] == NAME_1  # the author sees themselves
            again = await request(ws1, "ask", client_id="q-a", text="Khi nào áp dụng?",
                                  anonymous=True)
            assert again["question"]["id"] == qa["id"]  # a retry asks nothing new
            qb = (await request(ws2, "ask", client_id="q-b", text="Ai phê duyệt?"))["question"]
            assert qb["anonymous"] is False
            assert await LiveQuestion.filter(session_id=sid).count() == 2

            # votes: once per person whatever the retries; un-voting allowed
            v = await request(ws2, "vote", question_id=qa["id"], client_id="v1")
            assert v == {"type": "ok", "v": 2, "for": "vote", "question_id": qa["id"],
                         "client_id": "v1", "voted": True}
            assert await request(ws2, "vote", question_id=qa["id"], client_id="v1") == v
            assert (await request(ws2, "vote", question_id=qa["id"], client_id="v2"))["voted"]
            assert (await request(ws1, "vote", question_id=qa["id"], client_id="w1"))["voted"]
            assert (await request(ws1, "vote", question_id=qb["id"], client_id="w2"))["voted"]
            down = await request(ws1, "vote", question_id=qb["id"], client_id="w3", up=False)
            assert down["voted"] is False
            # the old "up" resent after the un-vote is a retry, not a new vote
            assert (await request(ws1, "vote", question_id=qb["id"], client_id="w2"))["voted"]
            assert (await LiveQuestion.get(id=qa["id"])).votes == 2
            assert (await LiveQuestion.get(id=qb["id"])).votes == 0
            assert await QuestionVote.filter(question_id=qa["id"], active=True).count() == 2

            def settled(f):
                return f["type"] == "questions" and [q["votes"] for q in f["items"]] == [2, 0]
            got = await frames(wsl, settled)
            runner_items = got[-1]["items"]
            assert [q["id"] for q in runner_items] == [qa["id"], qb["id"]]
            assert runner_items[0]["author"]["full_name"] == NAME_1  # runners always know
            seen2 = await frames(ws2, settled)
            log2 = list(seen2)  # every frame trainee 2 receives, checked for names below
            assert seen2[-1]["items"][0]["author"] is None
            assert seen2[-1]["items"][1]["author"]["full_name"] == NAME_2
            projected = await frames(wsp, settled)
            assert projected[-1]["items"][0]["author"] is None
            # fewer lists than changes: the list is coalesced
            lists = [f for f in got if f["type"] == "questions"]
            assert 1 <= len(lists) < 6

            # the order: pinned first, then votes, then the oldest
            pin = await request(wsl, "moderate_question", question_id=qb["id"], pinned=True)
            assert pin["question"]["pinned"] is True
            got = await frames(ws2, lambda f: f["type"] == "questions"
                               and f["items"][0]["id"] == qb["id"])
            log2 += got
            assert [q["id"] for q in got[-1]["items"]] == [qb["id"], qa["id"]]
            r = await lecturer.patch(f"/api/v1/live/questions/{qa['id']}",
                                     json={"answered": True, "pinned": True})
            assert r.status_code == 200 and r.json()["answered"] is True
            got = await frames(ws2, lambda f: f["type"] == "questions"
                               and f["items"][0]["id"] == qa["id"])
            log2 += got
            assert got[-1]["items"][0]["answered"] is True
            assert got[-1]["items"][1]["pinned"] is False  # one pinned question at a time

            # a trainee cannot moderate; their socket stays usable, nobody else's closes
            err = await request(ws1, "moderate_question", question_id=qb["id"], status="hidden")
            assert err["code"] == "forbidden" and err["message_en"].startswith("Only")
            err = await request(ws1, "ask", client_id="bad", text="")
            assert err["code"] == "invalid_question" and err["client_id"] == "bad"

            # moderation: new questions wait for approval, the room never sees them before
            r = await lecturer.put(f"/api/v1/live/sessions/{sid}/qna", json={"moderated": True})
            assert r.status_code == 200
            asked = await request(ws2, "ask", client_id="q-c", text="Câu hỏi chờ duyệt",
                                  log=log2)
            qc = asked["question"]
            assert qc["status"] == "pending"
            got = await frames(wsl, lambda f: f["type"] == "questions"
                               and any(q["id"] == qc["id"] for q in f["items"]))
            assert got[-1]["moderated"] is True
            assert [q["status"] for q in got[-1]["items"] if q["id"] == qc["id"]] == ["pending"]
            err = await request(ws1, "vote", question_id=qc["id"], client_id="x1")
            assert err["code"] == "not_found"
            approved = await request(wsl, "moderate_question", question_id=qc["id"],
                                     status="visible")
            assert approved["question"]["status"] == "visible"
            got1 = await frames(ws1, lambda f: f["type"] == "questions"
                                and any(q["id"] == qc["id"] for q in f["items"]))
            before = got1[:-1]
            assert not any(q["id"] == qc["id"] for f in before if f["type"] == "questions"
                           for q in f["items"])
            await request(wsl, "moderate_question", question_id=qa["id"], status="hidden")
            got1 = await frames(ws1, lambda f: f["type"] == "questions"
                                and all(q["id"] != qa["id"] for q in f["items"]))
            assert {q["id"] for q in got1[-1]["items"]} == {qb["id"], qc["id"]}

            # a trainee never received who wrote the anonymous question (presence frames carry
            # no names to trainees, so every frame is searched)
            log2 += await quiet(ws2)
            qna_frames = [f for f in log2 if f["type"] in ("questions", "ok")]
            assert len([f for f in qna_frames if f["type"] == "questions"]) >= 3
            assert not mentions(qna_frames, NAME_1)
            assert not mentions([f for f in log2 if f["type"] == "presence"], NAME_1)
            assert not mentions([f for f in projected + await quiet(wsp)
                                 if f["type"] == "questions"], NAME_1)
            # the snapshot: own questions (pending ones too) and own votes
            async with connect(url, additional_headers=cookie_of(t1)) as again1:
                state = await first_state(again1)
                assert state["qna"]["my_votes"] == [qa["id"]]
                assert [q["id"] for q in state["qna"]["mine"]] == [qa["id"]]
                assert qa["id"] not in [q["id"] for q in state["qna"]["items"]]
            async with connect(url, additional_headers=cookie_of(t2)) as again2:
                state = await first_state(again2)
                assert all(q["author"] is None for q in state["qna"]["items"]
                           if q["anonymous"])
                assert not mentions([state["qna"]["items"]], NAME_1)
    listed = (await lecturer.get(f"/api/v1/live/sessions/{sid}/questions")).json()
    assert {q["status"] for q in listed["items"]} == {"visible", "hidden"}
    assert (await t1.get(f"/api/v1/live/sessions/{sid}/questions")).status_code == 403


# --- raise hand --------------------------------------------------------------------------------


async def test_raised_hands_queue_in_order_and_lowering(app, client_for, world):
    lecturer, sid = await live_session(client_for, world)
    t1, t2 = await client_for("trainee_a"), await client_for("trainee2_a")
    async with serve(app) as host:
        url = f"ws://{host}/ws/live/{sid}"
        async with connect(url, additional_headers=cookie_of(lecturer)) as wsl, \
                connect(url, additional_headers=cookie_of(t1)) as ws1, \
                connect(url, additional_headers=cookie_of(t2)) as ws2:
            assert (await first_state(wsl))["hands"] == {"count": 0, "items": []}
            assert (await first_state(ws1))["hands"] == {
                "count": 0, "mine": {"raised": False, "token": None}}
            await first_state(ws2)
            up1 = await request(ws1, "raise_hand")
            assert up1["raised"] is True and up1["token"]
            seen2: list[dict[str, Any]] = []
            await request(ws2, "raise_hand", log=seen2)
            assert await request(ws1, "raise_hand") == up1  # already up: nothing changes
            tagged = await request(ws1, "raise_hand", client_id="tay-2")  # its id comes back
            assert tagged == {**up1, "client_id": "tay-2"}
            got = await frames(wsl, lambda f: f["type"] == "hands" and f["count"] == 2)
            assert [h["full_name"] for h in got[-1]["items"]] == [NAME_1, NAME_2]
            seen2 += await quiet(ws2)
            counted = [f for f in seen2 if f["type"] == "hands"]
            assert counted[-1]["count"] == 2 and "items" not in counted[-1]
            assert not mentions([f for f in seen2 if f["type"] == "hands"], NAME_1)
            hands_frames = [f for f in got if f["type"] == "hands"]
            assert len(hands_frames) == 2  # the repeated raise sent nothing

            # the lecturer lowers trainee 1's hand: their phone learns it from its token
            runner_log: list[dict[str, Any]] = []
            done = await request(wsl, "lower_hand", user_id=world.users["trainee_a"],
                                 log=runner_log)
            assert done["lowered"] == 1
            got = await frames(ws1, lambda f: f["type"] == "hands" and f["count"] == 1)
            assert got[-1]["lowered"] == [up1["token"]]
            runner_hands = [f for f in runner_log if f["type"] == "hands"]
            assert [h["user_id"] for h in runner_hands[-1]["items"]] == [
                world.users["trainee2_a"]]
            down = await request(ws2, "lower_hand")
            assert down == {"type": "ok", "v": 2, "for": "lower_hand", "raised": False,
                            "token": None}
            await frames(wsl, lambda f: f["type"] == "hands" and f["count"] == 0)

            # raised again, lowered all at once over REST
            await request(ws2, "raise_hand")
            again1 = await request(ws1, "raise_hand")
            assert again1["token"] != up1["token"]
            listed = (await lecturer.get(f"/api/v1/live/sessions/{sid}/hands")).json()
            assert [h["full_name"] for h in listed["items"]] == [NAME_2, NAME_1]
            err = await request(ws1, "lower_all_hands")
            assert err["code"] == "forbidden"
            assert (await request(wsl, "raise_hand"))["code"] == "forbidden"
            r = await lecturer.post(f"/api/v1/live/sessions/{sid}/hands/lower", json={})
            assert r.json() == {"lowered": 2}
            got = await frames(ws1, lambda f: f["type"] == "hands" and f["count"] == 0)
            assert again1["token"] in got[-1]["lowered"] and len(got[-1]["lowered"]) == 2
    rows = await HandRaise.filter(session_id=sid).order_by("user_id").values("times",
                                                                           "raised_at")
    assert [r["times"] for r in rows] == [2, 2] and all(r["raised_at"] is None for r in rows)
    assert (await t1.post(f"/api/v1/live/sessions/{sid}/hands/lower", json={})
            ).status_code == 403


# --- group discussion --------------------------------------------------------------------------


def test_split_rules():
    members = [{"user_id": i, "full_name": f"U{i}", "unit_id": i % 3,
                "unit_name": f"Đơn vị {i % 3}"} for i in range(10)]
    parts = split(members, "random", group_size=3, groups=None, rng=random.Random(1))
    assert sorted(len(p) for _, p in parts) == [2, 2, 3, 3]  # never a group of one left over
    assert sorted(m["user_id"] for _, p in parts for m in p) == list(range(10))
    by_unit = split(members, "unit", group_size=3, groups=None)
    assert all(len({m["unit_id"] for m in p}) == 1 for _, p in by_unit)
    assert [len(p) for _, p in by_unit] == [2, 2, 3, 3]  # unit 0 has 4 people: 2 + 2
    assert by_unit[0][0] == "Nhóm 1: Đơn vị 0 (1)"
    two = split(members, "unit", group_size=None, groups=2)
    assert [len(p) for _, p in two] == [5, 5]
    assert [len(p) for p in even_parts(list(range(7)), 3)] == [3, 2, 2]


async def test_groups_by_unit_and_at_random_with_a_shared_answer(app, client_for, world):
    lecturer, sid = await live_session(client_for, world)
    extra = await more_trainees(world, ("Lê Văn Cường", "a-child"), ("Phạm Thị Dung", "a-other"))
    t1, t2 = await client_for("trainee_a"), await client_for("trainee2_a")
    t3, t4 = await client_for(extra[0]), await client_for(extra[1])
    name3, name4 = "Lê Văn Cường", "Phạm Thị Dung"
    async with serve(app) as host:
        url = f"ws://{host}/ws/live/{sid}"
        async with connect(url, additional_headers=cookie_of(lecturer)) as wsl, \
                connect(f"{url}?view=projector", additional_headers=cookie_of(lecturer)) as wsp, \
                connect(url, additional_headers=cookie_of(t1)) as ws1, \
                connect(url, additional_headers=cookie_of(t2)) as ws2, \
                connect(url, additional_headers=cookie_of(t3)) as ws3, \
                connect(url, additional_headers=cookie_of(t4)) as ws4:
            for ws in (wsl, wsp, ws1, ws2, ws3, ws4):
                assert (await first_state(ws))["discussion"] is None
            err = await request(ws1, "open_discussion", discussion={
                "prompt": "x", "mode": "unit", "group_size": 5})
            assert err["code"] == "forbidden"
            err = await request(wsl, "open_discussion", discussion={
                "prompt": "x", "mode": "unit", "group_size": 5, "groups": 2})
            assert err["code"] == "invalid"

            ok = await request(wsl, "open_discussion", discussion={
                "prompt": "Đề xuất cải cách thủ tục?", "mode": "unit", "group_size": 5})
            opened = (await frames(ws1, of_type("discussion_opened")))[-1]["discussion"]
            assert opened["id"] == ok["discussion_id"] and opened["mode"] == "unit"
            members = {g["name"]: sorted(m["full_name"] for m in g["members"])
                       for g in opened["groups"]}
            assert members == {"Nhóm 1: Phòng khác": sorted([NAME_2, name4]),
                               "Nhóm 2: Phòng Tổ chức": sorted([NAME_1, name3])}
            assert "answer" not in opened["groups"][0]  # the room gets no answers
            mine = next(g for g in opened["groups"]
                        if NAME_1 in [m["full_name"] for m in g["members"]])
            other = next(g for g in opened["groups"] if g["id"] != mine["id"])
            for ws in (ws2, ws3, ws4, wsp):
                await frames(ws, of_type("discussion_opened"))

            # the shared answer: edits name the revision they start from
            first = await request(ws1, "group_edit", group_id=mine["id"], base_revision=0,
                                  client_id="e1", text="Ý 1: một cửa\nÝ 2:  số hoá ")
            assert first == {"type": "ok", "v": 2, "for": "group_edit", "group_id": mine["id"],
                             "client_id": "e1", "revision": 1}
            got = await frames(ws3, of_type("group_answer"))
            assert got[-1]["text"] == "Ý 1: một cửa\nÝ 2: số hoá"
            assert got[-1]["revision"] == 1 and got[-1]["by"]["full_name"] == NAME_1
            stale = await request(ws3, "group_edit", group_id=mine["id"], base_revision=0,
                                  client_id="e2", text="Bản của Cường")
            assert stale["code"] == "stale_revision" and stale["client_id"] == "e2"
            assert stale["current"] == {"text": "Ý 1: một cửa\nÝ 2: số hoá", "revision": 1}
            merged = await request(ws3, "group_edit", group_id=mine["id"], base_revision=1,
                                   client_id="e3", text="Ý 1: một cửa\nÝ 2: số hoá\nÝ 3")
            assert merged["revision"] == 2
            assert await request(ws3, "group_edit", group_id=mine["id"], base_revision=1,
                                 client_id="e3", text="Ý 1: một cửa\nÝ 2: số hoá\nÝ 3"
                                 ) == merged  # a retry is not applied twice
            other_edit = await request(ws2, "group_edit", group_id=other["id"],
                                       base_revision=0, client_id="o1", text="Nhóm khác")
            assert other_edit["revision"] == 1
            intruder = await request(ws2, "group_edit", group_id=mine["id"], base_revision=2,
                                     client_id="o2", text="Không phải nhóm tôi")
            assert intruder["code"] == "not_found"

            # runners follow every group live
            got = await frames(wsl, lambda f: f["type"] == "group_answers" and {
                g["id"]: g["revision"] for g in f["groups"]} == {mine["id"]: 2, other["id"]: 1})
            answers = {g["id"]: g["answer"] for g in got[-1]["groups"]}
            assert answers[mine["id"]].endswith("Ý 3") and answers[other["id"]] == "Nhóm khác"
            # a group's edits never reach another group
            rest2 = await quiet(ws2) + await quiet(ws4)
            assert not [f for f in rest2 if f["type"] == "group_answer"
                        and f["group_id"] == mine["id"]]
            assert not mentions(rest2, "Ý 3") and not mentions(rest2, "một cửa")
            seen4 = await quiet(ws4)
            got4 = [f for f in rest2 + seen4 if f["type"] == "group_answer"]
            assert got4 == [] or all(f["group_id"] == other["id"] for f in got4)
            rest1 = await quiet(ws1)
            assert not mentions(rest1, "Nhóm khác")

            # the lecturer shows one group's answer on the projector; it follows later edits
            shown = await request(wsl, "show_group", discussion_id=opened["id"],
                                  group_id=mine["id"])
            assert shown["group_id"] == mine["id"]
            got = await frames(wsp, of_type("group_shown"))
            assert got[-1]["group"]["answer"].endswith("Ý 3")
            await request(ws1, "group_edit", group_id=mine["id"], base_revision=2,
                          client_id="e4", text="Bản cuối")
            got = await frames(wsp, lambda f: f["type"] == "group_shown"
                               and f["group"]["revision"] == 3)
            assert got[-1]["group"]["answer"] == "Bản cuối"
            assert not [f for f in got if f["type"] == "group_answer"]  # projector: no edits

            # a member who reconnects finds their group and its answer in the snapshot
            async with connect(url, additional_headers=cookie_of(t3)) as again3:
                state = (await first_state(again3))["discussion"]
                assert state["my_group"]["id"] == mine["id"]
                assert state["my_group"]["answer"] == "Bản cuối"
                assert state["shown"]["id"] == mine["id"]
                # and still hears the group's edits on the new socket
                await request(ws1, "group_edit", group_id=mine["id"], base_revision=3,
                              client_id="e5", text="Bản cuối cùng")
                got = await frames(again3, of_type("group_answer"))
                assert got[-1]["revision"] == 4

            # split again at random: the first discussion closes, everyone is in one group
            r = await lecturer.post(f"/api/v1/live/sessions/{sid}/discussions", json={
                "prompt": "Vòng 2", "mode": "random", "groups": 2})
            assert r.status_code == 201, r.text
            second = r.json()
            assert sorted(len(g["members"]) for g in second["groups"]) == [2, 2]
            assert sorted(m["user_id"] for g in second["groups"] for m in g["members"]) == \
                sorted([world.users["trainee_a"], world.users["trainee2_a"],
                        *[(await User.get(login=x)).id for x in extra]])
            got = await frames(ws1, of_type("discussion_opened", ))
            closing = [f for f in got if f["type"] == "discussion_closed"]
            assert closing and closing[-1]["discussion_id"] == opened["id"]
            late = await request(ws1, "group_edit", group_id=mine["id"], base_revision=4,
                                 client_id="e6", text="Quá muộn")
            assert late["code"] == "closed"
            # the new group's edits reach the new group, on sockets opened before it existed
            g2 = next(g for g in second["groups"]
                      if world.users["trainee_a"] in [m["user_id"] for m in g["members"]])
            partner = next(m["user_id"] for m in g2["members"]
                           if m["user_id"] != world.users["trainee_a"])
            partner_ws = {world.users["trainee2_a"]: ws2, world.users["trainee_a"]: ws1}.get(
                partner) or (ws3 if partner == (await User.get(login=extra[0])).id else ws4)
            await request(ws1, "group_edit", group_id=g2["id"], base_revision=0,
                          client_id="n1", text="Vòng hai")
            got = await frames(partner_ws, lambda f: f["type"] == "group_answer"
                               and f["group_id"] == g2["id"])
            assert got[-1]["text"] == "Vòng hai"
            r = await lecturer.post(f"/api/v1/live/discussions/{second['id']}/close")
            assert r.status_code == 200 and r.json()["open"] is False
            got = await frames(ws1, of_type("discussion_closed"))
    assert await DiscussionMember.filter(session_id=sid).count() == 8
    r = await t1.get(f"/api/v1/live/discussions/{second['id']}")
    assert r.status_code == 403
    other = await client_for("lecturer_b")
    assert (await other.get(f"/api/v1/live/discussions/{second['id']}")).status_code == 404


async def test_an_edit_made_before_a_member_subscribed_still_reaches_them(
        app, client_for, world, monkeypatch):
    """A fast member edits before a slower socket of the group has joined the group's channel:
    the slower one gets the edit from the database right after joining."""
    original = realtime.LiveConnection._join_group

    async def slow_join(self, group_id: int) -> None:
        await asyncio.sleep(0.5)
        await original(self, group_id)

    monkeypatch.setattr(realtime.LiveConnection, "_join_group", slow_join)
    lecturer, sid = await live_session(client_for, world)
    t1, t2 = await client_for("trainee_a"), await client_for("trainee2_a")
    async with serve(app) as host:
        url = f"ws://{host}/ws/live/{sid}"
        async with connect(url, additional_headers=cookie_of(t1)) as ws1, \
                connect(url, additional_headers=cookie_of(t2)) as ws2:
            await first_state(ws1)
            await first_state(ws2)
            r = await lecturer.post(f"/api/v1/live/sessions/{sid}/discussions", json={
                "prompt": "Nhanh tay", "mode": "random", "groups": 1})
            group = r.json()["groups"][0]
            await frames(ws1, of_type("discussion_opened"))
            ok = await request(ws1, "group_edit", group_id=group["id"], base_revision=0,
                               client_id="fast", text="Viết trước khi bạn vào kênh")
            assert ok["revision"] == 1
            got = await frames(ws2, of_type("group_answer"))
            assert got[-1]["text"] == "Viết trước khi bạn vào kênh"
            seqs = [f["seq"] for f in got if "seq" in f]
            assert seqs == sorted(seqs)
            # and the channel works from then on
            await request(ws1, "group_edit", group_id=group["id"], base_revision=1,
                          client_id="then", text="Sau đó")
            got = await frames(ws2, of_type("group_answer"))
            assert got[-1]["revision"] == 2


# --- resume --------------------------------------------------------------------------------------


async def test_resume_replays_questions_hands_and_own_group_only(app, client_for, world):
    lecturer, sid = await live_session(client_for, world)
    extra = await more_trainees(world, ("Lê Văn Cường", "a-child"))
    t1, t2, t3 = (await client_for("trainee_a"), await client_for("trainee2_a"),
                  await client_for(extra[0]))
    async with serve(app) as host:
        url = f"ws://{host}/ws/live/{sid}"
        async with connect(url, additional_headers=cookie_of(lecturer)) as wsl, \
                connect(url, additional_headers=cookie_of(t2)) as ws2, \
                connect(url, additional_headers=cookie_of(t3)) as ws3:
            await first_state(wsl)
            await first_state(ws2)
            await first_state(ws3)
            async with connect(url, additional_headers=cookie_of(t1)) as ws1:
                await first_state(ws1)
                # by unit: trainee_a with Cường (Phòng Tổ chức), trainee2_a alone
                await request(wsl, "open_discussion", discussion={
                    "prompt": "Thảo luận", "mode": "unit", "group_size": 4})
                opened = (await frames(ws1, of_type("discussion_opened")))[-1]
                last = opened["seq"]
                mine = next(g for g in opened["discussion"]["groups"]
                            if len(g["members"]) == 2)
                other = next(g for g in opened["discussion"]["groups"] if g is not mine)
            # trainee_a's phone locks; the room goes on
            await request(ws3, "group_edit", group_id=mine["id"], base_revision=0,
                          client_id="c1", text="Nhóm mình viết")
            await request(ws2, "group_edit", group_id=other["id"], base_revision=0,
                          client_id="c2", text="Nhóm kia viết")
            await request(ws2, "ask", client_id="a1", text="Câu hỏi khi vắng mặt")
            await request(ws2, "raise_hand")
            await frames(wsl, lambda f: f["type"] == "questions" and f["items"])
            async with connect(f"{url}?since={last}", additional_headers=cookie_of(t1)) as ws1:
                replay = await frames(ws1, of_type("resumed"))
                kinds = [f["type"] for f in replay]
                assert {"group_answer", "questions", "hands"} <= set(kinds)
                texts = [f["text"] for f in replay if f["type"] == "group_answer"]
                assert texts == ["Nhóm mình viết"]  # not the other group's edit
                assert not any(f["type"] == "group_answers" for f in replay)  # runners' only
                seqs = [f["seq"] for f in replay if "seq" in f]
                assert seqs == sorted(seqs) and seqs[0] > last
                # after the replay, live frames of the group keep coming
                await request(ws3, "group_edit", group_id=mine["id"], base_revision=1,
                              client_id="c3", text="Thêm ý")
                got = await frames(ws1, of_type("group_answer"))
                assert got[-1]["revision"] == 2 and got[-1]["seq"] > replay[-1]["seq"]


# --- export --------------------------------------------------------------------------------------


async def test_export_has_questions_and_group_answers(app, client_for, world):
    lecturer, sid = await live_session(client_for, world)
    t1, t2 = await client_for("trainee_a"), await client_for("trainee2_a")
    async with serve(app) as host:
        url = f"ws://{host}/ws/live/{sid}"
        async with connect(url, additional_headers=cookie_of(t1)) as ws1, \
                connect(url, additional_headers=cookie_of(t2)) as ws2:
            await first_state(ws1)
            await first_state(ws2)
            qa = (await request(ws1, "ask", client_id="x", text="=Hỏi ẩn danh",
                                anonymous=True))["question"]
            await request(ws2, "vote", question_id=qa["id"], client_id="v")
            r = await lecturer.post(f"/api/v1/live/sessions/{sid}/discussions", json={
                "prompt": "Cả lớp một nhóm", "mode": "random", "groups": 1})
            group = r.json()["groups"][0]
            await frames(ws1, of_type("discussion_opened"))
            ok = await request(ws1, "group_edit", group_id=group["id"], base_revision=0,
                               client_id="g", text="Câu trả lời chung")
            assert ok["revision"] == 1
            # ending the session closes the discussion: nobody goes on writing
            assert (await lecturer.post(f"/api/v1/live/sessions/{sid}/end")).status_code == 200
            got = await frames(ws1, of_type("status", status="ended"))
            assert "discussion_closed" in [f["type"] for f in got]
    assert not await Discussion.filter(session_id=sid, open=True).exists()
    r = await lecturer.get(f"/api/v1/live/sessions/{sid}/export.csv")
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    start = rows.index(["Phiên học (Session)", "Mã câu hỏi (Question id)",
                        "Câu hỏi (Question)", "Người hỏi (Asked by)", "Tên đăng nhập (Login)",
                        "Ẩn danh (Anonymous)", "Trạng thái (Status)", "Lượt thích (Votes)",
                        "Ghim (Pinned)", "Đã trả lời (Answered)", "Thời điểm hỏi (Asked at)",
                        "Thời điểm trả lời (Answered at)"])
    question = rows[start + 1]
    assert question[2] == "'=Hỏi ẩn danh"  # text, never a formula
    assert question[3] == NAME_1 and question[5] == "Có (yes)" and question[7] == "1"
    assert rows[start + 2] == []
    group_row = rows[start + 4]
    assert group_row[2] == "Cả lớp một nhóm" and group_row[6] == "Câu trả lời chung"
    assert group_row[5] == f"{NAME_1}; {NAME_2}" and group_row[7] == "1"
    r = await lecturer.get(f"/api/v1/live/classes/{world.classes['a']}/export.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    sheet = [list(row) for row in book["Hỏi đáp"].iter_rows(values_only=True)]
    assert sheet[1][2] == "'=Hỏi ẩn danh" and sheet[1][7] == 1
    groups_sheet = [list(row) for row in book["Thảo luận nhóm"].iter_rows(values_only=True)]
    assert groups_sheet[1][6] == "Câu trả lời chung"


# --- two workers ---------------------------------------------------------------------------------


async def test_questions_and_groups_across_two_workers_through_redis(
        app, settings, client_for, world, redis_available):
    """Trainees on one worker ask, vote and edit their group's answer; the lecturer on the
    other sees the list and the answers, and the group's edits cross to a member on the
    lecturer's worker."""
    lecturer = await client_for("lecturer_a")
    async with two_redis_workers(settings, world, REDIS_URL) as (workers, sid):
        t1, t2 = await client_for("trainee_a"), await client_for("trainee2_a")
        async with serve(workers[0]) as host1, serve(workers[1]) as host2:
            async with connect(f"ws://{host1}/ws/live/{sid}",
                               additional_headers=cookie_of(t1)) as ws1, \
                    connect(f"ws://{host2}/ws/live/{sid}",
                            additional_headers=cookie_of(t2)) as ws2, \
                    connect(f"ws://{host2}/ws/live/{sid}",
                            additional_headers=cookie_of(lecturer)) as wsl:
                for ws in (ws1, ws2, wsl):
                    await first_state(ws)
                qa = (await request(ws1, "ask", client_id="r1", text="Liên máy chủ?",
                                    anonymous=True))["question"]
                assert (await request(ws2, "vote", question_id=qa["id"], client_id="r2"))[
                    "voted"]
                got = await frames(wsl, lambda f: f["type"] == "questions"
                                   and f["items"] and f["items"][0]["votes"] == 1)
                assert got[-1]["items"][0]["author"]["full_name"] == NAME_1
                seen = await frames(ws2, lambda f: f["type"] == "questions"
                                    and f["items"] and f["items"][0]["votes"] == 1)
                assert seen[-1]["items"][0]["author"] is None
                await request(ws1, "raise_hand")
                got = await frames(wsl, lambda f: f["type"] == "hands" and f["count"] == 1)
                assert got[-1]["items"][0]["full_name"] == NAME_1

                await request(wsl, "open_discussion", discussion={
                    "prompt": "Một nhóm", "mode": "random", "groups": 1})
                group = (await frames(ws2, of_type("discussion_opened")))[-1][
                    "discussion"]["groups"][0]
                await frames(ws1, of_type("discussion_opened"))
                ok = await request(ws1, "group_edit", group_id=group["id"], base_revision=0,
                                   client_id="g1", text="Viết ở máy chủ 1")
                assert ok["revision"] == 1
                got = await frames(ws2, of_type("group_answer"))
                assert got[-1]["text"] == "Viết ở máy chủ 1"
                got = await frames(wsl, lambda f: f["type"] == "group_answers"
                                   and f["groups"][0]["revision"] == 1)
                assert got[-1]["groups"][0]["answer"] == "Viết ở máy chủ 1"
                stale = await request(ws2, "group_edit", group_id=group["id"],
                                      base_revision=0, client_id="g2", text="Cũ")
                assert stale["code"] == "stale_revision"
                assert stale["current"]["revision"] == 1
    assert await QuestionVote.filter(question_id=qa["id"], active=True).count() == 1
