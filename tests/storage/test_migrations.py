"""One migration routine per database kind (`storage.sqlite`, `storage.postgres`): databases made
by 0.1 open and keep their data; connections migrating one empty database at once take turns
(the lock comes before any CREATE); a newer schema is refused by name; readers only check."""

from __future__ import annotations

import sqlite3
import threading

import psycopg
import pytest

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.errors import StoreError
from rules_engine.outcomes import store_sql
from rules_engine.runtime import decision_log_pg, store_postgres, store_sqlite
from rules_engine.runtime.decision_log_pg import PostgresDecisionLog
from rules_engine.runtime.stores import open_outcome_store as open_outcomes
from rules_engine.runtime.stores import open_store
from rules_engine.storage import postgres, sqlite
from rules_engine.storage.postgres import describe
from tests.storage import made_by_0_1
from tests.support import ACME

CALL = Call(client="acme_plumbing", at="2026-11-28T23:15:00-06:00", forwarded="busy")
SCHEMAS = [store_postgres.SCHEMA, store_sql.SCHEMA, decision_log_pg.SCHEMA]


def test_a_sqlite_store_made_by_0_1_opens_with_its_state_and_outcomes(tmp_path):
    path = tmp_path / "state.db"
    made_by_0_1.sqlite_store(path)
    live, outcomes = open_store(path), open_outcomes(path)
    try:
        assert live.snapshot("acme_plumbing").status.note == "Set by 0.1"
        assert outcomes.decided("old-call").rules_version == "v0"
        live.set_status("acme_plumbing", live.snapshot("acme_plumbing").status.model_copy(update={"note": "Now"}))
    finally:
        live.close()
        outcomes.close()
    with sqlite3.connect(path) as db:
        # adopted from 0.1's place, then 1 → 2 (a status's notes per language and start)
        assert db.execute("SELECT version FROM live_state_schema").fetchall() == [(2,)]
        assert db.execute("PRAGMA user_version").fetchone() == (1,)
        assert db.execute("SELECT version FROM outcome_schema").fetchall() == [(1,)]
        assert db.execute("SELECT note FROM status").fetchall() == [("Now",)]


def test_a_postgresql_database_made_by_0_1_opens_with_its_state_outcomes_and_log(postgres_url, acme_dir):
    made_by_0_1.postgres_database(postgres_url)
    with Engine.from_settings(rules=acme_dir, store=postgres_url, decision_log=postgres_url) as engine:
        assert engine.live_state("acme_plumbing").status.note == "Set by 0.1"
        assert engine.outcomes.store.decided("old-call").rules_version == "v0"
        engine.decide(CALL, call_id="new-call")
    assert decision_log_pg.find(postgres_url, "old-call") == {"call_id": "old-call", "client": "acme_plumbing"}
    assert decision_log_pg.find(postgres_url, "new-call")["call_id"] == "new-call"
    with psycopg.connect(postgres_url) as db:
        for table, version in (("live_state_schema", 2), ("outcome_schema", 1), ("decision_log_schema", 1)):
            assert db.execute(f"SELECT version FROM {table}").fetchall() == [(version,)], table


def test_connections_migrating_an_empty_postgresql_database_at_once_take_turns(postgres_url):
    """Issue 23, finding 4: `CREATE TABLE IF NOT EXISTS` run before the lock by sessions starting
    together failed with `duplicate key value violates unique constraint "pg_type_typname_nsp_index"`."""
    for round_ in range(5):
        start, errors = threading.Barrier(6), []

        def migrate(schema, start=start, errors=errors) -> None:
            with psycopg.connect(postgres_url, autocommit=True) as connection:
                start.wait(10)
                try:
                    postgres.migrate(connection, schema, "the test database", StoreError)
                except Exception as exc:
                    errors.append(exc)

        threads = [threading.Thread(target=migrate, args=(schema,)) for schema in SCHEMAS * 2]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == [], f"round {round_}"
        with psycopg.connect(postgres_url, autocommit=True) as db:
            for schema in SCHEMAS:
                assert db.execute(f"SELECT version FROM {schema.table}").fetchall() == [(schema.version,)]
            db.execute("DROP SCHEMA public CASCADE")
            db.execute("CREATE SCHEMA public")


def test_connections_migrating_a_new_sqlite_file_at_once_take_turns(tmp_path):
    path, errors = str(tmp_path / "state.db"), []
    start = threading.Barrier(6)

    def migrate(schema) -> None:
        db = sqlite3.connect(path, isolation_level=None, timeout=0, check_same_thread=False)
        start.wait(10)
        try:
            sqlite.migrate(db, schema, "the test file", StoreError)
        except Exception as exc:
            errors.append(exc)
        finally:
            db.close()

    threads = [
        threading.Thread(target=migrate, args=(schema,)) for schema in (store_sqlite.SCHEMA, store_sql.SCHEMA) * 3
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT version FROM live_state_schema").fetchall() == [(store_sqlite.SCHEMA_VERSION,)]
        assert db.execute("SELECT version FROM outcome_schema").fetchall() == [(1,)]


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda schema: schema.name)
def test_a_postgresql_schema_newer_than_the_engine_is_refused_by_name(postgres_url, schema):
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        postgres.migrate(connection, schema, "the test database", StoreError)
        connection.execute(f"UPDATE {schema.table} SET version = 99")
        with pytest.raises(StoreError) as caught:
            postgres.migrate(connection, schema, "the test database", StoreError)
    assert str(caught.value) == (
        f"the test database has schema version 99, newer than this engine knows ({schema.version}); upgrade the engine"
    )


def test_each_postgresql_store_refuses_a_newer_schema_with_its_own_error(postgres_url, tmp_path):
    where = describe(postgres_url)
    open_store(postgres_url).close()
    open_outcomes(postgres_url).close()
    PostgresDecisionLog(postgres_url).close()
    with psycopg.connect(postgres_url, autocommit=True) as db:
        for table in ("live_state_schema", "outcome_schema", "decision_log_schema"):
            db.execute(f"UPDATE {table} SET version = 5")
    with pytest.raises(StoreError, match=rf"^the outcome store {where} has schema version 5, newer than"):
        open_outcomes(postgres_url)
    with pytest.raises(StoreError, match=rf"^the live-state store {where} has schema version 5, newer than"):
        open_store(postgres_url)
    with pytest.raises(decision_log_pg.DecisionLogError, match=rf"^the decision log in {where} has schema version 5"):
        PostgresDecisionLog(postgres_url)
    assert not [db for db in postgres._databases.values() if db.url == postgres_url]  # closed with the refusal


def test_a_sqlite_live_state_table_newer_than_the_engine_is_refused(tmp_path):
    path = tmp_path / "state.db"
    open_store(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE live_state_schema SET version = 3")
    with pytest.raises(StoreError) as caught:
        open_store(path)
    assert str(caught.value) == (
        f"the live-state store {path} has schema version 3, newer than this engine knows (2); upgrade the engine"
    )


def test_a_reader_checks_and_never_changes_nor_locks_the_file(tmp_path):
    path = tmp_path / "state.db"
    sqlite3.connect(path).close()
    with pytest.raises(StoreError) as caught:
        open_outcomes(path, read_only=True)
    assert str(caught.value) == f"the outcome store {path} has no tables yet: no engine has written to it"
    open_outcomes(path).close()
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a writer holds the write lock (a service writing a batch)
    try:
        reader = open_outcomes(path, read_only=True)
        assert reader.history("acme_plumbing", 0, 2e9, 2e9).calls == []
        with pytest.raises(StoreError, match="attempt to write a readonly database"):
            reader.add_decided([made_by_0_1.DECIDED])  # type: ignore[list-item]
        reader.close()
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_reader_of_an_older_postgresql_schema_says_what_to_do(postgres_url):
    schema = store_sql.SCHEMA
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        postgres.migrate(connection, schema, "the test database", StoreError)
        connection.execute(f"UPDATE {schema.table} SET version = 0")
        with pytest.raises(StoreError) as caught:
            postgres.check(connection, schema, "the outcome store here", StoreError)
    assert str(caught.value) == "the outcome store here has no tables yet: no engine has written to it"


def test_an_engine_on_a_sqlite_store_made_by_0_1_decides_and_records(tmp_path, acme_dir):
    made_by_0_1.sqlite_store(tmp_path / "state.db")
    with Engine.from_settings(rules=acme_dir, store=tmp_path / "state.db") as engine:
        engine.decide(CALL, call_id="new")
        engine.record_outcome("new", "answered", at=CALL.at)
        assert engine.report("acme_plumbing", CALL.at.date(), CALL.at.date())["answered"] == 1
    assert ACME.exists()
