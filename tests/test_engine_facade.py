"""The Engine facade as the daemon uses it: decide logs itself, settings' default language, number lookup."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.errors import CallError, RulesError, UnknownClientError
from rules_engine.runtime.decision_log_file import FileDecisionLog, find
from tests.support import ACME

OPEN_TUESDAY = "2026-11-24T10:00:00-06:00"


def test_decide_writes_each_decision_to_the_log_under_the_daemons_call_id(tmp_path):
    log_path = tmp_path / "decisions.jsonl"
    log = FileDecisionLog(log_path)
    engine = Engine(ACME, decision_log=log)
    decision = engine.decide(Call(client="acme_plumbing", at=OPEN_TUESDAY, forwarded="busy"), call_id="sip-1@pbx")
    engine.decide(Call(client="acme_plumbing", at=OPEN_TUESDAY, forwarded="manual"), call_id="sip-2@pbx")
    log.close()
    records = [json.loads(line) for line in log_path.read_text().splitlines()]
    assert [r["call_id"] for r in records] == ["sip-1@pbx", "sip-2@pbx"]
    logged = find(log_path, "sip-1@pbx")
    assert logged["rules_version"] == decision.rules_version
    assert logged["decision"]["greeting"]["id"] == "busy"


def test_a_call_without_a_language_gets_the_engines_default_language(tmp_path):
    engine = Engine(ACME, default_language="es")
    decision = engine.decide(Call(client="acme_plumbing", at=OPEN_TUESDAY, forwarded="busy"))
    assert decision.greeting.language == "es"
    assert "El equipo está ocupado" in decision.greeting.text
    english = engine.decide(Call(client="acme_plumbing", at=OPEN_TUESDAY, forwarded="busy", language="en"))
    assert english.greeting.language == "en"


def test_a_dialled_number_is_found_however_it_is_typed(engine):
    assert engine.client(number="+1 (312) 555-0100").id == "acme_plumbing"


def test_a_reloaded_away_client_is_freed_with_its_preparation(acme_dir):
    """A daemon reloads for months: a client that stopped being served must not stay in memory."""
    import gc
    import weakref

    rules = acme_dir / "acme_plumbing.rules"
    engine = Engine(acme_dir)
    engine.decide(Call(client="acme_plumbing", at=OPEN_TUESDAY, forwarded="busy"))
    old = weakref.ref(engine.client("acme_plumbing"))
    rules.write_text(ACME.read_text().replace("How may I help you?", "What can I do for you?"))
    engine.reload()
    engine.decide(Call(client="acme_plumbing", at=OPEN_TUESDAY, forwarded="busy"))
    gc.collect()
    assert old() is None


def test_live_state_health_says_which_store_and_how_current_for_a_readiness_check(tmp_path):
    assert Engine(ACME).live_state_health().as_dict() == {
        "store": "memory",
        "shared": False,
        "reachable": True,
        "age": 0.0,
        "synced_at": None,
        "error": None,
    }
    with Engine.from_settings(rules=ACME, store=tmp_path / "state.db") as engine:
        health = engine.live_state_health().as_dict()
        assert (health["store"], health["shared"], health["reachable"], health["error"]) == (
            "sqlite",
            False,
            True,
            None,
        )
        # The store rereads every 0.1 s; the bound leaves room for a loaded machine, not for a stale store.
        assert 0 <= health["age"] < 5
        # Decisions from a store that is not shared carry no `live_state` key: their JSON is unchanged.
        decision = engine.decide(Call(client="acme_plumbing", at=OPEN_TUESDAY, forwarded="busy"))
        assert "live_state" not in json.loads(decision.to_json())


# ---- every entry point speaks the project's errors ----------------------------------------------------


@pytest.mark.parametrize(
    "call, message",
    [
        (None, "decide takes a Call, not NoneType; Call(**fields) or Call.model_validate(mapping) makes one"),
        (
            {"client": "acme_plumbing", "at": OPEN_TUESDAY},
            "decide takes a Call, not dict; Call(**fields) or Call.model_validate(mapping) makes one",
        ),
    ],
)
def test_decide_given_something_else_than_a_call(call, message):
    with pytest.raises(CallError) as raised:
        Engine(ACME).decide(call)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\xff", "the call is not valid JSON (Invalid JSON: expected value at line 1 column 1)"),
        (b"[1]", "a call is a mapping of its fields (client, number, at, …)"),
        (
            b'{"client": "acme_plumbing", "at": 1764360000}',
            "at: `1764360000` is a bare number; send an ISO 8601 date-time with an offset (e.g. 2026-11-28T23:15:00-06:00)",
        ),
        (
            b'{"client": "acme_plumbing", "at": "1764360000"}',
            "at: `1764360000` is a bare number; send an ISO 8601 date-time with an offset (e.g. 2026-11-28T23:15:00-06:00)",
        ),
        (b'{"client": "acme_plumbing", "at": "2026-11-24T10:00:00-06:00", "said": 5}', "said: must be text"),
    ],
)
def test_a_call_read_from_json_is_refused_in_the_engines_words(data, message):
    with pytest.raises(CallError) as raised:
        Call.model_validate_json(data)
    assert str(raised.value) == message


def test_a_call_read_from_something_else_than_a_mapping():
    with pytest.raises(CallError) as raised:
        Call.model_validate(None)
    assert str(raised.value) == "a call is a mapping of its fields (client, number, at, …), not NoneType"


@pytest.mark.parametrize(
    "method, kwargs, message",
    [
        ("set_status", {"note": "away", "instructions": 5}, "instructions: must be text"),
        ("set_status", {"note": 5}, "note: a status needs a note"),
        (
            "set_override",
            {
                "team": "plumbers",
                "person": "bob",
                "start": datetime(2026, 11, 24, tzinfo=UTC),
                "end": datetime(2026, 11, 25, tzinfo=UTC),
                "reason": 5,
            },
            "reason: must be text",
        ),
        ("set_override", {"team": ["plumbers"], "person": "bob", "start": None, "end": None}, "team: must be text"),
        (
            "clear_overrides",
            {"team": "plumber"},
            "team: client `acme_plumbing` has no on-call team `plumber`; did you mean `plumbers`?",
        ),
    ],
)
def test_live_state_calls_with_a_wrong_value(method, kwargs, message):
    with pytest.raises(CallError) as raised:
        getattr(Engine(ACME), method)("acme_plumbing", **kwargs)
    assert str(raised.value) == message


@pytest.mark.parametrize("method", ["clear_overrides", "live_state", "clear_status"])
def test_live_state_of_an_unknown_client_is_an_error(method):
    with pytest.raises(UnknownClientError) as raised:
        getattr(Engine(ACME), method)("acme")
    assert str(raised.value) == "client: no client `acme` is served"


def test_an_engine_on_a_path_that_does_not_exist_does_not_start(tmp_path):
    with pytest.raises(RulesError) as raised:
        Engine.from_path(tmp_path / "no-such-dir")
    assert str(raised.value) == f"{tmp_path / 'no-such-dir'}: error: no such file or directory"
