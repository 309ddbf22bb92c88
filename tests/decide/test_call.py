"""The call as the daemon gives it: validation with clear errors, and forwarding reasons."""

from datetime import datetime, timezone

import pytest

from rules_engine.decide.call import Call
from rules_engine.errors import CallError, UnknownClientError

AT = datetime(2026, 11, 24, 16, 0, tzinfo=timezone.utc)  # Tuesday 10:00 in Chicago

# RFC 5806 section 3 (the Diversion header's reasons) and our short names, with the short
# name each one means, written out by hand from the spec's list.
REASONS = [
    ("always", "always"), ("scheduled", "scheduled"), ("manual", "manual"), ("busy", "busy"),
    ("no_answer", "no_answer"), ("unavailable", "unavailable"), ("direct", "direct"), ("unknown", "unknown"),
    ("unconditional", "always"), ("follow-me", "always"), ("time-of-day", "scheduled"),
    ("deflection", "manual"), ("do-not-disturb", "manual"), ("away", "manual"),
    ("user-busy", "busy"), ("no-answer", "no_answer"), ("out-of-service", "unavailable"),
    ("USER-BUSY", "busy"), ("no-answer ", "no_answer"), ("user_busy", "busy"),
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
    lunch = datetime(2026, 11, 24, 18, 30, tzinfo=timezone.utc)
    assert engine.decide(Call(number="+13125550100", at=lunch)).script.id == "lunch"
    assert engine.decide(Call(number="+13125550101", at=lunch)).script.id == "intake"


def test_a_number_that_is_not_the_clients_is_an_error(engine):
    with pytest.raises(CallError) as caught:
        engine.decide(Call(client="acme_plumbing", number="+13125550199", at=AT))
    assert caught.value.field == "number"
