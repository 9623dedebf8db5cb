"""The live socket ``/ws/live/{session_id}``: presence, the session's state, activities and
answers. The protocol (version 2) is documented in ``docs/live-protocol.md``.

In short: the server starts with a ``state`` snapshot (or, with ``?since=N``, the frames missed
after ``N`` followed by ``resumed``); every broadcast has the session's next ``seq``. A client
sends ``ping``, ``resume``, ``answer`` and, if it runs the session, ``start``, ``end``,
``open_activity``, ``close_activity``, ``push_activity``; the messages of Q&A, raise hand and
group discussion are handled by ``interaction``. A bad message gets an ``error`` frame and the
socket stays open.

Broadcasts reach the socket through its session's hub (``hub.py``: one subscription and one
task per session and worker, not per socket). ``LiveConnection.deliver`` writes the frame,
framed once by the hub, straight to the transport through the server's
``lms.websocket.prepared`` extension when it has one, or sends it at once when the socket can
take it without waiting; a socket that cannot (its transport paused: a
slow phone), or that is busy with a catch-up or a frame that needs the database, keeps the
frames in a small backlog drained by a task of its own while it lasts; past ``QUEUE_SIZE``
frames it is closed with 4429 and resumes with ``since``. So an idle socket costs one task
(uvicorn's, which reads it) and no queue. A trainee in a discussion group also hears the
group's channel, through the same hub and order.

Refusals accept the handshake first and then close with an application code, since a browser
never sees the status of a refused handshake: 4401 not logged in, 4403 not allowed here,
4404 no such session, 4409 the session was cancelled (it had not started), 4410 session ended,
4429 fell too far behind (reconnect and resume).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from tortoise.transactions import in_transaction

from lms_core.auth.principal import Principal
from lms_core.http.problems import Problem
from lms_core.http.ws_protocol import PREPARED
from lms_core.runtime import runtime

from pydantic import ValidationError

from lms_core.models import Enrolment

from lms_live_sessions.access import JOINING_STATUSES, NOT_IN_CLASS_EN, NOT_IN_CLASS_VI, \
    RUNNER, TRAINEE, join_role
from lms_live_sessions.activities import LiveError
from lms_live_sessions.answers import record_answer
from lms_live_sessions.channel import reply, seq_of
from lms_live_sessions import checkin, extensions, interaction, quick_quiz
from lms_live_sessions.channel import bump_seq
from lms_live_sessions.direct import router_for, send_to_users
from lms_live_sessions.events import ALL, LISTENERS, emit
from lms_live_sessions.events import PUBLIC, SCREEN, group_audience, missed
from lms_live_sessions.groups import user_groups
from lms_live_sessions.events import RUNNER as RUNNER_LISTENER
from lms_live_sessions.fanout import flusher_for
from lms_live_sessions.hub import hub_for, leave
from lms_live_sessions.lifecycle import close_activity, create_activity, open_activity
from lms_live_sessions.models import LiveSession, SessionStatus
from lms_live_sessions.presence import record_join, record_leave
from lms_live_sessions.schemas import ActivityCreate
from lms_live_sessions.service import change_status
from lms_live_sessions.state import snapshot

log = logging.getLogger("lms.live")

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_ENDED = 4410
CLOSE_LAGGING = 4429
CLOSE_CANCELLED = 4409

MAX_INCOMING_CHARS = 4096
#: Frames a socket that cannot keep up may have waiting before it is closed with 4429.
QUEUE_SIZE = 256
#: Seconds a lagging socket is given to take its error frame and close.
LAGGING_GRACE = 2.0
COMMANDS = {"start": SessionStatus.LIVE, "end": SessionStatus.ENDED}
RUNNER_ACTIONS = ("open_activity", "close_activity", "push_activity")
_DISCUSSION_OPENED = b'"type":"discussion_opened"'
_CHECKIN = b'"type":"checkin",'
_ACTIVITY_CLOSED = b'"type":"activity_closed"'
_QUICK_QUIZ = b'"kind":"quick_quiz"'
_STATUS = b'"type":"status"'
_CANCELLED = b'"status":"cancelled"'
#: The last frame ``_needs_work`` looked at and what it asks of trainees' sockets and of
#: every socket: the hub hands the same bytes to every socket of a channel (3.6 % of a
#: 10,000-socket push went to slicing them again).
_WORK: list[Any] = [b"", False, False]


def error_frame(principal: Principal | None, code: str, vi: str, en: str, **extra: Any) -> str:
    """``extra`` echoes what the client sent (activity_id, client_id) so it can tell which
    of its messages failed; only JSON scalars of bounded size are echoed."""
    locale = principal.locale if principal is not None else "vi"
    echoed = {k: v for k, v in extra.items()
              if isinstance(v, (int, float, bool)) or (isinstance(v, str) and len(v) <= 64)}
    return reply("error", code=code, message=en if locale == "en" else vi,
                 message_vi=vi, message_en=en, **echoed)


async def live_socket(websocket: WebSocket) -> None:
    conn = await _admit(websocket)
    if conn is not None:
        await conn.run()


async def _admit(websocket: WebSocket) -> LiveConnection | None:
    """The checks of a new socket, in a frame of their own: what they read (the session row,
    the query) is gone before the socket's hours-long life starts."""
    await websocket.accept()
    principal: Principal | None = websocket.scope.get("principal")
    if principal is None:
        await _refuse(websocket, None, CLOSE_UNAUTHENTICATED, "unauthenticated",
                      "Bạn cần đăng nhập.", "You need to log in.")
        return None
    if not _same_origin(websocket):
        await _refuse(websocket, principal, CLOSE_FORBIDDEN, "origin",
                      "Kết nối từ trang khác bị từ chối.", "Cross-site connection refused.")
        return None
    session_id = websocket.path_params["session_id"]
    session = None
    if 0 < session_id <= 2**31 - 1:
        session = await LiveSession.get_or_none(id=session_id,
                                                institution_id=principal.institution_id)
    if session is None:
        await _refuse(websocket, principal, CLOSE_NOT_FOUND, "not_found",
                      "Không tìm thấy phiên học.", "Session not found.")
        return None
    role = await join_role(principal, session)
    if role is None:
        await _refuse(websocket, principal, CLOSE_FORBIDDEN, "forbidden",
                      NOT_IN_CLASS_VI, NOT_IN_CLASS_EN)
        return None
    if session.status == SessionStatus.ENDED:
        await _refuse(websocket, principal, CLOSE_ENDED, "ended",
                      "Phiên học đã kết thúc.", "The session has ended.")
        return None
    query = dict(parse_qsl(websocket.scope.get("query_string", b"").decode("latin-1")))
    since, view = _since(query.get("since")), query.get("view", "")
    enrolment_id = None
    if role == TRAINEE:
        enrolment_id = await Enrolment.filter(
            klass_id=session.klass_id, user_id=principal.user_id,
            status__in=JOINING_STATUSES).order_by("id").first().values_list("id", flat=True)
    return LiveConnection(websocket, principal, session, role, since=since, view=view,
                          enrolment_id=enrolment_id)


def _since(raw: str | None) -> int | None:
    """A ``since`` that is not a number is ignored (a fresh snapshot is always correct)."""
    if raw is None or not raw.isdigit() or len(raw) > 18:
        return None
    return int(raw)


async def _refuse(websocket: WebSocket, principal: Principal | None, code: int, reason: str,
                  vi: str, en: str) -> None:
    try:
        await websocket.send_text(error_frame(principal, reason, vi, en))
        await websocket.close(code, reason)
    except Exception:  # the client went away first: nothing to refuse any more
        pass


def _same_origin(websocket: WebSocket) -> bool:
    """Browsers send the session cookie on a cross-site socket too, so the socket checks the
    Origin a browser always sends (other clients send none and carry no ambient cookie risk)."""
    origin = websocket.headers.get("origin")
    if not origin:
        return True
    netloc = urlsplit(origin).netloc.lower()
    hosts = {websocket.headers.get("host", "").lower(),
             websocket.headers.get("x-forwarded-host", "").split(",")[0].strip().lower()}
    return bool(netloc) and netloc in hosts


class LiveConnection:
    """One socket: its reader runs in the ASGI task itself; broadcasts come from the session's
    hub (``deliver``), sent at once or through a backlog while the socket cannot take them."""

    __slots__ = ("ws", "principal", "session_id", "institution_id", "role", "since",
                 "enrolment_id", "listener", "broker", "plugins", "_checkin_changed",
                 "_checkin_expected", "last_seq", "hub", "backlog", "_drainer", "_held",
                 "_resend", "_closing", "_reader", "writer", "cancelled", "__weakref__")

    def __init__(self, websocket: WebSocket, principal: Principal, session: LiveSession,
                 role: str, *, since: int | None = None, view: str = "",
                 enrolment_id: int | None = None) -> None:
        self.ws = websocket
        self.principal = principal
        self.session_id = session.id
        self.institution_id = session.institution_id
        self.role = role
        self.since = since
        self.enrolment_id = enrolment_id
        # Runners may open the projector view: results without names, no lecturer controls.
        if role == RUNNER:
            self.listener = SCREEN if view == "projector" else RUNNER_LISTENER
        else:
            self.listener = PUBLIC
        self.broker = runtime(websocket).broker
        self.plugins = runtime(websocket).plugins
        #: Set when a ``checkin`` broadcast arrives: the code ticker re-reads the session.
        self._checkin_changed = asyncio.Event() if self.listener != PUBLIC else None
        self._checkin_expected: bool | None = None
        #: The highest ``seq`` sent on this socket: frames at or below it are skipped.
        self.last_seq = 0
        self.hub = hub_for(self.broker, self.session_id)
        #: Frames waiting for this socket (None: it takes them as they come).
        self.backlog: deque[tuple[int, bytes, str]] | None = None
        self._drainer: asyncio.Task[None] | None = None
        #: While > 0 (a catch-up is being sent) frames wait in the backlog.
        self._held = 0
        #: A send that had to wait for the socket, finished by the drainer first.
        self._resend: tuple[Any, Any] | None = None
        self._closing = False
        #: Set when the session was cancelled under this socket (``_after``).
        self.cancelled = False
        self._reader: asyncio.Task[Any] | None = None
        #: The server's ``lms.websocket.prepared`` writer, when it has one (``lms serve``
        #: does): a broadcast framed once by the hub is written to the socket as is.
        scope = getattr(websocket, "scope", None) or {}
        self.writer = (scope.get("extensions") or {}).get(PREPARED)

    # --- broadcasts from the hub ------------------------------------------------------------

    def deliver(self, seq: int, message: bytes, text: str, framed: bytes = b"") -> None:
        """Called by the hub for every frame of this socket's channels, in ``seq`` order,
        with the frame as bytes, as text and (``framed``) as the websocket frame that carries
        it. Never waits: a frame the socket cannot take now goes to its backlog."""
        if self._closing or seq <= self.last_seq:
            return
        if self.backlog is not None:
            if len(self.backlog) >= QUEUE_SIZE:
                self.lagged()
                return
            self.backlog.append((seq, message, text))
            self._drain()
            return
        if self._needs_work(message):
            self.backlog = deque(((seq, message, text),))
            self._drain()
            return
        self.last_seq = seq
        if not (framed and self.writer is not None and self.writer.write(framed)):
            self._send_now(text)
        if self._checkin_changed is not None and _CHECKIN in message[:64]:
            self._checkin_expected = b'"required":true' in message
            self._checkin_changed.set()

    def _needs_work(self, message: bytes) -> bool:
        """Frames after which this socket must read the database (its group, its quiz
        score): they go through the drainer, which can wait."""
        if message is not _WORK[0]:  # asked once per frame, not once per socket
            head = message[:64]
            _WORK[:] = [message, _DISCUSSION_OPENED in head
                        or (_ACTIVITY_CLOSED in head and _QUICK_QUIZ in message),
                        _STATUS in head and _CANCELLED in message]
        return _WORK[2] or (self.listener == PUBLIC and _WORK[1])

    def _send_now(self, text: str) -> None:
        """Run the send by hand: when the server can write at once (uvicorn writes to the
        transport unless it is paused) it completes here, without a task or a wake-up. If it
        has to wait, the drainer finishes it and the next frames queue behind it."""
        coro = self.ws.send_text(text)
        try:
            waiting = coro.send(None)
        except StopIteration:
            return
        except Exception as exc:  # gone: the reader sees the disconnect and cleans up
            self._gone(exc)
            return
        self._resend = (coro, waiting)
        self.backlog = deque()
        self._drain()

    def _drain(self) -> None:
        if self._drainer is None and not self._held and not self._closing:
            self._drainer = asyncio.create_task(self._run_backlog())

    async def _run_backlog(self) -> None:
        try:
            if self._resend is not None:
                coro, waiting = self._resend
                self._resend = None
                await _finish(coro, waiting)
            while self.backlog and not self._held:
                seq, message, text = self.backlog.popleft()
                if seq <= self.last_seq:
                    continue
                await self.ws.send_text(text)
                self.last_seq = seq
                await self._after(seq, message)
        except Exception as exc:
            self._gone(exc)
        finally:
            self._drainer = None
            if not self.backlog and not self._held:
                self.backlog = None
            elif self.backlog and not self._held and not self._closing:
                self._drain()

    async def _after(self, seq: int, message: bytes) -> None:
        """What a frame just sent asks of this socket itself."""
        if _STATUS in message[:64] and _CANCELLED in message:
            # the session is gone (cancelled before it started): nothing more will come, and
            # its attendance went with it
            self._closing = self.cancelled = True
            await self.ws.close(CLOSE_CANCELLED, "cancelled")
            return
        if self.listener == PUBLIC:
            if _DISCUSSION_OPENED in message[:64]:
                await self._enter_group_of(message, seq)
            elif _ACTIVITY_CLOSED in message[:64] and _QUICK_QUIZ in message:
                await self._send_quiz_result(message)
        elif _CHECKIN in message[:64] and self._checkin_changed is not None:
            self._checkin_expected = b'"required":true' in message
            self._checkin_changed.set()

    async def _hold(self) -> None:
        """Frames wait in the backlog (after the one being sent) until ``_release``."""
        self._held += 1
        if self.backlog is None:
            self.backlog = deque()
        drainer = self._drainer
        if drainer is not None and drainer is not asyncio.current_task():
            await asyncio.gather(drainer, return_exceptions=True)

    def _release(self) -> None:
        self._held = max(0, self._held - 1)
        if not self._held:
            if self.backlog:
                self._drain()
            elif self._drainer is None:
                self.backlog = None

    def lagged(self) -> None:
        """Too far behind (or the hub lost frames): close with 4429, the client resumes."""
        if self._closing:
            return
        self._closing = True
        self.backlog = None
        asyncio.create_task(self._close_lagging())

    async def _close_lagging(self) -> None:
        try:
            await asyncio.wait_for(self.ws.send_text(error_frame(
                self.principal, "lagging", "Kết nối quá chậm, đang kết nối lại.",
                "The connection fell behind, reconnecting.")), LAGGING_GRACE)
            await asyncio.wait_for(self.ws.close(CLOSE_LAGGING, "lagging"), LAGGING_GRACE)
        except Exception:
            pass
        if self._reader is not None:
            self._reader.cancel()  # a socket too slow to take its close is dropped

    def _gone(self, exc: BaseException) -> None:
        _log_unexpected(exc)
        self._closing = True
        self.backlog = None

    def _you(self) -> dict[str, Any]:
        return {"user_id": self.principal.user_id, "role": self.role,
                "can_run": self.role == RUNNER and self.listener == RUNNER_LISTENER,
                "view": "projector" if self.listener == SCREEN else "participant"}

    async def catch_up(self, since: int | None) -> int:
        """Send what the client lacks: the frames after ``since`` if they are all stored,
        otherwise (or without ``since``) a fresh snapshot. Returns the seq now covered.
        Broadcasts arriving meanwhile wait, then follow (those it covered are skipped)."""
        await self._hold()
        try:
            return await self._catch_up(since)
        finally:
            self._release()

    async def _catch_up(self, since: int | None) -> int:
        if since is not None:
            current = await self._current_seq()
            frames = await missed(self.session_id, self.listener, since, current,
                                  extra=await self._group_audiences())
            if frames is not None:
                for text in frames:
                    await self.ws.send_text(text)
                await self.ws.send_text(reply("resumed", since=since, seq=current,
                                              replayed=len(frames)))
                self.last_seq = max(self.last_seq, current)
                return current
        seq, state = await snapshot(self.session_id, self._you(), self.listener)
        await self.ws.send_text(state.decode())
        self.last_seq = max(self.last_seq, seq)
        return seq

    async def _current_seq(self) -> int:
        """Read under the session row lock (PostgreSQL waits for a transaction that took a
        number to commit), so every frame up to the number read is stored."""
        async with in_transaction():
            return int((await LiveSession.filter(id=self.session_id).select_for_update(
            ).values_list("seq", flat=True))[0])

    async def _group_audiences(self) -> tuple[str, ...]:
        """Every group of this session the user is in: their frames are part of a replay."""
        if self.listener != PUBLIC:
            return ()
        ids = await user_groups(self.session_id, self.principal.user_id, open_only=False)
        return tuple(group_audience(g) for g in ids)

    async def _join_group(self, group_id: int) -> None:
        """Hear the group's channel too, through the session's hub (one order)."""
        audience = group_audience(group_id)
        if not self.hub.listens(self, audience):
            await self.hub.add(self, audience)

    async def _enter_group_of(self, message: bytes, seq: int) -> None:
        """A discussion opened: a member starts reading their group's channel, then gets from
        the database what was sent after the opening (a fast member may already have edited
        before this socket subscribed), so nothing of the group is missed."""
        try:
            groups = json.loads(message)["discussion"]["groups"]
        except (ValueError, KeyError, TypeError):
            return
        mine = [g["id"] for g in groups
                if any(m.get("user_id") == self.principal.user_id for m in g.get("members", ()))]
        if not mine:
            return
        await self._join_group(mine[0])
        current = await self._current_seq()
        frames = await missed(self.session_id, self.listener, seq, current,
                              extra=(group_audience(mine[0]),))
        if frames is None:
            await self._catch_up(None)  # in the drainer: frames already wait behind it
            return
        for text in frames:
            await self.ws.send_text(text)
        self.last_seq = max(self.last_seq, current)

    async def send(self, text: str) -> None:
        """A reply to this socket only. Frames never interleave (each is written whole), so
        replies need no lock against broadcasts; their order relative to them is free."""
        await self.ws.send_text(text)

    # --- what other plugins may use (hookspecs.py lists it) -------------------------------

    @property
    def is_console(self) -> bool:
        """A runner's own socket: not the projector view, which only shows the session."""
        return self.role == RUNNER and self.listener == RUNNER_LISTENER

    async def reply(self, type_: str, **payload: Any) -> None:
        await self.send(reply(type_, **payload))

    async def error(self, code: str, vi: str, en: str, **extra: Any) -> None:
        await self._error(code, vi, en, **extra)

    async def broadcast(self, audience: str, type_: str, **payload: Any) -> int:
        """A numbered frame, stored for catch-up, to ``audience`` ("all", "public", "runner",
        "screen"); returns its ``seq``."""
        if audience != ALL and audience not in LISTENERS:
            raise ValueError(f"unknown audience {audience!r}")
        async with in_transaction():
            seq, _status = await bump_seq(self.session_id)
            await emit(self.broker, self.session_id, seq, audience, type_, **payload)
        return seq

    async def session_info(self) -> dict[str, Any]:
        """The session's status and times, with when an activity was last opened (a plugin
        prompting a quiet room needs to know how quiet it has been)."""
        from lms_live_sessions.models import Activity, Discussion

        row = (await LiveSession.filter(id=self.session_id).values(
            "status", "started_at", "ended_at"))[0]
        opened = await Activity.filter(session_id=self.session_id, opened_at__isnull=False
                                       ).order_by("-opened_at").first().values_list(
            "opened_at", flat=True)
        discussed = await Discussion.filter(session_id=self.session_id).order_by(
            "-created_at").first().values_list("created_at", flat=True)
        last = max((t for t in (opened, discussed) if t is not None), default=None)
        return {"status": getattr(row["status"], "value", row["status"]),
                "started_at": row["started_at"], "ended_at": row["ended_at"],
                "last_activity_at": last}

    async def send_to_users(self, user_ids: Any, type_: str, **payload: Any) -> int:
        """An unnumbered frame to every socket of these users, on every worker."""
        return await send_to_users(self.broker, self.session_id, user_ids,
                                   reply(type_, **payload))

    async def run(self) -> None:
        # Hear the session before joining and before the snapshot, so nothing published in
        # between is lost: it waits in the backlog, and what the snapshot covers is skipped.
        joined = routed = added = False
        tasks: list[asyncio.Task[Any]] = []
        self._reader = asyncio.current_task()
        await self._hold()
        try:
            added = True
            await self.hub.add(self, self.listener)
            if self.listener == PUBLIC:
                for group_id in await user_groups(self.session_id, self.principal.user_id,
                                                  open_only=True):
                    await self._join_group(group_id)
            await record_join(self.broker, self.session_id, self.principal.user_id,
                              self.principal.full_name, self.role)
            joined = True
            try:
                await self._catch_up(self.since)
            finally:
                self._release()
            await router_for(self.broker).add(self)
            routed = True
            await extensions.connected(self)
            if self.listener in (RUNNER_LISTENER, SCREEN):
                tasks.append(asyncio.create_task(self._checkin_ticker()))
            # A plugin's feed that returns does not end the socket; only the reader (and the
            # ticker failing) does.
            if self.is_console:
                tasks += await extensions.runner_feeds(self)
            await self._read()
        except Exception as exc:
            _log_unexpected(exc)
        except asyncio.CancelledError:
            if not self._closing:  # not our own drop of a lagging socket: the server's
                raise
        finally:
            self._closing = True
            self.backlog = None
            drainer = self._drainer
            if drainer is not None:
                tasks.append(drainer)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if self._resend is not None:
                self._resend[0].close()
                self._resend = None
            if routed:
                await router_for(self.broker).remove(self)
                await extensions.disconnected(self)
            if added:
                await leave(self.broker, self.session_id, self)
            if joined and not self.cancelled:  # a cancelled session took its attendance along
                try:
                    await record_leave(self.broker, self.session_id, self.principal.user_id,
                                       self.principal.full_name)
                except Exception:
                    log.exception("could not record leaving session %s", self.session_id)
            if self.ws.application_state == WebSocketState.CONNECTED:
                try:
                    await self.ws.close()
                except Exception:
                    pass

    async def _read(self) -> None:
        while True:
            message = await self.ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None:
                try:
                    text = (message.get("bytes") or b"").decode("utf-8")
                except UnicodeDecodeError:
                    text = ""
            await self.handle(text)

    async def _send_quiz_result(self, message: bytes) -> None:
        """A quick quiz closed: this trainee's own score and rank, to this socket only (no
        one else's score reaches a trainee)."""
        try:
            activity = json.loads(message)["activity"]
        except (ValueError, KeyError, TypeError):
            return
        if activity.get("kind") != quick_quiz.KIND:
            return
        mine = await quick_quiz.my_result(activity["id"], self.session_id,
                                          self.principal.user_id)
        await self.send(reply("quiz_result", **mine))

    async def _checkin_ticker(self) -> None:
        """Runners and the projector get the check-in code as a reply of their own at every
        window change (the code is computed, never stored or broadcast). The ``checkin``
        broadcast leaves just before its transaction commits, so the row is read again until
        it says what the broadcast said."""
        while True:
            for _ in range(40):
                session = await LiveSession.get(id=self.session_id)
                if self._checkin_expected in (None, session.checkin_required):
                    break
                await asyncio.sleep(0.05)
            self._checkin_expected = None
            self._checkin_changed.clear()
            if session.checkin_required and session.checkin_secret \
                    and session.status != SessionStatus.ENDED:
                shown = checkin.current_code(session)
                await self.send(reply("checkin_code", **shown))
                try:
                    await asyncio.wait_for(self._checkin_changed.wait(),
                                           shown["seconds_left"] + 0.05)
                except TimeoutError:
                    pass
            else:
                await self._checkin_changed.wait()

    async def handle(self, text: str) -> None:
        if len(text) > MAX_INCOMING_CHARS:
            await self._error("too_large", "Tin nhắn quá dài.", "Message too large.")
            return
        try:  # orjson: a tenth of the stdlib's time on a 2 KB frame (13 % of a busy worker)
            data = orjson.loads(text)
        except (ValueError, RecursionError):  # orjson refuses NaN and nesting past 1,024
            await self._error("bad_json", "Tin nhắn không phải JSON hợp lệ.",
                              "The message is not valid JSON.")
            return
        kind = data.get("type") if isinstance(data, dict) else None
        if not isinstance(kind, str):
            await self._error("bad_message", "Tin nhắn thiếu trường \"type\".",
                              "The message has no \"type\".")
            return
        if kind == "ping":
            await self.send(reply("pong"))
        elif kind == "resume":
            since = data.get("since")
            if isinstance(since, bool) or not isinstance(since, int) or since < 0:
                await self._error("invalid", "“since” phải là số thứ tự (seq) đã nhận cuối cùng.",
                                  "“since” must be the last seq received.")
                return
            await self.catch_up(since)
        elif kind == "answer":
            await self._answer(data)
        elif kind in COMMANDS:
            await self._command(kind)
        elif kind in RUNNER_ACTIONS:
            await self._activity_action(kind, data)
        elif kind in interaction.MESSAGES:
            await interaction.handle(self, kind, data)
        elif not await extensions.message(self, kind, data):
            await self._error("unknown_type", f"Không hiểu loại tin nhắn \"{kind[:40]}\".",
                              f"Unknown message type \"{kind[:40]}\".")

    async def _answer(self, data: dict[str, Any]) -> None:
        """Acked to the sender only; the room sees the answer in the next coalesced results."""
        if self.role == RUNNER:
            await self._error("forbidden", "Giảng viên điều hành phiên không trả lời hoạt động.",
                              "Those running the session do not answer its activities.")
            return
        try:
            fields, changed = await record_answer(
                session_id=self.session_id, institution_id=self.institution_id,
                user_id=self.principal.user_id, enrolment_id=self.enrolment_id,
                activity_id=data.get("activity_id"), client_id=data.get("client_id"),
                answer=data.get("answer"), plugins=self.plugins)
        except LiveError as exc:
            await self._error(exc.code, exc.detail, exc.detail_en,
                              activity_id=data.get("activity_id"),
                              client_id=data.get("client_id"))
            return
        await self.send(reply("ack", **fields))
        if changed:
            flusher_for(self.broker).mark(self.session_id, fields["activity_id"])
        await extensions.interaction(self, "answer", data)

    async def _activity_action(self, kind: str, data: dict[str, Any]) -> None:
        if self.role != RUNNER or self.listener != RUNNER_LISTENER:
            await self._error("forbidden", "Chỉ giảng viên của lớp mới mở, đóng hoặc đưa ra "
                                           "hoạt động.",
                              "Only the class's lecturers can open, close or push activities.")
            return
        try:
            if kind == "push_activity":
                body = ActivityCreate.model_validate(data.get("activity"))
                session = await LiveSession.get(id=self.session_id)
                made = await create_activity(
                    self.broker, session, kind=body.kind, prompt=body.prompt,
                    config=body.config, visibility=body.visibility,
                    allow_change=body.allow_change, queued=True,
                    actor_id=self.principal.user_id, plugins=self.plugins)
                await open_activity(self.broker, self.session_id, made["id"])
                return
            activity_id = data.get("activity_id")
            if isinstance(activity_id, bool) or not isinstance(activity_id, int) \
                    or not 0 < activity_id <= 2**31 - 1:
                raise LiveError(422, "invalid", "Thiếu hoặc sai “activity_id”.",
                                "Missing or invalid “activity_id”.")
            if kind == "open_activity":
                await open_activity(self.broker, self.session_id, activity_id)
            else:
                await close_activity(self.broker, self.session_id, activity_id)
        except ValidationError as exc:
            first = exc.errors()[0] if exc.errors() else {}
            detail = str(first.get("msg", ""))[:300]
            await self._error("invalid", f"Hoạt động không hợp lệ: {detail}",
                              f"Invalid activity: {detail}")
        except LiveError as exc:
            await self._error(exc.code, exc.detail, exc.detail_en)
        except Problem as problem:
            await self._error("conflict", problem.detail, problem.detail_en)

    async def _command(self, kind: str) -> None:
        if self.role != RUNNER or self.listener != RUNNER_LISTENER:
            await self._error("forbidden", "Chỉ giảng viên của lớp mới bắt đầu hoặc kết thúc "
                                           "được phiên học.",
                              "Only the class's lecturers can start or end the session.")
            return
        try:
            await change_status(self.broker, self.session_id, COMMANDS[kind], runtime(self.ws))
        except Problem as problem:
            await self._error("conflict", problem.detail, problem.detail_en)

    async def _error(self, code: str, vi: str, en: str, **extra: Any) -> None:
        await self.send(error_frame(self.principal, code, vi, en, **extra))


async def _finish(coro: Any, waiting: Any) -> None:
    """Go on with a coroutine that was started by hand (``coro.send(None)``) and had to wait
    for ``waiting`` (what it yielded: a future, or None for a bare yield), as a task would."""
    try:
        while True:
            try:
                if asyncio.isfuture(waiting):
                    # what a task does with a future its coroutine yields (else awaiting it
                    # again raises "await wasn't used with future")
                    waiting._asyncio_future_blocking = False
                    await waiting
                else:
                    await asyncio.sleep(0)
            except asyncio.CancelledError:
                raise
            except Exception:
                pass  # the coroutine reads the future's outcome itself
            waiting = coro.send(None)
    except StopIteration:
        return
    finally:
        coro.close()


def _log_unexpected(exc: BaseException) -> None:
    """A client that vanishes mid-send is ordinary; anything else deserves a trace."""
    if isinstance(exc, (WebSocketDisconnect, ConnectionError, asyncio.CancelledError)):
        return
    if isinstance(exc, RuntimeError) and "close" in str(exc).lower():
        return
    log.error("live socket failed", exc_info=exc)
