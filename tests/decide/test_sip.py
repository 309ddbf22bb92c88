"""The SIP normaliser: every row of docs/sip.md's table, the order of diversions, counter,
privacy, the caller and the language."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from rules_engine.decide.sip import SipError, SipFacts, call_from_sip, read_forwarding
from rules_engine.errors import CallError
from tests.support import ROOT

CLIENT = "+13125550100"
SERVICE = "sip:+18005550000@service.example"
AT = "2026-11-28T23:15:00-06:00"


def table_rows(heading: str) -> list[list[str]]:
    """The rows of the first table after `heading` in docs/sip.md, cells without backticks."""
    text = (ROOT / "docs" / "sip.md").read_text(encoding="utf-8").split(heading, 1)[1]
    table: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("|"):
            table.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif table:
            break
    table = table[2:]  # the header and the |---| line
    return table


def first_code(cell: str) -> str:
    return re.search(r"`([^`]*)`", cell).group(1) if "`" in cell else cell


REASON_ROWS = table_rows("## Every value and the reason it becomes")


def facts_for(header: str, value: str) -> SipFacts:
    if header.startswith("Diversion"):
        return SipFacts(request_uri=SERVICE, diversion=f"<sip:{CLIENT}@carrier.example;user=phone>;reason={value}")
    if header.startswith("History-Info"):
        return SipFacts(
            request_uri=SERVICE,
            history_info=f"<sip:{CLIENT}@carrier.example>;index=1, <{SERVICE};cause={value}>;index=1.1",
        )
    if header.startswith("Asterisk"):
        return SipFacts(request_uri=SERVICE, redirecting_reason=value, redirecting_from=CLIENT)
    if header.startswith("Twilio"):
        return SipFacts(request_uri=SERVICE, forwarded_from=value)
    assert header == "none of them"
    return SipFacts(request_uri=f"sip:{CLIENT}@service.example")


def test_the_table_covers_every_rfc_5806_reason_4458_cause_and_asterisk_value():
    values = {(header.split()[0], first_code(value)) for header, value, _ in REASON_ROWS}
    for reason in (
        "unknown",
        "user-busy",
        "no-answer",
        "unavailable",
        "unconditional",
        "time-of-day",
        "do-not-disturb",
        "deflection",
        "follow-me",
        "out-of-service",
        "away",
    ):
        assert ("Diversion", reason) in values
    for cause in ("302", "404", "408", "480", "486", "487", "503"):
        assert ("History-Info", cause) in values
    for reason in (
        "cfu",
        "cfb",
        "cfnr",
        "unavailable",
        "time_of_day",
        "dnd",
        "deflection",
        "follow_me",
        "out_of_order",
        "away",
        "cf_dte",
        "send_to_vm",
        "unknown",
    ):
        assert ("Asterisk", reason) in values


@pytest.mark.parametrize("header, value, forwarded", REASON_ROWS, ids=[f"{r[0]}={r[1]}" for r in REASON_ROWS])
def test_each_row_of_the_table(header, value, forwarded):
    facts = facts_for(header, first_code(value))
    found = read_forwarding(facts)
    assert found.number == CLIENT
    assert found.reason == first_code(forwarded)
    assert call_from_sip(facts, now=datetime(2026, 11, 28, 12, tzinfo=UTC)).forwarded == first_code(forwarded)


MALFORMED = table_rows("## Refused: a 400 naming the field")


@pytest.mark.parametrize("field, value, why", MALFORMED, ids=[r[2] for r in MALFORMED])
def test_each_malformed_input_is_a_sip_error_naming_its_field(field, value, why):
    field, value = first_code(field), first_code(value)
    facts = {"request_uri": SERVICE, field: value}
    with pytest.raises(CallError) as caught:
        call_from_sip(SipFacts(**facts))
    assert caught.value.field == field


def test_the_first_diversion_is_the_last_entry_and_decides_client_and_reason():
    facts = SipFacts(
        request_uri=SERVICE,
        diversion=[
            "<sip:+13125559999@pbx.example>;reason=no-answer;counter=1",
            f'"Acme" <sip:{CLIENT}@carrier.example;user=phone>;reason=unconditional;counter=2;privacy=full',
        ],
    )
    found = read_forwarding(facts)
    assert (found.number, found.reason, found.source, found.diversions) == (CLIENT, "always", "diversion", 3)


def test_diversions_joined_in_one_header_value_read_as_separate_entries():
    facts = SipFacts(
        request_uri=SERVICE,
        diversion='"Desk, front" <sip:+13125559999@pbx.example>;reason=user-busy, '
        "<tel:+1-312-555-0100>;reason=time-of-day",
    )
    assert (read_forwarding(facts).number, read_forwarding(facts).reason) == (CLIENT, "scheduled")


def test_history_info_uses_the_first_retargeting_with_a_cause():
    facts = SipFacts(
        request_uri=SERVICE,
        history_info=[
            f"<sip:{CLIENT}@carrier.example>;index=1",
            "<sip:+13125559999@pbx.example;cause=408?Reason=SIP%3Bcause%3D408>;index=1.1;rc=1",
            f"<{SERVICE};cause=486>;index=1.1.1",
        ],
    )
    found = read_forwarding(facts)
    assert (found.number, found.reason, found.source) == (CLIENT, "no_answer", "history-info")


def test_history_info_without_a_cause_is_a_call_dialled_directly():
    facts = SipFacts(
        request_uri=f"sip:{CLIENT}@service.example", history_info=f"<sip:{CLIENT}@service.example>;index=1"
    )
    found = read_forwarding(facts)
    assert (found.number, found.reason, found.source) == (CLIENT, "direct", "dialled")


def test_asterisk_without_from_number_uses_the_number_dialled():
    facts = SipFacts(request_uri=f"sip:{CLIENT}@pbx.example", redirecting_reason="cfb")
    assert (read_forwarding(facts).number, read_forwarding(facts).reason) == (CLIENT, "busy")


def test_diversion_wins_over_history_info():
    facts = SipFacts(
        request_uri=SERVICE,
        diversion=f"<sip:{CLIENT}@c.example>;reason=user-busy",
        history_info=f"<sip:+13125559999@c.example>;index=1, <{SERVICE};cause=408>;index=1.1",
    )
    assert (read_forwarding(facts).number, read_forwarding(facts).reason) == (CLIENT, "busy")


@pytest.mark.parametrize(
    "sender, privacy, caller",
    [
        ('"Ann" <sip:+17735550199@carrier.example>;tag=a1', None, "+17735550199"),
        ("<tel:+1-773-555-0199>;tag=a1", None, "+17735550199"),
        ('"Ann" <sip:+17735550199@carrier.example>;tag=a1', "id", None),
        ('"Ann" <sip:+17735550199@carrier.example>;tag=a1', "user;critical", None),
        ('"Anonymous" <sip:anonymous@anonymous.invalid>;tag=a1', None, None),
        (None, None, None),
    ],
)
def test_the_caller_and_their_privacy(sender, privacy, caller):
    data = {
        "request_uri": SERVICE,
        "diversion": f"<sip:{CLIENT}@c.example>;reason=user-busy",
        "privacy": privacy,
        "at": AT,
    }
    if sender is not None:
        data["from"] = sender
    assert call_from_sip(SipFacts(**data)).caller == caller


@pytest.mark.parametrize(
    "header, language",
    [
        ("es-MX, en;q=0.5", "es"),
        ("en;q=0.4, fr;q=0.9", "fr"),
        ("*, de;q=0.5", "de"),
        ("fr;q=0, en", "en"),
        ("", None),
    ],
)
def test_the_language_is_the_most_preferred_range(header, language):
    call = call_from_sip(SipFacts(request_uri=f"sip:{CLIENT}@s.example", accept_language=header, at=AT))
    assert call.language == language


def test_the_ivr_language_and_answers_are_carried_into_the_call():
    call = call_from_sip(
        SipFacts(
            request_uri=f"sip:{CLIENT}@s.example",
            accept_language="en",
            language="es",
            answers={"type": "burst_pipe"},
            at=AT,
        )
    )
    assert (call.language, dict(call.answers), call.at.isoformat()) == ("es", {"type": "burst_pipe"}, AT)


def test_an_unknown_fact_is_refused_with_the_list_of_facts():
    with pytest.raises(CallError) as caught:
        SipFacts(request_uri=SERVICE, diverted="yes")
    assert str(caught.value) == (
        "diverted: is not a SIP fact (they are request_uri, to, from, diversion, history_info, "
        "privacy, accept_language, redirecting_reason, redirecting_from, forwarded_from, "
        "language, answers, at, call_id)"
    )


def test_a_malformed_diversion_says_what_is_wrong_and_shows_a_good_one():
    with pytest.raises(SipError) as caught:
        call_from_sip(SipFacts(request_uri=SERVICE, diversion=f"<sip:{CLIENT}@c.example>;reason=user-busy;counter=x"))
    assert str(caught.value) == (
        f"diversion: the Diversion entry `<sip:{CLIENT}@c.example>;reason=user-busy;counter=x` "
        "has counter `x`; a counter is a whole number from 1 to 100"
    )
    assert caught.value.hint == "<sip:+13125550100@carrier.example;user=phone>;reason=user-busy;counter=1"
