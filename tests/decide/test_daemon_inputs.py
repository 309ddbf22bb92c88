"""What a routing daemon may hand `decide` (issue 22): every input is read, or refused with a
`CallError` naming the field; never a raw exception, never a wrong instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pendulum
import pytest

from rules_engine import Call, sip
from rules_engine.decide.sip import SipFacts, call_from_sip
from rules_engine.errors import CallError
from rules_engine.phones import WITHHELD, withheld
from tests.support import ROOT

AT = "2026-11-28T23:15:00-06:00"  # Saturday night in Chicago: the burst pipe escalates
AT_DATETIME = datetime.fromisoformat(AT)


def burst_pipe(at: object) -> Call:
    return Call(client="acme_plumbing", at=at, forwarded="busy", answers={"type": "burst_pipe"})  # type: ignore[arg-type]


def test_a_pendulum_datetime_decides_as_the_same_instant_in_text(engine):
    # finding 5: an aware pendulum DateTime crashed the on-call lookup (`_to_microseconds`)
    as_text = engine.decide(burst_pipe(AT))
    as_pendulum = engine.decide(burst_pipe(pendulum.datetime(2026, 11, 28, 23, 15, tz="America/Chicago")))
    assert as_pendulum.to_json() == as_text.to_json()
    assert as_pendulum.route.actions[0].steps[0].targets[0].contact == "bob"
    assert type(burst_pipe(pendulum.now("UTC").add(days=1)).at) is datetime


@pytest.mark.parametrize(
    "at", ["1.795e9", "+1795000000", "-1795000000", "1795000000", " 1795000000.5 ", "1_795_000_000", "1.795E+9"]
)
def test_epoch_looking_text_is_refused_whatever_its_form(at):
    # finding 4: `1.795e9` and `+1795000000` were read as seconds since 1970
    with pytest.raises(CallError) as caught:
        burst_pipe(at)
    assert caught.value.field == "at" and "is a bare number" in str(caught.value)


@pytest.mark.parametrize("at", [b"2026-11-28T23:15:00-06:00", bytearray(b"x"), 1795000000, [AT], {"at": AT}, None])
def test_an_at_that_is_neither_text_nor_a_datetime_is_refused_naming_at(at):
    with pytest.raises(CallError) as caught:
        burst_pipe(at)
    assert caught.value.field == "at"


@pytest.mark.parametrize("field", ["client", "number", "caller", "language", "agent", "said", "forwarded"])
def test_bytes_are_refused_in_every_field_naming_it(field):
    with pytest.raises(CallError) as caught:
        Call(**{"client": "acme_plumbing", "at": AT, field: b"+13125550100"})
    assert caught.value.field == field and (
        "decode it to text" in str(caught.value) or "must be text" in str(caught.value)
    )


@pytest.mark.parametrize("call_id", [4711, b"abc", ["a"], "", "two\nlines", "tab\there", "x" * 201, 1.5])
def test_a_call_id_that_is_not_short_printable_text_is_refused(engine, call_id):
    # finding 5: `call_id=4711` raised TypeError; finding 6: `call_id=""` was silently replaced
    with pytest.raises(CallError) as caught:
        engine.decide(burst_pipe(AT), call_id=call_id)
    assert caught.value.field == "call_id"


def test_a_call_id_of_any_printable_text_up_to_200_characters_is_kept(engine):
    for call_id in ("a", "call-4711", "Anruf Nr. 12 – Zürich", "x" * 200):
        assert engine.decide(burst_pipe(AT), call_id=call_id).call_id == call_id


WITHHELD_CALLERS = [
    "anonymous",
    "Anonymous",
    "PRIVATE",
    "unknown",
    "restricted",
    "Withheld",
    "unavailable",
    "sip:anonymous@anonymous.invalid",
    "sips:Anonymous@example.com;user=phone",
    '"Anonymous" <sip:anonymous@anonymous.invalid>',
    "tel:private",
]


@pytest.mark.parametrize("caller", WITHHELD_CALLERS)
def test_a_withheld_caller_is_a_call_without_a_caller_id(engine, caller):
    # finding 7: `caller="anonymous"` refused the call while the SIP path read it as no caller id
    call = burst_pipe(AT).model_copy(update={"caller": None})
    withheld_call = Call(client="acme_plumbing", at=AT, forwarded="busy", answers={"type": "burst_pipe"}, caller=caller)
    assert withheld_call.caller is None
    assert engine.decide(withheld_call).to_json() == engine.decide(call).to_json()


@pytest.mark.parametrize("caller", WITHHELD_CALLERS)
def test_the_sip_path_reads_the_same_values_as_withheld(caller):
    uri = caller if "<" in caller or ":" in caller else f"sip:{caller}@carrier.example"
    facts = SipFacts(**{"request_uri": "sip:+13125550100@service.example", "from": uri})
    assert call_from_sip(facts, now=datetime.fromisoformat(AT)).caller is None
    assert sip.call_from_sip is call_from_sip  # the daemon's import: `from rules_engine.sip import call_from_sip`
    assert withheld(caller)


def test_the_withheld_list_is_the_documented_one():
    section = ROOT.joinpath("docs/embedding.md").read_text("utf-8").split("### Withheld caller ids")[1].split("\n#")[0]
    assert {word for word in WITHHELD if f"`{word}`" in section} == WITHHELD


@pytest.mark.parametrize("caller", ["anon", "sip:+13125550177@carrier.example", "+13125550177"])
def test_other_callers_are_still_read_as_numbers(caller):
    assert not withheld(caller)


def test_a_status_that_has_already_ended_is_refused(engine):
    # finding 9: `set_status(until=<a time already past>)` was accepted silently, and never showed
    with pytest.raises(CallError) as caught:
        engine.set_status("acme_plumbing", "In court", until=datetime(2020, 1, 1, tzinfo=UTC))
    assert caught.value.field == "until" and "has already passed" in str(caught.value)
    with pytest.raises(CallError):
        engine.set_status("acme_plumbing", "In court", until=AT_DATETIME, now=AT_DATETIME)
    engine.set_status("acme_plumbing", "In court", until=AT_DATETIME, now=AT_DATETIME - timedelta(hours=1))
    engine.set_status("acme_plumbing", "In court", until=datetime.now(UTC) + timedelta(minutes=5))
    engine.clear_status("acme_plumbing")
