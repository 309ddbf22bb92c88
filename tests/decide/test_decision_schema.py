"""The decision's JSON Schema (for daemon authors) and its serializer agree on every golden decision.

`Decision.json_schema()` is generated from the decision's own dataclasses; `to_json()`
writes them with one serializer. Every stored decision must validate against the schema
(with a JSON Schema validator, as a daemon in any language would check it), and reading a
decision back through the same structure must write the same bytes.
"""

from __future__ import annotations

import json

import jsonschema
import pytest
from pydantic import TypeAdapter

from rules_engine import Decision
from rules_engine.decide import decision as d
from tests.support import CLIENTS, GOLDEN

SCHEMA = Decision.json_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def stored_decisions(client_id: str) -> list[dict]:
    """The decisions of a client's golden file (JSON Lines, split on newlines only)."""
    lines = (GOLDEN / "decisions" / f"{client_id}.jsonl").read_text(encoding="utf-8").split("\n")
    return [json.loads(line)["decision"] for line in lines if line]


def test_the_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("client_id", CLIENTS)
def test_every_golden_decision_validates_and_reads_back_to_the_same_bytes(client_id):
    read = TypeAdapter(Decision)
    for decision in stored_decisions(client_id):
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(decision)]
        assert not errors, errors[:3]
        text = json.dumps(decision, separators=(",", ":"), ensure_ascii=False)
        assert read.validate_json(text).to_json() == text


def test_schema_and_serializer_agree_on_each_part_s_keys():
    """Required keys are those the serializer always writes; optional ones it leaves out
    when empty, and never writes as null; the schema allows no other key."""
    definitions = SCHEMA["$defs"]
    for cls, shape in d.SHAPES.items():
        definition = SCHEMA if cls is Decision else definitions[cls.__name__]
        keys = [key for _, key, _, _ in shape]
        assert list(definition["properties"]) == keys, cls.__name__
        assert definition["required"] == [key for _, key, _, omit_none in shape if not omit_none], cls.__name__
        assert definition["additionalProperties"] is False
    assert "finally" in definitions["Escalate"]["required"]
    assert definitions["Target"]["properties"]["team"] == {"title": "Team", "type": "string"}


@pytest.mark.parametrize(
    "bad",
    [
        {"kind": "teleport", "targets": []},  # no such kind
        {"kind": "patch", "targets": [], "team": None},  # an optional key is left out, never null
        {"kind": "patch", "targets": [], "priority": "high"},  # a key of another kind
        {"kind": "message", "targets": []},  # a key always written is missing
    ],
)
def test_the_schema_rejects_what_the_serializer_never_writes(bad):
    decision = dict(stored_decisions("acme_plumbing")[-1])
    decision["route"] = {"rule": 1, "line": 1, "actions": [{"kind": "patch", "targets": []}]}
    assert VALIDATOR.is_valid(decision)
    decision["route"] = {"rule": 1, "line": 1, "actions": [bad]}
    assert not VALIDATOR.is_valid(decision)
