"""`rules-engine matrix PATH --client ID`: what callers hear, per forwarding reason, hour by hour.

The span is a week, Monday to Sunday (`--week DATE`, default the current one), or `--days N`
from `--from DATE`. Text for people by default, `--json` for tools, and `--html FILE` writes
a self-contained page with a colour grid per reason (days down, hours across).
"""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime, timedelta
from pathlib import Path

from ..analysis import html
from ..analysis.matrix import as_json, as_text, matrix
from ..engine import Engine
from ..errors import CallError
from ..schedule import clock
from .options import add_rules_path, error, input_error, iso_date

MAX_DAYS = 366


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Show, for each forwarding reason, the greeting and script a caller gets over a span of days."
    add_rules_path(parser)
    parser.add_argument("--client", required=True, metavar="ID", help="the client's id")
    span = parser.add_mutually_exclusive_group()
    span.add_argument("--week", metavar="DATE", type=iso_date, help="the week (Monday to Sunday) containing this date")
    span.add_argument("--from", dest="start", metavar="DATE", type=iso_date, help="the first day of the span")
    parser.add_argument(
        "--days", type=int, metavar="N", help=f"with --from: how many days (default 7, at most {MAX_DAYS})"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--html", metavar="FILE", help="also write a self-contained HTML page to FILE")


def span(args: argparse.Namespace, today: date) -> tuple[date, int]:
    if args.days is not None and args.start is None:
        raise CallError("only goes with --from DATE", field="days")
    if args.days is not None and not 1 <= args.days <= MAX_DAYS:
        raise CallError(f"give 1 to {MAX_DAYS} days", field="days")
    if args.start is not None:
        return args.start, args.days or 7
    day = args.week or today
    return day - timedelta(days=day.weekday()), 7


def run(args: argparse.Namespace) -> int:
    engine = Engine(args.path)
    try:
        client = engine.client(args.client)
        first, days = span(args, datetime.now(clock.zone(client.timezone)).date())
    except CallError as exc:
        return input_error(exc, engine, args)
    found = matrix(client, first, days)
    if args.html:
        try:
            Path(args.html).write_text(html.page(found), encoding="utf-8")
        except OSError as exc:
            error(f"cannot write the page: {exc.strerror}", args.html)
            return 1
    if args.json:
        print(json.dumps(as_json(found), indent=2, ensure_ascii=False))
    elif args.html:
        print(f"wrote {args.html}: {client.title or client.id}, {days} days from {first:%a %Y-%m-%d}")
    else:
        print(as_text(found))
    return 0
