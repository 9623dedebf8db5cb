"""The console's live state written by the event writer in the same transaction as the events
(one statement per flush on PostgreSQL): a late batch never undoes a newer state, two batches of
one trainee in one flush apply in arrival order, signals before the socket hook start a row, an
empty batch is only a sign of life, and a failed flush stores neither events nor state."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from lms_engagement import live_state
from lms_engagement.live_state import SignalState, signal_state
from lms_engagement.models import EngagementEvent, LiveState
from lms_engagement.writer import EventRow, EventWriter

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
SESSION = 7


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def state(user_id: int, events: list[tuple[float, str]], now: float, inst: int) -> SignalState:
    return signal_state(SESSION, inst, user_id, [(at(t), k) for t, k in events], at(now))


async def row(user_id: int) -> LiveState | None:
    return await LiveState.get_or_none(session_id=SESSION, user_id=user_id)


async def test_states_of_one_flush(app, world):
    inst = world.inst["a"]
    u1, u2, u3, u4 = (world.users[k] for k in ("trainee_a", "trainee2_a", "lecturer_a",
                                               "admin_a"))
    for user in (u1, u2):
        await live_state.socket_opened(SESSION, inst, user, at(0))
    writer = EventWriter(max_wait=0.05)
    event = EventRow(inst, u1, None, None, SESSION, "p:1", "hidden", at(10), at(12), at(10), {})
    results = await asyncio.gather(
        # u1: a newer batch (hidden at 10 s), then in the same flush an older one (blur at 5 s)
        writer.write([event], [state(u1, [(10, "hidden")], 12, inst)]),
        writer.write([], [state(u1, [(5, "blur"), (4, "idle")], 13, inst)]),
        # u2: an empty batch, only a sign of life
        writer.write([], [state(u2, [], 14, inst)]),
        # u3: signals before the socket hook ran: a row with the batch's state, no socket
        writer.write([], [state(u3, [(8, "blur"), (9, "idle"), (3, "hidden")], 15, inst)]),
        # u4: an empty batch and no row: nothing to start a row with
        writer.write([], [state(u4, [], 16, inst)]),
    )
    assert results == [1, 0, 0, 0, 0] and writer.flushes == 1
    first = await row(u1)
    assert (first.visible, first.focused, first.idle) == (False, True, False)
    assert first.state_at == at(10) and first.last_signal_at == at(13)
    assert first.sockets == 1
    second = await row(u2)
    assert (second.visible, second.focused, second.idle) == (True, True, False)
    assert second.state_at == at(0) and second.last_signal_at == at(14)
    early = await row(u3)
    assert (early.visible, early.focused, early.idle, early.sockets) == (False, False, True, 0)
    assert early.state_at == at(9) and early.last_signal_at == at(15)
    assert await row(u4) is None

    # a later flush: a newer batch sets only the flags it names
    await writer.write([], [state(u1, [(20, "visible"), (21, "active")], 22, inst)])
    first = await row(u1)
    assert (first.visible, first.focused, first.idle) == (True, True, False)
    assert first.state_at == at(21) and first.last_signal_at == at(22)
    await writer.stop()


async def test_a_failed_flush_keeps_neither_events_nor_state(app, world):
    inst, user = world.inst["a"], world.users["trainee_a"]
    await live_state.socket_opened(SESSION, inst, user, at(0))
    writer = EventWriter(max_wait=0.01)
    good = EventRow(inst, user, None, None, SESSION, "p:1", "hidden", at(10), at(12), at(10), {})
    bad = EventRow(inst, None, None, None, SESSION, "p:2", "hidden", at(10), at(12), at(10),
                   {})  # no user: the column refuses it, so the whole flush fails
    with pytest.raises(Exception):
        await writer.write([good, bad], [state(user, [(10, "hidden")], 12, inst)])
    kept = await row(user)
    assert kept.visible is True and kept.state_at == at(0)
    assert await EngagementEvent.all().count() == 0
    await writer.stop()


async def test_two_flushes_in_flight_count_a_resend_once(app, world):
    """A resend that lands in the next flush while the first is still being written waits for
    it and is reported as duplicates; users written in opposite orders do not deadlock."""
    inst = world.inst["a"]
    u1, u2 = world.users["trainee_a"], world.users["trainee2_a"]
    writer = EventWriter(max_wait=0.001, in_flight=2)

    def rows(user: int, page: str, n: int) -> list[EventRow]:
        return [EventRow(inst, user, None, None, SESSION, f"{page}:{i}", "heartbeat", at(i),
                         at(i), at(i), {}) for i in range(n)]

    first = asyncio.ensure_future(writer.write(rows(u2, "a", 300) + rows(u1, "b", 300)))
    for _ in range(1000):  # until the first flush has started: this one is the second
        if writer._flushing:
            break
        await asyncio.sleep(0.001)
    second = asyncio.ensure_future(writer.write(rows(u1, "b", 320) + rows(u2, "a", 310)))
    assert await asyncio.gather(first, second) == [600, 30]
    assert writer.flushes == 2
    assert await EngagementEvent.all().count() == 630
    await writer.stop()
