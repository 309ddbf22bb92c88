"""Hostile calls: whatever a caller, an agent or the daemon puts in a call is text, never code.

Answers, notes and agent names that look like placeholders (`{caller}`, `{0.__class__}`),
format strings (`%s`, `{:>10}`), control characters, long text or non-Latin scripts are
inserted verbatim where a rule's text asks for them; a caller id must be a phone number, and
is inserted as E.164. A call that is malformed (a naive or out-of-range time, an unknown
reason, number or client, a caller id that is no number, text over its limit) is refused
with a `CallError` naming the field. Expected texts are built here by plain concatenation.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from rules_engine.decide.call import LIMITS, Call
from rules_engine.engine import Engine
from rules_engine.errors import CallError, UnknownClientError

RULES = """client hostile "Hostile Co" {
    timezone "America/Chicago"
    languages en, es
    numbers "+13125550100"
    greeting away when status { en "{agent} for {client}: {status.note} ({caller})" }
    greeting default { en "Hello {caller}, this is {agent} at {client}. {{literal}}" }
    script intake {
        ask name "Name?" required
        say "Thanks {answer.name}, from {caller}"
    }
    choose script intake otherwise
    route {
        when said ("flood", "утечка") -> say "Emergency noted for {answer.name}" then hangup
        when name is set -> say "Goodbye {answer.name}" then hangup
        otherwise -> voicemail
    }
}
"""
AT = "2026-11-24T12:30:00-06:00"
CALLER = "+13125550199"

HOSTILE = [
    "{caller}",
    "{agent}",
    "{client}",
    "{status.note}",
    "{answer.name}",
    "{{",
    "}}",
    "{",
    "}",
    "{{agent}}",
    "%s",
    "%(name)s %d",
    "{0.__class__}",
    "{0.__class__.__mro__[1].__subclasses__()}",
    "{answer.name:>10}",
    "{!r}",
    "{name!s:^20}",
    "${HOME}",
    "$(rm -rf /)",
    "`id`",
    "__import__('os').system('id')",
    "a\x00b",
    "a\x1b[31mred\x1b[0mb",
    "line1\nline2\rline3",
    "tab\there",
    "a\u202eb",
    "a\u200bb",
    "你好，我的名字是李明",
    "مرحبا بكم",
    "Ωμέγα",
    "Привет 🙂",
    "x" * LIMITS["agent"],  # as long as every field takes
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "hostile.rules").write_text(RULES, "utf-8")
    served = Engine(folder)
    assert not served.problems, served.problems
    return served


def decide(engine, **fields):
    return engine.decide(Call(client="hostile", at=AT, **fields))


def texts(decision) -> dict:
    script = {step.kind: step.text for step in decision.script.steps}
    return {"greeting": decision.greeting.text, "say": script["say"], "route": decision.route.actions[0].say}


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v[:30]))
def test_an_agent_name_is_rendered_verbatim(engine, value):
    decision = decide(engine, caller=CALLER, agent=value)
    assert decision.greeting.text == "Hello " + CALLER + ", this is " + value + " at Hostile Co. {literal}"


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v[:30]))
def test_an_answer_is_rendered_verbatim(engine, value):
    decision = decide(engine, caller=CALLER, answers={"name": value})
    assert texts(decision)["say"] == "Thanks " + value + ", from " + CALLER
    assert texts(decision)["route"] == "Goodbye " + value


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v[:30]))
def test_a_caller_id_that_is_no_phone_number_is_refused(refused, value):
    error = refused(caller=value)
    assert error.field == "caller" and f"`{value.strip()}` " in str(error)


@pytest.mark.parametrize(
    "value", ["+1 (312) 555-0199", "tel:+1-312-555-0199", "sip:+13125550199@pbx.example;user=phone"]
)
def test_a_caller_id_in_a_switch_s_form_is_rendered_as_e164(engine, value):
    decision = decide(engine, caller=value, agent="Dana")
    assert decision.greeting.text == "Hello +13125550199, this is Dana at Hostile Co. {literal}"


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v[:30]))
def test_a_status_note_is_rendered_verbatim(engine, value):
    engine.set_status("hostile", note=value)
    try:
        decision = decide(engine, caller=CALLER, agent="Dana")
    finally:
        engine.clear_status("hostile")
    assert decision.greeting.id == "away"
    assert decision.greeting.text == "Dana for Hostile Co: " + value + " (" + CALLER + ")"


def test_the_issue_example_renders_the_placeholder_literally(engine):
    """`{answer.name}` with the answer "{caller}" says "{caller}", not the caller's number."""
    decision = decide(engine, caller=CALLER, agent="Dana", answers={"name": "{caller}"})
    assert texts(decision)["say"] == "Thanks {caller}, from +13125550199"


def test_hostile_text_survives_the_json_of_the_decision(engine):
    value = "{0.__class__} %s \x00 \u202e 你好 " + "é" * 150
    decision = decide(engine, caller=CALLER, agent=value, answers={"name": value})
    data = json.loads(decision.to_json())
    assert data["greeting"]["text"] == "Hello " + CALLER + ", this is " + value + " at Hostile Co. {literal}"
    assert data["route"]["actions"][0]["say"] == "Goodbye " + value


@pytest.mark.parametrize(
    "said, matches",
    [
        ("FLOODING in the basement", True),
        ("у нас утечка газа", True),
        ("no flood", True),
        ("(flood)", True),
        ("overflood", False),
        ("flo.od", False),
        ("%s {0} .* xflood " + "x" * (LIMITS["said"] - 20), False),
        ("{flood}", True),
        ("\x00" * 1000 + " flood", True),
    ],
)
def test_said_matches_words_as_text_never_as_patterns(engine, said, matches):
    decision = decide(engine, caller=CALLER, answers={"name": "Li"}, said=said)
    assert decision.route.rule == (1 if matches else 2)


# ---- malformed calls are refused, naming the field --------------------------------------------


@pytest.fixture
def refused(engine):
    """Decide a call with `fields` changed; return the CallError it must raise."""

    def refuse(error=CallError, **fields) -> CallError:
        with pytest.raises(error) as raised:
            engine.decide(Call(**{"client": "hostile", "at": AT, **fields}))
        return raised.value

    return refuse


@pytest.mark.parametrize("at", ["2026-11-24T12:30:00", datetime(2026, 11, 24, 12, 30)])
def test_a_naive_time_is_refused(refused, at):
    error = refused(at=at)
    assert error.field == "at" and "no time zone offset" in str(error)


@pytest.mark.parametrize(
    "at",
    [
        "9999-12-31T23:59:59-14:00",  # finding: the client's local time left datetime's range (OverflowError)
        "0001-01-01T00:00:00+14:00",
        datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-12))),
        "1900-01-01T00:00:00Z",
        "2300-01-01T00:00:00Z",
    ],
)
def test_finding_an_out_of_range_time_is_refused_not_an_overflow(refused, at):
    error = refused(at=at)
    assert error.field == "at" and "out of range" in str(error)


@pytest.mark.parametrize("at", ["2026-13-40T00:00:00Z", "2026-11-24T12:30:00+25:00", "tomorrow", "{at}"])
def test_a_time_that_is_not_iso_8601_is_refused(refused, at):
    error = refused(at=at)
    assert error.field == "at" and "ISO 8601" in str(error)


def test_a_time_sent_as_bytes_is_refused_naming_at(refused):
    # findings: bytes reached `str.replace` (a TypeError), then were read as UTF-8 (issue 22:
    # the engine must not guess an encoding the daemon never chose)
    for value in (AT.encode(), b"1764360000", bytearray(AT.encode())):
        error = refused(at=value)
        assert error.field == "at" and f"not {type(value).__name__}" in str(error)


@pytest.mark.parametrize("reason", ["bogus", "{agent}", "%s", "busy; drop table"])
def test_an_unknown_forwarding_reason_is_refused(refused, reason):
    error = refused(forwarded=reason)
    assert error.field == "forwarded" and reason in str(error)


def test_an_unknown_client_is_refused(refused):
    error = refused(UnknownClientError, client="{client}")
    assert error.field == "client" and "{client}" in str(error)


def test_an_unknown_number_is_refused(refused):
    error = refused(UnknownClientError, client=None, number="+19999999999")
    assert error.field == "number"


def test_a_number_of_another_client_is_refused(refused):
    error = refused(number="+19999999999")
    assert error.field == "number"


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"answers": ["name"]}, "answers"),
        ({"answers": {"name": 5}}, "answers"),
        ({"agent": 5}, "agent"),
        ({"exec": "print(1)"}, "exec"),
        ({"client": None}, "client"),
    ],
)
def test_a_malformed_field_is_named(refused, fields, field):
    assert refused(**fields).field == field


# ---- bounded inputs: over the limit is refused, naming the field and the limit ----------------


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"said": "x" * 20_001}, "said: is 20,001 characters long; the limit is 20,000"),
        ({"agent": "x" * 201}, "agent: is 201 characters long; the limit is 200"),
        ({"answers": {"name": "x" * 1_001}}, "answers: the answer `name` is 1,001 characters long; the limit is 1,000"),
        ({"language": "x" * 65}, "language: is 65 characters long; the limit is 64"),
    ],
)
def test_text_over_its_limit_is_refused(refused, fields, message):
    assert str(refused(**fields)) == message


def test_text_at_its_limit_is_accepted(engine):
    decision = decide(engine, caller=CALLER, answers={"name": "Li"}, said="flood " + "x" * (LIMITS["said"] - 6))
    assert decision.route.rule == 1


def test_a_call_id_over_its_limit_is_refused(engine):
    with pytest.raises(CallError) as raised:
        engine.decide(Call(client="hostile", at=AT), call_id="c" * 201)
    assert str(raised.value) == "call_id: is 201 characters long; the limit is 200"


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"note": "n" * 1_001}, "note: is 1,001 characters long; the limit is 1,000"),
        ({"note": "away", "instructions": "i" * 2_001}, "instructions: is 2,001 characters long; the limit is 2,000"),
    ],
)
def test_a_status_over_its_limit_is_refused(engine, fields, message):
    with pytest.raises(CallError) as raised:
        engine.set_status("hostile", **fields)
    assert str(raised.value) == message
