"""Schemas in a SQLite file: the one migration routine of every SQLite store, and read-only opens.

`migrate` reads the version without a lock; when the file is current (every open but the
first of a new engine) that is all. Otherwise it takes the write lock with `BEGIN IMMEDIATE`
before it creates anything, reads the version again (another process may have migrated
meanwhile), refuses a newer one, runs the missing migrations and records the version, all in
that one transaction: processes opening a new file together take turns (each waiting up to
`timeout` seconds, through SQLite's busy handler), and a failure leaves the file as it was.

Readers (the report beside a running service) open the file read-only (`connect_read_only`)
and only `check` the version: they never lock or change the file the writer uses.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..errors import RulesEngineError
from .schema import Schema, newer, not_current

LOCK_TIMEOUT_S = 10.0


def migrate(
    db: sqlite3.Connection,
    schema: Schema,
    what: str,
    error: type[RulesEngineError],
    timeout: float = LOCK_TIMEOUT_S,
) -> None:
    """Bring `schema` in the file of `db` (a connection in autocommit mode) to this version, or
    refuse a newer one with `error` naming `what`. sqlite3 errors (a file locked by another
    connection for over `timeout` seconds: "database is locked") are the caller's to tell."""
    (busy_ms,) = db.execute("PRAGMA busy_timeout").fetchone()
    db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    try:
        version, recorded = current(db, schema)
        if version > schema.version:
            raise newer(error, what, version, schema)
        if recorded and version == schema.version:
            return
        db.execute("BEGIN IMMEDIATE")  # the write lock, before anything is created
        try:
            version, recorded = current(db, schema)
            if version > schema.version:
                raise newer(error, what, version, schema)
            if not recorded:
                db.execute(f"CREATE TABLE IF NOT EXISTS {schema.table} (version INTEGER NOT NULL)")
            for number in range(version, schema.version):
                for statement in schema.migrations[number]:
                    db.execute(statement)
            db.execute(f"DELETE FROM {schema.table}")
            db.execute(f"INSERT INTO {schema.table} (version) VALUES (?)", (schema.version,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    finally:
        db.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")


def check(db: sqlite3.Connection, schema: Schema, what: str, error: type[RulesEngineError]) -> None:
    """For a reader: the file must hold exactly this version of `schema`."""
    version, _ = current(db, schema)
    if version != schema.version:
        raise not_current(error, what, version, schema)


def current(db: sqlite3.Connection, schema: Schema) -> tuple[int, bool]:
    """The version of `schema` in the file, and whether its version table records it (False:
    a new file, or one of an engine that kept the version elsewhere: `schema.legacy`)."""
    found = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (schema.table,)).fetchone()
    if found is not None:
        row = db.execute(f"SELECT max(version) FROM {schema.table}").fetchone()
        return (row[0] or 0) if row else 0, True
    if schema.legacy is not None:
        row = db.execute(schema.legacy).fetchone()
        return (row[0] or 0) if row else 0, False
    return 0, False


def connect_read_only(path: str | Path, busy_timeout: float = 5.0) -> sqlite3.Connection:
    """A connection that can only read the file at `path` (which must exist), in autocommit mode.
    It reads a WAL file beside a writer as any reader does, and never takes its write lock."""
    uri = Path(path).absolute().as_uri() + "?mode=ro"
    return sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None, timeout=busy_timeout)
