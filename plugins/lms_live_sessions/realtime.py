"""The live socket ``/ws/live/{session_id}``: presence, the session's state and its start/end.

Protocol (version 1, JSON text frames):

* on connect the server sends ``{"type": "state", "seq": N, ...}``; every later broadcast of the
  session (``presence``, ``status``) has a higher ``seq``, numbered per session across workers
  (increasing, not necessarily contiguous). Broadcasts come from the broker channel
  ``live:<id>``, so sockets held by other workers see them too.
* the client may send ``{"type": "ping"}`` (answered by ``pong``: browsers cannot send protocol
  pings, and phones drop sockets silently) and, if it runs the session, ``{"type": "start"}`` or
  ``{"type": "end"}``.
* anything else gets ``{"type": "error", "code": ..., "message": ...}`` and the socket stays open.

Refusals accept the handshake first and then close with an application code, since a browser
never sees the status of a refused handshake: 4401 not logged in, 4403 not allowed here,
4404 no such session, 4410 session ended, 4429 fell too far behind (reconnect for a snapshot).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any
from urllib.parse import urlsplit

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from lms_core.auth.principal import Principal
from lms_core.http.problems import Problem
from lms_core.runtime import runtime

from lms_live_sessions.access import NOT_IN_CLASS_EN, NOT_IN_CLASS_VI, RUNNER, join_role
from lms_live_sessions.channel import channel, reply, seq_of
from lms_live_sessions.models import LiveSession, SessionStatus
from lms_live_sessions.presence import record_join, record_leave, snapshot
from lms_live_sessions.service import change_status

log = logging.getLogger("lms.live")

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_ENDED = 4410
CLOSE_LAGGING = 4429

MAX_INCOMING_CHARS = 4096
QUEUE_SIZE = 256
COMMANDS = {"start": SessionStatus.LIVE, "end": SessionStatus.ENDED}


def error_frame(principal: Principal | None, code: str, vi: str, en: str) -> str:
    locale = principal.locale if principal is not None else "vi"
    return reply("error", code=code, message=en if locale == "en" else vi,
                 message_vi=vi, message_en=en)


async def live_socket(websocket: WebSocket) -> None:
    await websocket.accept()
    principal: Principal | None = websocket.scope.get("principal")
    if principal is None:
        await _refuse(websocket, None, CLOSE_UNAUTHENTICATED, "unauthenticated",
                      "Bạn cần đăng nhập.", "You need to log in.")
        return
    if not _same_origin(websocket):
        await _refuse(websocket, principal, CLOSE_FORBIDDEN, "origin",
                      "Kết nối từ trang khác bị từ chối.", "Cross-site connection refused.")
        return
    session_id = websocket.path_params["session_id"]
    session = None
    if 0 < session_id <= 2**31 - 1:
        session = await LiveSession.get_or_none(id=session_id,
                                                institution_id=principal.institution_id)
    if session is None:
        await _refuse(websocket, principal, CLOSE_NOT_FOUND, "not_found",
                      "Không tìm thấy phiên học.", "Session not found.")
        return
    role = await join_role(principal, session)
    if role is None:
        await _refuse(websocket, principal, CLOSE_FORBIDDEN, "forbidden",
                      NOT_IN_CLASS_VI, NOT_IN_CLASS_EN)
        return
    if session.status == SessionStatus.ENDED:
        await _refuse(websocket, principal, CLOSE_ENDED, "ended",
                      "Phiên học đã kết thúc.", "The session has ended.")
        return
    await LiveConnection(websocket, principal, session, role).run()


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
    """One socket: a reader for what the client sends, a forwarder for the session's channel,
    one lock so the two never interleave frames."""

    def __init__(self, websocket: WebSocket, principal: Principal, session: LiveSession,
                 role: str) -> None:
        self.ws = websocket
        self.principal = principal
        self.session_id = session.id
        self.role = role
        self.broker = runtime(websocket).broker
        self._send_lock = asyncio.Lock()

    async def send(self, text: str) -> None:
        async with self._send_lock:
            await self.ws.send_text(text)

    async def run(self) -> None:
        # Subscribe before joining and before the snapshot, so nothing published in between
        # is lost; the forwarder skips what the snapshot already contains.
        sub = None
        joined = False
        tasks: list[asyncio.Task[Any]] = []
        try:
            sub = await self.broker.subscribe(channel(self.session_id), maxsize=QUEUE_SIZE)
            await record_join(self.broker, self.session_id, self.principal.user_id,
                              self.principal.full_name)
            joined = True
            seq, state = await snapshot(self.session_id, {
                "user_id": self.principal.user_id, "role": self.role,
                "can_run": self.role == RUNNER})
            await self.send(state.decode())
            tasks = [asyncio.create_task(self._read()),
                     asyncio.create_task(self._forward(sub, seq))]
            done, _pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                if not task.cancelled() and task.exception() is not None:
                    _log_unexpected(task.exception())
        except Exception as exc:
            _log_unexpected(exc)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if sub is not None:
                await sub.close()
            if joined:
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

    async def _forward(self, sub: Any, after_seq: int) -> None:
        while True:
            message = await sub.get()
            if sub.overflowed:
                await self.send(error_frame(
                    self.principal, "lagging", "Kết nối quá chậm, đang kết nối lại.",
                    "The connection fell behind, reconnecting."))
                await self.ws.close(CLOSE_LAGGING, "lagging")
                return
            if seq_of(message) > after_seq:
                await self.send(message.decode())

    async def handle(self, text: str) -> None:
        if len(text) > MAX_INCOMING_CHARS:
            await self._error("too_large", "Tin nhắn quá dài.", "Message too large.")
            return
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested too deep
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
        elif kind in COMMANDS:
            await self._command(kind)
        else:
            await self._error("unknown_type", f"Không hiểu loại tin nhắn \"{kind[:40]}\".",
                              f"Unknown message type \"{kind[:40]}\".")

    async def _command(self, kind: str) -> None:
        if self.role != RUNNER:
            await self._error("forbidden", "Chỉ giảng viên của lớp mới bắt đầu hoặc kết thúc "
                                           "được phiên học.",
                              "Only the class's lecturers can start or end the session.")
            return
        try:
            await change_status(self.broker, self.session_id, COMMANDS[kind])
        except Problem as problem:
            await self._error("conflict", problem.detail, problem.detail_en)

    async def _error(self, code: str, vi: str, en: str) -> None:
        await self.send(error_frame(self.principal, code, vi, en))


def _log_unexpected(exc: BaseException) -> None:
    """A client that vanishes mid-send is ordinary; anything else deserves a trace."""
    if isinstance(exc, (WebSocketDisconnect, ConnectionError, asyncio.CancelledError)):
        return
    if isinstance(exc, RuntimeError) and "close" in str(exc).lower():
        return
    log.error("live socket failed", exc_info=exc)
