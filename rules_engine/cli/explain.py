"""`rules-engine explain LOGFILE --call-id ID`: show a logged decision readably.

Answers "why did this call go there last Tuesday?" from the decision log alone: when the
call came and was decided, which client and rules version decided it, the greeting, the
route, and every rule tried with its line. The log is read as plain data, so records
written by older versions of the engine still show.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from ..errors import Diagnostic
from ..serve.decision_log import find
from .decide import METHOD_WORDS, spoken_duration


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
        print(Diagnostic("error", f"cannot read the decision log: {exc.strerror}", args.log).render(), file=sys.stderr)
        return 1
    if record is None:
        print(Diagnostic("error", f"no decision is logged under call id `{args.call_id}`", args.log,
                         hint="the engine logs each decision under the call id it was given, or a random one "
                              "it returns").render(), file=sys.stderr)
        return 1
    print(json.dumps(record, indent=2, ensure_ascii=False) if args.json else explain(record))
    return 0


def explain(record: dict[str, Any]) -> str:
    decision, call = record.get("decision") or {}, record.get("call") or {}
    out = [
        f"Call {record.get('call_id')}, decided {record.get('logged_at', 'at an unknown time')}",
        f"Client:    {record.get('client')}, rules version {record.get('rules_version')}",
        f"Call:      at {call.get('at')}, forwarded {call.get('forwarded', 'unknown')}, "
        f"caller {call.get('caller') or 'not given'}, language {call.get('language') or 'not given'}",
    ]
    answers = call.get("answers") or {}
    out.append("           " + (", ".join(f"{k} = {v}" for k, v in answers.items()) if answers else "no answers yet"))
    if call.get("said"):
        out.append(f"           said: \"{call['said']}\"")
    out.append("Windows:   " + (", ".join(decision.get("windows") or ()) or "none of the named windows held"))
    status = decision.get("status")
    if status:
        out.append(f"Status:    {status.get('note')}" + (f" (until {status['until']})" if status.get("until") else ""))

    greeting = decision.get("greeting") or {}
    out += ["", f"GREETING  {greeting.get('id')}, in {greeting.get('language')}", f"  \"{greeting.get('text')}\""]
    script = decision.get("script")
    out.append(f"SCRIPT    {script['id']}" if script else "SCRIPT    none")
    out.append(f"URGENCY   {decision.get('urgency') or 'not known yet'}")
    route = decision.get("route")
    if route:
        out.append(f"ROUTE     rule {route.get('rule')} of `route` (line {route.get('line')})")
        for number, action in enumerate(route.get("actions") or (), start=1):
            out += describe(action, f"  {number}. " + ("" if number == 1 else "if that fails: "), "       ")
    else:
        needs = ", ".join(decision.get("needs") or ()) or "the script"
        out.append(f"ROUTE     not decided yet: the agent had to ask {needs} first")

    trace = record.get("trace") or ()
    if trace:
        out += ["", "WHY       the rules tried, in order"]
        width = max(len(str(entry.get("rule"))) for entry in trace)
        for entry in trace:
            result = {True: "holds", False: "does not hold", None: "waits for answers"}.get(entry.get("result"), "")
            note = f"  ({entry['note']})" if entry.get("note") else ""
            out.append(f"  line {entry.get('line', 0):>4}  {entry.get('section', ''):<10} "
                       f"{str(entry.get('rule')):<{width}}  {result}{note}")
    return "\n".join(out)


def describe(action: dict[str, Any], lead: str, indent: str) -> list[str]:
    kind = action.get("kind")
    targets = action.get("targets") or ()
    if kind == "patch":
        return [f"{lead}put the caller through to {who(t)}" for t in targets] or [f"{lead}put the caller through: nobody"]
    if kind == "escalate":
        repeat = action.get("repeat", 1)
        lines = [f"{lead}escalate `{action.get('policy')}`" + (f", up to {repeat} rounds:" if repeat > 1 else ":")]
        for number, step in enumerate(action.get("steps") or (), start=1):
            reach = "; ".join(f"{METHOD_WORDS.get(t.get('method'), t.get('method'))} {who(t)}" for t in step.get("targets") or ())
            lines.append(f"{indent}step {number}: {reach}; then wait {spoken_duration(step.get('wait', ''))}")
        if action.get("finally"):
            lines += describe(action["finally"], f"{indent}if nobody answers: ", indent + "  ")
        return lines
    if kind == "message":
        to = "; ".join(f"by {METHOD_WORDS.get(t.get('method'), t.get('method'))} to {who(t)}" for t in targets)
        return [f"{lead}take a message (priority {action.get('priority', 'normal')})" + (f", deliver {to}" if to else "")]
    if kind == "voicemail":
        return [f"{lead}send the caller to voicemail"]
    if kind == "callback":
        return [f"{lead}promise a call back within {spoken_duration(action.get('within', ''))}"]
    if kind == "hangup":
        return [f"{lead}say \"{action.get('say')}\" and hang up"]
    return [f"{lead}{kind}"]


def who(target: dict[str, Any]) -> str:
    if not target.get("contact"):
        return str(target.get("address"))
    team = f", on call for {target['team']}" if target.get("team") else ""
    return f"{target.get('name')} ({target['contact']}{team}) at {target.get('address')}"
