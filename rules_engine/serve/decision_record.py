"""The record of one logged decision, as both decision logs keep it (file and PostgreSQL).

    {"call_id": …, "logged_at": "…Z", "client": …, "rules_version": …,
     "call": {the call's fields that are not defaults},
     "decision": {the decision (LANGUAGE.md section 3) but for its client, rules version and trace},
     "trace": [[section, rule, line, result(, note)], …]}

The decision's copies of the client and rules version are not repeated, a question of the
script leaves out the options it does not have (not required, no choices, no answer yet),
and each rule tried is one short list instead of an object: what `rules-engine explain` shows is all there, as
`decide` showed it (`cli/render.py`), and the rule text is kept once per version beside the log
(`rule_sources`), not in every record. `benchmarks/decision_log.py` measures the bytes.
Records written before this shape (a trace of objects) still read: `trace_entries` gives
either as objects.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from ..decide.call import Call
    from ..decide.decision import Decision

TRACE_FIELDS = ("section", "rule", "line", "result", "note")


def record_of(call: Call, decision: Decision, call_id: Optional[str] = None) -> dict[str, Any]:
    """The record of `decision`, logged under `call_id` (a new random one when not given)."""
    body = decision.model_dump(mode="json", exclude={"client", "rules_version", "trace"})
    if body.get("script") is not None:  # a question's unset options (not required, no choices…) go
        body["script"]["steps"] = [{key: value for key, value in step.items() if value not in (None, False, [])}
                                   for step in body["script"]["steps"]]
    return {
        "call_id": call_id or uuid.uuid4().hex,
        "logged_at": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "client": decision.client,
        "rules_version": decision.rules_version,
        "call": call.model_dump(mode="json", exclude_defaults=True),
        "decision": body,
        "trace": [[entry.section, entry.rule, entry.line, entry.result] + ([entry.note] if entry.note else [])
                  for entry in decision.trace],
    }


def line_of(record: dict[str, Any]) -> bytes:
    """The record as one line of JSON."""
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def trace_entries(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The trace of a record as objects (`section`, `rule`, `line`, `result`, maybe `note`)."""
    entries = []
    for entry in record.get("trace") or ():
        if isinstance(entry, list):
            entry = dict(zip(TRACE_FIELDS, entry))
        if isinstance(entry, dict):
            entries.append(entry)
    return entries
