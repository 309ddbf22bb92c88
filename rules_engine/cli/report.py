"""`rules-engine report --settings FILE --client ID --from DATE --to DATE`: how a client's calls ended.

Reads the outcomes recorded in the store the settings name (the daemon's), never writes
them: the store is opened read-only and the decision log not at all, so the report runs beside
a running `rules-engine serve` with the same settings. Prints the figures for people, or
`--json` (every key defined in docs/metrics.md); `--html FILE` also writes the page with
charts, self-contained, to send to the client.
"""

from __future__ import annotations

import argparse
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from .. import model as m
from ..engine import Engine
from ..errors import CallError, RulesEngineError, SourceText
from ..extras import needs
from ..outcomes import html
from ..outcomes.store import OutcomeStore
from ..runtime.settings import Settings
from ..runtime.stores import open_outcome_store
from .options import error, input_error, iso_date
from .render import code_of

OPTIONS = {"start": "--from", "end": "--to"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Report how a client's calls ended, from the outcomes the daemon recorded (definitions: docs/metrics.md)."
    )
    parser.add_argument(
        "--settings", required=True, metavar="FILE", help="the daemon's settings file (its rules and its store)"
    )
    parser.add_argument("--client", required=True, metavar="ID", help="the client's id")
    parser.add_argument(
        "--from", dest="start", required=True, metavar="DATE", type=iso_date, help="the first local day (YYYY-MM-DD)"
    )
    parser.add_argument(
        "--to", dest="end", required=True, metavar="DATE", type=iso_date, help="the last local day, included"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--html", metavar="FILE", type=Path, help="also write the report as a page with charts")
    parser.add_argument(
        "--short-abandon",
        type=not_negative,
        default=5,
        metavar="SECONDS",
        help="abandons shorter than this are kept apart (default 5)",
    )
    parser.add_argument(
        "--service-level",
        type=not_negative,
        default=20,
        metavar="SECONDS",
        help="the service level counts answers within this (default 20)",
    )
    parser.add_argument(
        "--fcr-days",
        type=positive,
        default=7,
        metavar="DAYS",
        help="first-call resolution: no repeat call within this many days (default 7)",
    )


def not_negative(text: str) -> float:
    """An argparse type: a number of seconds, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        value = -1
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"`{text}` is not a number, 0 or more")
    return value


def positive(text: str) -> float:
    """An argparse type: a number above 0."""
    try:
        value = float(text)
    except ValueError:
        value = 0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"`{text}` is not a positive number")
    return value


def reader(settings_file: str) -> tuple[Engine, OutcomeStore | None]:
    """The settings' rules, and their outcome store opened read-only (the caller closes it): no
    lock taken, no table created, no decision log opened, no last-good version recorded."""
    settings = Settings.from_yaml(settings_file)
    store = open_outcome_store(settings.store, read_only=True) if settings.store is not None else None
    try:
        engine = Engine(
            settings.rules,
            outcomes=store,
            default_language=settings.default_language,
            cache_dir=settings.cache_dir,
            keep_last_good=False,
        )
    except BaseException:
        if store is not None:
            store.close()
        raise
    return engine, store


def run(args: argparse.Namespace) -> int:
    if args.html is not None:  # the page's charts need matplotlib: say so before reading anything
        with needs("report", "rules-engine report --html"):
            html.pyplot()
    try:
        engine, store = reader(args.settings)
    except RulesEngineError as exc:
        error(str(exc), args.settings)
        return 1
    try:
        return report_of(args, engine)
    finally:
        if store is not None:
            store.close()


def report_of(args, engine: Engine) -> int:
    args.path = engine.path  # where an unknown client was looked for
    with engine:
        try:
            client = engine.client(args.client)
            report = engine.report(
                client.id,
                args.start,
                args.end,
                short_abandon_seconds=args.short_abandon,
                service_level_seconds=args.service_level,
                fcr_window=timedelta(days=args.fcr_days),
            )
        except CallError as exc:
            if exc.field in OPTIONS:
                error(str(exc).removeprefix(f"{exc.field}: "), OPTIONS[exc.field])
                return 1
            return input_error(exc, engine, args)
        except RulesEngineError as exc:
            error(str(exc), args.settings)
            return 1
    if args.html is not None:
        texts = rule_texts(client, report)
        try:
            args.html.write_text(html.page(report, client.title or client.id, client.timezone, texts), encoding="utf-8")
        except OSError as exc:
            error(f"cannot write the page: {exc.strerror}", str(args.html))
            return 1
    print(json.dumps(report, indent=2, ensure_ascii=False) if args.json else text(report, client))
    if args.html is not None and not args.json:
        print(f"\npage written to {args.html}")
    return 0


def rule_texts(client: m.Client, report: dict[str, Any]) -> dict[int, str]:
    """Each reported route rule's text, quoted from the rules now served when they decided every call."""
    if report["rules_versions"] != [client.rules_version]:
        return {}
    lines = SourceText.of(client.path, client.source).lines
    return {r["rule"]: code_of(lines[r["line"] - 1]) for r in report["by_rule"] if 0 < r["line"] <= len(lines)}


def text(r: dict[str, Any], client: m.Client) -> str:
    """The figures as an account manager reads them."""

    def rate(key: str) -> str:
        return rate_of(r, key)

    seconds = html.duration
    p = r["parameters"]
    out = [
        f"{client.title or client.id} ({client.id}): calls from {r['from'][:10]} to {r['by_day'][-1]['date']}",
        f"CALLS     received {r['received']}, answered {r['answered']}, abandoned {r['abandoned']} "
        f"(and {r['short_abandoned']} within {p['short_abandon_seconds']:g} s, left out of the rates), "
        f"missed {r['missed']}, failed {r['failed']}, dropped {r['dropped']}, no outcome recorded {r['no_outcome']}",
        f"RATES     resolution {rate('resolution_rate')}, abandonment {rate('abandonment_rate')}, "
        f"service level {rate('service_level')} (answered within {p['service_level_seconds']:g} s), "
        f"first-call resolution {rate('fcr_rate')}, transferred {rate('transfer_rate')}",
        f"TIMES     average speed of answer {seconds(r['asa_seconds'])}, average handle time "
        f"{seconds(r['aht_seconds'])}, satisfaction {r['csat'] if r['csat'] is not None else 'n/a'}",
    ]
    e = r["escalations"]
    out.append(
        f"ESCALATED {e['count']} calls: {e['acknowledged']} acknowledged (median "
        f"{seconds(e['median_seconds_to_acknowledge'])} after the call), {e['unacknowledged']} never"
    )
    for person in e["by_person"].values():
        out.append(
            f"          {person['name']}: notified {person['notified']} ({person['night_notifications']} at "
            f"night), acknowledged {person['acknowledged']}, median "
            f"{seconds(person['median_seconds_to_acknowledge'])}"
        )
    texts = rule_texts(client, r)
    if r["by_rule"]:
        out.append("BY RULE")
    for rule in r["by_rule"]:
        quoted = f": {texts[rule['rule']]}" if rule["rule"] in texts else ""
        out.append(f"  rule {rule['rule']} (line {rule['line']}){quoted}")
        out.append(
            f"    received {rule['received']}, answered {rule['answered']}, unanswered "
            f"{rule['unanswered']}, abandonment {rate_of(rule, 'abandonment_rate')}, "
            f"resolution {rate_of(rule, 'resolution_rate')}"
        )
    return "\n".join(out)


def rate_of(entry: dict[str, Any], key: str) -> str:
    return f"{entry[key]:.1f} %" if entry[key] is not None else "n/a"
