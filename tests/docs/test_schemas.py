"""Daemon authors' types: the JSON Schemas in docs/ are the models' own, and the package is typed."""

from __future__ import annotations

import json

from rules_engine import Call, Engine, schemas
from tests.support import ACME, ROOT


def test_the_schemas_in_docs_are_current():
    folder = ROOT / schemas.DEFAULT_FOLDER
    for name, text in schemas.documents().items():
        written = (folder / name).read_text(encoding="utf-8") if (folder / name).is_file() else None
        assert written == text, f"docs/schemas/{name} is out of date: run `python -m rules_engine.schemas`"


def test_a_decision_has_every_key_its_schema_requires():
    schema = json.loads(schemas.documents()["decision.schema.json"])
    decision = json.loads(
        Engine(ACME)
        .decide(
            Call(
                client="acme_plumbing", at="2026-11-28T23:15:00-06:00", forwarded="busy", answers={"type": "burst_pipe"}
            )
        )
        .to_json()
    )
    assert set(schema["required"]) <= set(decision) <= set(schema["properties"])
    route = schema["$defs"]["Route"]
    assert set(route["required"]) <= set(decision["route"]) <= set(route["properties"])


def test_the_call_schema_names_every_field_a_call_takes():
    schema = json.loads(schemas.documents()["call.schema.json"])
    assert set(schema["properties"]) == set(Call.model_fields) and schema["additionalProperties"] is False


def test_the_package_is_marked_as_typed():
    assert (ROOT / "rules_engine" / "py.typed").is_file()
    assert '"rules_engine" = ["py.typed"]' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
