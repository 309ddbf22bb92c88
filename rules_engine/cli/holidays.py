"""`rules-engine holidays PATH --client ID [--year YYYY] [--json]`: the dates on which `holiday` holds.

The list an account manager sends a client to confirm: each date, the holiday's name and the
line it comes from (the `holidays` line, after its `except`/`only`, or one of the file's own
`holiday` lines). Without `--year` it covers the 365 days from today on the client's local
calendar, the same days `check` counts; with it, that calendar year.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, date, datetime, timedelta

from .. import model as m
from ..errors import CallError
from ..schedule import clock
from ..schedule.public_holidays import Listed, left_out, listed
from .options import UsageError, add_rules_path, input_error, open_engine

COMING_DAYS = 365  # without --year: from today, as `check` counts


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "List the dates on which `holiday` holds for a client, by name and source line."
    add_rules_path(parser)
    parser.add_argument("--client", required=True, metavar="ID", help="the client's id")
    parser.add_argument(
        "--year", type=int, metavar="YYYY", help="this calendar year (default: the 365 days from today)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(store=None)  # live state plays no part in which days are holidays


def span(client: m.Client, year: int | None, today: date | None = None) -> tuple[date, date]:
    """The first and last dates listed: the calendar year, or the coming 365 days from the
    client's local today."""
    if year is not None:
        if not 1970 <= year < 2200:
            raise UsageError(f"{year} is too far in the past or the future", field="year")
        return date(year, 1, 1), date(year, 12, 31)
    first = today or datetime.now(UTC).astimezone(clock.zone(client.timezone)).date()
    return first, first + timedelta(days=COMING_DAYS - 1)


def run(args: argparse.Namespace) -> int:
    engine = open_engine(args)
    if engine is None:
        return 1
    try:
        client = engine.client(args.client)
        first, last = span(client, args.year)
    except CallError as exc:
        return input_error(exc, engine, args)
    found, dropped = listed(client, first, last), left_out(client, first, last)
    print(
        json.dumps(as_json(client, first, last, found, dropped), indent=2, ensure_ascii=False)
        if args.json
        else text(client, first, last, found, dropped)
    )
    return 0


def as_json(client: m.Client, first: date, last: date, found: list[Listed], dropped: list[Listed]) -> dict:
    return {
        "client": client.id,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "holidays": [listed_json(h) for h in found],
        "left_out": [listed_json(h) for h in dropped],  # public holidays the client works (`except`, `only`)
    }


def listed_json(holiday: Listed) -> dict:
    return {"date": holiday.day.isoformat(), "name": holiday.name, "line": holiday.line, "source": holiday.source}


def text(client: m.Client, first: date, last: date, found: list[Listed], dropped: list[Listed]) -> str:
    title = f"{client.title} ({client.id})" if client.title else client.id
    count = f"{len(found)} date{'' if len(found) == 1 else 's'}" if found else "no dates"
    lines = [f"{title}: `holiday` holds on {count} from {first:%a %d %b %Y} to {last:%a %d %b %Y}"]
    if not client.regions and not client.holiday_dates:
        lines.append("  the file has no `holidays` line and no `holiday` line")
    width = max((len(h.name) for h in (*found, *dropped)), default=0)
    lines += [f"  {h.day:%a %d %b %Y}  {h.name:<{width}}  line {h.line}: {h.source}" for h in found]
    if dropped:
        lines.append(f"public holidays left out, worked as any other day: {len(dropped)}")
        lines += [f"  {h.day:%a %d %b %Y}  {h.name:<{width}}  line {h.line}: {h.source}" for h in dropped]
    return "\n".join(lines)
