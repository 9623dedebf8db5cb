"""Reading a request body with a size cap, and handing the buffered body on to the app.

Used where a body must be looked at before the handler (CSRF token in a urlencoded form) or must
be refused before it is spooled to disk (uploads)."""

from __future__ import annotations

from starlette.types import Message, Receive


async def read_capped(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None as soon as it grows past ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def replay(body: bytes) -> Receive:
    """A ``receive`` that yields the buffered body once, then a disconnect."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive
