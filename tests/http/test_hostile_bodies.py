"""Bodies no switch sends, on every endpoint that reads JSON: refused in the API's JSON error
shape (400), never a 500, never a traceback on the log; and a token is asked for first."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
from datetime import UTC, datetime

import pytest

from rules_engine.engine import Engine
from rules_engine.http import create_app
from rules_engine.http.access_log import AccessLog
from rules_engine.http.bodies import MAX_DEPTH, depth
from rules_engine.http.protocol import GONE
from tests.http.conftest import ADMIN, TOKENS, TestClient, bearer
from tests.support import CONFIGS

JSON_ENDPOINTS = [
    ("POST", "/v1/decide"),
    ("POST", "/v1/decide/sip"),
    ("POST", "/v1/decide/sip/summary"),
    ("PUT", "/v1/clients/acme_plumbing/status"),
    ("POST", "/v1/clients/acme_plumbing/overrides"),
    ("POST", "/v1/calls/some-call/outcome"),
    ("POST", "/v1/calls/some-call/escalation"),
]
HOSTILE = {
    "nested 5,000 deep": b"[" * 5000 + b"]" * 5000,
    "objects nested 5,000 deep": b'{"a":' * 5000 + b"1" + b"}" * 5000,
    "a 5,000-digit integer": b'{"at": ' + b"7" * 5000 + b"}",
    "a negative 5,000-digit integer": b'{"waited_seconds": -' + b"7" * 5000 + b"}",
    "a float past the range": b'{"waited_seconds": 1e999}',
    "NaN": b'{"waited_seconds": NaN}',
    "-Infinity": b'{"csat": -Infinity}',
}


@pytest.fixture(scope="module")
def refusing(tmp_path_factory):
    """The service with the tokens of `TOKENS`, one for the module's seventy refused requests:
    a refusal changes nothing, so they need not each compile the example clients anew (as
    `client` does, a second or more each on 2 cores)."""
    folder = tmp_path_factory.mktemp("refusing")
    shutil.copytree(CONFIGS, folder / "rules")
    log = AccessLog(folder / "requests.log")
    with Engine(folder / "rules") as engine, TestClient(create_app(engine, TOKENS, log=log)) as client:
        yield client
    log.close()


@pytest.mark.parametrize("method, path", JSON_ENDPOINTS)
@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_json_is_a_400_in_the_error_shape(refusing, caplog, method, path, name):
    with caplog.at_level(logging.DEBUG):
        response = refusing.request(
            method, path, content=HOSTILE[name], headers={**bearer(ADMIN), "Content-Type": "application/json"}
        )
    assert response.status_code == 400, response.text
    assert set(response.json()["error"]) == {"field", "message", "hint"}
    assert "Traceback" not in caplog.text and not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_refusals_say_which_limit(client):
    def message(body: bytes) -> str:
        answer = client.post("/v1/decide", content=body, headers={**bearer(ADMIN), "Content-Type": "application/json"})
        return answer.json()["error"]["message"]

    assert message(HOSTILE["nested 5,000 deep"]) == f"the body nests arrays and objects more than {MAX_DEPTH} deep"
    assert message(HOSTILE["a 5,000-digit integer"]) == "the body is refused: a number has more than 40 digits"
    assert message(HOSTILE["NaN"]) == "the body is refused: NaN is not a number JSON allows"


def test_brackets_inside_strings_do_not_count_as_nesting(client):
    said = "[{" * 40
    body = {"client": "acme_plumbing", "at": "2026-11-28T23:15:00-06:00", "forwarded": "busy", "said": said}
    assert client.post("/v1/decide", json=body, headers=bearer(ADMIN)).status_code == 200
    assert depth(b'["\\"' + b"[" * 40 + b'", [[1]]]') == 3


def test_nesting_at_the_limit_is_parsed(client):
    body = b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
    answer = client.post("/v1/decide", content=body, headers={**bearer(ADMIN), "Content-Type": "application/json"})
    assert answer.json()["error"]["message"] == "the body must be a JSON object: a call"


@pytest.mark.parametrize("method, path", JSON_ENDPOINTS)
@pytest.mark.parametrize("body", [b"not json", HOSTILE["nested 5,000 deep"], b'{"step": "x"}'])
def test_without_a_token_the_answer_is_401_whatever_the_body(refusing, method, path, body):
    response = refusing.request(method, path, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 401
    assert response.json()["error"]["field"] == "Authorization"


def test_a_call_at_now_is_decided_now(client):
    body = {"client": "acme_plumbing", "at": "now", "forwarded": "busy"}
    before = datetime.now(UTC)
    response = client.post("/v1/decide", json=body, headers=bearer(ADMIN))
    assert response.status_code == 200, response.text
    assert before <= datetime.fromisoformat(response.json()["at"]) <= datetime.now(UTC)


def test_nothing_is_decided_for_a_client_that_left_while_queued(served_engine, monkeypatch):
    """The request arrived whole, but by the time its turn came the switch had given up (and
    asked another instance): deciding it would log the call twice."""
    decided = []
    monkeypatch.setattr(served_engine, "decide", lambda *args: decided.append(args))
    app = create_app(served_engine, log=AccessLog(os.devnull))
    body = json.dumps({"client": "acme_plumbing", "at": "now"}).encode()
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent = []

    async def receive():
        return messages.pop(0) if messages else await asyncio.Event().wait()

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "path": "/v1/decide",
        "raw_path": b"/v1/decide",
        "query_string": b"",
        "root_path": "",
        "scheme": "http",
        "server": ("127.0.0.1", 8080),
        "client": ("127.0.0.1", 5000),
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        GONE: lambda: True,  # what the connection says once the client has closed it
    }
    asyncio.run(app(scope, receive, send))
    assert decided == []
    assert sent[0]["status"] == 499
