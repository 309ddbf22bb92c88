"""`rules-engine diff OLD NEW`: every class of call an edit decides differently, before it is deployed.

OLD and NEW are `.rules` files or directories of them. Two files are compared as one client
(even if renamed); directories client by client, and clients added or removed are listed.
The span is `--days N` (default 28) local days from `--from DATE` (default today). Text for
people; `--json` gives every change with its interval, class, old and new, and an example call.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .. import model as m
from ..analysis.classes import describe
from ..analysis.diff import Change, Comparison, compare
from ..analysis.explore import STATUS_NOTE
from ..compiler.compile import compile_file
from ..errors import Diagnostic, RulesError, did_you_mean
from ..schedule import clock
from .check import rule_files
from .options import error, iso_date
from .render import METHOD_WORDS, spoken_duration

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
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        print(text(comparison, args.old, args.new, f"{first:%a %Y-%m-%d}", args.days))
    return 0


def today(clients: dict[str, m.Client]) -> date:
    """Today in the first client's zone (clients compared together share one span of dates)."""
    zone = next(iter(clients.values())).timezone if clients else "UTC"
    return datetime.now(clock.zone(zone)).date()


MOST = 4  # classes or intervals listed in a block before "… and N more"


# ---- the report, one block per kind of change ---------------------------------------------------


def text(comparison: Comparison, old_path: str, new_path: str, first: str, days: int) -> str:
    """Changes that say the same (client, part, old, new) are one block, whatever the classes and
    intervals they cover: what changes, for whom, when, and the command that shows it."""
    out = [f"rules-engine diff {old_path} → {new_path}, {days} days from {first}"]
    out += [f"added: client `{name}`" for name in comparison.added]
    out += [f"removed: client `{name}`" for name in comparison.removed]
    for old, new in comparison.pairs:
        blocks = grouped(c for c in comparison.changes if c.client == new.id)
        renamed = f" (was `{old.id}`)" if old.id != new.id else ""
        count = "no change" if not blocks else f"{len(blocks)} kind{'s' if len(blocks) > 1 else ''} of change"
        out += ["", f"{new.title or new.id} ({new.id}{renamed}, {new.timezone}): {count}"]
        for changes in blocks:
            out += block(changes, new_path)
    return "\n".join(out)


def grouped(changes: Iterable[Change]) -> list[list[Change]]:
    blocks: dict[tuple[str, str, str], list[Change]] = {}
    for change in changes:
        blocks.setdefault((change.part, repr(change.old), repr(change.new)), []).append(change)
    return list(blocks.values())


def block(changes: list[Change], new_path: str) -> list[str]:
    first = changes[0]
    classes = list(dict.fromkeys(for_whom(c) for c in changes))
    spans = merged((c.start, c.end) for c in changes)
    hours = sum((b - a).total_seconds() for a, b in spans) / 3600
    out = [
        "",
        f"  {first.part}: {value(first.part, first.old)}",
        f"  {' ' * len(first.part)}→ {value(first.part, first.new)}",
    ]
    out.append("    for: " + classes[0] if len(classes) == 1 else "    for:")
    if len(classes) > 1:
        out += [f"      - {c}" for c in classes[:MOST]]
        if len(classes) > MOST:
            more = len(classes) - MOST
            out.append(f"      - … and {more} more kind{'s' if more > 1 else ''} of call")
    out.append(f"    when: {when(spans)} ({hours:g} h in all)")
    out.append("    try: " + command(first, new_path))
    return out


def for_whom(change: Change) -> str:
    reasons = "any forwarding" if len(change.forwarded) == 8 else "forwarded " + ", ".join(change.forwarded)
    facts = describe(change.when)
    return f"{reasons}, {facts}" if facts else reasons


def merged(spans: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    out: list[list[datetime]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(a, b) for a, b in out]


def stamp(instant: datetime) -> str:
    return instant.strftime("%a %d %b %H:%M %Z")


def when(spans: list[tuple[datetime, datetime]]) -> str:
    """The intervals, as the same hours on many days where they are (`12:00-12:30 on 64 days …`)."""
    hours = {(a.strftime("%H:%M"), b.strftime("%H:%M")) for a, b in spans}
    if len(spans) > 1 and len(hours) == 1 and all(a.date() == b.date() for a, b in spans):
        ((start, end),) = hours
        weekdays = sorted({a.weekday() for a, _ in spans})
        return (
            f"{start}-{end} {spans[0][0]:%Z} on {len(spans)} days from {spans[0][0]:%a %d %b} to "
            f"{spans[-1][0]:%a %d %b} ({', '.join(m.DAY_NAMES[d] for d in weekdays)})"
        )
    listed = ", ".join(f"{stamp(a)} to {stamp(b)}" for a, b in spans[:MOST])
    return listed + (f", … and {len(spans) - MOST} more" if len(spans) > MOST else "")


def command(change: Change, path: str) -> str:
    """The `rules-engine decide` line that shows the new decision of the change's example."""
    call = change.example
    who = ["--number", call.number] if call.number else ["--client", call.client]
    argv = ["rules-engine", "decide", path, *who, "--at", call.at.isoformat(), "--forwarded", call.forwarded]
    for option, given in (("--caller", call.caller), ("--language", call.language), ("--said", call.said)):
        if given:
            argv += [option, given]
    for field, answer in call.answers.items():
        argv += ["--answer", f"{field}={answer}"]
    if change.status:
        argv += ["--status", STATUS_NOTE]
    return " ".join(shlex.quote(word) for word in argv)


# ---- one part's value, in a line ------------------------------------------------------------------


def value(part: str, shown: Any) -> str:
    if part == "greeting":
        language = f" (in {shown['language']})" if shown["language"] else ""
        return f'{shown["id"]}{language}: "{shown["text"]}"'
    if part == "script":
        if shown is None:
            return "no script"
        asks = [step["field"] for step in shown["steps"] if step["kind"] == "ask"]
        return f"{shown['id']}, asking {', '.join(asks) or 'nothing'}"
    if part == "urgency":
        return shown or "not known yet"
    if shown is None or "actions" not in shown:
        return "not decided yet" + (f": ask {', '.join(shown['needs'])} first" if shown else "")
    return "; else ".join(action(a) for a in shown["actions"]) + f" (route rule {shown['rule']}, line {shown['line']})"


def action(act: dict[str, Any]) -> str:
    """One action in a line: who is reached, by name (`--json` has every address)."""
    kind = act["kind"]
    if kind == "patch":
        return "put through to " + (", ".join(name(t) for t in act["targets"]) or "nobody")
    if kind == "escalate":
        steps = "; ".join(
            ", ".join(f"{METHOD_WORDS[t['method']]} {name(t)}" for t in step["targets"])
            + f", wait {spoken_duration(step['wait'])}"
            for step in act["steps"]
        )
        rounds = f"; {act['repeat']} rounds" if act.get("repeat", 1) > 1 else ""
        final = f"; finally {action(act['finally'])}" if act.get("finally") else ""
        return f"escalate `{act['policy']}`: {steps}{rounds}{final}"
    if kind == "message":
        to = ", ".join(f"{METHOD_WORDS[t['method']]} {name(t)}" for t in act["targets"])
        priority = f" (priority {act['priority']})" if act["priority"] != "normal" else ""
        return f"take a message{priority}" + (f" for {to}" if to else "")
    if kind == "callback":
        return f"promise a call back within {spoken_duration(act['within'])}"
    if kind == "hangup":
        return f'say "{act["say"]}" and hang up'
    return "voicemail"


def name(target: dict[str, Any]) -> str:
    if target.get("contact") is None:
        return str(target["address"])
    return str(target["name"]) + (f" (on call for {target['team']})" if target.get("team") else "")
