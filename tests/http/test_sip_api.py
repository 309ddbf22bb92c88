"""POST /v1/decide/sip and its switch summary: the same decision as the equivalent call,
from JSON or a form; every malformed SIP input a 400 naming the field, never a 5xx."""

from __future__ import annotations

import pytest

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from tests.decide.test_sip import MALFORMED, first_code

AT = "2026-11-28T23:15:00-06:00"
SERVICE = "sip:+18005550000@answering.example"
BUSY_DIVERSION = "<sip:+13125550100@carrier.example;user=phone>;reason=user-busy;counter=1"


def test_the_sip_decision_is_the_decision_of_the_equivalent_call(open_client, rules):
    facts = {
        "request_uri": SERVICE,
        "from": '"Ann" <sip:+17735550199@carrier.example>;tag=9',
        "diversion": [BUSY_DIVERSION],
        "accept_language": "es-MX, en;q=0.5",
        "at": AT,
        "answers": {"type": "burst_pipe"},
        "call_id": "a84b4c76e66710@carrier",
    }
    response = open_client.post("/v1/decide/sip", json=facts)
    assert response.status_code == 200
    call = Call(
        number="+13125550100",
        at=AT,
        forwarded="busy",
        caller="+17735550199",
        language="es",
        answers={"type": "burst_pipe"},
    )
    with Engine(rules) as engine:
        assert response.content == engine.decide(call, call_id=facts["call_id"]).to_json().encode("utf-8")


def test_a_form_body_as_kamailio_and_twilio_post_it(open_client):
    form = {
        "request_uri": SERVICE,
        "diversion": [BUSY_DIVERSION],
        "history_info": "",
        "at": AT,
        "answers.type": "burst_pipe",
    }
    response = open_client.post("/v1/decide/sip", data=form)
    assert response.status_code == 200, response.text
    decision = response.json()
    assert (decision["client"], decision["greeting"]["id"], decision["urgency"]) == (
        "acme_plumbing",
        "after_hours",
        "emergency",
    )


def test_the_summary_sends_an_ordinary_call_to_an_agent(open_client, served_engine):
    response = open_client.post(
        "/v1/decide/sip/summary",
        json={"request_uri": SERVICE, "diversion": BUSY_DIVERSION, "at": "2026-11-30T10:00:00-06:00"},
    )
    assert response.json() == {
        "action": "agent",
        "transfer_to": "",
        "client": "acme_plumbing",
        "rules_version": served_engine.client("acme_plumbing").rules_version,
        "greeting": "busy",
        "greeting_language": "en",
        "script": "intake",
        "urgency": "",
        "forwarded": "busy",
        "source": "diversion",
    }


def test_the_summary_transfers_when_the_route_is_a_patch_known_on_arrival(open_client, rules):
    (rules / "direct_line.rules").write_text("""client direct_line "Direct Line Co" {
    timezone  "America/Chicago"
    languages en
    numbers   "+13125550300", "+13125550301"
    contact owner "The owner" { call "+13125550399" }
    contact desk  "Front desk" { email "desk@direct.example" }
    greeting default { en "Direct Line Co, how may I help?" }
    route {
        when dialed "+13125550301" -> patch owner, else take message deliver email desk
        otherwise -> take message deliver email desk
    }
}
""")
    open_client.post("/v1/reload")
    direct = open_client.post(
        "/v1/decide/sip/summary", json={"request_uri": "sip:+13125550301@answering.example", "at": AT}
    ).json()
    assert (direct["action"], direct["transfer_to"], direct["forwarded"], direct["source"]) == (
        "transfer",
        "+13125550399",
        "direct",
        "dialled",
    )
    main = open_client.post(
        "/v1/decide/sip/summary", json={"request_uri": "sip:+13125550300@answering.example", "at": AT}
    ).json()
    assert (main["action"], main["transfer_to"], main["script"], main["urgency"]) == ("agent", "", "", "")


def test_an_unknown_client_is_404(open_client):
    response = open_client.post(
        "/v1/decide/sip",
        json={"request_uri": SERVICE, "at": AT, "diversion": "<sip:+19995550100@c.example>;reason=no-answer"},
    )
    assert response.status_code == 404
    assert response.json() == {
        "error": {"field": "number", "message": "no client is served at number +19995550100", "hint": None}
    }


@pytest.mark.parametrize("field, value, why", MALFORMED, ids=[r[2] for r in MALFORMED])
@pytest.mark.parametrize("path", ["/v1/decide/sip", "/v1/decide/sip/summary"])
def test_each_malformed_input_is_a_400_naming_the_field(open_client, path, field, value, why):
    field, value = first_code(field), first_code(value)
    response = open_client.post(path, json={"request_uri": SERVICE, "at": AT, field: value})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == field and error["message"]
    if field in ("diversion", "history_info"):
        assert "sip:+13125550100@carrier.example" in error["hint"]  # a well-formed example


def test_a_malformed_diversion_error_in_full(open_client):
    response = open_client.post(
        "/v1/decide/sip",
        json={"request_uri": SERVICE, "at": AT, "diversion": "<sip:+13125550100@c.example>;reason=on-holiday"},
    )
    assert response.json() == {
        "error": {
            "field": "diversion",
            "message": "the Diversion entry `<sip:+13125550100@c.example>;reason=on-holiday`: unknown forwarding reason "
            "`on-holiday`; use one of always, scheduled, manual, busy, no_answer, unavailable, direct, unknown "
            "or an RFC 5806 reason such as user-busy, no-answer, unconditional",
            "hint": "<sip:+13125550100@carrier.example;user=phone>;reason=user-busy;counter=1",
        }
    }


@pytest.mark.parametrize(
    "body, content_type, status, message",
    [
        (
            b"request_uri=sip%3A%2B1",
            "text/plain",
            415,
            "the body is text/plain; send application/json or application/x-www-form-urlencoded",
        ),
        (b"\xff\xfe=1", "application/x-www-form-urlencoded", 400, "the form is not UTF-8"),
        (b'{"request_uri": 7}', "application/json", 400, "Input should be a valid string"),
    ],
)
def test_bodies_the_service_cannot_read(open_client, body, content_type, status, message):
    response = open_client.post("/v1/decide/sip", content=body, headers={"Content-Type": content_type})
    assert (response.status_code, response.json()["error"]["message"]) == (status, message)
