"""Time partition: compiled clients + a span → segments in which no time fact a decision reads changes.

A decision depends on its instant only through the calendar's verdicts (which windows hold,
whether an inline schedule of a rule holds, `holiday`, `closed`) and who holds each on-call
team that a rule or text reaches. Each of those can change only at a *change point*:

- a local midnight (weekdays, holidays and `during` spans change), and every minute at which a schedule
  written anywhere in the file starts or ends, each on every day of the span, at both
  readings of a repeated wall-clock hour (fold 0 and 1);
- an instant where the zone's UTC offset changes (a skipped hour jumps over boundaries);
- the start and end of each closure;
- the on-call change points of `schedule/shifts.py` (handoffs, overrides, `only` masks).

Between two consecutive points every such fact is constant, so one instant stands for the
whole segment. `Clock.key` is those facts at an instant: equal keys mean equal decisions for
every call, which lets the analysis decide once per distinct key rather than per segment.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from .. import model as m
from ..schedule.calendar import Calendar, boundaries, time_atom
from ..schedule.oncall import OnCall
from ..schedule.shifts import change_points, dst_changes


def nodes(value) -> Iterator[m.Node]:
    """Every model node inside `value` (a node, tuple or dict of them), depth first."""
    if isinstance(value, m.Node):
        yield value
        for name in type(value).model_fields:
            if name != "pos":
                yield from nodes(getattr(value, name))
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from nodes(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from nodes(item)


def rule_conditions(client: m.Client) -> Iterator[m.Cond]:
    """The conditions of every rule a decision tries (not windows, not `only` masks)."""
    rules: tuple[m.Greeting | m.ScriptChoice | m.UrgencyRule | m.RouteRule, ...] = (
        *client.greetings,
        *client.script_choices,
        *client.urgency,
        *client.routes,
    )
    for rule in rules:
        if rule.when is not None:
            yield rule.when
    for script in client.scripts.values():
        for step in script.steps:
            if step.when is not None:  # `ask … when` and `say … when`
                yield step.when


class TimeKey(NamedTuple):
    """The time facts a client's decisions read at an instant (see `Clock.key`)."""

    windows: tuple[str, ...]  # in the file's order, as the calendar lists them
    holiday: bool
    closed: bool
    schedules: tuple[bool, ...]
    holders: tuple[str | None, ...]  # who holds each team a decision can reach

    def without_holders(self) -> TimeKey:
        """What decides which rules apply: who is on call only changes who an action reaches."""
        return self._replace(holders=())


class Clock:
    """One client's time facts, as far as its decisions can tell them apart."""

    def __init__(self, client: m.Client, marks: bool = False, holders: bool = True):
        """With `marks`, holidays and closures split the time even where no rule reads them
        (a decision lists them among its windows; the matrix shows them). Without `holders`,
        who is on call is left out of the key and its change points: for an analysis that asks
        only which rules apply, a year of daily handoffs need not cut the time."""
        self.client = client
        self.calendar = Calendar(client)
        self.oncall = OnCall(client, self.calendar)
        self.tz = self.calendar.tz
        atoms = [atom for cond in rule_conditions(client) for atom in m.atoms(cond)]
        # Windows are looked up by name; a rule's own schedule or `during`, `holiday` and `closed` directly.
        schedules = list(dict.fromkeys(atom for atom in atoms if isinstance(atom, (m.Schedule, m.During))))
        self.schedules = tuple(time_atom(s, self.calendar.window_predicates.__getitem__) for s in schedules)
        self.reads_holiday = marks or any(isinstance(atom, m.Holiday) for atom in atoms)
        self.reads_closed = marks or any(isinstance(atom, m.Closed) for atom in atoms)
        found = list(nodes(client))
        # Teams a decision can reach: a route's or escalation's target, or `{oncall.TEAM}` in a text.
        reached = [n.team for n in found if isinstance(n, m.TeamTarget) and n.team in client.teams] + [
            n.name.partition(".")[2]
            for n in found
            if isinstance(n, m.Placeholder)
            and n.name.startswith("oncall.")
            and n.name.partition(".")[2] in client.teams
        ]
        self.teams = tuple(dict.fromkeys(reached)) if holders else ()
        masks = [rotation.only for team in client.teams.values() for rotation in team.rotations]
        conditions = [*rule_conditions(client), *(w.cond for w in client.windows.values()), *masks]
        # The parts of a decision that name who is on call: a route reaching a team, a text saying `{oncall.TEAM}`.
        names_holder = {
            part: any(isinstance(n, m.Placeholder) and n.name.startswith("oncall.") for n in nodes(where))
            for part, where in (("greeting", client.greetings), ("script", client.scripts))
        }
        self.holder_parts = frozenset(
            {part for part, names in names_holder.items() if names} | ({"route"} if self.teams else set())
        )
        self.minutes = sorted({0}.union(*(boundaries(cond) for cond in conditions)))

    def key(self, instant: datetime) -> TimeKey:
        """Every time fact the client's decisions read at `instant`; equal keys, equal decisions."""
        facts = self.calendar.facts(instant)
        return TimeKey(
            facts.windows,
            self.reads_holiday and facts.holiday is not None,
            self.reads_closed and facts.closed is not None,
            tuple(predicate(facts) for predicate in self.schedules),
            tuple(self.oncall.who(team, instant) for team in self.teams),
        )

    def points(self, start: datetime, end: datetime) -> set[datetime]:
        """Every instant in [start, end) at which `key` may change (a superset)."""
        first = start.astimezone(self.tz).date() - timedelta(days=1)
        last = end.astimezone(self.tz).date() + timedelta(days=1)
        points = set(dst_changes(self.oncall, first, last))
        day = first
        while day <= last:
            midnight = datetime.combine(day, time())
            for minute in self.minutes:
                wall = midnight + timedelta(minutes=minute)
                for fold in (0, 1):
                    points.add(wall.replace(tzinfo=self.tz, fold=fold).astimezone(UTC))
            day += timedelta(days=1)
        points.update(t for s, e, _ in self.calendar.closures for t in (s, e))
        for team in self.teams:
            points.update(change_points(self.oncall, team, start, end))
        return {p for p in points if start <= p < end}

    def midnight(self, day: date) -> datetime:
        """The instant a local date begins (fold=0, as every wall-clock time of a file)."""
        return datetime.combine(day, time()).replace(tzinfo=self.tz, fold=0).astimezone(UTC)


@dataclass(frozen=True)
class Segment:
    """From `start` to `end` (aware instants) every clock's key is `keys` (one per clock)."""

    start: datetime
    end: datetime
    keys: tuple


def segments(clocks: Sequence[Clock], start: datetime, end: datetime) -> list[Segment]:
    """The span [start, end) cut where any clock's key changes; adjacent equal keys merged."""
    points = sorted(set().union({start}, *(clock.points(start, end) for clock in clocks)))
    out: list[Segment] = []
    for at, until in zip(points, [*points[1:], end], strict=True):
        keys = tuple(clock.key(at) for clock in clocks)
        if out and out[-1].keys == keys:
            out[-1] = Segment(out[-1].start, until, keys)
        else:
            out.append(Segment(at, until, keys))
    return out


def day_span(clock: Clock, first: date, days: int) -> tuple[datetime, datetime]:
    """The instants at which local date `first` begins and `days` later begins."""
    return clock.midnight(first), clock.midnight(first + timedelta(days=days))
