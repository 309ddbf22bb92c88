"""POST /v1/decide answers `Engine.decide(call).to_json()` byte for byte, and refuses bad
calls with the API's own words."""

from __future__ import annotations

import json
import re

import pytest

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from tests.http.conftest import SWITCH, bearer

CALLS = [
    {
        "client": "acme_plumbing",
        "at": "2026-11-28T23:15:00-06:00",
        "forwarded": "busy",
        "answers": {"type": "burst_pipe"},
    },
    {"number": "+13125550100", "at": "2026-11-30T10:00:00-06:00", "forwarded": "user-busy", "agent": "Sam"},
    {"number": "+13125550101", "at": "2026-11-30T12:15:00-06:00", "forwarded": "no-answer"},
    {"client": "hale_law", "at": "2026-03-29T01:30:00+00:00", "forwarded": "manual", "language": "fr"},
    {"client": "riverside_medical", "at": "2026-12-25T03:00:00-05:00", "said": "chest pain since this morning"},
    {"client": "harbour_vets", "at": "2026-07-04T20:00:00+10:00", "caller": "+61 2 5550 0199", "forwarded": "always"},
]


@pytest.mark.parametrize("call", CALLS, ids=[c.get("client") or c["number"] for c in CALLS])
def test_the_body_is_the_engines_decision_byte_for_byte(open_client, rules, call):
    response = open_client.post("/v1/decide", json=call)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    with Engine(rules) as engine:
        assert response.content == engine.decide(Call(**call)).to_json().encode("utf-8")


@pytest.mark.parametrize(
    "body, status, error",
    [
        (
            {"number": "+19995550100", "at": "2026-11-28T23:15:00-06:00"},
            404,
            {"field": "number", "message": "no client is served at number +19995550100", "hint": None},
        ),
        (
            {"client": "acme_plumbng", "at": "2026-11-28T23:15:00-06:00"},
            404,
            {"field": "client", "message": "no client `acme_plumbng` is served", "hint": None},
        ),
        (
            {"client": "acme_plumbing", "at": "2026-11-28T23:15:00"},
            400,
            {
                "field": "at",
                "message": "2026-11-28T23:15:00 has no time zone offset; give an aware date-time "
                "(e.g. 2026-11-28T23:15:00-06:00)",
                "hint": None,
            },
        ),
        (
            {"client": "acme_plumbing", "at": "2026-11-28T23:15:00-06:00", "forwarded": "sideways"},
            400,
            {
                "field": "forwarded",
                "message": "unknown forwarding reason `sideways`; use one of always, scheduled, manual, "
                "busy, no_answer, unavailable, direct, unknown or an RFC 5806 reason such as "
                "user-busy, no-answer, unconditional",
                "hint": None,
            },
        ),
        (
            {"client": "acme_plumbing", "at": "2026-11-28T23:15:00-06:00", "colour": "red"},
            400,
            {
                "field": "colour",
                "message": "is not a field of a call (client, number, at, forwarded, caller, language, agent, "
                "answers, said)",
                "hint": None,
            },
        ),
        ({"client": "acme_plumbing"}, 400, {"field": "at", "message": "is required", "hint": None}),
        (
            ["client", "acme_plumbing"],
            400,
            {"field": None, "message": "the body must be a JSON object: a call", "hint": None},
        ),
    ],
)
def test_a_bad_call_is_refused_with_the_field_and_the_apis_message(open_client, body, status, error):
    response = open_client.post("/v1/decide", json=body)
    assert response.status_code == status
    assert response.json() == {"error": error}


def test_a_body_that_is_not_json_says_where_it_breaks(open_client):
    response = open_client.post("/v1/decide", content=b'{"client": "acme_plumbing",, }')
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "the body is not JSON: Expecting property name enclosed in double quotes (line 1, column 28)"
    )


def test_an_unknown_endpoint_and_method_answer_in_the_same_json(open_client):
    assert open_client.get("/v1/decides").json() == {
        "error": {"field": None, "message": "no such endpoint; see /openapi.json", "hint": None}
    }
    response = open_client.get("/v1/decide")
    assert (response.status_code, response.json()["error"]["message"]) == (405, "method not allowed on this endpoint")


def test_each_request_writes_one_json_log_line_with_call_id_client_and_version(client, log_path, served_engine):
    call = CALLS[0]
    client.post("/v1/decide", json=call, headers={**bearer(SWITCH), "X-Call-ID": "c-42"})
    client.post("/v1/decide", json={"client": "nobody", "at": call["at"]}, headers=bearer(SWITCH))
    first, second = [json.loads(line) for line in log_path.read_text().splitlines()]
    assert {k: first[k] for k in ("method", "path", "status", "call_id", "client", "rules_version", "token")} == {
        "method": "POST",
        "path": "/v1/decide",
        "status": 200,
        "call_id": "c-42",
        "client": "acme_plumbing",
        "rules_version": served_engine.client("acme_plumbing").rules_version,
        "token": "kamailio",
    }
    assert first["ms"] > 0 and first["ts"].endswith("+00:00")
    assert (second["status"], second["error"]) == (404, "no client `nobody` is served")


def test_the_call_id_reaches_the_decision_log(tmp_path, rules):
    from rules_engine.http import create_app
    from rules_engine.http.access_log import AccessLog
    from tests.http.conftest import TestClient

    log = tmp_path / "decisions.jsonl"
    with (
        Engine.from_settings(rules=rules, decision_log=log) as engine,
        TestClient(create_app(engine, log=AccessLog(tmp_path / "requests.log"))) as http,
    ):
        http.post("/v1/decide", json=CALLS[0], headers={"X-Call-ID": "sip-abc@carrier"})
    assert json.loads(log.read_text().splitlines()[0])["call_id"] == "sip-abc@carrier"


def test_the_readmes_curl_example_is_decided(open_client):
    from tests.docs.test_readme import block_after

    body = re.search(r"-d '(\{.*\})'", block_after("Running the service", "sh")).group(1)
    response = open_client.post("/v1/decide", content=body.encode(), headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    assert (response.json()["greeting"]["id"], response.json()["urgency"]) == ("after_hours", "emergency")
