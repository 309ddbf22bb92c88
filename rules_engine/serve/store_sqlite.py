"""Live state kept in a SQLite file, so that a restart of the routing daemon loses nothing.

It implements the `state.Store` protocol (a PostgreSQL store would implement the same
calls). Decisions read `snapshot`, which is served from memory: the cache of a client is
dropped when this store writes it, and all of it when another connection (another
process sharing the file) has committed since — SQLite's `PRAGMA data_version` says so
at the cost of one tiny query.

The schema is versioned with `PRAGMA user_version`; each entry of `MIGRATIONS` takes the
file one version up, so a file written by an older engine is upgraded in place.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime
from pathlib import Path
from typing import Optional

from ..errors import RulesEngineError
from .state import EMPTY, LiveOverride, LiveState, OwnerStatus

MIGRATIONS = (
    # 0 → 1
    """
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
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(RulesEngineError):
    """The live-state store cannot be opened, read or written."""


class SQLiteStore:
    """A durable `Store` in one SQLite file; safe to share between threads."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        self._lock = threading.Lock()
        self._cache: dict[str, LiveState] = {}
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._migrate()
            self._data_version = self._db.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the live-state store {self.path}: {exc}") from None

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"the live-state store {self.path} has schema version {version}, "
                             f"newer than this engine knows ({SCHEMA_VERSION}); upgrade the engine")
        for number in range(version, SCHEMA_VERSION):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {number + 1}")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    # ---- reading ------------------------------------------------------------------------

    def snapshot(self, client: str) -> LiveState:
        with self._lock:
            try:
                version = self._db.execute("PRAGMA data_version").fetchone()[0]
                if version != self._data_version:
                    self._cache.clear()
                    self._data_version = version
                state = self._cache.get(client)
                if state is None:
                    state = self._cache[client] = self._read(client)
                return state
            except sqlite3.Error as exc:
                raise StoreError(f"cannot read the live-state store {self.path}: {exc}") from None

    def _read(self, client: str) -> LiveState:
        row = self._db.execute("SELECT note, instructions, until FROM status WHERE client = ?", (client,)).fetchone()
        status = None
        if row is not None:
            status = OwnerStatus(note=row[0], instructions=row[1], until=parse_time(row[2]))
        overrides = tuple(
            LiveOverride(team=team, person=person, start=parse_time(start), end=parse_time(end), reason=reason)
            for team, person, start, end, reason in self._db.execute(
                "SELECT team, person, start, end, reason FROM override WHERE client = ? ORDER BY id", (client,)))
        if status is None and not overrides:
            return EMPTY
        return LiveState(status=status, overrides=overrides)

    # ---- writing ------------------------------------------------------------------------

    def set_status(self, client: str, status: OwnerStatus) -> None:
        self._write(client, "INSERT INTO status (client, note, instructions, until) VALUES (?, ?, ?, ?) "
                            "ON CONFLICT (client) DO UPDATE SET note = excluded.note, "
                            "instructions = excluded.instructions, until = excluded.until",
                    (client, status.note, status.instructions, format_time(status.until)))

    def clear_status(self, client: str) -> None:
        self._write(client, "DELETE FROM status WHERE client = ?", (client,))

    def add_override(self, client: str, override: LiveOverride) -> None:
        self._write(client, "INSERT INTO override (client, team, person, start, end, reason) VALUES (?, ?, ?, ?, ?, ?)",
                    (client, override.team, override.person, format_time(override.start),
                     format_time(override.end), override.reason))

    def clear_overrides(self, client: str, team: Optional[str] = None) -> None:
        if team is None:
            self._write(client, "DELETE FROM override WHERE client = ?", (client,))
        else:
            self._write(client, "DELETE FROM override WHERE client = ? AND team = ?", (client, team))

    def _write(self, client: str, sql: str, params: tuple) -> None:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    self._db.execute(sql, params)
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise StoreError(f"cannot write the live-state store {self.path}: {exc}") from None
            finally:
                self._cache.pop(client, None)

    def close(self) -> None:
        with self._lock:
            self._db.close()
            self._cache.clear()


def format_time(value: Optional[datetime]) -> Optional[str]:
    return value.isoformat() if value is not None else None


def parse_time(text: Optional[str]) -> Optional[datetime]:
    return datetime.fromisoformat(text) if text is not None else None
