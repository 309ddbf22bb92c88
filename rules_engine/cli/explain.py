"""`rules-engine explain LOGFILE --call-id ID`: show a logged decision readably.

Answers "why did this call go there last Tuesday?" from the decision log alone: which call,
when it was decided, then the decision as `decide` shows it (`render`), from the client and
rules version that decided it to the route and the rules that decided each part. The log
holds no rule text, so rules are named by their line. The log is read as plain data, so
records written by older versions of the engine still show.
"""

from __future__ import annotations

import json
from typing import Any

from ..serve.decision_log import find
from .options import error
from .render import render


def add_parser(sub):
    parser = sub.add_parser("explain", help="show a decision from the decision log: what was decided, and why",
                            description="Show one logged decision readably.")
    parser.add_argument("log", metavar="LOGFILE", help="a decision log (JSON lines) the engine wrote")
    parser.add_argument("--call-id", required=True, metavar="ID", help="the call id the decision was logged under")
    parser.add_argument("--json", action="store_true", help="print the logged record as it is")
    return parser


def run(args) -> int:
    try:
        record = find(args.log, args.call_id)
    except OSError as exc:
        error(f"cannot read the decision log: {exc.strerror}", args.log)
        return 1
    if record is None:
        error(f"no decision is logged under call id `{args.call_id}`", args.log,
              hint="the engine logs each decision under the call id it was given, or a random one it returns")
        return 1
    print(json.dumps(record, indent=2, ensure_ascii=False) if args.json else explain(record))
    return 0


def explain(record: dict[str, Any]) -> str:
    """The call id and when it was decided (and what the agent noted), then the decision as `decide` shows it."""
    call = record.get("call") or {}
    preface = [f"Call {record.get('call_id')}, decided {record.get('logged_at', 'at an unknown time')}"]
    if call.get("said"):
        preface.append(f"Said:      \"{call['said']}\"")
    decision = {**record.get("decision", {}), "trace": record.get("trace") or ()}
    return "\n".join(preface) + "\n" + render(decision, call)
