"""Property: the arithmetic lookup equals a slow reference that walks shift by shift.

The reference is written from the spec alone, with the standard library's zoneinfo: a
rotation's handoffs are `from + k × period` on the local wall clock, each read with
fold=0; walk them one by one from `from` until the next one is after the instant.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from rules_engine.compiler.compile import compile_text
from rules_engine.live import LiveOverride
from rules_engine.schedule.calendar import Calendar
from rules_engine.schedule.oncall import OnCall
from rules_engine.schedule.shifts import shifts

ZONES = ("America/Chicago", "Europe/London", "Australia/Sydney", "Asia/Tokyo")
PEOPLE = ("ann", "ben", "cat", "dan", "eve")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FIRST = datetime(2025, 1, 1)
LAST = datetime(2027, 12, 31)


def wall(local: datetime, zone: str) -> datetime:
    """A local wall-clock time as an instant: fold=0, as the spec reads file times."""
    return local.replace(tzinfo=ZoneInfo(zone), fold=0).astimezone(UTC)


@functools.cache
def dst_hours(zone: str) -> tuple[datetime, ...]:
    """Where each of the zone's DST changes starts to confuse the wall clock: the local start
    of the skipped hour (spring) or of the repeated hour (autumn). Found day by day, then hour by hour."""
    tz = ZoneInfo(zone)
    found, day = [], FIRST.replace(tzinfo=UTC)
    while day < LAST.replace(tzinfo=UTC):
        if day.astimezone(tz).utcoffset() != (day + timedelta(days=1)).astimezone(tz).utcoffset():
            for hour in range(24):
                at, later = day + timedelta(hours=hour), day + timedelta(hours=hour + 1)
                before, after = at.astimezone(tz).utcoffset(), later.astimezone(tz).utcoffset()
                if before != after:
                    found.append((later + min(before, after)).replace(tzinfo=None))
        day += timedelta(days=1)
    return tuple(found)


@dataclass(frozen=True)
class Mask:
    days: frozenset[int]
    start: int | None  # minutes; None = the whole day
    end: int | None
    text: str

    def holds(self, local: datetime) -> bool:
        wd, minute = local.weekday(), local.hour * 60 + local.minute
        if self.start is None:
            return wd in self.days
        if self.start < self.end:
            return wd in self.days and self.start <= minute < self.end
        return (wd in self.days and minute >= self.start) or ((wd - 1) % 7 in self.days and minute < self.end)


@dataclass(frozen=True)
class Rot:
    period: int
    start: datetime
    members: tuple[str, ...]
    mask: Mask | None

    def text(self) -> str:
        period = {1: "daily", 7: "weekly"}.get(self.period, f"every {self.period} days")
        only = f" only {self.mask.text}" if self.mask else ""
        return f"rotation {period} from {self.start:%Y-%m-%d %H:%M} {{ {', '.join(self.members)} }}{only}"


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def masks(draw) -> Mask:
    first, last = draw(st.integers(0, 6)), draw(st.integers(0, 6))
    days = frozenset((first + i) % 7 for i in range((last - first) % 7 + 1))
    day_text = DAYS[first] if first == last else f"{DAYS[first]}-{DAYS[last]}"
    if draw(st.booleans()):
        day_text, days = "daily", frozenset(range(7))
    if draw(st.booleans()):
        return Mask(days, None, None, day_text)
    start = draw(st.integers(0, 95)) * 15
    end = draw(st.integers(1, 96).filter(lambda e: e * 15 != start)) * 15
    return Mask(days, start, end, f"{day_text} {hhmm(start)}-{hhmm(end)}")


MASKS = st.none() | masks()
PERIODS = st.sampled_from((1, 7)) | st.integers(2, 10)


def pick(draw, items):
    """One of `items`, drawn without building a new strategy per call (which is slow)."""
    return items[draw(st.integers(0, len(items) - 1))]


@st.composite
def local_times(draw, zone: str) -> datetime:
    """Local wall-clock times, often on a DST-change date in the small hours."""
    if dst_hours(zone) and draw(st.booleans()):
        hour = pick(draw, dst_hours(zone))
        return hour + timedelta(days=draw(st.integers(-1, 1)), minutes=draw(st.integers(0, 3)) * 15)
    day = FIRST + timedelta(days=draw(st.integers(0, 700)))
    minute = draw(st.integers(0, 1439))
    return day + timedelta(minutes=minute)


@st.composite
def rotations(draw, zone: str) -> Rot:
    period = draw(PERIODS)
    members = tuple(draw(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=4)))
    mask = draw(MASKS)
    return Rot(period, draw(local_times(zone)), members, mask)


@st.composite
def instants(draw, zone: str, rots, overrides, live) -> datetime:
    """An instant close to something that changes who is on call, or anywhere."""
    rot = pick(draw, rots)
    step = timedelta(days=rot.period)
    on_change_days = [
        t for t in dst_hours(zone) if t > rot.start and (t.date() - rot.start.date()).days % rot.period == 0
    ]
    if on_change_days and draw(st.booleans()):
        # Around a handoff on a DST-change day: where the wall clock misleads.
        change_day = pick(draw, on_change_days).date()
        handoff = wall(rot.start + (change_day - rot.start.date()).days // rot.period * step, zone)
        return handoff + timedelta(minutes=draw(st.integers(-45, 45)))
    anchors = [wall(draw(local_times(zone)), zone), wall(rot.start + draw(st.integers(0, 60)) * step, zone)]
    anchors += [wall(t, zone) for o in overrides for t in o[:2]] + [t for o in live for t in (o.start, o.end)]
    return pick(draw, anchors) + timedelta(minutes=draw(st.integers(-90, 90)))


@st.composite
def cases(draw):
    """A team in one zone, its overrides and live overrides, and instants to ask about.

    Several instants per team: compiling the generated file is the costly part."""
    zone = draw(st.sampled_from(ZONES))
    rots = draw(st.lists(rotations(zone), min_size=1, max_size=3))
    overrides = []
    for _ in range(draw(st.integers(0, 2))):
        start = draw(local_times(zone))
        overrides.append(
            (start, start + timedelta(minutes=draw(st.integers(60, 10 * 1440))), draw(st.sampled_from(PEOPLE)))
        )
    live = []
    for _ in range(draw(st.integers(0, 2))):
        start = wall(draw(local_times(zone)), zone)
        end = start + timedelta(minutes=draw(st.integers(1, 5 * 1440)))
        live.append(
            LiveOverride(
                team=draw(st.sampled_from(("t", "u"))), person=draw(st.sampled_from(PEOPLE)), start=start, end=end
            )
        )
    return zone, rots, overrides, live, draw(st.lists(instants(zone, rots, overrides, live), min_size=1, max_size=8))


def reference(zone: str, rots, overrides, live, instant: datetime) -> str | None:
    for o in reversed(live):
        if o.team == "t" and o.start <= instant < o.end:
            return o.person
    for start, end, person in reversed(overrides):
        if wall(start, zone) <= instant < wall(end, zone):
            return person
    for rot in reversed(rots):
        if instant < wall(rot.start, zone):
            continue
        if rot.mask is not None and not rot.mask.holds(instant.astimezone(ZoneInfo(zone))):
            continue
        k, step = 0, timedelta(days=rot.period)
        while wall(rot.start + (k + 1) * step, zone) <= instant:
            k += 1
        return rot.members[k % len(rot.members)]
    return None


def rules_text(zone: str, rots, overrides) -> str:
    contacts = "\n".join(f'  contact {p} "{p.title()}" {{ call "+1312555010{i}" }}' for i, p in enumerate(PEOPLE))
    lines = [r.text() for r in rots] + [
        f"override {s:%Y-%m-%d %H:%M} to {e:%Y-%m-%d %H:%M} {p}" for s, e, p in overrides
    ]
    body = "\n    ".join(lines)
    return (
        f'client prop "Prop" {{\n  timezone "{zone}"\n{contacts}\n  oncall t {{\n    {body}\n  }}\n'
        '  greeting default { en "Hello" }\n  route { otherwise -> voicemail }\n}\n'
    )


def at(zone: str, *local: int) -> datetime:
    return wall(datetime(*local), zone)


# Handoffs inside a DST change, where the wall clock runs ahead of or behind elapsed time.
SPRING_SKIP = (
    "Europe/London",
    [Rot(1, datetime(2026, 3, 20, 1, 30), ("ann", "ben"), None)],
    [],
    [],
    [at("Europe/London", 2026, 3, 29, 2, 15)],
)  # 02:15 BST: the 01:30 GMT handoff is later
AUTUMN_REPEAT = (
    "America/Chicago",
    [Rot(1, datetime(2026, 10, 20, 1, 30), ("ann", "ben"), None)],
    [],
    [],
    [datetime(2026, 11, 1, 7, 15, tzinfo=UTC)],
)  # 01:15 CST, after the 01:30 CDT handoff
SYDNEY_SKIP = (
    "Australia/Sydney",
    [Rot(7, datetime(2026, 9, 27, 2, 45), ("ann", "ben", "cat"), None)],
    [],
    [],
    [at("Australia/Sydney", 2026, 10, 4, 3, 30)],
)  # 03:30 AEDT: the 02:45 AEST handoff is later


@settings(max_examples=120, deadline=None)
@example(SPRING_SKIP)
@example(AUTUMN_REPEAT)
@example(SYDNEY_SKIP)
@given(cases())
def test_lookup_equals_walking_reference(case) -> None:
    zone, rots, overrides, live, moments = case
    client, _ = compile_text(rules_text(zone, rots, overrides))
    oncall = OnCall(client, Calendar(client))
    for instant in moments:
        assert oncall.who("t", instant, live) == reference(zone, rots, overrides, live, instant), instant
    # The shifts found from change points hold the same people at the same instants.
    lo, hi = moments[0] - timedelta(days=2), moments[0] + timedelta(days=2)
    found = shifts(oncall, "t", lo, hi, live)
    for instant in moments:
        if lo <= instant < hi:
            holding = [s.person for s in found if s.start <= instant < s.end]
            assert holding == [reference(zone, rots, overrides, live, instant)], instant
