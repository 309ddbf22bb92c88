"""PostgreSQL as the engine holds it: one pool a database, one migration routine, quiet logs.

**Connections.** `database(url)` gives the process's `Database` for `url`: one
`psycopg_pool.ConnectionPool` (up to `MAX_CONNECTIONS`, autocommit, TCP keepalives so that a
dead server is noticed in seconds), shared by every store and log of the process that names
the same database (the live state, the outcomes and the decision log of one engine, or of
several engines), and closed when the last of them `release`s it. `connection(timeout)` lends
one, checked first: one that died idle (the server restarted) is dropped and the next taken at
once. The one connection that is not the pool's is the live-state store's listener (`connect`),
which holds `LISTEN` for as long as the store is open. Readers (`read_only=True`: `explain`,
the report) get connections whose transactions are read-only.

**Schemas.** `migrate` reads the schema's version without a lock; when it is current that is
all. Otherwise, in one transaction, it takes the advisory lock `SCHEMA_LOCK` *before* it creates
anything (`CREATE TABLE IF NOT EXISTS` run by two sessions at once fails on the catalog's unique
index: instances started together on an empty database did), reads the version again, refuses a
newer one, runs the missing migrations and records the version. Every schema change of the
engine (the decision log's daily partitions too) takes the same lock. Readers only `check`.

**Logs.** psycopg_pool logs through the `psycopg.pool` logger; the messages of this module's
pools go to the `rules_engine.storage.postgres` logger instead (a daemon that has not set up
logging sees nothing: `rules_engine` has a `NullHandler`). Other pools of the process are left
alone.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool

from ..errors import RulesEngineError
from .schema import Schema, newer, not_current

LOG = logging.getLogger("rules_engine.storage.postgres")
MAX_CONNECTIONS = 4
CONNECT_TIMEOUT_S = 3
RECONNECT_TIMEOUT_S = 3.0
SCHEMA_LOCK = 7_104_116_101  # pg_advisory_xact_lock key of every schema change the engine makes
POOL_PREFIX = "rules-engine "


def describe(url: str) -> str:
    """The database's URL without its password (or any other parameter), for messages and logs."""
    try:
        parts: dict[str, Any] = conninfo_to_dict(url)
    except psycopg.Error:
        return "postgresql://(an unreadable URL)"
    user = f"{parts['user']}@" if parts.get("user") else ""
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{user}{parts.get('host', '')}{port}/{parts.get('dbname', '')}"


def options(connect_timeout: int, read_only: bool) -> dict[str, Any]:
    """How every connection of the engine is made."""
    found: dict[str, Any] = dict(
        autocommit=True,
        connect_timeout=connect_timeout,
        keepalives=1,
        keepalives_idle=5,
        keepalives_interval=1,
        keepalives_count=3,
        tcp_user_timeout=5000,
        application_name=f"rules-engine{' reader' if read_only else ''} (pid {os.getpid()})",
    )
    if read_only:
        found["options"] = "-c default_transaction_read_only=on"
    return found


class Database:
    """One PostgreSQL database as this process holds it (made by `database`, never directly)."""

    def __init__(self, url: str, read_only: bool, connect_timeout: int):
        conninfo_to_dict(url)  # a URL that cannot be read fails here (psycopg.ProgrammingError)
        self.url = url
        self.where = describe(url)
        self.read_only = read_only
        self._options = options(connect_timeout, read_only)
        self._users = 0
        self.pool: ConnectionPool = ConnectionPool(
            url,
            kwargs=self._options,
            min_size=1,
            max_size=MAX_CONNECTIONS,
            open=False,
            reconnect_timeout=RECONNECT_TIMEOUT_S,
            name=f"{POOL_PREFIX}{self.where}{' (read-only)' if read_only else ''}",
            configure=OURS.add,
        )
        self.pool.open(wait=False)

    def connect(self) -> psycopg.Connection:
        """A connection of its own, made as the pool's are (the live-state store's listener)."""
        connection = psycopg.connect(self.url, **self._options)
        OURS.add(connection)
        return connection

    @contextmanager
    def connection(self, timeout: float) -> Iterator[psycopg.Connection]:
        """A connection of the pool that answers, within `timeout` seconds (else `PoolTimeout`,
        a `psycopg.OperationalError`).

        One that died idle in the pool (the database restarted) is closed and the next taken at
        once. (The pool's own check waits 1 s, then 2 s, … after a second dead connection, so a
        write just after a restart failed, or waited seconds, with the database back.)
        """
        deadline = time.monotonic() + timeout
        while True:
            conn = self.pool.getconn(timeout=max(deadline - time.monotonic(), 0.001))
            try:
                ConnectionPool.check_connection(conn)
                break
            except psycopg.Error:
                self.pool.putconn(conn)  # broken: the pool closes it and opens another
        try:
            with conn:  # a transaction left open by an error is rolled back
                yield conn
        finally:
            self.pool.putconn(conn)

    def check(self) -> None:
        """Drop the pool's connections that died with the database (after an outage)."""
        self.pool.check()


_databases: dict[tuple[int, str, bool, int], Database] = {}
_databases_lock = threading.Lock()


def database(url: str, *, read_only: bool = False, connect_timeout: int = CONNECT_TIMEOUT_S) -> Database:
    """The process's `Database` for `url`, shared with every other user of it; `release` it when done.
    A URL psycopg cannot read is a `psycopg.ProgrammingError`."""
    key = (os.getpid(), url, read_only, connect_timeout)  # a forked child makes pools of its own
    with _databases_lock:
        found = _databases.get(key)
        if found is None:
            found = _databases[key] = Database(url, read_only, connect_timeout)
        found._users += 1
        return found


def release(db: Database) -> None:
    """One user of `db` is done with it; the last one closes its pool."""
    with _databases_lock:
        db._users -= 1
        if db._users > 0:
            return
        for key, held in list(_databases.items()):
            if held is db:
                del _databases[key]
    db.pool.close(timeout=1.0)


# ---- schemas ----------------------------------------------------------------------------------


def migrate(conn: psycopg.Connection, schema: Schema, what: str, error: type[RulesEngineError]) -> None:
    """Bring `schema` in the database of `conn` (autocommit) to this version, or refuse a newer one
    with `error` naming `what`. Database errors (psycopg.Error) are the caller's to tell."""
    version, recorded = current(conn, schema)
    if version > schema.version:
        raise newer(error, what, version, schema)
    if recorded and version == schema.version:
        return
    table = sql.Identifier(schema.table)
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))  # before anything is created
        conn.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} (version integer NOT NULL)").format(table))
        version, _ = current(conn, schema)
        if version > schema.version:
            raise newer(error, what, version, schema)
        for number in range(version, schema.version):
            for statement in schema.migrations[number]:
                conn.execute(statement)  # the migrations' own SQL, no input in it
        conn.execute(sql.SQL("DELETE FROM {}").format(table))
        conn.execute(sql.SQL("INSERT INTO {} (version) VALUES (%s)").format(table), (schema.version,))


def check(conn: psycopg.Connection, schema: Schema, what: str, error: type[RulesEngineError]) -> None:
    """For a reader: the database must hold exactly this version of `schema`."""
    version, _ = current(conn, schema)
    if version != schema.version:
        raise not_current(error, what, version, schema)


def current(conn: psycopg.Connection, schema: Schema) -> tuple[int, bool]:
    """The version of `schema` in the database, and whether its version table records it."""
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (schema.table,)).fetchone()
    if row is not None and row[0]:
        found = conn.execute(sql.SQL("SELECT max(version) FROM {}").format(sql.Identifier(schema.table))).fetchone()
        return (found[0] or 0) if found else 0, True
    if schema.legacy is not None:
        found = conn.execute(schema.legacy).fetchone()  # the schema's own SQL
        return (found[0] or 0) if found else 0, False
    return 0, False


@contextmanager
def locked_schema(conn: psycopg.Connection) -> Iterator[None]:
    """A transaction holding the schema lock: for schema changes made after the migration
    (the decision log's partitions), so that they take turns with every other."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        yield


# ---- the pool's messages ----------------------------------------------------------------------

OURS: weakref.WeakSet[psycopg.Connection] = weakref.WeakSet()  # every connection this module made


class PoolMessages(logging.Filter):
    """On the `psycopg.pool` logger: a message about one of this module's pools or connections is
    logged by `rules_engine.storage.postgres` instead (and not by `psycopg.pool`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        # a connection of ours, or the name of one of our pools (alone, or in a task's name)
        if not any(arg in OURS or POOL_PREFIX in str(arg) for arg in args):
            return True
        LOG.log(record.levelno, "connection pool: %s", record.getMessage(), exc_info=record.exc_info)
        return False


logging.getLogger("psycopg.pool").addFilter(PoolMessages())  # once: when PostgreSQL is first used
