"""`rules-engine diff OLD NEW`: every class of call an edit decides differently, before it is deployed.

OLD and NEW are `.rules` files or directories of them. Two files are compared as one client
(even if renamed); directories client by client, and clients added or removed are listed.
The span is `--days N` (default 28) local days from `--from DATE` (default today). Text for
people; `--json` gives every change with its interval, class, old and new, and an example call.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path

from .. import model as m
from ..analysis.diff import Comparison, compare
from ..analysis.diff_text import summary, text
from ..analysis.digest import Digest, digest
from ..compiler.compile import compile_file
from ..errors import Diagnostic, RulesError, did_you_mean
from ..schedule import clock
from .check import rule_files
from .options import error, iso_date

MAX_DAYS = 366


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Compare two versions of rule files: every class of call decided differently over a span of days."
    )
    parser.add_argument("old", metavar="OLD", help="the rules as deployed: a .rules file or a directory of them")
    parser.add_argument("new", metavar="NEW", help="the edited rules: a .rules file or a directory of them")
    parser.add_argument("--client", metavar="ID", help="only this client")
    parser.add_argument(
        "--from",
        dest="start",
        metavar="DATE",
        type=iso_date,
        help="the first day compared (default: today, in each client's time zone)",
    )
    parser.add_argument(
        "--days", type=int, default=28, metavar="N", help=f"how many days (default 28, at most {MAX_DAYS})"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")


def clients_of(path: str, problems: list[Diagnostic]) -> dict[str, m.Client]:
    """The clients compiled from a file or directory; what fails to compile goes to `problems`."""
    files, missing = rule_files([path])
    if missing or not files:
        problems.append(Diagnostic("error", "no such file or directory" if missing else "no .rules files here", path))
        return {}
    found: dict[str, m.Client] = {}
    for file in files:
        try:
            client, _ = compile_file(file)
        except RulesError as exc:
            problems.extend(exc.errors)
            continue
        if client.id in found:
            problems.append(
                Diagnostic("error", f"client `{client.id}` is also defined in {found[client.id].path}", str(file))
            )
        found[client.id] = client
    return found


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.days <= MAX_DAYS:
        error(f"give 1 to {MAX_DAYS} days", "--days")
        return 2
    problems: list[Diagnostic] = []
    old, new = clients_of(args.old, problems), clients_of(args.new, problems)
    if problems:
        for problem in problems:
            print(problem.render(), file=sys.stderr)
        print("rules-engine diff: both versions must compile to be compared", file=sys.stderr)
        return 1
    if args.client is not None:
        if args.client not in old and args.client not in new:
            known = sorted(set(old) | set(new))
            hint = did_you_mean(args.client, known) or "clients: " + ", ".join(f"`{c}`" for c in known)
            error(f"no client `{args.client}` in either version", "--client", hint)
            return 1
        old = {k: v for k, v in old.items() if k == args.client}
        new = {k: v for k, v in new.items() if k == args.client}
    both_files = Path(args.old).is_file() and Path(args.new).is_file()
    first = args.start or today(new or old)
    comparison = compare(old, new, first, args.days, pair_alone=both_files)
    digests = digests_of(comparison)
    if args.json:
        print(
            json.dumps(
                {
                    "old": args.old,
                    "new": args.new,
                    "from": first.isoformat(),
                    "days": args.days,
                    "added": comparison.added,
                    "removed": comparison.removed,
                    "changes": [change.as_json() for change in comparison.changes],
                    "edits": {client: found.as_json()["edits"] for client, found in digests.items()},
                    "groups": [group.as_json() for found in digests.values() for group in found.groups],
                    "summary": {client: summary(found) for client, found in digests.items()},
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        print(text(comparison, digests, args.old, args.new, f"{first:%a %Y-%m-%d}", args.days))
    return 0


def today(clients: dict[str, m.Client]) -> date:
    """Today in the first client's zone (clients compared together share one span of dates)."""
    zone = next(iter(clients.values())).timezone if clients else "UTC"
    return datetime.now(clock.zone(zone)).date()


def digests_of(comparison: Comparison) -> dict[str, Digest]:
    """Each compared client's changes grouped by the edit that causes them (`analysis.digest`)."""
    out = {}
    offset = 0
    for old, new in comparison.pairs:
        mine = [change for change in comparison.changes if change.client == new.id]
        if mine:
            out[new.id] = digest(old, new, mine, offset)
        offset += len(mine)
    return out
