"""uvicorn's websocket protocol, lean: the `websockets` library's sans-I/O ``ServerProtocol`` does
the protocol, this class carries it between uvicorn's transport and the ASGI app.

Why not uvicorn's own ``websockets-sansio`` class: a live class of 10,000 phones holds 10,000
idle sockets, and that class costs ~14 KiB of Python objects for each one before the app adds
anything (measured with tracemalloc, docs/performance.md): an instance ``__dict__`` of some fifty
attributes, an ``asyncio.Queue`` (three deques and an Event) and another Event, and the parsed
handshake request and response kept for the socket's whole life. Here the instance has slots,
what every socket of a server shares (config, app, logger, ping settings) lives once in
``_Shared``, the inbox is a list made when a message has to wait, a paused transport is waited
for with a future made only then, and the handshake's request and response are dropped once
it is answered. Behaviour is uvicorn's: the same ASGI messages, the ``websocket.http.response``
extension, keepalive pings with a timeout, the closing handshake, ``shutdown``'s 1012.

One addition, an ASGI extension ``lms.websocket.prepared``: an object whose ``write(frame)``
writes an already framed server message (``prepare_text``) straight to the transport when the
socket can take it now, and says False when it cannot (paused, closing, compression on). A
session's broadcast is framed once and written to every socket, as the `websockets` server's
``broadcast()`` does, instead of going through an ASGI ``send`` per socket: 10,000 coroutine
chains per frame were most of the live delivery time. Apps fall back to ``send`` when the
extension is absent (another server, the test client) or says False.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import struct
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

from websockets.datastructures import Headers
from websockets.exceptions import InvalidState
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory
from websockets.frames import Frame, Opcode
from websockets.http11 import Request, Response
from websockets.protocol import Protocol, State
from websockets.server import ServerProtocol
from websockets.streams import StreamReader

from uvicorn.protocols.utils import ClientDisconnected as _Disconnected
from uvicorn.protocols.utils import get_local_addr, get_remote_addr, is_ssl

#: The ASGI extension offering ``write(frame) -> bool`` (see the module's docstring).
PREPARED = "lms.websocket.prepared"
#: Seconds the peer has to answer our close frame before the transport is closed.
CLOSE_TIMEOUT = 10.0

log = logging.getLogger("uvicorn.error")


def prepare_text(payload: bytes) -> bytes:
    """A text message framed as a server sends it (unmasked, no extension), to be written as
    is to every socket whose ``PREPARED.write`` accepts it."""
    return Frame(Opcode.TEXT, payload).serialize(mask=False)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _between_frames(parser: Any) -> bool:
    """Whether the library's parser waits at the start of a frame (``StreamReader.at_eof``),
    not inside one whose first bytes it already took (a client that sent part of a frame
    before our 101, against the RFC, but possible while the app authenticates)."""
    inner = parser
    while getattr(inner, "gi_yieldfrom", None) is not None:
        inner = inner.gi_yieldfrom
    return getattr(inner, "gi_code", None) is StreamReader.at_eof.__code__


class _Shared:
    """What every socket of one server has in common, read once from uvicorn's config."""

    __slots__ = ("app", "loop", "root_path", "asgi_version", "app_state", "connections",
                 "tasks", "default_headers", "ping_interval", "ping_timeout", "max_size",
                 "deflate")

    def __init__(self, config: Any, server_state: Any, app_state: dict[str, Any],
                 loop: asyncio.AbstractEventLoop) -> None:
        if not config.loaded:
            config.load()  # pragma: no cover - uvicorn loads it before serving
        self.app = config.loaded_app
        self.loop = loop
        self.root_path = config.root_path
        self.asgi_version = config.asgi_version
        self.app_state = app_state
        self.connections = server_state.connections
        self.tasks = server_state.tasks
        self.default_headers = server_state.default_headers
        self.ping_interval = config.ws_ping_interval
        self.ping_timeout = config.ws_ping_timeout
        self.max_size = config.ws_max_size
        self.deflate = config.ws_per_message_deflate


def _shared(config: Any, server_state: Any, app_state: dict[str, Any],
            loop: asyncio.AbstractEventLoop) -> _Shared:
    found = getattr(server_state, "_lms_ws_shared", None)
    if found is None or found.loop is not loop or found.app_state is not app_state:
        found = _Shared(config, server_state, app_state, loop)
        server_state._lms_ws_shared = found
    return found


class LeanWebSocketProtocol(asyncio.Protocol):
    """Give uvicorn ``--ws lms_core.http.ws_protocol:LeanWebSocketProtocol`` (``lms serve``
    does)."""

    __slots__ = ("s", "transport", "conn", "scope", "request", "response", "handshake_started",
                 "handshake_complete", "close_sent", "disconnected",
                 "initial_response", "close_timer", "read_paused", "paused", "drained",
                 "inbox", "waiter", "ping_timer", "pong_timer", "ping_payload", "ping_sent_at",
                 "ping_rtt", "fragments", "fragment_text", "__weakref__")

    def __init__(self, config: Any, server_state: Any, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.s = _shared(config, server_state, app_state, _loop or asyncio.get_event_loop())
        extensions = []
        if self.s.deflate:
            extensions = [ServerPerMessageDeflateFactory(
                server_max_window_bits=12, client_max_window_bits=12,
                compress_settings={"memLevel": 5})]
        self.conn = ServerProtocol(extensions=extensions, max_size=self.s.max_size,
                                   logger=log)
        self.transport: asyncio.Transport = None  # type: ignore[assignment]
        self.scope: dict[str, Any] | None = None
        self.request: Request | None = None
        self.response: Response | None = None
        self.handshake_started = self.handshake_complete = False
        self.close_sent = self.disconnected = False
        self.initial_response: tuple[int, list[tuple[str, str]], bytes] | None = None
        self.close_timer: asyncio.TimerHandle | None = None
        self.read_paused = self.paused = False
        #: Made by a send that finds the transport paused; resolved when it resumes.
        self.drained: asyncio.Future[None] | None = None
        #: Messages the app has not received yet (None while there are none).
        self.inbox: list[dict[str, Any]] | None = None
        #: The app's ``receive`` waiting for the next message.
        self.waiter: asyncio.Future[dict[str, Any]] | None = None
        self.ping_timer: asyncio.TimerHandle | None = None
        self.pong_timer: asyncio.TimerHandle | None = None
        self.ping_payload: bytes | None = None
        self.ping_sent_at = self.ping_rtt = 0.0
        self.fragments: list[bytes] | None = None
        self.fragment_text = False

    # --- transport events -------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.s.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_keepalive()
        code = 1005 if self.handshake_complete and self.initial_response is None else 1006
        self._deliver({"type": "websocket.disconnect", "code": code})
        self.s.connections.discard(self)
        self.handshake_complete = self.disconnected = True
        self._wake_senders()  # a transport lost while paused never resumes
        if self.close_timer is not None:
            self.close_timer.cancel()
            self.close_timer = None
        if exc is None:
            self.transport.close()

    def eof_received(self) -> None:
        pass

    def pause_writing(self) -> None:
        self.paused = True

    def resume_writing(self) -> None:
        self.paused = False
        self._wake_senders()

    def _wake_senders(self) -> None:
        drained, self.drained = self.drained, None
        if drained is not None and not drained.done():
            drained.set_result(None)

    def shutdown(self) -> None:
        """uvicorn stopping: 1012 (service restart) to an open socket, 500 to a handshake."""
        self._stop_keepalive()
        if self.close_sent:
            if self.close_timer is not None:
                self.close_timer.cancel()
                self.close_timer = None
            self.transport.close()
            return
        if self.handshake_complete and self.initial_response is None:
            self._deliver({"type": "websocket.disconnect", "code": 1012})
            self.conn.send_close(1012)
            self._flush()
        else:
            self._send_500()
        self.transport.close()

    def data_received(self, data: bytes) -> None:
        conn = self.conn
        conn.receive_data(data)
        if conn.parser_exc is not None:  # pragma: no cover - a frame the library refuses
            self._parser_failed()
            return
        if conn.handshake_exc is not None and not self.handshake_started:
            self._bad_handshake()
            return
        for event in conn.events_received():
            if isinstance(event, Request):
                self._connect(event)
            elif isinstance(event, Frame):
                self._frame(event)

    # --- incoming -----------------------------------------------------------------------------

    def _connect(self, request: Request) -> None:
        self.request = request
        self.response = response = self.conn.accept(request)
        self.handshake_started = True
        if response.status_code != 101:
            self.handshake_complete = self.close_sent = True
            self.conn.send_response(response)
            self._flush()
            self.transport.close()
            return
        raw_path, _, query = request.path.partition("?")
        subprotocols = [token.strip() for header in
                        request.headers.get_all("Sec-WebSocket-Protocol")
                        for token in header.split(",")]
        s = self.s
        self.scope = {
            "type": "websocket",
            "asgi": {"version": s.asgi_version, "spec_version": "2.4"},
            "http_version": "1.1",
            "scheme": "wss" if is_ssl(self.transport) else "ws",
            "server": get_local_addr(self.transport),
            "client": get_remote_addr(self.transport),
            "root_path": s.root_path,
            "path": s.root_path + unquote(raw_path),
            "raw_path": s.root_path.encode("ascii") + raw_path.encode("ascii"),
            "query_string": query.encode("ascii"),
            "headers": [(k.encode("ascii"), v.encode("latin-1"))
                        for k, v in request.headers.raw_items()],
            "subprotocols": subprotocols,
            "state": s.app_state.copy(),
            "extensions": {"websocket.http.response": {}, PREPARED: self},
        }
        self._deliver({"type": "websocket.connect"})
        task = s.loop.create_task(self._run_asgi())
        s.tasks.add(task)
        task.add_done_callback(s.tasks.discard)

    def _frame(self, frame: Frame) -> None:
        opcode = frame.opcode
        if opcode is Opcode.TEXT or opcode is Opcode.BINARY:
            self.fragment_text = opcode is Opcode.TEXT
            if frame.fin:
                self._received(frame.data)
            else:
                self.fragments = [frame.data]
        elif opcode is Opcode.CONT:
            if self.fragments is None:  # pragma: no cover - the library refuses this
                return
            self.fragments.append(frame.data)
            if frame.fin:
                data, self.fragments = b"".join(self.fragments), None
                self._received(data)
        elif opcode is Opcode.PING:
            self._flush()  # the library queued the pong
        elif opcode is Opcode.PONG:
            self._pong(frame)
        elif opcode is Opcode.CLOSE:
            self._close_received()

    def _received(self, data: bytes | bytearray | memoryview) -> None:
        if self.close_sent:
            return  # past websocket.close: read on until the peer's close reply
        if self.fragment_text:
            try:
                message: dict[str, Any] = {"type": "websocket.receive",
                                           "text": bytes(data).decode()}
            except UnicodeDecodeError:
                log.error("Invalid UTF-8 sequence received from client.")
                self.conn.send_close(1007)
                self._parser_failed()
                return
        else:
            message = {"type": "websocket.receive", "bytes": bytes(data)}
        self._deliver(message)
        if not self.read_paused:  # one message at a time, as uvicorn does
            self.read_paused = True
            self.transport.pause_reading()

    def _close_received(self) -> None:
        if self.close_sent:
            if self.close_timer is not None:  # the peer answered our close: done
                self.close_timer.cancel()
                self.close_timer = None
                self.transport.close()
            return
        if not self.transport.is_closing():
            close = self.conn.close_rcvd
            self._deliver({"type": "websocket.disconnect",
                           "code": close.code if close else 1005,
                           "reason": close.reason if close else ""})
            self._flush()
            self.transport.close()

    def _parser_failed(self) -> None:
        close = self.conn.close_sent
        self._deliver({"type": "websocket.disconnect", "code": close.code if close else 1006,
                       "reason": close.reason if close else ""})
        self._flush()
        self.close_sent = True
        self.transport.close()

    def _bad_handshake(self) -> None:
        self.handshake_complete = self.close_sent = True
        output = b"".join(self.conn.data_to_send())
        if not output:
            output = self.conn.reject(
                400, "Failed to open a WebSocket connection: invalid request.\n").serialize()
        self.transport.write(output)
        self.transport.close()

    # --- keepalive ----------------------------------------------------------------------------

    def _start_keepalive(self) -> None:
        if self.s.ping_interval:
            self._schedule_ping()

    def _stop_keepalive(self) -> None:
        for timer in (self.ping_timer, self.pong_timer):
            if timer is not None:
                timer.cancel()
        self.ping_timer = self.pong_timer = self.ping_payload = None

    def _schedule_ping(self) -> None:
        delay = max(0.0, self.s.ping_interval - self.ping_rtt)
        self.ping_timer = self.s.loop.call_later(delay, self._ping)

    def _ping(self) -> None:
        self.ping_timer = None
        if self.close_sent or self.transport.is_closing():
            return
        self.ping_payload = struct.pack("!I", random.getrandbits(32))
        self.ping_sent_at = self.s.loop.time()
        self.conn.send_ping(self.ping_payload)
        self._flush()
        if self.s.ping_timeout is not None:
            self.pong_timer = self.s.loop.call_later(self.s.ping_timeout, self._pong_missing)
        else:
            self._schedule_ping()

    def _pong(self, frame: Frame) -> None:
        if self.ping_payload is None or bytes(frame.data) != self.ping_payload:
            return  # unsolicited, or the answer to an older ping
        self.ping_rtt = self.s.loop.time() - self.ping_sent_at
        self.ping_payload = None
        if self.pong_timer is not None:
            self.pong_timer.cancel()
            self.pong_timer = None
            self._schedule_ping()

    def _pong_missing(self) -> None:
        self.pong_timer = self.ping_payload = None
        if self.close_sent or self.transport.is_closing():
            return
        self.conn.fail(1011, "keepalive ping timeout")
        self._flush()
        self.close_sent = True
        self.transport.close()

    # --- the ASGI side -----------------------------------------------------------------------

    async def _run_asgi(self) -> None:
        try:
            result = await self.s.app(self.scope, self.receive, self.send)
        except _Disconnected:
            pass
        except BaseException:
            log.exception("Exception in ASGI application\n")
            self._send_500()
        else:
            if not self.handshake_complete:
                log.error("ASGI callable returned without completing handshake.")
                self._send_500()
            elif result is not None:
                log.error("ASGI callable should return None, but returned '%s'.", result)
        if self.close_timer is None:
            self.transport.close()

    def _deliver(self, message: dict[str, Any]) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            self.waiter = None
            waiter.set_result(message)
        elif self.inbox is None:
            self.inbox = [message]
        else:
            self.inbox.append(message)

    async def receive(self) -> dict[str, Any]:
        inbox = self.inbox
        if inbox:
            message = inbox.pop(0)
            if not inbox:
                self.inbox = None
        else:
            if self.waiter is not None and not self.waiter.done():
                raise RuntimeError("another task is already receiving on this websocket")
            waiter = self.waiter = self.s.loop.create_future()
            try:
                message = await waiter
            except asyncio.CancelledError:
                # cancelled after the message was handed over, before this task ran on:
                # it goes back first in line rather than being lost (as a queue keeps it)
                if waiter.done() and not waiter.cancelled():
                    self.inbox = [waiter.result(), *(self.inbox or ())]
                raise
            finally:
                if self.waiter is waiter:
                    self.waiter = None
        if self.read_paused and not self.inbox:
            self.read_paused = False
            self.transport.resume_reading()
        return message

    async def send(self, message: dict[str, Any]) -> None:
        while self.paused and not self.disconnected:
            if self.drained is None:
                self.drained = self.s.loop.create_future()
            await asyncio.shield(self.drained)  # one sender's cancel is not the others'
        if self.disconnected:
            raise _Disconnected()
        kind = message["type"]
        if not self.handshake_complete and self.initial_response is None:
            self._send_handshake(kind, message)
        elif not self.close_sent and self.initial_response is None:
            try:
                if kind == "websocket.send":
                    data = message.get("bytes")
                    if data is not None:
                        self.conn.send_binary(data)
                    else:
                        text = message.get("text")
                        if text is not None:
                            self.conn.send_text(text.encode())
                    self._flush()
                elif kind == "websocket.close":
                    self._send_close(message)
                else:
                    raise RuntimeError("Expected ASGI message 'websocket.send' or "
                                       f"'websocket.close', but got '{kind}'.")
            except InvalidState:
                raise _Disconnected() from None
        elif self.initial_response is not None:
            self._send_http_body(kind, message)
        else:
            raise RuntimeError(f"Unexpected ASGI message '{kind}', after sending "
                               "'websocket.close'.")

    def _send_handshake(self, kind: str, message: dict[str, Any]) -> None:
        response = self.response
        assert response is not None and self.scope is not None
        if kind == "websocket.accept":
            log.info('%s - "WebSocket %s" [accepted]', _client(self.scope), _path(self.scope))
            del response.headers["Date"]
            for name, value in (*self.s.default_headers, *message.get("headers", ())):
                response.headers[name.decode("latin-1").lower()] = value.decode("latin-1")
            if message.get("subprotocol"):
                response.headers["Sec-WebSocket-Protocol"] = message["subprotocol"]
            if not self.transport.is_closing():
                self.handshake_complete = True
                self.conn.send_response(response)
                self._flush()
                self._start_keepalive()
                self._forget_handshake()
            self.request = self.response = None  # a socket lives long; the handshake is done
        elif kind == "websocket.close":
            self._deliver({"type": "websocket.disconnect", "code": 1006})
            log.info('%s - "WebSocket %s" 403', _client(self.scope), _path(self.scope))
            self.conn.send_response(self.conn.reject(HTTPStatus.FORBIDDEN, ""))
            self.close_sent = self.handshake_complete = True
            self._flush()
            self.transport.close()
            self.request = self.response = None
        elif kind == "websocket.http.response.start":
            status = message["status"]
            if not 100 <= status < 600:
                raise RuntimeError("Invalid HTTP status code '%d' in response." % status)
            log.info('%s - "WebSocket %s" %d', _client(self.scope), _path(self.scope), status)
            headers = [(n.decode("latin-1"), v.decode("latin-1"))
                       for n, v in message.get("headers", ())]
            self.initial_response = (status, headers, b"")
            self.handshake_complete = True
        else:
            raise RuntimeError("Expected ASGI message 'websocket.accept', 'websocket.close' or "
                               f"'websocket.http.response.start' but got '{kind}'.")

    def _forget_handshake(self) -> None:
        """The library's server parser is a generator that parsed the request and then runs
        the frame parser from inside, so its frame holds the parsed request (~3 KiB of
        headers) as long as the socket lives. Once the 101 is sent, with nothing of the
        peer's waiting to be parsed, the frame parser alone takes over."""
        conn = self.conn
        if conn.state is State.OPEN and not conn.reader.buffer and not conn.reader.eof \
                and _between_frames(conn.parser):
            conn.parser = Protocol.parse(conn)
            next(conn.parser)

    def _send_http_body(self, kind: str, message: dict[str, Any]) -> None:
        if kind != "websocket.http.response.body":
            raise RuntimeError(f"Expected ASGI message 'websocket.http.response.body' but got "
                               f"'{kind}'.")
        status, headers, body = self.initial_response  # type: ignore[misc]
        body += message.get("body", b"")
        self.initial_response = (status, headers, body)
        if message.get("more_body", False):
            return
        response_headers = Headers(headers)
        response_headers.setdefault("Date", email.utils.formatdate(usegmt=True))
        response_headers.setdefault("Connection", "close")
        response_headers.setdefault("Content-Length", str(len(body)))
        response_headers.setdefault("Content-Type", "text/plain; charset=utf-8")
        self._deliver({"type": "websocket.disconnect", "code": 1006})
        self.conn.send_response(Response(status, _phrase(status), response_headers, body))
        self.close_sent = True
        self._flush()
        self.transport.close()
        self.request = self.response = None

    def _send_close(self, message: dict[str, Any]) -> None:
        if self.transport.is_closing():
            return
        code = message.get("code", 1000)
        reason = message.get("reason", "") or ""
        self._deliver({"type": "websocket.disconnect", "code": code, "reason": reason})
        self.conn.send_close(code, reason)
        self._flush()
        self.close_sent = True
        if self.read_paused:
            self.read_paused = False
            self.transport.resume_reading()
        self.close_timer = self.s.loop.call_later(CLOSE_TIMEOUT, self.transport.close)

    def _send_500(self) -> None:
        if self.initial_response or self.handshake_complete:
            return
        self.conn.send_response(self.conn.reject(500, "Internal Server Error"))
        self._flush()

    def _flush(self) -> None:
        output = self.conn.data_to_send()
        if output:
            self.transport.write(b"".join(output))

    # --- the PREPARED extension ---------------------------------------------------------------

    def write(self, frame: bytes) -> bool:
        """Write ``frame`` (from ``prepare_text``) now if the socket can take it at once;
        False, and nothing written, if it cannot (the app then uses ``send``)."""
        if (self.paused or self.close_sent or self.disconnected or not self.handshake_complete
                or self.initial_response is not None or self.conn.extensions
                or self.conn.state is not State.OPEN or self.transport.is_closing()):
            return False
        self.transport.write(frame)
        return True


def _client(scope: dict[str, Any]) -> str:
    client = scope.get("client")
    return "%s:%d" % client if client else ""


def _path(scope: dict[str, Any]) -> str:
    query = scope.get("query_string", b"")
    return scope["path"] + ("?" + query.decode("ascii") if query else "")
