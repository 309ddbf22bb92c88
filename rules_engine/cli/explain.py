"""`rules-engine explain LOG --call-id ID`: show a logged decision readably.

Answers "why did this call go there last Tuesday?" from the decision log alone: which call,
when it was decided, then the decision as `decide` shows it (`render`), from the client and
rules version that decided it to the route and the rules that decided each part, quoted as
they were written in that version: the log keeps the text of every version that served
(`runtime/rule_sources.py`), so a file edited since changes nothing here, and a line says that
it has changed. Without that text (a log written before it was kept), rules are named by
their line. LOG is a log file (its rotated files are searched too) or a `postgresql://` URL.
The log is read as plain data, so records written by older versions of the engine still show.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..compiler.assemble import rules_version_of
from ..errors import SourceText
from ..extras import needs
from ..runtime import decision_log_file, log_reading
from ..runtime.decision_log import DecisionLogError
from ..runtime.decision_record import trace_entries
from ..runtime.rule_sources import Source
from ..runtime.stores import is_database_url
from .options import error
from .render import Source as Rendered
from .render import render


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Show one logged decision readably."
    parser.add_argument(
        "log", metavar="LOG", nargs="?", help="a decision log file the engine wrote, or a postgresql:// URL"
    )
    parser.add_argument("--log", dest="log_option", metavar="LOG", help="the same, as an option")
    parser.add_argument("--call-id", required=True, metavar="ID", help="the call id the decision was logged under")
    parser.add_argument("--json", action="store_true", help="print the logged record as it is")


def run(args: argparse.Namespace) -> int:
    location = args.log_option or args.log
    if location is None or (args.log_option and args.log):
        error("give the decision log once: a file, or --log postgresql://…", "rules-engine explain")
        return 2
    shown = location
    if is_database_url(location):
        with needs("postgres", "a postgresql:// decision log"):
            from ..storage.postgres import describe

        shown = describe(location)
    try:  # read as it is, without a lock: a service may be writing the log meanwhile
        found = log_reading.explain(location, args.call_id, with_source=not args.json)
    except OSError as exc:
        error(f"cannot read the decision log: {exc.strerror}", shown)
        return 1
    except DecisionLogError as exc:
        error(str(exc), shown)
        return 1
    record, source, torn = (found.record, found.source, found.torn) if found is not None else (None, None, 0)
    if torn:
        print(
            f"{shown}: note: {torn} torn line(s) skipped (a record cut short by a crash or a full disk)",
            file=sys.stderr,
        )
    if record is None:
        packed = [] if is_database_url(location) else decision_log_file.compressed_files(location)
        error(
            f"no decision is logged under call id `{args.call_id}`",
            shown,
            hint="the engine logs each decision under the call id it was given, or a random one it returns"
            + (
                f"; {len(packed)} compressed file(s) of this log were not searched (such as {packed[0].name}): "
                "uncompress them beside it to search them"
                if packed
                else ""
            ),
        )
        return 1
    print(json.dumps(record, indent=2, ensure_ascii=False) if args.json else explain(record, source))
    return 0


def explain(record: dict[str, Any], source: Source | None = None) -> str:
    """The call id and when it was decided (and what the agent noted), which rules decided it,
    then the decision as `decide` shows it."""
    call = record.get("call") or {}
    preface = [f"Call {record.get('call_id')}, decided {record.get('logged_at', 'at an unknown time')}"]
    if call.get("said"):
        preface.append(f'Said:      "{call["said"]}"')
    version = record.get("rules_version")
    rendered = None
    if source is None:
        preface.append(
            f"Rules:     the text of rules version {version} is not kept with this log: rules are named by their line"
        )
    else:
        preface += rules_as_they_were(source)
        rendered = Rendered(source.title, source.timezone, SourceText.of(source.path, source.text).lines)
    decision = {
        "client": record.get("client"),
        "rules_version": version,
        **(record.get("decision") or {}),
        "trace": trace_entries(record),
    }
    return "\n".join(preface) + "\n" + render(decision, call, rendered)


def rules_as_they_were(source: Source) -> list[str]:
    """Where the rules that decided were read from, and whether that file has changed since."""
    lines = [f"Rules:     as written in {source.path} when the call came"]
    try:
        now = rules_version_of(Path(source.path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return [*lines, "           (the file is not there now; the lines quoted are as they were)"]
    if now != source.rules_version:
        lines.append(
            f"           (the file has changed since: it is rules version {now} now; the lines quoted are as they were)"
        )
    return lines
