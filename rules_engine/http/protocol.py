"""The HTTP connection as the service runs it: uvicorn's httptools protocol, with a deadline on
reading each request and malformed HTTP answered in the API's JSON error shape.

uvicorn closes an idle keep-alive connection, but nothing bounds a connection that sends its
headers or its body a byte at a time (a slow-loris client holds a connection, and its memory,
for as long as it likes), nor one that connects and sends nothing. Here each request must
arrive whole — headers and body — within `READ_SECONDS` of its first byte (or of the
connection, for the first request); past that the service answers 408 and closes the
connection. The deadline is not touched by data arriving, so trickling bytes does not extend it.

`GET /healthz` is answered by the connection itself, as soon as its headers are parsed: no task,
no middleware, no application, so a liveness probe is answered first and in microseconds even
while hundreds of decisions wait for the event loop (the application's own `/healthz` route is
what the OpenAPI document and in-process clients see; it answers the same).

uvicorn answers bytes that are not HTTP with a plain-text 400 before any application sees the
request; `send_400_response` is its one place for it, and here writes the JSON error body
instead. (The h11 protocol has no such hook; `rules-engine serve` runs httptools.)
"""

from __future__ import annotations

import asyncio
import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

READ_SECONDS = 5.0


def error_bytes(status: str, message: str) -> bytes:
    """A whole HTTP/1.1 response carrying the API's JSON error body, closing the connection."""
    body = json.dumps({"error": {"field": None, "message": message, "hint": None}}).encode("utf-8")
    head = (
        f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


ALIVE_BODY = b'{"status":"ok"}'
ALIVE = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
    + str(len(ALIVE_BODY)).encode("ascii")
    + b"\r\n\r\n"
    + ALIVE_BODY
)
NOT_HTTP = error_bytes("400 Bad Request", "the request is not valid HTTP/1.1")
TOO_SLOW = error_bytes(
    "408 Request Timeout", f"the request did not arrive whole within {READ_SECONDS:g} seconds of its first byte"
)


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a read deadline per request and JSON for bad HTTP."""

    read_seconds = READ_SECONDS
    _deadline: asyncio.TimerHandle | None = None
    _alive = False  # the request being read is a liveness probe, answered here

    def on_headers_complete(self) -> None:
        idle = (self.cycle is None or self.cycle.response_complete) and not self.pipeline
        if idle and self.url.split(b"?")[0] == b"/healthz" and self.parser.get_method() == b"GET":
            self._alive = True  # answered once read whole (a body it may carry is ignored)
            return
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._alive:
            super().on_body(body)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_message_complete(self) -> None:
        self._disarm()
        if self._alive:
            self._alive = False
            self.transport.write(ALIVE)
            self.on_response_complete()
            return
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        self._disarm()
        self.transport.write(NOT_HTTP)
        self.transport.close()

    def _arm(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.read_seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        """The request is still incomplete: 408 unless its answer has begun, then close."""
        self._deadline = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is None or cycle.response_complete or not cycle.response_started:
            self.transport.write(TOO_SLOW)
        self.transport.close()
