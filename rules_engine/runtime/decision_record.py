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
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any, NamedTuple

from ..decide.decision import SHAPES, Ask, Part, json_items, part_json

if TYPE_CHECKING:
    from ..decide.call import Call
    from ..decide.decision import Decision
    from ..decide.decision import Script as ScriptPart

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
    """The record of `decision`, logged under `call_id` (a new random one when not given), read
    as a value, and the steps of its script, which the log keeps by reference (None without a
    script): `record`'s line, for a reader that compares records (the console's replay)."""
    written = record(call, decision, call_id)
    return json.loads(written.line), written.script


class Record(NamedTuple):
    """One record as a log writes it: its line (JSON and a newline), and what a log keeps beside it."""

    call_id: str
    logged_at: str
    client: str
    rules_version: str
    line: bytes
    script: Script | None


LEFT_OUT = frozenset({"client", "rules_version", "trace", "call_id"})  # the record holds them in its own form
CACHE_SIZE = 4096  # scripts' steps and trace entries written in the record's form, for the next records


def record(
    call: Call, decision: Decision, call_id: str | None = None, items: list[tuple[str, str]] | None = None
) -> Record:
    """The record of `decision` as one line, written from the decision's JSON members (`items`:
    `decision.json_items`, given by the engine, which answers with the same text) rather than by
    reading that JSON back and writing it again."""
    call_id = call_id or uuid.uuid4().hex
    logged_at = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    script = None
    body = []
    for name, item in items if items is not None else json_items(decision):
        if name in LEFT_OUT:
            continue
        if name == "script" and decision.script is not None:
            script, item = script_item(decision.script)
        body.append(item)
    trace = ",".join([trace_item(entry) for entry in decision.trace])
    text = (
        f'{{"call_id":{encode_basestring(call_id)},"logged_at":"{logged_at}",'
        f'"client":{encode_basestring(decision.client)},"rules_version":{encode_basestring(decision.rules_version)},'
        f'"call":{call_json(call)},"decision":{{{",".join(body)}}},"trace":[{trace}]}}\n'
    )
    return Record(call_id, logged_at, decision.client, decision.rules_version, text.encode("utf-8"), script)


def call_json(call: Call) -> str:
    """The call's fields that are not defaults, as JSON (what `model_dump(mode="json")` gives)."""
    return call.__pydantic_serializer__.to_json(call, exclude_defaults=True).decode("utf-8")


_steps: dict[tuple, Script] = {}
_traces: dict[str, str] = {}


def script_item(part: ScriptPart) -> tuple[Script, str]:
    """The script's steps, kept by reference, and its member of the record's decision:
    `"script":{"id":…,"steps":REF(,"answered":{field: answer})}`."""
    key = tuple([step.json_text or step_key(step) for step in part.steps])
    script = _steps.get(key)
    if script is None:
        steps = [stripped(step) for step in part.steps]
        script = Script(ref_of(steps), steps)
        if len(_steps) >= CACHE_SIZE:
            _steps.clear()
        _steps[key] = script
    answered = [
        f"{encode_basestring(step.field)}:{encode_basestring(answer)}"
        for step in part.steps
        if isinstance(step, Ask) and (answer := step.answer) is not None
    ]
    more = f',"answered":{{{",".join(answered)}}}' if answered else ""
    return script, f'"script":{{"id":{encode_basestring(part.id)},"steps":"{script.ref}"{more}}}'


def step_key(step: Part) -> tuple:
    """What a step made for one call is, but for its answer (the call's, kept in the record)."""
    return (type(step), *[getattr(step, name) for name, _, _, _ in SHAPES[type(step)] if name != "answer"])


def stripped(step: Part) -> dict[str, Any]:
    """A step as its script is kept: no answer, and no option left unset (None, false, empty)."""
    return {
        key: value
        for key, value in json.loads(part_json(step)).items()
        if value not in (None, False, []) and key != "answer"
    }


def trace_item(entry: Any) -> str:
    """A trace entry in the record's form: `[section, rule, line, result(, note)]`."""
    text = entry.json_text
    if text is not None:
        found = _traces.get(text)
        if found is not None:
            return found
    values = [entry.section, entry.rule, entry.line, entry.result] + ([entry.note] if entry.note else [])
    found = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    if text is not None:
        if len(_traces) >= CACHE_SIZE:
            _traces.clear()
        _traces[text] = found
    return found


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


def trace_entries(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The trace of a record as objects (`section`, `rule`, `line`, `result`, maybe `note`)."""
    entries = []
    for entry in record.get("trace") or ():
        if isinstance(entry, list):
            entry = dict(zip(TRACE_FIELDS, entry, strict=False))
        if isinstance(entry, dict):
            entries.append(entry)
    return entries
