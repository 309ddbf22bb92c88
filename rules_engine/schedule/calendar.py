"""Time facts of one client: which windows hold, whether it is a holiday or a closure, at an instant.

Everything is evaluated on the client's local wall clock (the spec's DST rule: a window
holds for the local wall-clock times of that day, so `daily 01:00-05:00` lasts 3 real
hours on a spring-forward day and 5 on a fall-back day). Window expressions are compiled
once into plain Python closures over a `TimeFacts` record, not walked per call.

Which windows hold depends only on the weekday, the minute of the day, whether it is a
holiday or a closure, and which `during` spans of the year hold that date; it can change
only at a minute where some segment of a schedule starts or ends. `Calendar.facts` therefore
looks the windows up in a table of those change points for each kind of day (weekday,
holiday or not, closed or not, season: the dates on which the same `during`s hold), built with the
calendar: the closures are evaluated once per change point, and each entry is the final
tuple a decision lists (the windows in the file's order, then `holiday` and `closed`).
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta, tzinfo
from typing import NamedTuple

from .. import model as m
from . import clock, public_holidays


class TimeFacts(NamedTuple):
    """What time-only conditions need: the local time and the calendar's verdicts.

    A named tuple rather than a frozen dataclass: one is made per decision, and a tuple is
    built several times faster than a frozen dataclass sets its fields one by one.
    """

    local: datetime
    weekday: int  # 0 = Monday
    minute: int  # minutes since local midnight, wall clock
    holiday: str | None  # the holiday's name, or None
    closed: str | None  # the closure's title ("" when untitled), or None
    windows: tuple[str, ...]  # as a decision lists them: the windows that hold in the file's order, then
    # `holiday` and `closed` when they hold (reserved words: no window has either name)
    month_day: tuple[int, int]  # the local date's (month, day): what `during` reads


TimePredicate = Callable[[TimeFacts], bool]


def segment_predicate(segment: m.Segment) -> TimePredicate:
    days, start, end = segment.days, segment.start, segment.end
    if start < end:
        return lambda f: f.weekday in days and start <= f.minute < end
    # Crosses midnight: belongs to the day it starts on.
    return lambda f: (f.weekday in days and f.minute >= start) or ((f.weekday - 1) % 7 in days and f.minute < end)


def schedule_predicate(schedule: m.Schedule) -> TimePredicate:
    parts = tuple(segment_predicate(s) for s in schedule.segments)
    return lambda f: any(p(f) for p in parts)


def time_predicate(cond: m.Cond, window: Callable[[str], TimePredicate]) -> TimePredicate:
    """Compile a condition made of time facts only (a window, an `only` mask)."""
    return m.fold(
        cond,
        lambda atom: time_atom(atom, window),
        lambda parts: lambda f: all(p(f) for p in parts),
        lambda parts: lambda f: any(p(f) for p in parts),
        lambda inner: lambda f: not inner(f),
    )


def time_atom(atom: m.Cond, window: Callable[[str], TimePredicate]) -> TimePredicate:
    if isinstance(atom, m.Schedule):
        return schedule_predicate(atom)
    if isinstance(atom, m.WindowRef):
        return window(atom.name)
    if isinstance(atom, m.During):
        return lambda f: atom.holds(*f.month_day)
    if isinstance(atom, m.Holiday):
        return lambda f: f.holiday is not None
    if isinstance(atom, m.Closed):
        return lambda f: f.closed is not None
    raise TypeError(f"not a time condition: {type(atom).__name__}")  # the compiler rejects these


def boundaries(cond: m.Cond | None) -> set[int]:
    """Minutes of the day (0 to 1439) at which a schedule written in `cond` starts or ends:
    where a condition on time may change its value (windows it names not looked into)."""
    return {
        minute % 1440
        for atom in m.atoms(cond)
        if isinstance(atom, m.Schedule)
        for segment in atom.segments
        for minute in (segment.start, segment.end)
    }


# Every (month, day) of a leap year, in order.
YEAR = tuple((day.month, day.day) for day in (date(2024, 1, 1) + timedelta(days=i) for i in range(366)))
ONE_SEASON = dict.fromkeys(YEAR, YEAR[0])  # a file without `during`: every date alike


def seasons(durings: Iterable[m.During]) -> dict[tuple[int, int], tuple[int, int]]:
    """Each (month, day) of a leap year → the first (month, day) on which the same `during`s
    hold: the dates with one representative share the windows' table."""
    durings = tuple(durings)
    if not durings:
        return ONE_SEASON
    found: dict[tuple[bool, ...], tuple[int, int]] = {}
    return {month_day: found.setdefault(tuple(d.holds(*month_day) for d in durings), month_day) for month_day in YEAR}


class Calendar:
    """The compiled calendar of one client. Immutable but for a per-year holiday cache."""

    def __init__(self, client: m.Client):
        self.tz: tzinfo = clock.zone(client.timezone)
        self.client = client
        self.closures = tuple(
            (clock.to_instant(c.start.local, self.tz), clock.to_instant(c.end.local, self.tz), c.title or "")
            for c in client.closures
        )
        self.window_predicates: dict[str, TimePredicate] = {}
        for name in client.windows:
            self.window_predicates[name] = self._compile_window(client, name)
        # Minutes of the day at which a window may start or stop holding (see the module docstring).
        self._change_points = sorted({0}.union(*(boundaries(window.cond) for window in client.windows.values())))
        # (month, day) → the first date of a leap year on which the same `during`s of windows hold.
        self._seasons = seasons(
            {atom for window in client.windows.values() for atom in m.atoms(window.cond) if isinstance(atom, m.During)}
        )
        # (weekday, holiday?, closed?, season) → the windows holding from each change point.
        self._days: dict[tuple[int, bool, bool, tuple[int, int]], list[tuple[str, ...]]] = self._day_table(client)
        self._years: dict[int, dict[date, str]] = {}
        self._lock = threading.Lock()

    def _compile_window(self, client: m.Client, name: str) -> TimePredicate:
        if name not in self.window_predicates:
            self.window_predicates[name] = time_predicate(
                client.windows[name].cond, lambda ref: self._compile_window(client, ref)
            )
        return self.window_predicates[name]

    def holidays_of(self, year: int) -> dict[date, str]:
        """Public holidays (observed days included) and the file's own holidays in `year`."""
        table = self._years.get(year)
        if table is None:
            table = {h.day: h.name for h in public_holidays.listed(self.client, date(year, 1, 1), date(year, 12, 31))}
            with self._lock:
                self._years[year] = table
        return table

    def holiday(self, day: date) -> str | None:
        return self.holidays_of(day.year).get(day)

    def closed(self, instant: datetime) -> str | None:
        for start, end, title in self.closures:
            if start <= instant < end:
                return title
        return None

    def facts(self, instant: datetime) -> TimeFacts:
        """Every time fact at an aware instant, windows included."""
        local = instant.astimezone(self.tz)
        weekday, minute = local.weekday(), local.hour * 60 + local.minute
        holidays = self._years.get(local.year)
        if holidays is None:
            holidays = self.holidays_of(local.year)
        holiday = holidays.get(local.date())
        closed = self.closed(instant)
        month_day = (local.month, local.day)
        day = self._days[(weekday, holiday is not None, closed is not None, self._seasons[month_day])]
        windows = day[bisect_right(self._change_points, minute) - 1]
        return TimeFacts(local, weekday, minute, holiday, closed, windows, month_day)

    def _day_table(self, client: m.Client) -> dict[tuple[int, bool, bool, tuple[int, int]], list[tuple[str, ...]]]:
        """For each kind of day (weekday, holiday, closure, season), the windows holding from each
        change point (`facts`' table); equal tuples and equal days (Monday to Friday, often) are shared. Unless a window
        mentions `holiday` or `closed`, the windows of a holiday or a closure are those of
        the same weekday, then the mark."""
        names = tuple(client.windows)
        marked = any(
            isinstance(atom, (m.Holiday, m.Closed))
            for window in client.windows.values()
            for atom in m.atoms(window.cond)
        )
        table: dict[tuple[int, bool, bool, tuple[int, int]], list[tuple[str, ...]]] = {}
        shared: dict[tuple[str, ...], tuple[str, ...]] = {}
        days: dict[tuple[tuple[str, ...], ...], list[tuple[str, ...]]] = {}
        for season in dict.fromkeys(self._seasons.values()):
            for weekday in range(7):
                for holiday, closed in ((False, False), (True, False), (False, True), (True, True)):
                    marks = ("holiday",) * holiday + ("closed",) * closed
                    if marked or not marks:
                        probes = (
                            # no instant: window predicates read the weekday, minute, date and verdicts
                            # only, and one that read `local` would fail here rather than read a made-up time
                            TimeFacts(
                                None,  # type: ignore[arg-type]
                                weekday,
                                minute,
                                "" if holiday else None,
                                "" if closed else None,
                                (),
                                season,
                            )
                            for minute in self._change_points
                        )
                        holding = [
                            tuple(name for name in names if self.window_predicates[name](probe)) + marks
                            for probe in probes
                        ]
                    else:
                        holding = [windows + marks for windows in table[(weekday, False, False, season)]]
                    day = [shared.setdefault(windows, windows) for windows in holding]
                    table[(weekday, holiday, closed, season)] = days.setdefault(tuple(day), day)
        return table
