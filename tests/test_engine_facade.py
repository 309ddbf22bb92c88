"""The Engine facade as the daemon uses it: decide logs itself, settings' default language, number lookup."""

from __future__ import annotations

import json

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.serve.decision_log import DecisionLog, find
from tests.support import ACME

OPEN_TUESDAY = "2026-11-24T10:00:00-06:00"


def test_decide_writes_each_decision_to_the_log_under_the_daemons_call_id(tmp_path):
    log_path = tmp_path / "decisions.jsonl"
    log = DecisionLog(log_path)
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
        "store": "memory", "shared": False, "reachable": True, "age": 0.0, "synced_at": None, "error": None}
    with Engine.from_settings(rules=ACME, store=tmp_path / "state.db") as engine:
        health = engine.live_state_health().as_dict()
        assert (health["store"], health["shared"], health["reachable"], health["error"]) == ("sqlite", False, True, None)
        # The store rereads every 0.1 s; the bound leaves room for a loaded machine, not for a stale store.
        assert 0 <= health["age"] < 5
        # Decisions from a store that is not shared carry no `live_state` key: their JSON is unchanged.
        decision = engine.decide(Call(client="acme_plumbing", at=OPEN_TUESDAY, forwarded="busy"))
        assert "live_state" not in json.loads(decision.to_json())
