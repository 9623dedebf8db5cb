"""The live-sessions plugin's section of the class page (``lms_page_panels``, panels.py): the
class's periods in Vietnamese time with room and status; a trainee of the class goes to the
live page of a period not yet over, those who run the class to each console and to the
scheduling page; nobody else gets the section."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from lms_core.models import Enrolment, EnrolmentStatus

from lms_live_sessions.models import LiveSession, SessionStatus
from lms_live_sessions.panels import when


def section(html: str) -> str:
    found = re.search(r'<h2 id="panel-\d+">Phiên học trực tiếp</h2>(.*?)</section>', html, re.S)
    return found.group(1) if found else ""


async def test_the_class_page_lists_the_periods_and_the_way_into_each(client_for, world):
    start = datetime(2026, 12, 2, 1, 0, tzinfo=timezone.utc)  # 08:00 in Hà Nội
    live = await LiveSession.create(klass_id=world.classes["a"], institution_id=world.inst["a"],
                                    title="Tiết 1: Khai giảng", starts_at=start,
                                    ends_at=start + timedelta(hours=2), room="Hội trường A",
                                    status=SessionStatus.LIVE, join_code="ABC234")
    over = await LiveSession.create(klass_id=world.classes["a"], institution_id=world.inst["a"],
                                    title="Tiết 0: Làm quen", starts_at=start - timedelta(days=1),
                                    ends_at=start - timedelta(days=1, hours=-1),
                                    mode="online", room="không hiện", status=SessionStatus.ENDED)
    url = f"/classes/{world.classes['a']}"

    trainee = section((await (await client_for("trainee_a")).get(url)).text)
    assert f'<a href="/live/sessions/{live.id}">Tiết 1: Khai giảng</a>' in trainee
    assert "08:00–10:00, 02/12/2026 · Tại phòng học · Hội trường A" in trainee
    assert "Đang diễn ra" in trainee and "Đã kết thúc" in trainee
    assert f"/live/sessions/{over.id}" not in trainee  # an ended period leads nowhere
    assert "không hiện" not in trainee  # an online period has no room
    assert "/console" not in trainee and "Lên lịch" not in trainee
    assert trainee.index("Tiết 0") < trainee.index("Tiết 1")  # in time order

    for login in ("lecturer_a", "admin_a"):
        runner = section((await (await client_for(login)).get(url)).text)
        assert f'href="/live/sessions/{live.id}/console"' in runner, login
        assert f'href="/live/sessions/{over.id}/console"' in runner, login
        assert f'href="/live/classes/{world.classes["a"]}/sessions"' in runner, login

    # a supervisor sees the class (they nominate to it) but neither runs nor attends it
    assert section((await (await client_for("supervisor_a")).get(url)).text) == ""
    # withdrawn from the class: no way into its periods any more
    await Enrolment.filter(user_id=world.users["trainee_a"], klass_id=world.classes["a"]).update(
        status=EnrolmentStatus.WITHDRAWN)
    assert (await (await client_for("trainee_a")).get(url)).status_code == 404


async def test_a_class_without_periods_shows_the_section_to_its_runners_only(client_for, world):
    url = f"/classes/{world.classes['a']}"
    lecturer = section((await (await client_for("lecturer_a")).get(url)).text)
    assert "Lớp chưa có phiên học trực tiếp nào." in lecturer
    assert "Lên lịch và quản lý phiên học" in lecturer
    assert section((await (await client_for("trainee_a")).get(url)).text) == ""


def test_times_are_vietnamese_wall_clock():
    start = datetime(2030, 3, 4, 23, 30, tzinfo=timezone.utc)
    assert when(start, start + timedelta(minutes=90)) == "06:30–08:00, 05/03/2030"
