"""The Engine facade as the daemon uses it: decide logs itself, settings' default language, number lookup."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from rules_engine.decide.call import Call
from rules_engine.decide.decision import LiveStateStamp
from rules_engine.engine import Engine
from rules_engine.errors import CallError, RulesError, StoreError, UnknownClientError
from rules_engine.live import OwnerStatus
from rules_engine.runtime.decision_log_file import FileDecisionLog, find
from rules_engine.runtime.settings import SettingsError
from rules_engine.runtime.state import MemoryStore
from rules_engine.runtime.stores import open_store
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


# ---- what the engine is given, and what it opens ------------------------------------------------------


def test_a_store_and_log_given_to_the_engine_stay_open_and_those_it_opened_are_closed(tmp_path):
    given_store, given_log = open_store(tmp_path / "given.db"), FileDecisionLog(tmp_path / "given.jsonl")
    Engine(ACME, store=given_store, decision_log=given_log).close()
    given_store.set_status("acme_plumbing", OwnerStatus(note="still open"))
    assert given_store.snapshot("acme_plumbing").status.note == "still open"
    given_store.close()
    given_log.close()
    with Engine.from_settings(rules=ACME, store=tmp_path / "opened.db") as engine:
        opened = engine.store
        engine.set_status("acme_plumbing", "in court")
    with pytest.raises(StoreError, match="is closed"):
        opened.set_status("acme_plumbing", OwnerStatus(note="too late"))


def test_a_misspelt_keyword_is_refused_when_run_and_by_a_type_checker(tmp_path):
    with pytest.raises(TypeError, match="stroe"):
        Engine.from_path(ACME, stroe=tmp_path / "state.db")
    with pytest.raises(SettingsError) as raised:
        Engine.from_settings(rules=ACME, stroe=tmp_path / "state.db")
    assert str(raised.value).startswith("arguments: unknown setting `stroe`; did you mean `store`?")
    from mypy import api  # the test extra's: the suite checks the types the package ships

    daemon = tmp_path / "daemon.py"
    daemon.write_text(
        "from rules_engine.engine import Engine\n"
        "Engine('rules', store=None, cache_dir='cache', keep_last_good=False)\n"
        "Engine.from_path('rules', stroe=None)\n"
        "Engine.from_settings(rules='rules', stroe='state.db')\n",
        encoding="utf-8",
    )
    out, _, status = api.run(
        ["--follow-imports=silent", "--cache-dir", str(tmp_path / "mypy-cache"), "--no-error-summary", str(daemon)]
    )
    assert status == 1
    assert [line.split(": error: ")[0] for line in out.splitlines() if ": error: " in line] == [
        f"{daemon}:3",
        f"{daemon}:4",
    ]
    assert 'Unexpected keyword argument "stroe" for "from_path" of "Engine"; did you mean "store"?' in out


class SharedMemoryStore(MemoryStore):
    """A store in memory that says it is shared, as PostgreSQL's is: decisions then carry its stamp."""

    shared = True


def test_decisions_from_a_shared_store_carry_the_revision_of_the_state_they_read():
    engine = Engine(ACME, store=SharedMemoryStore())
    call = Call(client="acme_plumbing", at=OPEN_TUESDAY, forwarded="busy")
    assert engine.decide(call).live_state == LiveStateStamp(revision=0, as_of=None, age=0.0)
    engine.set_status(
        "acme_plumbing",
        "in court",
        until=datetime(2026, 11, 24, 21, tzinfo=UTC),
        now=datetime(2026, 11, 24, tzinfo=UTC),
    )
    engine.set_override(
        "acme_plumbing", "plumbers", "carol", datetime(2026, 11, 24, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC)
    )
    decision = engine.decide(call)
    assert decision.live_state == LiveStateStamp(revision=2, as_of=None, age=0.0)
    assert json.loads(decision.to_json())["live_state"] == {"revision": 2, "as_of": None, "age": 0.0}
