"""On-call views: who is on call now, a team's week and a feed's shifts, as JSON-ready data.

The command line (`rules-engine oncall`) and the HTTP service (`GET /v1/clients/{id}/oncall`)
show the same views; both build them here and only render them their own way.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from .. import model as m
from ..errors import CallError, did_you_mean
from . import ics
from .oncall import FileOverride, Layer, OnCall
from .shifts import COVERAGE_DAYS, Shift, by_day, local_midnight, shifts

# How far beyond the asked range shifts are followed to find their true start and end.
REACH = timedelta(days=35)


def chosen_teams(client: m.Client, team: str | None) -> list[str]:
    if team is None:
        return list(client.teams)
    if team not in client.teams:
        hint = did_you_mean(team, client.teams)
        known = ", ".join(f"`{t}`" for t in client.teams) or "none"
        raise CallError(
            f"client `{client.id}` has no on-call team `{team}` ({hint or 'teams: ' + known})", field="team"
        )
    return [team]


def current(oncall: OnCall, team: str, at: datetime, live) -> dict:
    found = oncall.holder(team, at, live)
    ahead = shifts(oncall, team, at, at + timedelta(days=COVERAGE_DAYS), live)
    until = ahead[0].end if ahead and ahead[0].end < at + timedelta(days=COVERAGE_DAYS) else None
    if found is None:
        return {"team": team, "contact": None, "name": None, "until": until, "why": "nobody is on call"}
    person, source = found
    return {
        "team": team,
        "contact": person,
        "name": ics.display_name(oncall.client, person),
        "until": until,
        "why": why(source),
    }


def why(source) -> str:
    if isinstance(source, Layer):
        return f"rotation at line {source.rotation.pos.line}" if source.rotation.pos else f"rotation {source.index}"
    if isinstance(source, FileOverride):
        return f"override at line {source.override.pos.line}" if source.override.pos else "override"
    return "live override" + (f": {source.reason}" if source.reason else "")


def now_json(client: m.Client, oncall: OnCall, at: datetime, now: dict) -> dict:
    return {
        "client": client.id,
        "timezone": client.timezone,
        "at": at.astimezone(oncall.tz).isoformat(),
        "teams": [
            dict(row, until=row["until"].astimezone(oncall.tz).isoformat() if row["until"] else None)
            for row in now.values()
        ],
    }


def week_of(oncall: OnCall, team: str, first: date, live) -> list[tuple[date, list[Shift]]]:
    lo, hi = local_midnight(first, oncall), local_midnight(first + timedelta(days=7), oncall)
    return by_day(shifts(oncall, team, lo, hi, live), oncall, first, 7)


def clock_label(instant: datetime, day: date, oncall: OnCall, with_zone: bool) -> str:
    local = instant.astimezone(oncall.tz)
    text = "24:00" if local.date() > day else local.strftime("%H:%M")
    return f"{text} {local.strftime('%Z')}" if with_zone else text


def week_json(client: m.Client, oncall: OnCall, first: date, view: dict) -> dict:
    def piece(s: Shift, day: date) -> dict:
        return {
            "from": clock_label(s.start, day, oncall, False),
            "to": clock_label(s.end, day, oncall, False),
            "start": s.start.astimezone(oncall.tz).isoformat(),
            "end": s.end.astimezone(oncall.tz).isoformat(),
            "contact": s.person,
            "name": ics.display_name(client, s.person) if s.person else None,
        }

    return {
        "client": client.id,
        "timezone": client.timezone,
        "week": first.isoformat(),
        "teams": [
            {
                "team": team,
                "days": [{"date": day.isoformat(), "shifts": [piece(s, day) for s in pieces]} for day, pieces in days],
            }
            for team, days in view.items()
        ],
    }


def feed_shifts(oncall: OnCall, teams: list[str], first: date, days: int, live) -> list[Shift]:
    """The shifts of `teams` over `days` days from local midnight of `first`, for a feed: each
    with its true start and end, even where it crosses the range."""
    lo, hi = local_midnight(first, oncall), local_midnight(first + timedelta(days=days), oncall)
    return [
        s for team in teams for s in shifts(oncall, team, lo - REACH, hi + REACH, live) if s.start < hi and s.end > lo
    ]
