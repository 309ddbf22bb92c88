"""On-call shifts over a span of time: (OnCall, team, span) → who holds which interval, and coverage checks.

Who is on call can only change at a *change point*: a rotation's handoff, an override's
start or end, a closure's bounds, or a moment when an `only` mask may flip — a wall-clock
boundary of one of its schedules (and local midnight, when weekdays and holidays change),
which on a DST-change day may happen twice (fold 0 and fold 1) or be jumped over (so each
DST change is a change point too). Between two change points nothing changes, so one
lookup per point gives exact intervals: no sampling minute by minute.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from .. import model as m
from ..errors import Diagnostic, SourceText
from ..live import LiveOverride
from . import clock
from .calendar import Calendar, boundaries
from .oncall import Layer, OnCall

COVERAGE_DAYS = 28


@dataclass(frozen=True, slots=True)
class Shift:
    """`person` holds `team` from `start` to `end` (aware instants); None means nobody does."""

    team: str
    start: datetime
    end: datetime
    person: str | None


def local_midnight(day: date, oncall: OnCall) -> datetime:
    return clock.to_instant(datetime.combine(day, time()), oncall.tz)


def mask_minutes(cond: m.Cond | None, client: m.Client, seen: frozenset[str] = frozenset()) -> set[int]:
    """Minutes of the day at which the schedules under `cond` start or end, those of the
    windows it names (and that they name) included."""
    minutes = boundaries(cond)
    for atom in m.atoms(cond):
        if isinstance(atom, m.WindowRef) and atom.name in client.windows and atom.name not in seen:
            minutes |= mask_minutes(client.windows[atom.name].cond, client, seen | {atom.name})
    return minutes


def dst_changes(oncall: OnCall, first: date, last: date) -> Iterator[datetime]:
    """Instants at which the client's UTC offset changes, between two local dates."""
    day = first
    while day <= last:
        lo, hi = local_midnight(day, oncall), local_midnight(day + timedelta(days=1), oncall)
        if lo.astimezone(oncall.tz).utcoffset() != hi.astimezone(oncall.tz).utcoffset():
            before = lo.astimezone(oncall.tz).utcoffset()
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                if mid.astimezone(oncall.tz).utcoffset() == before:
                    lo = mid
                else:
                    hi = mid
            yield hi.replace(microsecond=0)
        day += timedelta(days=1)


def handoffs(layer: Layer, start: datetime, end: datetime) -> Iterator[datetime]:
    k = layer.shift_index(start)
    k = 0 if k is None else k + 1
    while (at := layer.handoff(k)) < end:
        yield at
        k += 1


def change_points(
    oncall: OnCall, team: str, start: datetime, end: datetime, live: Sequence[LiveOverride] = ()
) -> list[datetime]:
    """Every instant in [start, end) at which who is on call for `team` may change, sorted."""
    points = {start}
    plan = oncall.teams.get(team)
    layers = plan.layers if plan else ()
    for layer in layers:
        points.update(handoffs(layer, start, end))
    bounds = [(o.start, o.end) for o in (plan.overrides if plan else ())]
    bounds += [(o.start, o.end) for o in live if o.team == team]
    if any(layer.mask is not None for layer in layers):
        bounds += [(s, e) for s, e, _ in oncall.calendar.closures]
        minutes = {0}.union(*(mask_minutes(layer.rotation.only, oncall.client) for layer in layers))
        first = start.astimezone(oncall.tz).date() - timedelta(days=1)
        last = end.astimezone(oncall.tz).date() + timedelta(days=1)
        day = first
        while day <= last:
            midnight = datetime.combine(day, time())
            for minute in minutes:
                wall = midnight + timedelta(minutes=minute)
                for fold in (0, 1):
                    points.add(wall.replace(tzinfo=oncall.tz, fold=fold).astimezone(UTC))
            day += timedelta(days=1)
        points.update(dst_changes(oncall, first, last))
    points.update(t for pair in bounds for t in pair)
    return sorted(p for p in points if start <= p < end)


def shifts(oncall: OnCall, team: str, start: datetime, end: datetime, live: Sequence[LiveOverride] = ()) -> list[Shift]:
    """Who holds `team` from `start` to `end`, as maximal intervals (gaps included, as None)."""
    out: list[Shift] = []
    points = change_points(oncall, team, start, end, live)
    for at, until in zip(points, [*points[1:], end], strict=True):
        person = oncall.who(team, at, live)
        if out and out[-1].person == person:
            out[-1] = Shift(team, out[-1].start, until, person)
        else:
            out.append(Shift(team, at, until, person))
    return out


def by_day(found: Sequence[Shift], oncall: OnCall, first: date, days: int) -> list[tuple[date, list[Shift]]]:
    """The shifts cut at local midnights: what a calendar shows day by day."""
    out = []
    for i in range(days):
        day = first + timedelta(days=i)
        lo, hi = local_midnight(day, oncall), local_midnight(day + timedelta(days=1), oncall)
        pieces = [
            Shift(s.team, max(s.start, lo), min(s.end, hi), s.person) for s in found if s.start < hi and s.end > lo
        ]
        out.append((day, pieces))
    return out


# ---- coverage analysis for `rules-engine check` ----------------------------------------------------


def coverage_warnings(client: m.Client, start: date | datetime | None = None) -> list[Diagnostic]:
    """Members of restricted rotations who are never on call, over the 28 days from `start`:
    a local date (from its midnight; default today) or an aware instant. Time with nobody on
    call is a problem only where a route can reach the team then: `analysis/gaps.py` says
    when, from the rules."""
    if not client.teams:
        return []
    oncall = OnCall(client, Calendar(client))
    if start is None:
        start = datetime.now(oncall.tz).date()
    if not isinstance(start, datetime):
        start = local_midnight(start, oncall)
    end = start + timedelta(days=COVERAGE_DAYS)
    source = SourceText.of(client.path, client.source)
    out: list[Diagnostic] = []
    for team in client.teams.values():
        out += team_coverage(oncall, team, start, end, source)
    return out


def team_coverage(oncall: OnCall, team: m.Team, start: datetime, end: datetime, source: SourceText) -> list[Diagnostic]:
    plan = oncall.teams[team.name]
    span = f"in the {COVERAGE_DAYS} days from {when(start, oncall)}"
    on_call: dict[int, set[str]] = {layer.index: set() for layer in plan.layers if layer.mask is not None}
    active: set[int] = set()
    points = change_points(oncall, team.name, start, end)
    for at in points:
        facts = oncall.calendar.facts(at)
        for layer in plan.layers:
            k = layer.shift_index(at)
            if k is not None and (layer.mask is None or layer.mask(facts)) and layer.index in on_call:
                on_call[layer.index].add(layer.member(k))
            if k is not None:
                active.add(layer.index)
    out: list[Diagnostic] = []
    for layer in plan.layers:
        if layer.index not in on_call or layer.index not in active:
            continue
        got = on_call[layer.index]
        if not got:
            out.append(
                source.at(
                    "warning",
                    layer.rotation.pos,
                    f"nobody in this restricted rotation is on call {span}",
                    "its `only` window never holds while it runs",
                )
            )
            continue
        for member in layer.rotation.members:
            if member.value not in got:
                got.add(member.value)  # one warning per member, even when listed twice
                out.append(
                    source.at(
                        "warning",
                        member.pos,
                        f"`{member.value}` is never on call in this restricted rotation {span}",
                        "their shifts all fall outside its `only` window; change the period or the order of members",
                    )
                )
    return out


def when(instant: datetime, oncall: OnCall) -> str:
    return instant.astimezone(oncall.tz).strftime("%a %Y-%m-%d %H:%M %Z")
