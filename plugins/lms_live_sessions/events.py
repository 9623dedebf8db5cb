"""The frames broadcast about a session: who hears them, where they are stored, and how a client
that reconnects gets exactly what it missed.

Every broadcast takes the session's next ``seq`` (``channel.bump_seq``, which locks the session
row until the transaction ends), is stored in ``live_event`` in the same transaction and is
published once, already encoded, on the broker channel of each audience that hears it:

* ``public``  trainees and guests  -> ``live:<id>``
* ``runner``  the class's lecturers -> ``live:<id>:run``
* ``screen``  the projector view   -> ``live:<id>:screen``
* ``group:<g>`` the members of one discussion group -> ``live:<id>:g:<g>`` (their shared
  answer's edits reach that group only; a member's socket reads this channel as well)

A frame meant for everyone is stored once with audience ``all`` and published on all three, so
each socket reads one channel in ``seq`` order. Results differ per audience (names only for
runners, trainees only when the lecturer lets them see), so each audience's results frame is a
frame of its own with its own ``seq``: a trainee sees gaps in the numbers, never someone else's
frame. The broker keeps no history, so anything a reconnecting client needs is in this table.
"""

from __future__ import annotations

from typing import Any

from lms_core.broker import Broker

from lms_live_sessions.channel import channel, frame, publish
from lms_live_sessions.models import LiveEvent

ALL, PUBLIC, RUNNER, SCREEN = "all", "public", "runner", "screen"
LISTENERS = (PUBLIC, RUNNER, SCREEN)
_SUFFIX = {PUBLIC: "", RUNNER: ":run", SCREEN: ":screen"}

#: Frames kept per session: a client further behind than this gets a fresh snapshot.
KEEP = 2000
#: Prune once every so many frames rather than on every one.
PRUNE_EVERY = 200
#: A resume that would replay more frames than this gets a snapshot instead (cheaper to send).
REPLAY_MAX = 500


def group_audience(group_id: int) -> str:
    """The audience of one discussion group (stored in ``live_event.audience``)."""
    return f"group:{group_id}"


def listener_channel(session_id: int, listener: str) -> str:
    """``live:<id>`` stays the trainees' channel, as in protocol version 1."""
    if listener.startswith("group:"):
        return f"{channel(session_id)}:g:{listener[6:]}"
    return channel(session_id) + _SUFFIX[listener]


async def emit(broker: Broker | None, session_id: int, seq: int, audience: str, type_: str, /,
               **payload: Any) -> bytes:
    """Store and publish one frame numbered ``seq``. Call inside the transaction that took
    ``seq`` with ``bump_seq``: the frame is stored if and only if the change it reports is, and
    the row lock keeps publishers of one session in ``seq`` order on every worker."""
    message = frame(seq, type_, **payload)
    await LiveEvent.create(session_id=session_id, seq=seq, audience=audience,
                           frame=message.decode())
    if seq % PRUNE_EVERY == 0:
        await LiveEvent.filter(session_id=session_id, seq__lte=seq - KEEP).delete()
    for listener in (LISTENERS if audience == ALL else (audience,)):
        await publish(broker, listener_channel(session_id, listener), message)
    return message


async def missed(session_id: int, listener: str, since: int, current: int,
                 extra: tuple[str, ...] = ()) -> list[str] | None:
    """The frames this listener heard after ``since`` up to ``current``, in order, or None when
    they cannot all be given (pruned, too many, or a ``since`` from the future): the caller then
    sends a fresh snapshot. ``extra`` adds audiences this socket also hears (its groups).
    Complete means the oldest stored frame is at most ``since + 1``:
    every broadcast is stored in the transaction that numbers it, and pruning only removes a
    prefix, so nothing after the oldest kept frame is missing."""
    if since > current or since < 0:
        return None
    if since == current:
        return []
    oldest = await LiveEvent.filter(session_id=session_id).order_by("seq").first().values_list(
        "seq", flat=True)
    if oldest is None or oldest > since + 1:
        return None
    rows = await LiveEvent.filter(
        session_id=session_id, seq__gt=since, seq__lte=current,
        audience__in=(ALL, listener, *extra)).order_by("seq").limit(REPLAY_MAX + 1).values_list(
        "frame", flat=True)
    if len(rows) > REPLAY_MAX:
        return None
    return list(rows)
