"""Gaps that matter: a client's survey → warnings for each route that can reach an on-call team while nobody is on call.

Time with nobody on call is a problem only when a call can be routed to the team then. So
the 28 days from the start are cut where the rules that apply or who is on call change
(`timeline.segments`, with who holds each team); in each piece with nobody on call for a
team, the route rules the engine chooses for some class of calls (`survey.Survey`) are
those that reach it — directly (`patch oncall TEAM`), in a message's delivery, or through an
escalation's steps or `finally`. Whether or not the rotations carry `only` makes no
difference: a time an `only` leaves out is a gap as soon as a route can reach the team then.

Each route rule and team is warned about once: the first such time, and how many hours
of the days checked (and a week, on average) it can happen.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from .. import model as m
from ..errors import Diagnostic, SourceText
from ..schedule.shifts import COVERAGE_DAYS
from .survey import Survey
from .timeline import Clock, segments


@dataclass
class Gap:
    """The time in the days checked at which route rule `rule` can reach `team` with nobody on call."""

    first: datetime
    seconds: float = 0.0


def gap_warnings(survey: Survey, days: int = COVERAGE_DAYS) -> list[Diagnostic]:
    """The gaps that matter in the `days` from the survey's start."""
    client = survey.client
    clock = Clock(client)
    if not clock.teams:
        return []
    # For each route rule: each team it can reach, and how ("" directly, or the escalation's name).
    reaches = [dict(reversed(list(teams_reached(client, rule.actions)))) for rule in client.routes]
    end = survey.start + timedelta(days=days)
    found: dict[tuple[int, str], Gap] = {}
    for segment in segments([clock], survey.start, end):
        key = segment.keys[0]
        empty = [team for team, holder in zip(clock.teams, key.holders, strict=True) if holder is None]
        if not empty:
            continue
        for index in survey.routes_chosen(key.without_holders(), segment.start):
            for team in empty:
                if team in reaches[index]:
                    gap = found.setdefault((index, team), Gap(segment.start))
                    gap.seconds += (segment.end - segment.start).total_seconds()
    source = SourceText.of(client.path, client.source)
    out = []
    for (index, team), gap in sorted(found.items()):
        rule = client.routes[index]
        via = reaches[index][team]
        how = f" through escalation `{via}`" if via else ""
        per_week = gap.seconds / 3600 / (days / 7)
        out.append(
            source.at(
                "warning",
                rule.pos,
                f"route rule {index + 1} (line {rule.line}) can reach team `{team}`{how} while nobody is on call: "
                f"first {gap.first.astimezone(clock.tz):%a %Y-%m-%d %H:%M %Z}, {hours(gap.seconds / 3600)} "
                f"in the {days} days checked ({hours(per_week)} a week)",
                f"add a rotation or an override for `{team}` that covers those hours (an `only` window "
                "that leaves them out leaves nobody), or route those calls elsewhere",
            )
        )
    return out


def hours(value: float) -> str:
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text} hour" + ("" if text == "1" else "s")


def teams_reached(client: m.Client, actions: tuple[m.Action, ...], via: str = "") -> Iterator[tuple[str, str]]:
    """(team, escalation or "") for each on-call team an action list can notify: patched,
    messaged, or escalated to, in the order written."""
    for action in actions:
        if isinstance(action, m.Patch):
            yield from team_of(action.target, via)
        elif isinstance(action, m.Message):
            for notify in action.deliveries:
                yield from team_of(notify.target, via)
        elif isinstance(action, m.Escalate) and action.policy in client.escalations:
            policy = client.escalations[action.policy]
            for step in policy.steps:
                for notify in step.notify:
                    yield from team_of(notify.target, policy.name)
            if policy.final is not None:
                yield from teams_reached(client, (policy.final,), policy.name)


def team_of(target: m.Target, via: str) -> Iterator[tuple[str, str]]:
    if isinstance(target, m.TeamTarget):
        yield target.team, via
