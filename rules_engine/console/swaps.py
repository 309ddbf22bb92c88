"""On-call swaps as the console shows them: a team's week with each block's source, and what a
swap (a live override) would change before it is saved.

A swap is the engine's live override (`Engine.set_override`): it beats every rotation and
every override written in the rule file, as `OnCall.holder` applies it to each call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from .. import model as m
from ..analysis.gaps import teams_reached
from ..live import LiveOverride
from ..schedule.ics import display_name
from ..schedule.oncall import FileOverride, OnCall
from ..schedule.oncall_views import clock_label, week_of
from ..schedule.shifts import change_points


@dataclass(frozen=True)
class Block:
    """A piece of a day: `name` holds the team from `start` to `end` (local clock text)."""

    start: str
    end: str
    name: str | None
    source: str  # "rotation", "override in the rules" or "swap"


@dataclass(frozen=True)
class TeamWeek:
    team: str
    days: list[tuple[date, list[Block]]]


@dataclass(frozen=True)
class Changed:
    """From `start` to `end` (local text) the team's calls reach `after` instead of `before`."""

    start: str
    end: str
    before: str
    after: str


def reach(client: m.Client, person: str | None) -> str:
    """A person as a page names them: title and the number calls ring."""
    if person is None:
        return "nobody (the route's next step or fallback applies)"
    contact = client.contacts.get(person)
    number = contact.addresses.get("call") if contact else None
    return display_name(client, person) + (f" ({number.value})" if number is not None else "")


def source_of(oncall: OnCall, team: str, at: datetime, live: Sequence[LiveOverride]) -> str:
    found = oncall.holder(team, at, live)
    if found is None:
        return "nobody"
    if isinstance(found[1], LiveOverride):
        return "swap"
    return "override in the rules" if isinstance(found[1], FileOverride) else "rotation"


def team_week(oncall: OnCall, team: str, first: date, live: Sequence[LiveOverride]) -> TeamWeek:
    client = oncall.client
    days = []
    for day, pieces in week_of(oncall, team, first, live):
        blocks = [
            Block(
                clock_label(s.start, day, oncall, False),
                clock_label(s.end, day, oncall, False),
                display_name(client, s.person) if s.person else None,
                source_of(oncall, team, s.start, live),
            )
            for s in pieces
        ]
        days.append((day, blocks))
    return TeamWeek(team, days)


def changes(oncall: OnCall, proposed: LiveOverride, live: Sequence[LiveOverride]) -> list[Changed]:
    """Where the swap changes who the team's calls reach, as maximal spans."""
    team, client, after_live = proposed.team, oncall.client, (*live, proposed)
    points = sorted(
        set(change_points(oncall, team, proposed.start, proposed.end, live))
        | set(change_points(oncall, team, proposed.start, proposed.end, after_live))
    )
    spans: list[tuple[datetime, datetime, str | None, str | None]] = []
    for at, until in zip(points, [*points[1:], proposed.end], strict=True):
        before, after = oncall.who(team, at, live), oncall.who(team, at, after_live)
        if before == after:
            continue
        if spans and spans[-1][1] == at and spans[-1][2:] == (before, after):
            spans[-1] = (spans[-1][0], until, before, after)
        else:
            spans.append((at, until, before, after))
    return [Changed(stamp(s, oncall), stamp(e, oncall), reach(client, b), reach(client, a)) for s, e, b, a in spans]


def stamp(instant: datetime, oncall: OnCall) -> str:
    return instant.astimezone(oncall.tz).strftime("%a %d %b %Y %H:%M %Z")


def routes_to(client: m.Client, team: str) -> list[str]:
    """The route rules whose calls can reach `team` (put through, messaged or escalated to), in
    words: what a swap changes for callers."""
    out = []
    for number, rule in enumerate(client.routes, start=1):
        via = [escalation for reached, escalation in teams_reached(client, rule.actions) if reached == team]
        if via:
            line = f", line {rule.pos.line}" if rule.pos else ""
            how = f" through escalation `{via[0]}`" if via[0] else ""
            out.append(f"route rule {number}{line}{how}")
    return out
