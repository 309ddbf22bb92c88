"""The record of one logged decision, as both decision logs keep it (file and PostgreSQL).

    {"call_id": …, "logged_at": "…Z", "client": …, "rules_version": …,
     "call": {the call's fields that are not defaults},
     "decision": {the decision (docs/language.md) but for its client, rules version and
                  trace, and with its script's steps by reference},
     "trace": [[section, rule, line, result(, note)], …]}

A record keeps everything `rules-engine explain` shows (as `decide` showed it: `cli/render.py`)
and repeats nothing. The decision's copies of the client and rules version are the record's;
each rule tried is one short list; and a script's steps, the same for most calls to a client,
are kept once, by the sha256 of their JSON (`Script.ref`), beside the log: the record holds
`"script": {"id": …, "steps": REF}`, plus the answers its questions carried
(`"answered": {field: answer}`), which are the call's own. Without that, the steps were more
than a third of a record. The rule text is kept once per version too (`rule_sources`).
`benchmarks/decision_log.py` measures the bytes. Records written before this shape (a trace of
objects, steps in full) still read: `trace_entries` and `with_steps` take either.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..decide.call import Call
    from ..decide.decision import Decision

TRACE_FIELDS = ("section", "rule", "line", "result", "note")


@dataclass(frozen=True)
class Script:
    """A script's steps as a record refers to them: kept once under `ref`."""

    ref: str
    steps: list[dict[str, Any]]


def ref_of(steps: list[dict[str, Any]]) -> str:
    return hashlib.sha256(
        json.dumps(steps, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    ).hexdigest()[:16]


def record_of(call: Call, decision: Decision, call_id: str | None = None) -> tuple[dict[str, Any], Script | None]:
    """The record of `decision`, logged under `call_id` (a new random one when not given), and
    the steps of its script, which the log keeps by reference (None without a script)."""
    body = decision.to_dict()
    for key in ("client", "rules_version", "trace"):  # the record holds them in its own form
        del body[key]
    script = None
    if body.get("script") is not None:
        # A question's unset options (not required, no choices…) are left out; its answer is the call's.
        steps = [
            {key: value for key, value in step.items() if value not in (None, False, []) and key != "answer"}
            for step in body["script"]["steps"]
        ]
        answered = {step["field"]: step["answer"] for step in body["script"]["steps"] if step.get("answer") is not None}
        script = Script(ref_of(steps), steps)
        body["script"] = {
            "id": body["script"]["id"],
            "steps": script.ref,
            **({"answered": answered} if answered else {}),
        }
    record = {
        "call_id": call_id or uuid.uuid4().hex,
        "logged_at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "client": decision.client,
        "rules_version": decision.rules_version,
        "call": call.model_dump(mode="json", exclude_defaults=True),
        "decision": body,
        "trace": [
            [entry.section, entry.rule, entry.line, entry.result] + ([entry.note] if entry.note else [])
            for entry in decision.trace
        ],
    }
    return record, script


def with_steps(decision: dict[str, Any], steps_of: Callable[[str], list | None]) -> dict[str, Any]:
    """`decision` of a record with its script's steps in full, read by `steps_of(ref)` (an empty
    list if they are not kept, or do not match their reference)."""
    script = decision.get("script")
    if not isinstance(script, dict) or not isinstance(script.get("steps"), str):
        return decision  # no script, or one logged in full
    steps = steps_of(script["steps"])
    if not isinstance(steps, list) or ref_of(steps) != script["steps"]:
        steps = []
    answered = script.get("answered") or {}
    steps = [{**step, "answer": answered[step["field"]]} if step.get("field") in answered else step for step in steps]
    return {**decision, "script": {"id": script["id"], "steps": steps}}


def line_of(record: dict[str, Any]) -> bytes:
    """The record as one line of JSON."""
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def trace_entries(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The trace of a record as objects (`section`, `rule`, `line`, `result`, maybe `note`)."""
    entries = []
    for entry in record.get("trace") or ():
        if isinstance(entry, list):
            entry = dict(zip(TRACE_FIELDS, entry, strict=False))
        if isinstance(entry, dict):
            entries.append(entry)
    return entries
