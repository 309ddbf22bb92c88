"""The outcome stores: the same history gives the same report from memory, SQLite and PostgreSQL;
tables beside the live-state store's, versioned on their own; outcomes survive a restart."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from rules_engine.engine import Engine
from rules_engine.errors import StoreError
from rules_engine.outcomes.store import MemoryOutcomes
from rules_engine.runtime.stores import open_outcome_store as open_store
from tests.outcomes.histories import record_escalations, record_fcr_edges, record_mixed_day, tiny_engine


def replay_all(engine: Engine) -> dict:
    record_mixed_day(engine)
    record_fcr_edges(engine)
    record_escalations(engine)
    return engine.report("tiny_vets", date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def memory_report(tmp_path):
    folder = tmp_path / "memory"
    folder.mkdir()
    with tiny_engine(folder, outcomes=MemoryOutcomes()) as engine:
        return replay_all(engine)


def test_sqlite_gives_the_same_report_as_memory(tmp_path, memory_report):
    store = open_store(tmp_path / "state.db")
    with tiny_engine(tmp_path, outcomes=store) as engine:
        assert replay_all(engine) == memory_report
    store.close()
    assert memory_report["received"] == 18 and memory_report["escalations"]["count"] == 3


def test_postgresql_gives_the_same_report_as_sqlite_and_memory(tmp_path, memory_report, postgres_url):
    store = open_store(postgres_url)
    try:
        with tiny_engine(tmp_path, outcomes=store) as engine:
            assert replay_all(engine) == memory_report
    finally:
        store.close()


def test_outcomes_live_beside_the_live_state_and_survive_a_restart(tmp_path):
    (tmp_path / "rules").mkdir()
    settings = dict(rules=tmp_path / "rules", store=tmp_path / "state.db")
    with tiny_engine(tmp_path / "rules"):
        pass  # writes the client file
    with Engine.from_settings(**settings) as engine:
        record_mixed_day(engine)
        engine.set_status("tiny_vets", "At the clinic until noon")
    with Engine.from_settings(**settings) as engine:
        assert engine.report("tiny_vets", date(2026, 11, 3), date(2026, 11, 4))["received"] == 9
        assert engine.live_state("tiny_vets").status.note == "At the clinic until noon"
    with sqlite3.connect(tmp_path / "state.db") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"status", "override", "outcome_schema", "decided_call", "call_outcome", "escalation_result"} <= tables
        assert db.execute("SELECT version FROM outcome_schema").fetchall() == [(1,)]


def test_outcome_tables_from_a_newer_engine_are_refused(tmp_path):
    open_store(tmp_path / "state.db").close()
    with sqlite3.connect(tmp_path / "state.db") as db:
        db.execute("UPDATE outcome_schema SET version = 7")
    with pytest.raises(StoreError) as error:
        open_store(tmp_path / "state.db")
    assert str(error.value) == (
        f"the outcome store {tmp_path / 'state.db'} has schema version 7, newer than "
        f"this engine knows (1); upgrade the engine"
    )


def test_an_unusable_store_file_is_a_store_error(tmp_path):
    (tmp_path / "state.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError) as error:
        open_store(tmp_path / "state.db")
    assert str(error.value).startswith(f"cannot open the outcome store {tmp_path / 'state.db'}: ")


def test_a_daemon_on_postgresql_keeps_outcomes_beside_its_live_state(tmp_path, postgres_url, cli):
    import json

    import psycopg

    rules = tmp_path / "rules"
    rules.mkdir()
    tiny_engine(rules).close()
    with Engine.from_settings(rules=rules, store=postgres_url) as engine:
        record_mixed_day(engine)
    (tmp_path / "daemon.yaml").write_text(f"rules: rules\nstore: {postgres_url}\n", encoding="utf-8")
    run = cli(
        "report",
        "--settings",
        tmp_path / "daemon.yaml",
        "--client",
        "tiny_vets",
        "--from",
        "2026-11-03",
        "--to",
        "2026-11-04",
        "--json",
    )
    assert run.code == 0, run.err
    with tiny_engine(tmp_path / "rules", outcomes=MemoryOutcomes()) as memory:
        record_mixed_day(memory)
        assert json.loads(run.out) == memory.report("tiny_vets", date(2026, 11, 3), date(2026, 11, 4))
    with psycopg.connect(postgres_url) as db:
        tables = {row[0] for row in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert {"outcome_schema", "decided_call", "call_outcome", "escalation_result"} <= tables
