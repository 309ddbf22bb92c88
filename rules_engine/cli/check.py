"""`rules-engine check PATH...`: compile rule files and report every problem at once.

Diagnostics go to standard error, rendered as docs/language.md shows them (errors, warnings, and
a note where syntax errors hold back the other checks), followed by a one-line summary;
`--format json` prints one JSON document on standard output instead, for editors and CI.
Besides the compiler's checks, each client's rules are proven over time from `--from`
(`analysis/checks.py`): rules and questions no call reaches over `--days` (365), routes that
can reach an on-call team while nobody is on call over 28 days, restricted rotations whose
members are never on call, and closures and holidays that change nothing; one line per client
tells on how many of the coming 365 days public holidays make `holiday` hold; over several files
(or a directory), a client id or a number defined in two files is an error naming both, as
the engine would refuse to serve them together. Exit codes: 0 clean, 1
errors (with `--strict`, warnings too), 2 when a PATH does not exist.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from .. import model as m
from ..analysis.checks import check_warnings
from ..analysis.reach import HORIZON
from ..compiler.compile import compile_file
from ..errors import Diagnostic, RulesError
from ..runtime.catalog import ClientVersion, cross_file_problems
from ..schedule import clock
from ..schedule.public_holidays import code, listed
from .options import iso_date
from .terminal import wants_colour


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Compile rule files and report every error and warning at once."
    parser.add_argument("paths", nargs="+", metavar="PATH", help="a .rules file or a directory of them")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors (exit 1)")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="text for people (default), json for editors and CI"
    )
    parser.add_argument(
        "--from",
        dest="start",
        type=iso_date,
        metavar="DATE",
        help="start of the days checked for rules no call reaches, for on-call gaps that a route can "
        "reach (28 days) and for closures and holidays that change nothing (default: today, local time)",
    )
    parser.add_argument(
        "--days",
        type=positive_days,
        default=HORIZON,
        metavar="N",
        help=f"days checked for rules and questions that no call reaches (default {HORIZON})",
    )


def positive_days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        days = 0
    if not 1 <= days <= 3660:
        raise argparse.ArgumentTypeError(f"`{text}` is not a number of days from 1 to 3660")
    return days


def rule_files(paths: list[str]) -> tuple[list[Path], list[str]]:
    """The `.rules` files named or contained in `paths`, and the paths that do not exist."""
    files, missing = [], []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(path.glob("*.rules")))
        elif path.is_file():
            files.append(path)
        else:
            missing.append(raw)
    return files, missing


def plural(count: int, word: str) -> str:
    if count == 0:
        return f"no {word}s"
    return f"{count} {word}" + ("" if count == 1 else "s")


def holiday_note(client: m.Client, path: Path, start: date | None) -> dict | None:
    """How many days of the coming year `holiday` holds because of the `holidays` line (the
    file's own `holiday` lines aside), with the command that lists them; None without one."""
    if not client.regions:
        return None
    first = start or datetime.now(UTC).astimezone(clock.zone(client.timezone)).date()
    days = [h for h in listed(client, first, first + timedelta(days=364)) if h.public]
    return {
        "client": client.id,
        "regions": [code(region) for region in client.regions],
        "from": first.isoformat(),
        "days": len(days),
        "command": f"rules-engine holidays {path} --client {client.id}",
    }


def note_text(note: dict) -> str:
    return (
        f"{note['client']}: public holidays ({', '.join(note['regions'])}) make `holiday` hold on "
        f"{plural(note['days'], 'day')} of the 365 from {note['from']}; list them: {note['command']}"
    )


def run(args: argparse.Namespace) -> int:
    files, missing = rule_files(args.paths)
    if missing:
        for raw in missing:
            print(f"rules-engine check: {raw}: no such file or directory", file=sys.stderr)
        return 2
    diagnostics: list[Diagnostic] = []
    notes: list[dict] = []  # one per client with public holidays
    clients: dict[str, str] = {}
    compiled: list[ClientVersion] = []
    for path in files:
        try:
            client, found = compile_file(path)
            clients[str(path)] = client.id
            compiled.append(ClientVersion(client))
            diagnostics.extend(found)
            diagnostics.extend(check_warnings(client, args.start, args.days, found))
            note = holiday_note(client, path, args.start)
            if note is not None:
                notes.append(note)
        except RulesError as exc:
            diagnostics.extend(exc.diagnostics)
    # What the engine would refuse to serve together: a client id or a number in two files.
    diagnostics.extend(cross_file_problems(compiled))
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = sum(d.severity == "warning" for d in diagnostics)
    failed = errors > 0 or (args.strict and warnings > 0) or not files
    if args.format == "json":
        report = {
            "ok": not failed,
            "files": [str(f) for f in files],
            "clients": clients,
            "errors": errors,
            "warnings": warnings,
            "diagnostics": [d.as_dict() for d in diagnostics],
            "holidays": notes,
        }
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 1 if failed else 0
    colour = wants_colour(sys.stderr)
    for d in diagnostics:
        print(d.render(colour), file=sys.stderr)
    if not files:
        print("rules-engine check: no .rules files found in " + ", ".join(args.paths), file=sys.stderr)
        return 1
    for note in notes:
        print(note_text(note))
    summary = f"checked {plural(len(files), 'file')}: {plural(errors, 'error')}, {plural(warnings, 'warning')}"
    if args.strict and warnings and not errors:
        summary += " (--strict: warnings count as errors)"
    print(summary, file=sys.stderr if failed else sys.stdout)
    return 1 if failed else 0
