"""`rules-engine oncall`: the week view of acme_plumbing's Christmas week, and the .ics feed matching it.

Hand-derived for plumbers, Mon 2026-12-21 to Sun 2026-12-27 (America/Chicago, CST all week):
weekly shift 49 (from Mon 12-14 08:00) is bob until Mon 08:00, then shift 50 is carol;
the override (Thu 12:00 to Sat 08:00) is carol too; the weekend layer's daily shift from
Fri 12-25 12:00 is number (12-25 − 01-03) = 356 → carol, Sat 12:00 → bob, Sun 12:00 → carol.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from tests.support import ACME

CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture
def oncall(cli):
    """`rules-engine oncall` for Acme Plumbing: its standard output, once it has exited 0."""

    def run(*args: str) -> str:
        code, out, err = cli("oncall", ACME, "--client", "acme_plumbing", *args)
        assert (code, err) == (0, "")
        return out

    return run


def test_week_view_of_the_christmas_week(oncall) -> None:
    assert oncall("--team", "plumbers", "--week", "2026-12-24").splitlines() == [
        "Acme Plumbing & Heating (acme_plumbing): on call Mon 2026-12-21 to Sun 2026-12-27, America/Chicago",
        "",
        "plumbers",
        "  Mon 21 Dec  00:00-08:00  Bob Ortiz",
        "              08:00-24:00  Carol Diaz",
        "  Tue 22 Dec  00:00-24:00  Carol Diaz",
        "  Wed 23 Dec  00:00-24:00  Carol Diaz",
        "  Thu 24 Dec  00:00-24:00  Carol Diaz",
        "  Fri 25 Dec  00:00-24:00  Carol Diaz",
        "  Sat 26 Dec  00:00-12:00  Carol Diaz",
        "              12:00-24:00  Bob Ortiz",
        "  Sun 27 Dec  00:00-12:00  Bob Ortiz",
        "              12:00-24:00  Carol Diaz",
    ]


def test_who_is_on_call_at_an_instant_names_the_override(oncall) -> None:
    out = json.loads(oncall("--at", "2026-12-24T13:00", "--json"))
    assert out["at"] == "2026-12-24T13:00:00-06:00"
    assert [(t["team"], t["contact"], t["name"]) for t in out["teams"]] == [("plumbers", "carol", "Carol Diaz")]
    assert out["teams"][0]["why"] == "override at line 27"


def events(feed: str) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(feed).walk("VEVENT"))


def test_ics_parses_and_matches_the_week_view(oncall) -> None:
    feed = oncall("--week", "2026-12-21", "--ics")
    week = json.loads(oncall("--week", "2026-12-21", "--json"))
    monday = datetime(2026, 12, 21, tzinfo=CHICAGO)
    lo, hi = monday, monday + timedelta(days=7)
    from_feed = []
    for event in events(feed):
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert start.utcoffset() == timedelta(0) and end > start  # UTC times
        contact = str(event["uid"]).split(".")[2]
        assert str(event["summary"]).endswith(": plumbers")
        from_feed.append((max(start, lo), min(end, hi), contact))
    # The week view's pieces, glued back across midnights.
    from_view = []
    for day in week["teams"][0]["days"]:
        for piece in day["shifts"]:
            start, end = datetime.fromisoformat(piece["start"]), datetime.fromisoformat(piece["end"])
            if from_view and from_view[-1][2] == piece["contact"] and from_view[-1][1] == start:
                from_view[-1] = (from_view[-1][0], end, piece["contact"])
            else:
                from_view.append((start, end, piece["contact"]))
    assert from_feed == from_view
    assert from_view[0] == (lo, datetime(2026, 12, 21, 8, 0, tzinfo=CHICAGO), "bob")


def test_ics_shifts_keep_their_true_bounds_and_stable_uids(oncall) -> None:
    first = events(oncall("--week", "2026-12-21", "--ics"))
    again = events(oncall("--week", "2026-12-21", "--ics"))
    assert [str(e["uid"]) for e in first] == [str(e["uid"]) for e in again]
    assert len({str(e["uid"]) for e in first}) == len(first)
    # Bob's first shift began before the week shown: the weekend layer's shift from Sun
    # 2026-12-20 12:00 is number (12-20 − 01-03) = 351, odd → bob, then weekly shift 49 is bob.
    assert first[0].decoded("dtstart") == datetime(2026, 12, 20, 12, 0, tzinfo=CHICAGO).astimezone(UTC)
    assert str(first[0]["summary"]) == "Bob Ortiz on call: plumbers"
