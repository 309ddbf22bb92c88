"""`GET /v1/calls/{call_id}`: the decision logged for a call, from a file or PostgreSQL, with its
script's steps in full; 404 in the API's error shape when unknown; scopes decide, read, admin,
or the portal of the call's own client."""

from __future__ import annotations

import pytest

from rules_engine.engine import Engine
from rules_engine.http import create_app
from rules_engine.http.access_log import AccessLog
from rules_engine.runtime.settings import Token
from tests.http.conftest import ACME_PORTAL, ADMIN, METRICS, SWITCH, TOKENS, TestClient, bearer

CALL = {
    "client": "acme_plumbing",
    "at": "2026-11-28T23:15:00-06:00",
    "forwarded": "busy",
    "answers": {"type": "burst_pipe"},
}
DESK = "agent-desk-0123456789abcdef"
HALE_PORTAL = "hale-portal-0123456789abcdef"
MORE_TOKENS = (
    *TOKENS,
    Token(name="desk", token=DESK, scopes=("read",)),
    Token(name="hale-portal", token=HALE_PORTAL, scopes=("portal:hale_law",)),
)


def served(rules, tmp_path, decision_log):
    engine = Engine.from_settings(rules=rules, decision_log=decision_log)
    return engine, TestClient(create_app(engine, MORE_TOKENS, log=AccessLog(tmp_path / "requests.log")))


def check_logged_decision(http) -> None:
    decided = http.post("/v1/decide", json=CALL, headers={**bearer(SWITCH), "X-Call-Id": "sip-1@carrier"})
    answer = http.get("/v1/calls/sip-1@carrier", headers=bearer(DESK))
    assert answer.status_code == 200, answer.text
    logged = answer.json()
    assert (logged["call_id"], logged["client"], logged["call"]["answers"]) == (
        "sip-1@carrier",
        "acme_plumbing",
        {"type": "burst_pipe"},
    )
    decision = decided.json()
    assert logged["decision"]["greeting"] == decision["greeting"]
    assert logged["decision"]["route"] == decision["route"]
    assert logged["decision"]["script"]["steps"] == [
        {key: value for key, value in step.items() if value not in (None, False, [])}
        for step in decision["script"]["steps"]
    ]


def test_the_logged_decision_of_a_call_from_a_file(rules, tmp_path):
    engine, http = served(rules, tmp_path, tmp_path / "decisions.jsonl")
    with engine, http:
        check_logged_decision(http)


def test_the_logged_decision_of_a_call_from_postgresql(rules, tmp_path, postgres_url):
    engine, http = served(rules, tmp_path, postgres_url)
    with engine, http:
        check_logged_decision(http)


def test_an_unknown_call_is_a_404_naming_it(rules, tmp_path):
    engine, http = served(rules, tmp_path, tmp_path / "decisions.jsonl")
    with engine, http:
        answer = http.get("/v1/calls/nobody-called", headers=bearer(SWITCH))
    assert answer.status_code == 404
    assert answer.json()["error"] == {
        "field": "call_id",
        "message": "no decision is logged under the call id `nobody-called`",
        "hint": None,
    }


def test_without_a_decision_log_the_answer_says_so(client):
    answer = client.get("/v1/calls/sip-1@carrier", headers=bearer(ADMIN))
    assert answer.status_code == 404
    assert answer.json()["error"]["message"] == "this service keeps no decision log (`decision_log:` in its settings)"


@pytest.mark.parametrize(
    "token, status",
    [(None, 401), (METRICS, 403), (SWITCH, 200), (DESK, 200), (ADMIN, 200), (ACME_PORTAL, 200), (HALE_PORTAL, 404)],
)
def test_who_may_read_a_call(rules, tmp_path, token, status):
    engine, http = served(rules, tmp_path, tmp_path / "decisions.jsonl")
    with engine, http:
        http.post("/v1/decide", json=CALL, headers={**bearer(SWITCH), "X-Call-Id": "sip-2@carrier"})
        answer = http.get("/v1/calls/sip-2@carrier", headers=bearer(token) if token else {})
    assert answer.status_code == status, answer.text
