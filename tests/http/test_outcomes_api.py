"""Outcomes over HTTP: the switch records how a decided call ended and how its escalation went;
the report counts them; every refusal names the field, with the status a switch acts on."""

from __future__ import annotations

from datetime import date

from tests.http.conftest import ACME_PORTAL, SWITCH, bearer

CALL = {
    "client": "acme_plumbing",
    "at": "2026-11-28T23:15:00-06:00",
    "forwarded": "busy",
    "answers": {"type": "burst_pipe"},
}
CALL_ID = "a84b4c76e66710@carrier.example"


def decided(client) -> None:
    response = client.post("/v1/decide", json=CALL, headers={**bearer(SWITCH), "X-Call-Id": CALL_ID})
    assert response.status_code == 200


def test_an_outcome_and_an_escalation_recorded_over_http_are_in_the_report(client, served_engine):
    decided(client)
    escalation = client.post(
        f"/v1/calls/{CALL_ID}/escalation",
        headers=bearer(SWITCH),
        json={
            "step": 1,
            "contact": "bob",
            "method": "call",
            "result": "acknowledged",
            "at": "2026-11-28T23:19:05-06:00",
        },
    )
    assert escalation.status_code == 201
    assert escalation.json() == {
        "call_id": CALL_ID,
        "client": "acme_plumbing",
        "step": 1,
        "contact": "bob",
        "method": "call",
        "result": "acknowledged",
        "at": "2026-11-29T05:19:05+00:00",
    }
    outcome = client.post(
        f"/v1/calls/{CALL_ID}/outcome",
        headers=bearer(SWITCH),
        json={
            "outcome": "answered",
            "at": "2026-11-28T23:21:40-06:00",
            "waited_seconds": 12,
            "handled_seconds": 380,
            "resolved": True,
        },
    )
    assert outcome.status_code == 201
    assert outcome.json() == {
        "call_id": CALL_ID,
        "client": "acme_plumbing",
        "outcome": "answered",
        "at": "2026-11-29T05:21:40+00:00",
        "waited_seconds": 12.0,
        "handled_seconds": 380.0,
        "resolved": True,
        "transferred": None,
        "csat": None,
    }
    report = served_engine.report("acme_plumbing", date(2026, 11, 28), date(2026, 11, 28))
    assert (report["answered"], report["resolved"], report["escalations"]["acknowledged"]) == (1, 1, 1)
    assert report["escalations"]["median_seconds_to_acknowledge"] == 245.0  # 23:15:00 → 23:19:05


def test_an_unknown_call_id_is_a_404(client):
    response = client.post("/v1/calls/never-decided/outcome", headers=bearer(SWITCH), json={"outcome": "missed"})
    assert response.status_code == 404
    assert response.json()["error"] == {
        "field": "call_id",
        "hint": None,
        "message": (
            "no call was decided with the id `never-decided` (outcomes are recorded for calls decided with a call_id)"
        ),
    }


def test_a_second_outcome_is_a_409_and_the_first_is_kept(client, served_engine):
    decided(client)
    first = client.post(
        f"/v1/calls/{CALL_ID}/outcome", headers=bearer(SWITCH), json={"outcome": "abandoned", "waited_seconds": 40}
    )
    assert first.status_code == 201
    again = client.post(f"/v1/calls/{CALL_ID}/outcome", headers=bearer(SWITCH), json={"outcome": "answered"})
    assert again.status_code == 409
    assert again.json()["error"]["message"] == (
        f"call `{CALL_ID}` already has its outcome (abandoned); a call's outcome is final and recorded once"
    )
    assert served_engine.report("acme_plumbing", date(2026, 11, 28), date(2026, 11, 28))["abandoned"] == 1


def test_invalid_values_are_400s_naming_the_field(client):
    decided(client)
    cases = [
        ({"outcome": "answered", "waited_seconds": -3}, "waited_seconds", "must be 0 or more seconds, not -3.0", None),
        (
            {"outcome": "hung up"},
            "outcome",
            "`hung up` is not an outcome; use one of answered, abandoned, missed, failed, dropped",
            None,
        ),
        (
            {"outcome": "answered", "client": "hale_law"},
            "call_id",
            f"call `{CALL_ID}` is a call of another client, not of `hale_law`",
            None,
        ),
        (
            {"outcome": "answered", "extra": 1},
            "extra",
            "is not a field of an outcome (outcome, at, waited_seconds, "
            "handled_seconds, resolved, transferred, csat, client)",
            None,
        ),
    ]
    for body, field, message, hint in cases:
        response = client.post(f"/v1/calls/{CALL_ID}/outcome", headers=bearer(SWITCH), json=body)
        assert response.status_code == 400, body
        assert response.json()["error"] == {"field": field, "message": message, "hint": hint}
    contact = client.post(
        f"/v1/calls/{CALL_ID}/escalation",
        headers=bearer(SWITCH),
        json={"step": 1, "contact": "bobb", "method": "call", "result": "no_answer", "at": "2026-11-28T23:20:00-06:00"},
    )
    assert contact.status_code == 400
    assert contact.json()["error"] == {
        "field": "contact",
        "message": "client `acme_plumbing` has no contact `bobb`",
        "hint": "did you mean `bob`?",
    }


def test_recording_needs_the_scope_decide(client):
    decided(client)
    assert client.post(f"/v1/calls/{CALL_ID}/outcome", json={"outcome": "answered"}).status_code == 401
    portal = client.post(f"/v1/calls/{CALL_ID}/outcome", headers=bearer(ACME_PORTAL), json={"outcome": "answered"})
    assert portal.status_code == 403
    assert portal.json()["error"]["message"] == "the token `acme-portal` does not have the scope `decide` (or admin)"


def test_an_escalation_result_for_a_call_routed_without_escalation_is_refused(client):
    billing = {**CALL, "answers": {"type": "billing"}}
    answer = client.post("/v1/decide", json=billing, headers={**bearer(SWITCH), "X-Call-Id": "billing-call"})
    assert [a["kind"] for a in answer.json()["route"]["actions"]] == ["message"]
    response = client.post(
        "/v1/calls/billing-call/escalation",
        headers=bearer(SWITCH),
        json={"step": 1, "contact": "bob", "method": "call", "result": "acknowledged", "at": CALL["at"]},
    )
    assert response.status_code == 400
    assert response.json()["error"] == {
        "field": "call_id",
        "message": "call `billing-call` had no escalation: rule 5 of `route` (line 79) routed it without `escalate`",
        "hint": None,
    }
