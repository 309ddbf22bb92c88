"""Databases as rules-engine 0.1 made them, before the one migration routine: the same tables,
their versions where that engine kept them (SQLite's `PRAGMA user_version` for the live state,
one row of `outcome_schema`, `live_state_schema` and `decision_log_schema`), and a row or two
of data. The SQL is 0.1's own, copied here so that a change to today's migrations cannot hide
a database it no longer opens."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg

SQLITE_LIVE_STATE = """
    CREATE TABLE status (
        client       TEXT PRIMARY KEY,
        note         TEXT NOT NULL,
        instructions TEXT,
        until        TEXT                -- ISO 8601 with offset
    );
    CREATE TABLE override (
        id     INTEGER PRIMARY KEY,      -- insertion order: the order a snapshot lists them in
        client TEXT NOT NULL,
        team   TEXT NOT NULL,
        person TEXT NOT NULL,
        start  TEXT NOT NULL,            -- ISO 8601 with offset
        end    TEXT NOT NULL,
        reason TEXT
    );
    CREATE INDEX override_by_client ON override (client, team);
"""
OUTCOMES = (
    """CREATE TABLE decided_call (
        call_id       TEXT PRIMARY KEY,
        client        TEXT NOT NULL,
        at            DOUBLE PRECISION NOT NULL,  -- epoch seconds
        local_at      TEXT NOT NULL,              -- the decision's local time, ISO 8601 with offset
        caller        TEXT,
        forwarded     TEXT NOT NULL,
        urgency       TEXT,
        rule          INTEGER,                    -- route rule (1-based) and its line; null: no route yet
        line          INTEGER,
        rules_version TEXT NOT NULL)""",
    "CREATE INDEX decided_call_by_client ON decided_call (client, at)",
    """CREATE TABLE call_outcome (
        call_id     TEXT PRIMARY KEY,
        client      TEXT NOT NULL,
        outcome     TEXT NOT NULL,
        at          DOUBLE PRECISION NOT NULL,
        waited      DOUBLE PRECISION,
        handled     DOUBLE PRECISION,
        resolved    SMALLINT,
        transferred SMALLINT,
        csat        DOUBLE PRECISION)""",
    """CREATE TABLE escalation_result (
        call_id TEXT NOT NULL,
        client  TEXT NOT NULL,
        step    INTEGER NOT NULL,
        contact TEXT NOT NULL,
        method  TEXT NOT NULL,
        result  TEXT NOT NULL,
        at      DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (call_id, step, contact, method))""",
)
POSTGRES_LIVE_STATE = """
    CREATE SEQUENCE live_revision;
    CREATE TABLE live_client (
        client   text PRIMARY KEY,
        revision bigint NOT NULL            -- live_revision's value at the client's last change
    );
    CREATE TABLE live_status (
        client       text PRIMARY KEY REFERENCES live_client,
        note         text NOT NULL,
        instructions text,
        until        text                   -- ISO 8601 with the offset it was given in
    );
    CREATE TABLE live_override (
        id       bigserial PRIMARY KEY,     -- insertion order: the order a snapshot lists them in
        client   text NOT NULL REFERENCES live_client,
        team     text NOT NULL,
        person   text NOT NULL,
        start_at text NOT NULL,             -- ISO 8601 with the offset it was given in
        end_at   text NOT NULL,
        reason   text
    );
    CREATE INDEX live_override_by_client ON live_override (client, team);
"""
DECISION_LOG = """
    CREATE TABLE decision_log (
        logged_at     timestamptz NOT NULL,
        call_id       text NOT NULL,
        client        text NOT NULL,
        rules_version text NOT NULL,
        record        jsonb NOT NULL
    ) PARTITION BY RANGE (logged_at);
    CREATE INDEX decision_log_by_call_id ON decision_log (call_id, logged_at);
    CREATE TABLE decision_log_source (
        rules_version text PRIMARY KEY,
        path          text NOT NULL,
        client        text NOT NULL,
        title         text NOT NULL,
        timezone      text NOT NULL,
        text          text NOT NULL,
        kept_at       timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE decision_log_script (
        ref           text PRIMARY KEY,
        steps         jsonb NOT NULL
    );
"""
DECIDED = ("old-call", "acme_plumbing", 1795000000.0, "2026-11-18T03:06:40-06:00", None, "busy", None, 1, 75, "v0")


def sqlite_store(path: Path) -> None:
    """A SQLite store file of 0.1, with a status set and a decided call recorded."""
    with sqlite3.connect(path, isolation_level=None) as db:
        db.executescript(SQLITE_LIVE_STATE)
        db.execute("PRAGMA user_version = 1")
        db.execute("INSERT INTO status (client, note) VALUES ('acme_plumbing', 'Set by 0.1')")
        db.execute("CREATE TABLE IF NOT EXISTS outcome_schema (version INTEGER NOT NULL)")
        db.execute("INSERT INTO outcome_schema (version) VALUES (0)")
        for statement in OUTCOMES:
            db.execute(statement)
        db.execute("UPDATE outcome_schema SET version = 1")
        db.execute("INSERT INTO decided_call VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", DECIDED)
    sqlite3.connect(path).close()


def postgres_database(url: str) -> None:
    """A PostgreSQL database of 0.1: live state, outcomes and decision log, each with a row."""
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("CREATE TABLE IF NOT EXISTS live_state_schema (version integer NOT NULL)")
        db.execute(POSTGRES_LIVE_STATE)
        db.execute("INSERT INTO live_state_schema (version) VALUES (1)")
        db.execute("INSERT INTO live_client (client, revision) VALUES ('acme_plumbing', nextval('live_revision'))")
        db.execute("INSERT INTO live_status (client, note) VALUES ('acme_plumbing', 'Set by 0.1')")
        db.execute("CREATE TABLE IF NOT EXISTS outcome_schema (version INTEGER NOT NULL)")
        db.execute("INSERT INTO outcome_schema (version) VALUES (0)")
        for statement in OUTCOMES:
            db.execute(statement)  # type: ignore[arg-type]
        db.execute("UPDATE outcome_schema SET version = 1")
        db.execute("INSERT INTO decided_call VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", DECIDED)
        db.execute("CREATE TABLE IF NOT EXISTS decision_log_schema (version integer NOT NULL)")
        db.execute(DECISION_LOG)
        db.execute("INSERT INTO decision_log_schema (version) VALUES (1)")
        db.execute(
            "CREATE TABLE decision_log_20261118 PARTITION OF decision_log "
            "FOR VALUES FROM ('2026-11-18 00:00+00') TO ('2026-11-19 00:00+00')"
        )
        db.execute(
            "INSERT INTO decision_log VALUES ('2026-11-18 09:06:40+00', 'old-call', 'acme_plumbing', 'v0', "
            """'{"call_id": "old-call", "client": "acme_plumbing"}')"""
        )
