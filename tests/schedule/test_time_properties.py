"""Time itself: windows and on-call handoffs around every DST change from 2020 to 2035.

For the time zone of each example client, every change of UTC offset from 2020 through
2035 is found by scanning the standard library's zoneinfo hour by hour. Around each one,
the engine's window membership (`calendar.Calendar`) and on-call lookup (`OnCall.who`)
must agree with references written here from the spec alone, on the local wall clock that
`instant.astimezone(ZoneInfo(tz))` gives:

- a window holds from its start (inclusive) to its end (exclusive) on the local wall clock
  of the day it starts on; a range that ends before it starts runs into the next day;
- a rotation's k-th handoff is the local wall-clock time `from + k × period`, read with
  fold=0 (the first occurrence of a repeated time; a skipped time with the offset before
  the change), and the member on call is the one whose handoff came last.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from rules_engine.compiler.compile import compile_text
from rules_engine.schedule.calendar import Calendar
from rules_engine.schedule.oncall import OnCall
from tests.support import CONFIGS

FIRST_YEAR, LAST_YEAR = 2020, 2035
ZONES = sorted(
    {re.search(r'^\s*timezone\s+"([^"]+)"', path.read_text("utf-8"), re.M).group(1) for path in CONFIGS.glob("*.rules")}
)
DAY_NUMBERS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}

# name → (days, start, end); None times mean the whole day. Written as the rules file says.
WINDOWS = {
    "early": ("daily", "01:00", "05:00"),
    "night": ("daily", "22:00", "06:00"),
    "office": ("mon-fri", "08:00", "17:00"),
    "weekend": ("sat-sun", None, None),
    "sunday_late": ("sun", "23:00", "03:00"),
    "small_hours": ("fri-mon", "01:30", "03:30"),
    "evening": ("sat-sun", "17:00", "24:00"),
}
PEOPLE = ("ann", "ben", "cat")


@functools.cache
def transitions(zone: str) -> tuple[datetime, ...]:
    """Every instant (UTC) from 2020 to 2035 at which the zone's UTC offset changes: a day
    whose offset differs from the next day's is searched hour by hour."""
    tz = ZoneInfo(zone)
    found = []
    day = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
    while day.year <= LAST_YEAR:
        following = day + timedelta(days=1)
        if day.astimezone(tz).utcoffset() != following.astimezone(tz).utcoffset():
            hour = day
            while hour.astimezone(tz).utcoffset() == day.astimezone(tz).utcoffset():
                hour += timedelta(hours=1)
            found.append(hour)
        day = following
    return tuple(found)


def skipped_hour(zone: str) -> time:
    """The wall-clock time at which this zone's clocks jump forward (from its first spring change)."""
    tz = ZoneInfo(zone)
    for change in transitions(zone):
        before = (change - timedelta(seconds=1)).astimezone(tz)
        if change.astimezone(tz).utcoffset() > before.utcoffset():
            return (before + timedelta(seconds=1)).time()
    raise AssertionError(f"{zone} has no spring-forward change")


def wall(local: datetime, zone: str) -> datetime:
    """A naive local wall-clock time → the instant, fold=0 as the spec reads file times."""
    return local.replace(tzinfo=ZoneInfo(zone), fold=0).astimezone(UTC)


def rules_for(zone: str) -> str:
    gap = skipped_hour(zone)
    windows = "\n".join(
        f"    window {name} = {days}" + (f" {start}-{end}" if start else "")
        for name, (days, start, end) in WINDOWS.items()
    )
    return f'''client timely "Timely" {{
    timezone "{zone}"
    languages en
{windows}
    contact ann "Ann" {{ call "+13125550111" }}
    contact ben "Ben" {{ call "+13125550112" }}
    contact cat "Cat" {{ call "+13125550113" }}
    oncall morning {{ rotation daily from 2019-12-30 08:00 {{ ann, ben, cat }} }}
    oncall weekly {{ rotation weekly from 2019-12-29 08:00 {{ ann, ben, cat }} }}
    oncall gap {{ rotation daily from 2019-12-30 {gap.hour:02d}:{gap.minute + 30:02d} {{ ann, ben, cat }} }}
    greeting default {{ en "Hello" }}
    route {{ otherwise -> patch oncall morning, else patch oncall weekly, else patch oncall gap }}
}}
'''


@functools.cache
def compiled(zone: str):
    client, _ = compile_text(rules_for(zone), f"{zone}.rules")
    calendar = Calendar(client)
    return client, calendar, OnCall(client, calendar)


# ---- the references --------------------------------------------------------------------------


def day_set(days: str) -> set[int]:
    if days == "daily":
        return set(range(7))
    first, _, last = days.partition("-")
    a, b = DAY_NUMBERS[first], DAY_NUMBERS[last or first]
    return {(a + i) % 7 for i in range((b - a) % 7 + 1)}


def minutes(text: str) -> int:
    hours, mins = text.split(":")
    return int(hours) * 60 + int(mins)


@functools.cache
def window_intervals(name: str, around: date) -> tuple[tuple[datetime, datetime], ...]:
    """The window's stretches of local wall-clock time, as naive [start, end), for days near `around`."""
    days, start, end = WINDOWS[name]
    stretches: list[tuple[datetime, datetime]] = []
    for shift in range(-3, 4):
        day = around + timedelta(days=shift)
        if day.weekday() not in day_set(days):
            continue
        midnight = datetime.combine(day, time())
        if start is None:
            stretches.append((midnight, midnight + timedelta(days=1)))
            continue
        begin, finish = minutes(start), minutes(end)
        if finish <= begin:
            finish += 24 * 60  # runs into the next day
        stretches.append((midnight + timedelta(minutes=begin), midnight + timedelta(minutes=finish)))
    return tuple(stretches)


def reference_windows(instant: datetime, zone: str) -> set[str]:
    local = instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    return {name for name in WINDOWS if any(a <= local < b for a, b in window_intervals(name, local.date()))}


def reference_on_call(instant: datetime, zone: str, start: datetime, period: timedelta) -> str:
    """The member whose handoff (local wall clock, fold=0) came last, found among nearby handoffs."""
    local = instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    near = (local - start) // period
    latest = max(k for k in range(near - 2, near + 3) if wall(start + k * period, zone) <= instant)
    return PEOPLE[latest % len(PEOPLE)]


def instants_around(change: datetime, step: timedelta = timedelta(minutes=15)) -> list[datetime]:
    """Every `step` for a day and a half each side of a change, and a second either side of it."""
    count = int(timedelta(hours=36) / step)
    steps = [change + k * step for k in range(-count, count + 1)]
    return [*steps, change - timedelta(seconds=1), change + timedelta(seconds=1)]


# ---- the properties ------------------------------------------------------------------------------


def test_the_scan_finds_two_changes_a_year_in_every_zone():
    """The examples' zones all keep DST through 2035 in the tz database: 32 changes each."""
    assert set(ZONES) >= {"America/Chicago", "America/New_York", "Europe/London", "Australia/Sydney"}
    for zone in ZONES:
        assert len(transitions(zone)) == 2 * (LAST_YEAR - FIRST_YEAR + 1), zone


@pytest.mark.parametrize("zone", ZONES)
def test_window_membership_agrees_with_zoneinfo_at_every_change(zone):
    _, calendar, _ = compiled(zone)
    wrong = []
    for change in transitions(zone):
        for instant in instants_around(change):
            got = set(calendar.facts(instant).windows)
            want = reference_windows(instant, zone)
            if got != want:
                wrong.append(
                    f"{instant.isoformat()} (local {instant.astimezone(ZoneInfo(zone))}): "
                    f"engine {sorted(got)}, reference {sorted(want)}"
                )
    assert not wrong, f"{len(wrong)} disagreements, first: " + "\n".join(wrong[:5])


@pytest.mark.parametrize("zone", ZONES)
def test_a_four_hour_night_window_lasts_three_or_five_hours_on_change_days(zone):
    """`daily 01:00-05:00` holds for the wall-clock hours of the day: one hour less when the
    clocks jump forward inside it, one more when they go back (the repeated hour counts twice)."""
    _, calendar, _ = compiled(zone)
    tz = ZoneInfo(zone)
    for change in transitions(zone):
        day = change.astimezone(tz).date()
        midnight = wall(datetime.combine(day, time()), zone)
        following = wall(datetime.combine(day + timedelta(days=1), time()), zone)
        held = sum(
            1
            for k in range(int((following - midnight) / timedelta(minutes=5)))
            if "early" in calendar.facts(midnight + k * timedelta(minutes=5)).windows
        )
        jump = change.astimezone(tz).utcoffset() - (change - timedelta(seconds=1)).astimezone(tz).utcoffset()
        assert held * timedelta(minutes=5) == timedelta(hours=4) - jump, (zone, day)


@pytest.mark.parametrize("zone", ZONES)
def test_on_call_handoffs_agree_with_zoneinfo_at_every_change(zone):
    _, _, oncall = compiled(zone)
    gap = skipped_hour(zone)
    teams = {
        "morning": (datetime(2019, 12, 30, 8, 0), timedelta(days=1)),
        "weekly": (datetime(2019, 12, 29, 8, 0), timedelta(days=7)),
        "gap": (datetime(2019, 12, 30, gap.hour, gap.minute + 30), timedelta(days=1)),
    }
    wrong = []
    for change in transitions(zone):
        hourly = instants_around(change, timedelta(hours=1))
        local = change.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
        for team, (start, period) in teams.items():
            # And a second before, at and after each handoff near the change.
            near = (local - start) // period
            handoffs = [wall(start + k * period, zone) for k in range(near - 1, near + 3)]
            probes = hourly + [h + timedelta(seconds=s) for h in handoffs for s in (-1, 0, 1)]
            for instant in probes:
                got, want = oncall.who(team, instant), reference_on_call(instant, zone, start, period)
                if got != want:
                    wrong.append(
                        f"{team} at {instant.isoformat()} (local {instant.astimezone(ZoneInfo(zone))}): "
                        f"engine {got}, reference {want}"
                    )
    assert not wrong, f"{len(wrong)} disagreements, first: " + "\n".join(wrong[:5])


@pytest.mark.parametrize("zone", ZONES)
def test_a_08_00_handoff_stays_at_08_00_local_across_every_change(zone):
    """Hand-derived: the daily 08:00 handoff is at 08:00 on the local clock the day before,
    the day of and the day after each change; a minute earlier the previous member is on."""
    _, _, oncall = compiled(zone)
    tz = ZoneInfo(zone)
    for change in transitions(zone):
        for day in (change.astimezone(tz).date() + timedelta(days=d) for d in (-1, 0, 1)):
            eight = datetime.combine(day, time(8, 0), tzinfo=tz)
            k = (day - date(2019, 12, 30)).days
            assert oncall.who("morning", eight) == PEOPLE[k % 3], (zone, day)
            assert oncall.who("morning", eight - timedelta(minutes=1)) == PEOPLE[(k - 1) % 3], (zone, day)


@pytest.mark.parametrize("zone", ZONES)
def test_a_handoff_in_the_skipped_hour_happens_at_the_offset_before_the_change(zone):
    """Hand-derived from the spec: on a spring-forward day, a handoff at HH:30 inside the skipped
    hour is read with the offset before the change: one hour later on the new wall clock."""
    _, _, oncall = compiled(zone)
    tz = ZoneInfo(zone)
    gap = skipped_hour(zone)
    springs = [
        c
        for c in transitions(zone)
        if c.astimezone(tz).utcoffset() > (c - timedelta(seconds=1)).astimezone(tz).utcoffset()
    ]
    for change in springs:
        day = change.astimezone(tz).date()
        k = (day - date(2019, 12, 30)).days
        # The written time is (gap + 30 min) on the old offset, i.e. 30 minutes after the change.
        handoff = change + timedelta(minutes=30)
        assert handoff.astimezone(tz).time() == time(gap.hour + 1, gap.minute + 30)
        assert oncall.who("gap", handoff) == PEOPLE[k % 3], (zone, day)
        assert oncall.who("gap", handoff - timedelta(seconds=1)) == PEOPLE[(k - 1) % 3], (zone, day)
