"""`rules-engine oncall PATH --client ID`: who is on call now or at an instant, a week view, JSON or iCalendar.

The week view runs Monday to Sunday (the week containing `--week DATE`), one block per
team, each day listing who holds which hours on the client's local wall clock. `--ics`
writes the shifts of that week (without `--week`: the 28 days from `--at` or today) as
an iCalendar feed; shifts keep their true start and end even where they cross the range.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, timedelta, timezone
from typing import Optional

from .. import model as m
from ..errors import CallError, did_you_mean
from ..schedule import ics
from ..schedule.calendar import Calendar
from ..schedule.oncall import FileOverride, Layer, OnCall
from ..schedule.shifts import COVERAGE_DAYS, Shift, by_day, local_midnight, shifts
from .options import AT_HELP, add_rules_path, add_store_option, input_error, iso_date, open_engine, when

# How far beyond the asked range shifts are followed to find their true start and end.
REACH = timedelta(days=35)


def add_parser(sub):
    parser = sub.add_parser(
        "oncall", help="who is on call now, at an instant or over a week; JSON or an iCalendar feed",
        description="Show who is on call for a client's teams.",
    )
    add_rules_path(parser)
    parser.add_argument("--client", required=True, metavar="ID", help="the client's id")
    parser.add_argument("--team", metavar="NAME", help="only this team")
    span = parser.add_mutually_exclusive_group()
    span.add_argument("--at", metavar="DATETIME", help=AT_HELP)
    span.add_argument("--week", metavar="DATE", type=iso_date, help="the week (Monday to Sunday) containing this date")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON")
    out.add_argument("--ics", action="store_true", help="print an iCalendar feed of the shifts")
    add_store_option(parser)
    return parser


def run(args) -> int:
    engine = open_engine(args)
    if engine is None:
        return 1
    try:
        client = engine.client(args.client)
        teams = chosen_teams(client, args.team)
        at = when(args.at, client.timezone, "at") if args.at else datetime.now(timezone.utc)
        week = args.week - timedelta(days=args.week.weekday()) if args.week else None
    except CallError as exc:
        return input_error(exc, engine, args)
    oncall = OnCall(client, Calendar(client))
    live = engine.store.snapshot(client.id).overrides
    if args.ics:
        found = feed_shifts(oncall, teams, week or at.astimezone(oncall.tz).date(), 7 if week else COVERAGE_DAYS, live)
        sys.stdout.write(ics.feed(client, found, datetime.now(timezone.utc)).decode("utf-8"))
        return 0
    if week is not None:
        view = {team: week_of(oncall, team, week, live) for team in teams}
        print(json.dumps(week_json(client, oncall, week, view), indent=2, ensure_ascii=False) if args.json
              else week_text(client, oncall, week, view))
        return 0
    now = {team: current(oncall, team, at, live) for team in teams}
    print(json.dumps(now_json(client, oncall, at, now), indent=2, ensure_ascii=False) if args.json
          else now_text(client, oncall, at, now))
    return 0


def feed_shifts(oncall: OnCall, teams: list[str], first: date, days: int, live) -> list[Shift]:
    """The shifts of `teams` over `days` days from local midnight of `first`, for a feed: each
    with its true start and end, even where it crosses the range."""
    lo, hi = local_midnight(first, oncall), local_midnight(first + timedelta(days=days), oncall)
    return [s for team in teams for s in shifts(oncall, team, lo - REACH, hi + REACH, live)
            if s.start < hi and s.end > lo]


def chosen_teams(client: m.Client, team: Optional[str]) -> list[str]:
    if team is None:
        return list(client.teams)
    if team not in client.teams:
        hint = did_you_mean(team, client.teams)
        known = ", ".join(f"`{t}`" for t in client.teams) or "none"
        raise CallError(f"client `{client.id}` has no on-call team `{team}` ({hint or 'teams: ' + known})", field="team")
    return [team]


# ---- who is on call at one instant --------------------------------------------------------------------


def current(oncall: OnCall, team: str, at: datetime, live) -> dict:
    found = oncall.holder(team, at, live)
    ahead = shifts(oncall, team, at, at + timedelta(days=COVERAGE_DAYS), live)
    until = ahead[0].end if ahead and ahead[0].end < at + timedelta(days=COVERAGE_DAYS) else None
    if found is None:
        return {"team": team, "contact": None, "name": None, "until": until, "why": "nobody is on call"}
    person, source = found
    return {"team": team, "contact": person, "name": ics.display_name(oncall.client, person),
            "until": until, "why": why(source)}


def why(source) -> str:
    if isinstance(source, Layer):
        return f"rotation at line {source.rotation.pos.line}" if source.rotation.pos else f"rotation {source.index}"
    if isinstance(source, FileOverride):
        return f"override at line {source.override.pos.line}" if source.override.pos else "override"
    return "live override" + (f": {source.reason}" if source.reason else "")


def stamp(instant: datetime, oncall: OnCall) -> str:
    return instant.astimezone(oncall.tz).strftime("%a %Y-%m-%d %H:%M %Z")


def now_text(client: m.Client, oncall: OnCall, at: datetime, now: dict) -> str:
    out = [f"{client.title or client.id} ({client.id}): on call at {stamp(at, oncall)}"]
    width = max((len(t) for t in now), default=0)
    for team, row in now.items():
        who = f"{row['name']} ({row['contact']})" if row["contact"] else "nobody"
        until = f" until {stamp(row['until'], oncall)}" if row["until"] else ""
        out.append(f"  {team:<{width}}  {who}{until}  [{row['why']}]")
    if not now:
        out.append("  (no on-call teams)")
    return "\n".join(out)


def now_json(client: m.Client, oncall: OnCall, at: datetime, now: dict) -> dict:
    return {
        "client": client.id,
        "timezone": client.timezone,
        "at": at.astimezone(oncall.tz).isoformat(),
        "teams": [dict(row, until=row["until"].astimezone(oncall.tz).isoformat() if row["until"] else None)
                  for row in now.values()],
    }


# ---- the week view --------------------------------------------------------------------------------------


def week_of(oncall: OnCall, team: str, first: date, live) -> list[tuple[date, list[Shift]]]:
    lo, hi = local_midnight(first, oncall), local_midnight(first + timedelta(days=7), oncall)
    return by_day(shifts(oncall, team, lo, hi, live), oncall, first, 7)


def clock_label(instant: datetime, day: date, oncall: OnCall, with_zone: bool) -> str:
    local = instant.astimezone(oncall.tz)
    text = "24:00" if local.date() > day else local.strftime("%H:%M")
    return f"{text} {local.strftime('%Z')}" if with_zone else text


def week_text(client: m.Client, oncall: OnCall, first: date, view: dict) -> str:
    last = first + timedelta(days=6)
    out = [f"{client.title or client.id} ({client.id}): on call {first:%a %Y-%m-%d} to {last:%a %Y-%m-%d}, "
           f"{client.timezone}"]
    for team, days in view.items():
        rows = []
        for day, pieces in days:
            # On a day the clocks change, a wall-clock time may happen twice: show the zone.
            dst_day = bool(pieces) and pieces[0].start.astimezone(oncall.tz).utcoffset() != pieces[-1].end.astimezone(oncall.tz).utcoffset()
            label = f"{day:%a %d %b}"
            for piece in pieces:
                hours = f"{clock_label(piece.start, day, oncall, dst_day)}-{clock_label(piece.end, day, oncall, dst_day)}"
                rows.append((label, hours, ics.display_name(client, piece.person) if piece.person else "nobody"))
                label = ""
        width = max(len(hours) for _, hours, _ in rows)
        out += ["", team] + [f"  {label:<10}  {hours:<{width}}  {who}" for label, hours, who in rows]
    if not view:
        out.append("(no on-call teams)")
    return "\n".join(out)


def week_json(client: m.Client, oncall: OnCall, first: date, view: dict) -> dict:
    def piece(s: Shift, day: date) -> dict:
        return {"from": clock_label(s.start, day, oncall, False), "to": clock_label(s.end, day, oncall, False),
                "start": s.start.astimezone(oncall.tz).isoformat(), "end": s.end.astimezone(oncall.tz).isoformat(),
                "contact": s.person, "name": ics.display_name(client, s.person) if s.person else None}

    return {
        "client": client.id,
        "timezone": client.timezone,
        "week": first.isoformat(),
        "teams": [{"team": team, "days": [{"date": day.isoformat(), "shifts": [piece(s, day) for s in pieces]}
                                          for day, pieces in days]}
                  for team, days in view.items()],
    }
