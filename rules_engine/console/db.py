"""Where the console keeps people: a SQLite file, or a PostgreSQL database a fleet shares.

The console's tables (accounts, sessions, the audit log; published rule files and their
history, drafts, status templates, closure proposals, per-client settings) are one schema, `console`,
migrated by the engine's one routine for each kind of database (`storage.sqlite`,
`storage.postgres`). The statements the console runs are written once, with `?` for each
value; `Database` hands them to SQLite as they are and to psycopg with `%s`. They hold no
`%` and no literal `?` of their own, and every value is a parameter, never pasted in.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any, Protocol

from ..errors import RulesEngineError
from ..storage import sqlite
from ..storage.locations import is_database_url
from ..storage.schema import Schema


class ConsoleStoreError(RulesEngineError):
    """The console's accounts store cannot be opened or used."""


def tables(serial: str) -> tuple[str, ...]:
    """The first version of the console's tables; `serial` is the audit log's growing id."""
    return (
        """CREATE TABLE console_account (
            name     TEXT PRIMARY KEY,
            role     TEXT NOT NULL,            -- admin, account_manager or client
            clients  TEXT NOT NULL,            -- client ids, space-separated; empty: all (admin, manager)
            password TEXT NOT NULL,            -- an Argon2id hash, with its parameters and salt
            created  TEXT NOT NULL             -- ISO 8601, UTC
        )""",
        """CREATE TABLE console_session (
            id      TEXT PRIMARY KEY,          -- SHA-256 of the cookie's value, never the value
            account TEXT,                      -- NULL before logging in (the login form's CSRF token)
            csrf    TEXT NOT NULL,
            created DOUBLE PRECISION NOT NULL, -- seconds since the epoch
            seen    DOUBLE PRECISION NOT NULL
        )""",
        f"""CREATE TABLE console_audit (
            id      {serial},
            at      TEXT NOT NULL,             -- ISO 8601, UTC, milliseconds: sorts as it reads
            actor   TEXT NOT NULL,             -- an account's name, or `command line (user)`
            action  TEXT NOT NULL,
            client  TEXT,
            address TEXT,
            detail  TEXT NOT NULL              -- JSON
        )""",
        "CREATE INDEX console_audit_by_action ON console_audit (action, at)",
    )


def work_tables(serial: str) -> tuple[str, ...]:
    """The second version: what account managers and owners make on the pages — published rule
    files with their history, drafts, status templates, closure proposals, per-client settings."""
    return (
        f"""CREATE TABLE console_rules_version (
            id            {serial},           -- grows across clients: a fleet follows it (newest id)
            client        TEXT NOT NULL,
            number        INTEGER NOT NULL,   -- 1, 2, 3 … per client: "version 7"
            rules_version TEXT NOT NULL,      -- the engine's rules_version of `text`
            text          TEXT NOT NULL,      -- the whole rule file
            author        TEXT NOT NULL,      -- an account's name, `files` (import), `command line (user)`
            at            TEXT NOT NULL,      -- ISO 8601, UTC, milliseconds
            message       TEXT NOT NULL,
            action        TEXT NOT NULL,      -- publish, rollback, import, approve
            source        INTEGER,            -- rollback: the number published again; approve: the proposal id
            UNIQUE (client, number)
        )""",
        """CREATE TABLE console_draft (
            client  TEXT NOT NULL,
            kind    TEXT NOT NULL,            -- rules (the .rules file) or feature (its Gherkin scenarios)
            text    TEXT NOT NULL,
            author  TEXT NOT NULL,
            updated TEXT NOT NULL,            -- ISO 8601, UTC
            PRIMARY KEY (client, kind)
        )""",
        f"""CREATE TABLE console_status_template (
            id      {serial},
            client  TEXT NOT NULL,
            label   TEXT NOT NULL,            -- "In court"
            notes   TEXT NOT NULL,            -- JSON: {{language tag: note}}, the first is the default
            UNIQUE (client, label)
        )""",
        f"""CREATE TABLE console_proposal (
            id         {serial},
            client     TEXT NOT NULL,
            author     TEXT NOT NULL,
            at         TEXT NOT NULL,         -- ISO 8601, UTC
            summary    TEXT NOT NULL,         -- what the owner asked for, in words
            text       TEXT NOT NULL,         -- the rule file as it would be
            base       TEXT NOT NULL,         -- the rules_version it was made from
            state      TEXT NOT NULL,         -- pending, approved, rejected, published (self-published)
            decided_by TEXT,
            decided_at TEXT,
            reason     TEXT
        )""",
        """CREATE TABLE console_client_setting (
            client TEXT NOT NULL,
            name   TEXT NOT NULL,             -- self_publish_closures, …
            value  TEXT NOT NULL,             -- JSON
            PRIMARY KEY (client, name)
        )""",
        "CREATE INDEX console_proposal_by_state ON console_proposal (state, client)",
    )


SQLITE_SCHEMA = Schema("console", (tables("INTEGER PRIMARY KEY"), work_tables("INTEGER PRIMARY KEY")))
POSTGRES_SCHEMA = Schema("console", (tables("BIGSERIAL PRIMARY KEY"), work_tables("BIGSERIAL PRIMARY KEY")))


class Database(Protocol):
    """Runs the console's statements (`?` placeholders) against one database."""

    where: str

    def execute(self, statement: str, values: tuple[Any, ...] = ()) -> int:
        """Run one statement; the number of rows it changed."""
        ...

    def rows(self, statement: str, values: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]: ...

    def close(self) -> None: ...


class SQLiteDatabase:
    """A SQLite file (WAL, so that pages read while another process writes), one connection
    shared by the service's threads under a lock."""

    def __init__(self, path: Path):
        self.where = str(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10.0)
            self._db.execute("PRAGMA journal_mode = WAL")
            sqlite.migrate(self._db, SQLITE_SCHEMA, f"the console's accounts {path}", ConsoleStoreError)
        except sqlite3.Error as exc:
            raise ConsoleStoreError(f"cannot open the console's accounts {path}: {exc}") from None
        self._lock = threading.Lock()

    def execute(self, statement: str, values: tuple[Any, ...] = ()) -> int:
        with self._lock:
            return self._db.execute(statement, values).rowcount

    def rows(self, statement: str, values: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(statement, values).fetchall()

    def close(self) -> None:
        with self._lock:
            self._db.close()


class PostgresDatabase:
    """A PostgreSQL database, through the process's shared pool (`storage.postgres`)."""

    TIMEOUT_S = 5.0

    def __init__(self, url: str):
        from ..storage import postgres

        self._postgres = postgres
        self._db = postgres.database(url)
        self.where = self._db.where
        try:
            with self._db.connection(self.TIMEOUT_S) as conn:
                postgres.migrate(conn, POSTGRES_SCHEMA, f"the console's accounts {self.where}", ConsoleStoreError)
        except Exception as exc:
            postgres.release(self._db)
            if isinstance(exc, RulesEngineError):
                raise
            raise ConsoleStoreError(f"cannot open the console's accounts {self.where}: {exc}") from None

    def execute(self, statement: str, values: tuple[Any, ...] = ()) -> int:
        with self._db.connection(self.TIMEOUT_S) as conn:
            return conn.execute(statement.replace("?", "%s"), values).rowcount

    def rows(self, statement: str, values: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._db.connection(self.TIMEOUT_S) as conn:
            return conn.execute(statement.replace("?", "%s"), values).fetchall()

    def close(self) -> None:
        self._postgres.release(self._db)


def open_database(location: Path | str) -> Database:
    """The accounts store at `location`: a `postgresql://` URL, else a SQLite file."""
    if is_database_url(location):
        from ..extras import needs

        with needs("postgres", "a postgresql:// accounts store"):
            return PostgresDatabase(str(location))
    return SQLiteDatabase(Path(location))
