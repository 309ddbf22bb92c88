"""`rules-engine oncall PATH --client ID`: who is on call now or at an instant, a week view, JSON or iCalendar.

The week view runs Monday to Sunday (the week containing `--week DATE`), one block per
team, each day listing who holds which hours on the client's local wall clock. `--ics`
writes the shifts of that week (without `--week`: the 28 days from `--at` or today) as
an iCalendar feed; shifts keep their true start and end even where they cross the range.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime, timedelta
from typing import Any

from .. import model as m
from ..errors import CallError
from ..schedule import ics
from ..schedule.calendar import Calendar
from ..schedule.oncall import OnCall
from ..schedule.oncall_views import (
    chosen_teams,
    clock_label,
    current,
    feed_shifts,
    now_json,
    week_json,
    week_of,
)
from ..schedule.shifts import COVERAGE_DAYS
from .options import AT_HELP, add_rules_path, add_store_option, input_error, iso_date, open_engine, when


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Show who is on call for a client's teams."
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


def run(args: argparse.Namespace) -> int:
    engine = open_engine(args)
    if engine is None:
        return 1
    try:
        client = engine.client(args.client)
        teams = chosen_teams(client, args.team)
        at = when(args.at, client.timezone, "at") if args.at else datetime.now(UTC)
        week = args.week - timedelta(days=args.week.weekday()) if args.week else None
    except CallError as exc:
        return input_error(exc, engine, args)
    oncall = OnCall(client, Calendar(client))
    live = engine.store.snapshot(client.id).overrides
    if args.ics:
        found = feed_shifts(oncall, teams, week or at.astimezone(oncall.tz).date(), 7 if week else COVERAGE_DAYS, live)
        sys.stdout.write(ics.feed(client, found, datetime.now(UTC)).decode("utf-8"))
        return 0
    if week is not None:
        view = {team: week_of(oncall, team, week, live) for team in teams}
        print(
            json.dumps(week_json(client, oncall, week, view), indent=2, ensure_ascii=False)
            if args.json
            else week_text(client, oncall, week, view)
        )
        return 0
    now = {team: current(oncall, team, at, live) for team in teams}
    print(
        json.dumps(now_json(client, oncall, at, now), indent=2, ensure_ascii=False)
        if args.json
        else now_text(client, oncall, at, now)
    )
    return 0


# ---- who is on call at one instant --------------------------------------------------------------------


def stamp(instant: datetime, oncall: OnCall) -> str:
    return instant.astimezone(oncall.tz).strftime("%a %Y-%m-%d %H:%M %Z")


def now_text(client: m.Client, oncall: OnCall, at: datetime, now: dict[str, Any]) -> str:
    out = [f"{client.title or client.id} ({client.id}): on call at {stamp(at, oncall)}"]
    width = max((len(t) for t in now), default=0)
    for team, row in now.items():
        who = f"{row['name']} ({row['contact']})" if row["contact"] else "nobody"
        until = f" until {stamp(row['until'], oncall)}" if row["until"] else ""
        out.append(f"  {team:<{width}}  {who}{until}  [{row['why']}]")
    if not now:
        out.append("  (no on-call teams)")
    return "\n".join(out)


# ---- the week view --------------------------------------------------------------------------------------


def week_text(client: m.Client, oncall: OnCall, first: date, view: dict[str, Any]) -> str:
    last = first + timedelta(days=6)
    out = [
        f"{client.title or client.id} ({client.id}): on call {first:%a %Y-%m-%d} to {last:%a %Y-%m-%d}, "
        f"{client.timezone}"
    ]
    for team, days in view.items():
        rows = []
        for day, pieces in days:
            # On a day the clocks change, a wall-clock time may happen twice: show the zone.
            dst_day = (
                bool(pieces)
                and pieces[0].start.astimezone(oncall.tz).utcoffset()
                != pieces[-1].end.astimezone(oncall.tz).utcoffset()
            )
            label = f"{day:%a %d %b}"
            for piece in pieces:
                hours = (
                    f"{clock_label(piece.start, day, oncall, dst_day)}-{clock_label(piece.end, day, oncall, dst_day)}"
                )
                rows.append((label, hours, ics.display_name(client, piece.person) if piece.person else "nobody"))
                label = ""
        width = max(len(hours) for _, hours, _ in rows)
        out += ["", team] + [f"  {label:<10}  {hours:<{width}}  {who}" for label, hours, who in rows]
    if not view:
        out.append("(no on-call teams)")
    return "\n".join(out)
