"""The wire format of a session's broadcast channel and its sequence numbers.

Every broadcast gets the next ``seq`` of its session from the database row, bumped and published
inside the caller's transaction: the row lock orders publishers on every worker, so messages
leave in ``seq`` order and a client can tell a snapshot from what came after it. A message is
encoded once, by its publisher; sockets forward the bytes as they are.
"""

from __future__ import annotations

import logging
from typing import Any

from lms_core import sql
from lms_core.broker import Broker
from lms_core.http.jsonio import dumps
from lms_core.http.problems import Problem


log = logging.getLogger("lms.live")

PROTOCOL_VERSION = 2
_PREFIX = b'{"seq":'


def channel(session_id: int) -> str:
    return f"live:{session_id}"


def frame(seq: int, type_: str, **payload: Any) -> bytes:
    """``seq`` goes first so that ``seq_of`` can read it back without parsing the JSON."""
    return dumps({"seq": seq, "type": type_, "v": PROTOCOL_VERSION, **payload})


def reply(type_: str, **payload: Any) -> str:
    """A frame for one socket only (errors, pong): outside the session's sequence."""
    return dumps({"type": type_, "v": PROTOCOL_VERSION, **payload}).decode()


def seq_of(message: bytes) -> int:
    if message.startswith(_PREFIX):
        end = message.find(b",", len(_PREFIX))
        if end > 0:
            try:
                return int(message[len(_PREFIX):end])
            except ValueError:
                pass
    return -1


_BUMP = ("UPDATE live_session SET seq = seq + 1 WHERE id = $1 "
         "RETURNING seq, status, present_users, present_trainees")


async def bump_row(session_id: int) -> dict[str, Any]:
    """``bump_seq`` with the room's counts as of that number (``presence``): one statement,
    since every broadcast and every join takes one (Tortoise's update-then-select was two)."""
    rows = await sql.fetch(_BUMP, session_id)
    if not rows:  # deleted with its class meanwhile
        raise Problem(404, "Không tìm thấy phiên học.", "Session not found.")
    return rows[0]


async def bump_seq(session_id: int) -> tuple[int, str]:
    """Take the next number (and lock the session row until the transaction ends); returns it
    with the session's current status. Call inside ``in_transaction()``."""
    row = await bump_row(session_id)
    return int(row["seq"]), str(row["status"])


async def publish(broker: Broker | None, name: str, message: bytes) -> None:
    """Publish on the channel ``name`` (see ``events.listener_channel``). A broker failure is
    logged, not raised: the database already holds the truth (``live_event``), and a client
    that missed a message gets it when it resumes."""
    if broker is None:
        return
    try:
        await broker.publish(name, message)
    except Exception:
        log.exception("could not publish on %s", name)
