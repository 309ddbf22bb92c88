"""Clients a switch never is: slow headers, slow bodies, a silent connection, bytes that are not
HTTP — each closed within seconds, answered in the API's JSON error shape where anything is
answered; and `/healthz` answered by the connection itself while the application is stalled."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time

import pytest
import uvicorn

from rules_engine.http.protocol import READ_SECONDS, GuardedProtocol
from tests.http.test_serve_process import Running
from tests.support import wait_for

CLOSED_WITHIN = READ_SECONDS + 5  # the deadline, and room for a busy machine


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from tests.support import CONFIGS

    running = Running(["--rules", str(CONFIGS)], tmp_path_factory.mktemp("slow"))
    yield running
    running.stop()


def answer_of(port: int, parts: list[bytes], pause: float = 0.0) -> tuple[bytes, float]:
    """Send `parts` (pausing between them while the server keeps the connection open), then read
    until the server closes; what it answered and how long the connection lasted."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=CLOSED_WITHIN + 5) as connection:
        received = b""
        for part in parts:
            try:
                connection.sendall(part)
            except OSError:  # closed by the server meanwhile
                break
            time.sleep(pause)
        while chunk := connection.recv(65536):
            received += chunk
    return received, time.monotonic() - started


def error_of(answer: bytes) -> tuple[int, dict]:
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"content-type: application/json" in head.lower(), head
    return int(head.split(b" ")[1]), json.loads(body)["error"]


def test_slow_headers_are_cut_off_with_a_408(served):
    trickle = [b"POST /v1/decide HTTP/1.1\r\nHost: x\r\n"] + [b"X-Slow: 1\r\n"] * 30
    answer, lasted = answer_of(served.port, trickle, pause=0.5)
    assert lasted < CLOSED_WITHIN
    status, error = error_of(answer)
    assert status == 408 and error["message"].startswith("the request did not arrive whole within")


def test_a_slow_body_is_cut_off_with_a_408(served):
    head = b"POST /v1/decide HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n"
    answer, lasted = answer_of(served.port, [head] + [b" "] * 30, pause=0.5)
    assert lasted < CLOSED_WITHIN
    assert error_of(answer)[0] == 408


def test_a_connection_that_sends_nothing_is_closed(served):
    answer, lasted = answer_of(served.port, [])
    assert lasted < CLOSED_WITHIN and error_of(answer)[0] == 408


def test_bytes_that_are_not_http_get_the_json_error_shape(served):
    answer, _ = answer_of(served.port, [b"\x16\x03\x01 not http at all\r\n\r\n"])
    status, error = error_of(answer)
    assert (status, error) == (400, {"field": None, "message": "the request is not valid HTTP/1.1", "hint": None})


def test_the_service_still_decides_after_the_hostile_clients(served):
    status, body = served.request("POST", "/v1/decide", {"client": "acme_plumbing", "at": "now"})
    assert status == 200, body


def test_healthz_is_answered_while_the_application_is_stalled():
    stalled = asyncio.Event()

    async def app(scope, receive, send):  # every request waits forever
        await stalled.wait()

    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        http=GuardedProtocol,
        lifespan="off",
        log_level="error",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        wait_for(lambda: server.started, "the server")
        with socket.create_connection(("127.0.0.1", port), timeout=5) as blocked:
            blocked.sendall(b"GET /v1/clients HTTP/1.1\r\nHost: x\r\n\r\n")  # waits on the stalled app
            with socket.create_connection(("127.0.0.1", port), timeout=5) as probe:
                probe.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                answer = probe.recv(4096)
                assert answer.startswith(b"HTTP/1.1 200 OK") and answer.endswith(b'{"status":"ok"}')
                probe.sendall(b"GET /healthz?again HTTP/1.1\r\nHost: x\r\n\r\n")  # the connection is kept
                assert probe.recv(4096).endswith(b'{"status":"ok"}')
    finally:
        server.should_exit = True
        thread.join(timeout=10)
