"""Recording outcomes and escalation results: what is accepted, and every refusal in full."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from rules_engine.outcomes.records import AlreadyRecordedError, OutcomeError, UnknownCallError
from tests.outcomes.histories import decide, local, tiny_engine
from tests.support import ACME

ARRIVED = local("2026-11-03 09:00")
LATER = ARRIVED + timedelta(minutes=4)


@pytest.fixture
def engine(tmp_path):
    with tiny_engine(tmp_path) as engine:
        decide(engine, "call-1", ARRIVED, "no_answer", "+13125551001")
        yield engine


def refusal(action, kind: type = OutcomeError) -> str:
    with pytest.raises(kind) as error:
        action()
    return str(error.value)


def test_an_outcome_recorded_right_after_the_decision_is_kept(engine):
    recorded = engine.record_outcome(
        "call-1",
        "answered",
        at=LATER,
        waited_seconds=12,
        handled_seconds=95,
        resolved=True,
        transferred=False,
        csat=4.5,
    )
    assert recorded.outcome == "answered" and recorded.at == LATER.timestamp()
    report = engine.report("tiny_vets", date(2026, 11, 3), date(2026, 11, 3))
    assert (report["answered"], report["resolved"], report["asa_seconds"], report["csat"]) == (1, 1, 12.0, 4.5)


@pytest.mark.parametrize(
    "call_id, outcome, values, message",
    [
        (
            "call-9",
            "answered",
            {},
            "call_id: no call was decided with the id `call-9` (outcomes are recorded for "
            "calls decided with a call_id)",
        ),
        ("", "answered", {}, "call_id: needs the call id the call was decided with"),
        (
            "call-1",
            "hung_up",
            {},
            "outcome: `hung_up` is not an outcome; use one of answered, abandoned, missed, failed, dropped",
        ),
        (
            "call-1",
            "answerd",
            {},
            "outcome: `answerd` is not an outcome; use one of answered, abandoned, missed, "
            "failed, dropped (did you mean `answered`?)",
        ),
        ("call-1", "answered", {"waited_seconds": -3}, "waited_seconds: must be 0 or more seconds, not -3"),
        ("call-1", "answered", {"handled_seconds": -0.5}, "handled_seconds: must be 0 or more seconds, not -0.5"),
        ("call-1", "answered", {"waited_seconds": "12"}, "waited_seconds: must be a number of seconds, not '12'"),
        (
            "call-1",
            "answered",
            {"waited_seconds": 900_000},
            "waited_seconds: 900000 seconds is more than a week: give the time in seconds",
        ),
        (
            "call-1",
            "missed",
            {"resolved": True},
            "resolved: only an answered call can be resolved; this one was missed",
        ),
        (
            "call-1",
            "abandoned",
            {"transferred": False},
            "transferred: only an answered call can be transferred; this one was abandoned",
        ),
        ("call-1", "answered", {"resolved": "yes"}, "resolved: must be true or false, not 'yes'"),
        (
            "call-1",
            "abandoned",
            {"handled_seconds": 30},
            "handled_seconds: only an answered call (or one dropped after "
            "it was answered) has a handled time; this one was abandoned",
        ),
        (
            "call-1",
            "failed",
            {"waited_seconds": 3},
            "waited_seconds: a failed call never reached the service, so it has no wait",
        ),
        ("call-1", "answered", {"csat": 6}, "csat: a satisfaction score is a number from 1 to 5, not 6"),
        (
            "call-1",
            "answered",
            {"at": datetime(2026, 11, 3, 9, 5)},
            "at: needs a date-time with a time zone offset (e.g. 2026-11-28T23:15:00-06:00)",
        ),
        (
            "call-1",
            "answered",
            {"at": ARRIVED - timedelta(seconds=1)},
            "at: 2026-11-03T08:59:59-06:00 is before the call arrived (2026-11-03T09:00:00-06:00)",
        ),
    ],
)
def test_invalid_outcomes_are_refused_naming_the_field(engine, call_id, outcome, values, message):
    assert refusal(lambda: engine.record_outcome(call_id, outcome, **{"at": LATER, **values})) == message


def test_an_unknown_call_id_is_its_own_kind_of_refusal(engine):
    assert refusal(
        lambda: engine.record_escalation("call-2", step=1, contact="ann", method="call", result="no_answer", at=LATER),
        UnknownCallError,
    ) == ("call_id: no call was decided with the id `call-2` (outcomes are recorded for calls decided with a call_id)")


def test_a_second_final_outcome_for_the_same_call_is_refused_and_the_first_kept(engine):
    engine.record_outcome("call-1", "abandoned", at=LATER, waited_seconds=30)
    assert refusal(lambda: engine.record_outcome("call-1", "answered", at=LATER), AlreadyRecordedError) == (
        "outcome: call `call-1` already has its outcome (abandoned); a call's outcome is final and recorded once"
    )
    assert engine.report("tiny_vets", date(2026, 11, 3), date(2026, 11, 3))["abandoned"] == 1


def test_an_outcome_for_another_clients_call_is_refused(engine):
    assert refusal(lambda: engine.record_outcome("call-1", "answered", at=LATER, client="acme_plumbing")) == (
        "call_id: call `call-1` is a call of another client, not of `acme_plumbing`"
    )
    engine.record_outcome("call-1", "answered", at=LATER, client="tiny_vets")


@pytest.mark.parametrize(
    "values, message",
    [
        (dict(step=0), "step: the step is a whole number from 1 (the order in which the steps ran), not 0"),
        (dict(contact="anne"), "contact: client `tiny_vets` has no contact `anne`; did you mean `ann`?"),
        (dict(method="fax"), "method: `fax` is not a way to notify; use one of call, sms, email"),
        (dict(result="acked"), "result: `acked` is not a result; use one of acknowledged, no_answer, failed"),
        (dict(at=None), "at: is required: when the notification was acknowledged, went unanswered or failed"),
        (
            dict(at=ARRIVED - timedelta(minutes=1)),
            "at: 2026-11-03T08:59:00-06:00 is before the call arrived (2026-11-03T09:00:00-06:00)",
        ),
    ],
)
def test_invalid_escalation_results_are_refused_naming_the_field(engine, values, message):
    given = dict(step=1, contact="ann", method="call", result="acknowledged", at=LATER) | values
    assert refusal(lambda: engine.record_escalation("call-1", **given)) == message


def test_one_result_per_notification(engine):
    engine.record_escalation("call-1", step=1, contact="ann", method="call", result="no_answer", at=LATER)
    engine.record_escalation("call-1", step=1, contact="ann", method="sms", result="acknowledged", at=LATER)
    assert refusal(
        lambda: engine.record_escalation(
            "call-1", step=1, contact="ann", method="call", result="acknowledged", at=LATER
        ),
        AlreadyRecordedError,
    ) == ("step: call `call-1` already has the result of step 1 for `ann` by call")


def test_a_call_decided_again_under_its_id_counts_once_with_its_last_route(tmp_path):
    with tiny_engine(tmp_path) as engine:
        decide(engine, "again", ARRIVED, "busy")
        decide(engine, "again", ARRIVED, "no_answer")
        report = engine.report("tiny_vets", date(2026, 11, 3), date(2026, 11, 3))
    assert report["received"] == 1
    assert [(r["rule"], r["received"]) for r in report["by_rule"]] == [(2, 1)]


def test_a_call_decided_without_an_id_is_not_recorded(tmp_path):
    from rules_engine.decide.call import Call

    with tiny_engine(tmp_path) as engine:
        engine.decide(Call(client="tiny_vets", at=ARRIVED, forwarded="busy"))
        assert engine.report("tiny_vets", date(2026, 11, 3), date(2026, 11, 3))["received"] == 0


def test_the_same_call_id_decided_for_two_clients_keeps_the_first(tmp_path):
    from rules_engine.decide.call import Call

    (tmp_path / "acme_plumbing.rules").write_text(ACME.read_text(encoding="utf-8"), encoding="utf-8")
    with tiny_engine(tmp_path) as engine:
        decide(engine, "shared-id", ARRIVED, "busy")
        engine.decide(Call(client="acme_plumbing", at=ARRIVED, forwarded="busy"), call_id="shared-id")
        assert engine.report("tiny_vets", date(2026, 11, 3), date(2026, 11, 3))["received"] == 1
        assert engine.report("acme_plumbing", date(2026, 11, 3), date(2026, 11, 3))["received"] == 0
        assert refusal(
            lambda: engine.record_outcome("shared-id", "answered", at=LATER, client="acme_plumbing")
        ).startswith("call_id: call `shared-id`")
