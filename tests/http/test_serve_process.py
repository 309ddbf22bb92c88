"""`rules-engine serve` as an operator runs it: a real process on 127.0.0.1 and an ephemeral
port, SIGHUP reloads and reopens the log, SIGTERM finishes the request in flight and exits."""

from __future__ import annotations

import http.client
import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import client_text, wait_for

RULES_ENGINE = str(Path(sys.executable).parent / "rules-engine")
CALL = {"client": "acme_plumbing", "at": "2026-11-28T23:15:00-06:00", "forwarded": "busy"}


def log_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


class Running:
    def __init__(self, args, tmp_path: Path):
        self.port_file = tmp_path / "port"
        self.log = tmp_path / "requests.log"
        self.process = subprocess.Popen(
            [RULES_ENGINE, "serve", "--port", "0", "--port-file", str(self.port_file), "--log", str(self.log), *args],
            stderr=subprocess.PIPE,
            text=True,
        )
        self.port = int(wait_for(lambda: self.port_file.exists() and self.port_file.read_text().strip(), "the service"))
        wait_for(self.ready, what="/healthz")

    def ready(self) -> bool:
        try:
            return self.request("GET", "/healthz")[0] == 200
        except OSError:
            return False

    def request(self, method: str, path: str, body=None) -> tuple[int, bytes]:
        return self.request_with(method, path, body, {})

    def request_with(self, method: str, path: str, body, headers: dict[str, str]) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(
                method,
                path,
                body=json.dumps(body) if body is not None else None,
                headers={"Content-Type": "application/json", **headers},
            )
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)


@pytest.fixture
def served(tmp_path, rules):
    running = Running(["--rules", str(rules)], tmp_path)
    yield running
    running.stop()


def test_decides_over_http_and_logs_json_lines(served):
    status, body = served.request("POST", "/v1/decide", CALL)
    assert status == 200 and json.loads(body)["client"] == "acme_plumbing"
    lines = wait_for(
        lambda: (found := log_lines(served.log)) and found[-1].get("path") == "/v1/decide" and found,
        what="the request's log line",
    )  # written once the response is sent
    assert lines[0]["event"] == "listening" and lines[0]["port"] == served.port
    assert (lines[-1]["status"], lines[-1]["client"]) == (200, "acme_plumbing")


def test_sighup_reloads_the_rules_and_reopens_the_log(served, rules):
    (rules / "late_client.rules").write_text(client_text("late_client", "Hello"))
    served.log.rename(served.log.with_name("requests.log.1"))  # what logrotate does
    served.process.send_signal(signal.SIGHUP)
    wait_for(lambda: b"late_client" in served.request("GET", "/v1/clients")[1], what="the reload")
    reloads = wait_for(lambda: [r for r in log_lines(served.log) if r.get("event") == "reload"], what="the new log")
    assert reloads[0]["ok"] is True and "added late_client" in reloads[0]["report"]
    assert log_lines(served.log.with_name("requests.log.1"))[0]["event"] == "listening"  # kept where logrotate put it


def test_sigterm_finishes_the_request_in_flight_then_exits(served):
    body = json.dumps(CALL).encode()
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
        sock.sendall(
            b"POST /v1/decide HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body) + body[:10]
        )
        time.sleep(0.2)
        served.process.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        assert served.process.poll() is None  # still draining: the request is not finished
        sock.sendall(body[10:])
        reply = b""
        while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 200")
    assert served.process.wait(timeout=15) == 0
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", served.port), timeout=2).close()


def test_refuses_a_public_address_without_tokens(rules):
    result = subprocess.run(
        [RULES_ENGINE, "serve", "--rules", str(rules), "--host", "0.0.0.0", "--port", "0"],
        check=False,  # the exit status is read below
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("rules-engine serve: refusing to listen on 0.0.0.0 without tokens")
