"""The call as the daemon gives it: validation with clear errors, and forwarding reasons."""

from datetime import UTC, datetime

import pytest

from rules_engine.decide.call import Call
from rules_engine.errors import CallError, UnknownClientError

AT = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # Tuesday 10:00 in Chicago

# RFC 5806 section 3 (the Diversion header's reasons) and our short names, with the short
# name each one means, written out by hand from the spec's list.
REASONS = [
    ("always", "always"),
    ("scheduled", "scheduled"),
    ("manual", "manual"),
    ("busy", "busy"),
    ("no_answer", "no_answer"),
    ("unavailable", "unavailable"),
    ("direct", "direct"),
    ("unknown", "unknown"),
    ("unconditional", "always"),
    ("follow-me", "always"),
    ("time-of-day", "scheduled"),
    ("deflection", "manual"),
    ("do-not-disturb", "manual"),
    ("away", "manual"),
    ("user-busy", "busy"),
    ("no-answer", "no_answer"),
    ("out-of-service", "unavailable"),
    ("USER-BUSY", "busy"),
    ("no-answer ", "no_answer"),
    ("user_busy", "busy"),
]


@pytest.mark.parametrize("given, meant", REASONS)
def test_every_forwarding_reason(given, meant):
    assert Call(client="acme_plumbing", at=AT, forwarded=given).forwarded == meant


@pytest.mark.parametrize("given, meant", REASONS)
def test_every_forwarding_reason_reaches_the_rules(engine, given, meant):
    # `forwarded X` holds exactly for calls whose reason means X.
    decision = engine.decide(Call(client="acme_plumbing", at=AT, forwarded=given, agent="Dana"))
    expected = "busy" if meant in ("busy", "no_answer") else "default"  # Tuesday 10:00 is `open`
    assert decision.greeting.id == expected


def test_reason_defaults_to_unknown():
    assert Call(client="acme_plumbing", at=AT).forwarded == "unknown"


def test_unknown_reason_names_the_field():
    with pytest.raises(CallError) as caught:
        Call(client="acme_plumbing", at=AT, forwarded="sideways")
    assert caught.value.field == "forwarded"
    assert "unknown forwarding reason `sideways`" in str(caught.value)


def test_naive_datetime_is_refused():
    with pytest.raises(CallError) as caught:
        Call(client="acme_plumbing", at=datetime(2026, 11, 24, 10, 0))
    assert caught.value.field == "at"
    assert "no time zone offset" in str(caught.value)


def test_iso_text_with_offset_is_accepted():
    call = Call(client="acme_plumbing", at="2026-11-24T10:00:00-06:00")
    assert call.at == AT


def test_garbage_datetime():
    with pytest.raises(CallError) as caught:
        Call(client="acme_plumbing", at="next tuesday")
    assert caught.value.field == "at"
    assert "`next tuesday` is not an ISO 8601 date-time" in str(caught.value)


def test_missing_at():
    with pytest.raises(CallError) as caught:
        Call(client="acme_plumbing")
    assert caught.value.field == "at"


def test_call_needs_client_or_number():
    with pytest.raises(CallError) as caught:
        Call(at=AT)
    assert caught.value.field == "client"


def test_unknown_field_is_named():
    with pytest.raises(CallError) as caught:
        Call(client="acme_plumbing", at=AT, urgency="high")
    assert caught.value.field == "urgency"


def test_answers_must_be_text():
    with pytest.raises(CallError) as caught:
        Call(client="acme_plumbing", at=AT, answers={"type": 3})
    assert caught.value.field == "answers"


def test_unknown_client_and_number_are_errors_not_defaults(engine):
    with pytest.raises(UnknownClientError) as caught:
        engine.decide(Call(client="acme", at=AT))
    assert caught.value.field == "client"
    with pytest.raises(UnknownClientError) as caught:
        engine.decide(Call(number="+13125559999", at=AT))
    assert caught.value.field == "number"


def test_a_call_by_number_finds_its_client_and_the_dialled_number_counts(engine):
    # 12:30 on a Tuesday is lunch: the lunch script, unless the second line was dialled.
    lunch = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)
    assert engine.decide(Call(number="+13125550100", at=lunch)).script.id == "lunch"
    assert engine.decide(Call(number="+13125550101", at=lunch)).script.id == "intake"


def test_a_number_that_is_not_the_clients_is_an_error(engine):
    with pytest.raises(CallError) as caught:
        engine.decide(Call(client="acme_plumbing", number="+13125550199", at=AT))
    assert caught.value.field == "number"


# ---- answers are checked against the client's scripts ---------------------------------------------------


@pytest.mark.parametrize(
    "answers, message",
    [
        (
            {"type": "burst-pipe"},
            "answers.type: `burst-pipe` is not one of the choices for `type` "
            "(burst_pipe, no_heat, gas_smell, estimate, billing, other); did you mean `burst_pipe`?",
        ),
        (
            {"type": "knocked out"},
            "answers.type: `knocked out` is not one of the choices for `type` "
            "(burst_pipe, no_heat, gas_smell, estimate, billing, other)",
        ),
        (
            {"typ": "burst_pipe"},
            "answers.typ: no script of client `acme_plumbing` asks for `typ` "
            "(its scripts ask for name, callback, address, type, message); did you mean `type`?",
        ),
        (
            {"callback": "12"},
            "answers.callback: `12` is too short for a number of country code +1; is a digit missing?",
        ),
        (
            {"callback": "call me"},
            "answers.callback: `call me` is not a phone number; write numbers in international "
            'form: "+" country code and number, e.g. "+13125550100"',
        ),
    ],
)
def test_an_answer_the_scripts_do_not_allow_is_an_error(engine, answers, message):
    with pytest.raises(CallError) as caught:
        engine.decide(Call(client="acme_plumbing", at=AT, answers=answers))
    assert str(caught.value) == message
    assert caught.value.field == "answers." + next(iter(answers))


@pytest.mark.parametrize(
    "answers",
    [
        {"type": "Burst_Pipe"},  # choices compare without case, as conditions do
        {"callback": "(312) 555-0177"},  # a national form, in the country of the client's numbers
        {"callback": "+44 7700 900123"},  # a number of another country
        {"name": "Ana"},
        {"type": "  "},  # an empty answer is no answer
    ],
)
def test_answers_the_scripts_allow_are_accepted(engine, answers):
    decision = engine.decide(Call(client="acme_plumbing", at=AT, answers=answers))
    asked = {step.field: step.answer for step in decision.script.steps if step.kind == "ask"}
    for field, value in answers.items():
        assert asked.get(field) == (value.strip() or None)


def test_a_burst_pipe_answered_as_the_script_says_is_an_emergency(engine):
    decision = engine.decide(Call(client="acme_plumbing", at=AT, answers={"type": "burst_pipe"}))
    assert decision.urgency == "emergency"


# ---- phone numbers are real numbers --------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value, message",
    [
        (
            "caller",
            "+1416555015",
            "caller: `+1416555015` is too short for a number of country code +1; is a digit missing?",
        ),
        (
            "caller",
            "+131255501999",
            "caller: `+131255501999` is too long for a number of country code +1; is a digit doubled?",
        ),
        (
            "number",
            "+999123456",
            "number: `+999123456` does not start with a known country code; the digits after `+` "
            "begin with the country code: 1 for North America, 44 for the UK, 61 for Australia…",
        ),
        (
            "number",
            "3125550100",
            "number: `3125550100` has no country code; write numbers in international form: "
            '"+" country code and number, e.g. "+13125550100"',
        ),
        (
            "caller",
            "anonymus",
            "caller: `anonymus` is not a phone number; write numbers in international form: "
            '"+" country code and number, e.g. "+13125550100"',
        ),
        (
            "caller",
            "+1 312 555 0100 ext 5",
            "caller: `+1 312 555 0100 ext 5` has an extension; give the number without the extension",
        ),
    ],
)
def test_a_number_that_cannot_be_one_is_a_call_error(field, value, message):
    with pytest.raises(CallError) as caught:
        Call(client="acme_plumbing", at=AT, **{field: value})
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "written",
    [
        "+13125550100",
        "tel:+1-312-555-0100",
        "sip:+13125550100@pbx.example;user=phone",
        "+1 (312) 555-0100",
        " +1.312.555.0100 ",
    ],
)
def test_numbers_in_the_forms_switches_send_find_the_client(engine, written):
    call = Call(number=written, caller=written, at=AT)
    assert (call.number, call.caller) == ("+13125550100", "+13125550100")
    assert engine.decide(call).client == "acme_plumbing"
    assert engine.client(number=written).id == "acme_plumbing"


def test_a_malformed_number_is_a_format_error_not_an_unknown_client(engine):
    with pytest.raises(CallError) as caught:
        engine.client(number="+1312555")
    assert not isinstance(caught.value, UnknownClientError)
    assert str(caught.value) == "number: `+1312555` is too short for a number of country code +1; is a digit missing?"


def test_a_possible_number_in_an_unassigned_range_is_accepted():
    assert Call(client="acme_plumbing", at=AT, caller="+447700900123").caller == "+447700900123"


# ---- language tags as callers and switches send them ---------------------------------------------------


BUSY_OPEN = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # Tuesday 10:00 in Chicago: `open`


@pytest.mark.parametrize("tag", ["es", "es-MX", "ES", "spa", "es-419"])
def test_a_tag_for_spanish_finds_the_clients_spanish(engine, tag):
    decision = engine.decide(Call(client="acme_plumbing", at=BUSY_OPEN, forwarded="busy", language=tag))
    assert (decision.greeting.id, decision.greeting.language) == ("busy", "es")
    assert decision.greeting.text.startswith("Acme Plumbing, le atiende")


@pytest.mark.parametrize("tag", ["fr-CA", "de", "zz", "!!"])
def test_a_tag_close_to_none_of_the_clients_languages_gets_the_default(engine, tag):
    decision = engine.decide(Call(client="acme_plumbing", at=BUSY_OPEN, forwarded="busy", language=tag))
    assert decision.greeting.language == "en"


def test_a_regional_tag_holds_for_the_language_condition(engine):
    # hale_law greets French callers with its French greeting: `fr-CA` is French.
    decision = engine.decide(Call(client="hale_law", at="2026-11-24T10:00:00+00:00", language="fr-CA"))
    assert decision.greeting.language == "fr"
