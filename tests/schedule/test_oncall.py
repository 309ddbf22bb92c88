"""Who is on call for acme_plumbing's plumbers: expectations derived by hand from section 1.

Layers of `plumbers`: weekly from Mon 2026-01-05 08:00 {alice, bob, carol}; daily from
Sat 2026-01-03 12:00 {carol, bob} only sat-sun (higher); override 2026-12-24 12:00 to
2026-12-26 08:00 carol. America/Chicago springs forward on 2026-03-08 and falls back on
2026-11-01.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from rules_engine.compiler.compile import compile_file, compile_text
from rules_engine.live import LiveOverride
from rules_engine.schedule.calendar import Calendar
from rules_engine.schedule.oncall import Layer, OnCall
from tests.support import ACME

CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture(scope="module")
def oncall() -> OnCall:
    client, _ = compile_file(ACME)
    return OnCall(client, Calendar(client))


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)


@pytest.mark.parametrize(
    "instant, expected",
    [
        (local(2026, 1, 2, 12, 0), None),  # before every rotation's `from`
        (local(2026, 1, 3, 11, 59), None),  # the weekend layer starts at 12:00
        (local(2026, 1, 3, 12, 0), "carol"),  # weekend layer, shift 0
        (local(2026, 1, 4, 11, 0), "carol"),  # still shift 0 (until Sunday 12:00)
        (local(2026, 1, 4, 12, 0), "bob"),  # shift 1
        (local(2026, 1, 5, 7, 59), None),  # Monday: weekend mask off, weekly not started
        (local(2026, 1, 5, 8, 0), "alice"),  # weekly shift 0
        (local(2026, 1, 12, 7, 59), "alice"),
        (local(2026, 1, 12, 8, 0), "bob"),  # weekly shift 1
        (local(2026, 1, 10, 13, 0), "bob"),  # weekend layer, shift 7 (odd) beats weekly
        (local(2026, 1, 19, 9, 0), "carol"),  # weekly shift 2
        (local(2026, 1, 26, 9, 0), "alice"),  # weekly shift 3 cycles back
    ],
)
def test_layers_and_handoffs(oncall: OnCall, instant: datetime, expected: str | None) -> None:
    assert oncall.who("plumbers", instant) == expected


def test_handoff_stays_at_local_eight_across_spring_forward(oncall: OnCall) -> None:
    # Mon 2026-03-09 is 9 weeks after 2026-01-05: shift 9 → alice; 08:00 CDT is 13:00 UTC.
    assert oncall.who("plumbers", datetime(2026, 3, 9, 12, 59, tzinfo=UTC)) == "carol"  # shift 8
    assert oncall.who("plumbers", datetime(2026, 3, 9, 13, 0, tzinfo=UTC)) == "alice"


def test_handoff_stays_at_local_eight_across_fall_back(oncall: OnCall) -> None:
    # Mon 2026-11-02 is 43 weeks after 2026-01-05: shift 43 → bob; 08:00 CST is 14:00 UTC.
    assert oncall.who("plumbers", datetime(2026, 11, 2, 13, 59, tzinfo=UTC)) == "alice"  # shift 42
    assert oncall.who("plumbers", datetime(2026, 11, 2, 14, 0, tzinfo=UTC)) == "bob"


def test_christmas_week_is_carol_by_every_layer(oncall: OnCall) -> None:
    # Thu 2026-12-24 is weekly shift (2026-12-21 − 2026-01-05) / 7 = 50 → carol, and so is the override.
    assert oncall.who("plumbers", local(2026, 12, 24, 11, 59)) == "carol"
    assert oncall.who("plumbers", local(2026, 12, 25, 12, 0)) == "carol"


def test_file_override_beats_every_layer() -> None:
    oncall = acme_with("08:00 carol\n", "08:00 alice\n")
    assert oncall.who("plumbers", local(2026, 12, 24, 11, 59)) == "carol"  # weekly shift 50
    assert oncall.who("plumbers", local(2026, 12, 24, 12, 0)) == "alice"
    assert oncall.who("plumbers", local(2026, 12, 26, 7, 59)) == "alice"  # Saturday: above the weekend layer too
    assert oncall.who("plumbers", local(2026, 12, 26, 8, 0)) != "alice"


def test_after_the_override_the_weekend_layer_resumes(oncall: OnCall) -> None:
    # Sat 2026-12-26 08:00 is inside the daily shift that started Fri 2026-12-25 12:00.
    k = (date(2026, 12, 25) - date(2026, 1, 3)).days
    assert oncall.who("plumbers", local(2026, 12, 26, 8, 0)) == ("carol", "bob")[k % 2]


def test_live_override_beats_file_override(oncall: OnCall) -> None:
    live = [
        LiveOverride(team="plumbers", person="alice", start=local(2026, 12, 25, 0, 0), end=local(2026, 12, 25, 6, 0))
    ]
    assert oncall.who("plumbers", local(2026, 12, 25, 3, 0), live) == "alice"
    assert oncall.who("plumbers", local(2026, 12, 25, 6, 0), live) == "carol"
    other_team = [live[0].model_copy(update={"team": "electricians"})]
    assert oncall.who("plumbers", local(2026, 12, 25, 3, 0), other_team) == "carol"


def acme_with(old: str, new: str) -> OnCall:
    text = ACME.read_text()
    assert old in text
    client, _ = compile_text(text.replace(old, new))
    return OnCall(client, Calendar(client))


def test_ten_year_old_rotation_is_computed_without_walking(monkeypatch: pytest.MonkeyPatch) -> None:
    oncall = acme_with("rotation weekly from 2026-01-05 08:00", "rotation weekly from 2016-01-04 08:00")
    weekly = oncall.teams["plumbers"].layers[0]
    original = Layer.handoff
    calls = []

    def counting(self: Layer, k: int) -> datetime:
        if self is weekly:
            calls.append(k)
        return original(self, k)

    monkeypatch.setattr(Layer, "handoff", counting)
    # Wed 2026-01-07 12:00 is in weekly shift (2026-01-07 − 2016-01-04) // 7, counted by hand.
    weeks = (date(2026, 1, 7) - date(2016, 1, 4)).days // 7
    assert oncall.who("plumbers", local(2026, 1, 7, 12, 0)) == ("alice", "bob", "carol")[weeks % 3]
    assert len(calls) <= 3  # a guess and its check, not one step per week since 2016
