"""Every figure of the report, on small histories whose answers are worked out here by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from rules_engine.errors import UnknownClientError
from rules_engine.outcomes.records import OutcomeError
from tests.outcomes.histories import (
    BUSY_LINE,
    decide,
    local,
    record_escalations,
    record_fcr_edges,
    record_mixed_day,
    tiny_engine,
)

ZERO_COUNTS = dict(
    received=0, answered=0, abandoned=0, short_abandoned=0, missed=0, failed=0, dropped=0, unanswered=0, no_outcome=0
)


@pytest.fixture
def engine(tmp_path):
    with tiny_engine(tmp_path) as engine:
        yield engine


def test_a_span_without_calls_counts_zero_and_every_rate_is_null(engine):
    report = engine.report("tiny_vets", date(2026, 11, 2), date(2026, 11, 3))
    assert report["from"] == "2026-11-02T00:00:00-06:00" and report["to"] == "2026-11-04T00:00:00-06:00"
    assert {key: report[key] for key in ZERO_COUNTS} == ZERO_COUNTS
    assert report["resolved"] == report["transferred"] == 0
    for key in (
        "resolution_rate",
        "abandonment_rate",
        "service_level",
        "fcr_rate",
        "transfer_rate",
        "asa_seconds",
        "aht_seconds",
        "csat",
    ):
        assert report[key] is None, key
    assert report["escalations"] == {
        "count": 0,
        "notifications": 0,
        "acknowledged": 0,
        "unacknowledged": 0,
        "median_seconds_to_acknowledge": None,
        "acknowledged_at_step": {},
        "by_person": {},
    }
    assert report["by_rule"] == [] and report["by_hour"] == []
    assert [d["date"] for d in report["by_day"]] == ["2026-11-02", "2026-11-03"]
    assert report["by_week"] == [
        {"week": "2026-11-02", "received": 0, "short_abandoned": 0, "resolved": 0, "resolution_rate": None}
    ]


def test_counts_and_rates_of_a_mixed_history(engine):
    record_mixed_day(engine)
    report = engine.report("tiny_vets", date(2026, 11, 3), date(2026, 11, 4))
    # c1 c2 c8 answered; c3 abandoned after 40 s; c4 after 3 s (short); c5 missed; c6 failed;
    # c7 dropped; c9 decided with nothing recorded.
    assert {key: report[key] for key in ZERO_COUNTS} == dict(
        received=9,
        answered=3,
        abandoned=1,
        short_abandoned=1,
        missed=1,
        failed=1,
        dropped=1,
        unanswered=2,
        no_outcome=1,
    )
    assert report["resolved"] == 2 and report["transferred"] == 1  # c1, c8; c2
    assert report["resolution_rate"] == 25.0  # 2 resolved ÷ (9 received − 1 short abandon)
    assert report["abandonment_rate"] == 20.0  # 1 ÷ (3 answered + 1 abandoned + 1 missed)
    assert report["service_level"] == 50.0  # c1 (10 s) and c8 (20 s) within 20 s ÷ (3 + 1)
    assert report["fcr_rate"] == 50.0  # c1 of c1, c2 (c8 has no caller id)
    assert report["transfer_rate"] == 33.33  # 1 ÷ 3
    assert report["asa_seconds"] == 20.0  # (10 + 30 + 20) ÷ 3
    assert report["aht_seconds"] == 170.0  # (120 + 300 + 90) ÷ 3
    assert report["csat"] == 4.0  # (5 + 3) ÷ 2


def test_counts_by_route_rule_name_the_rule_and_its_line(engine):
    record_mixed_day(engine)
    by_rule = engine.report("tiny_vets", date(2026, 11, 3), date(2026, 11, 4))["by_rule"]
    assert [(r["rule"], r["line"]) for r in by_rule] == [(1, BUSY_LINE), (2, BUSY_LINE + 1), (3, BUSY_LINE + 2)]
    busy, no_answer, other = by_rule
    assert busy == {
        "rule": 1,
        "line": BUSY_LINE,
        **ZERO_COUNTS,
        "received": 4,
        "answered": 2,
        "abandoned": 1,
        "short_abandoned": 1,
        "unanswered": 1,
        "resolved": 1,
        "abandonment_rate": 33.33,
        "resolution_rate": 33.33,
    }
    assert (no_answer["received"], no_answer["missed"], no_answer["failed"]) == (2, 1, 1)
    assert (no_answer["abandonment_rate"], no_answer["resolution_rate"]) == (0.0, 0.0)
    assert (other["received"], other["answered"], other["dropped"], other["no_outcome"]) == (3, 1, 1, 1)
    assert (other["abandonment_rate"], other["resolution_rate"]) == (0.0, 33.33)


def test_counts_by_local_hour_of_the_week_and_by_day(engine):
    record_mixed_day(engine)
    report = engine.report("tiny_vets", date(2026, 11, 3), date(2026, 11, 4))
    hours = {(h["day"], h["hour"]): h for h in report["by_hour"]}
    assert sorted(hours) == [("tue", 9), ("tue", 22), ("wed", 10)]
    assert (hours["tue", 9]["received"], hours["tue", 9]["unanswered"], hours["tue", 9]["short_abandoned"]) == (4, 1, 1)
    assert (hours["tue", 22]["missed"], hours["tue", 22]["failed"]) == (1, 1)
    assert hours["wed", 10]["received"] == 3
    assert [(d["date"], d["received"], d["resolved"]) for d in report["by_day"]] == [
        ("2026-11-03", 6, 1),
        ("2026-11-04", 3, 1),
    ]
    assert report["by_week"] == [
        {"week": "2026-11-02", "received": 9, "short_abandoned": 1, "resolved": 2, "resolution_rate": 25.0}
    ]


def test_a_span_of_one_day_leaves_out_the_calls_of_the_next(engine):
    record_mixed_day(engine)
    report = engine.report("tiny_vets", date(2026, 11, 4), date(2026, 11, 4))
    assert (report["received"], report["answered"], report["dropped"], report["no_outcome"]) == (3, 1, 1, 1)


def test_when_every_call_is_a_short_abandon_no_rate_has_a_denominator(engine):
    for number, waited in enumerate((0, 2, 4.9)):
        decide(engine, f"s{number}", local("2026-11-10 09:00"), "busy", "+13125554000")
        engine.record_outcome(f"s{number}", "abandoned", at=local("2026-11-10 09:01"), waited_seconds=waited)
    report = engine.report("tiny_vets", date(2026, 11, 10), date(2026, 11, 10))
    assert (report["received"], report["short_abandoned"], report["abandoned"], report["unanswered"]) == (3, 3, 0, 0)
    assert [report[k] for k in ("resolution_rate", "abandonment_rate", "service_level", "fcr_rate")] == [None] * 4
    # With no threshold, the same calls are abandons: all of the calls that could be answered were lost.
    counted = engine.report("tiny_vets", date(2026, 11, 10), date(2026, 11, 10), short_abandon_seconds=0)
    assert (counted["abandoned"], counted["abandonment_rate"], counted["service_level"]) == (3, 100.0, 0.0)
    assert counted["resolution_rate"] == 0.0


def test_first_call_resolution_at_the_edges_of_the_window(engine):
    record_fcr_edges(engine)
    report = engine.report("tiny_vets", date(2026, 11, 9), date(2026, 11, 9))
    # a1's caller called again exactly 7 days later (inside: the window includes its end); b1's
    # 7 days and 1 s later (outside); c1's never; n1 has no caller id, so it is not counted.
    # The repeat calls fall after the span, and are still seen.
    assert report["received"] == 4 and report["answered"] == 4 and report["resolved"] == 4
    assert report["fcr_rate"] == 66.67  # b1, c1 ÷ a1, b1, c1
    assert report["resolution_rate"] == 100.0
    wider = engine.report("tiny_vets", date(2026, 11, 9), date(2026, 11, 9), fcr_window=timedelta(days=8))
    assert wider["fcr_rate"] == 33.33  # b2 now falls inside too: c1 alone


def test_escalations_who_was_woken_and_how_fast_they_acknowledged(engine):
    record_escalations(engine)
    escalations = engine.report("tiny_vets", date(2026, 11, 5), date(2026, 11, 6))["escalations"]
    # e1: Ann no answer at +5 min, Ben acknowledged at +7 min; e2 (23:00): Ann acknowledged at +2 min;
    # e3: Ann, then Ben, no answer: never acknowledged.
    assert escalations == {
        "count": 3,
        "notifications": 5,
        "acknowledged": 2,
        "unacknowledged": 1,
        "median_seconds_to_acknowledge": 270.0,  # median of 420 s (e1) and 120 s (e2)
        "acknowledged_at_step": {"1": 1, "2": 1},
        "by_person": {
            # Ann: 120 s from e2's arrival; her e2 notification came at 23:02, at night.
            "ann": {
                "name": "Ann Lee",
                "notified": 3,
                "acknowledged": 1,
                "median_seconds_to_acknowledge": 120.0,
                "night_notifications": 1,
            },
            # Ben, notified when step 1 gave no answer (+5 min), acknowledged at +7 min: 120 s.
            "ben": {
                "name": "Ben Cho",
                "notified": 2,
                "acknowledged": 1,
                "median_seconds_to_acknowledge": 120.0,
                "night_notifications": 0,
            },
        },
    }


def test_report_parameters_are_checked(engine):
    with pytest.raises(OutcomeError) as error:
        engine.report("tiny_vets", date(2026, 11, 4), date(2026, 11, 3))
    assert str(error.value) == "end: the report must end after it starts"
    with pytest.raises(OutcomeError) as error:
        engine.report("tiny_vets", date(2026, 11, 3), date(2026, 11, 4), service_level_seconds=-1)
    assert str(error.value) == "service_level_seconds: must be a number of seconds, 0 or more, not -1"
    with pytest.raises(OutcomeError) as error:
        engine.report("tiny_vets", date(2026, 11, 3), date(2026, 11, 4), fcr_window=7)
    assert str(error.value) == "fcr_window: must be a positive duration (a timedelta), not 7"
    with pytest.raises(UnknownClientError) as error:
        engine.report("tiny_vet", date(2026, 11, 3), date(2026, 11, 4))
    assert str(error.value) == "client: no client `tiny_vet` is served"


def test_the_positions_a_report_reads_rows_by_are_the_call_rows_fields():
    from rules_engine.outcomes import metrics
    from rules_engine.outcomes.store import CallRow

    assert [getattr(metrics, name.upper()) for name in CallRow._fields] == list(range(len(CallRow._fields)))
