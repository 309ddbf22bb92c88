"""Live state in PostgreSQL, shared by every routing daemon of a service (psycopg 3 and its pool).

The same `state.Store` calls and semantics as the SQLite store, for daemons on several
hosts. Decisions read the in-memory snapshot of `snapshot.SnapshotStore`, never the
database: a decision costs no query, and keeps being made from the last snapshot while
the database is unreachable (`health()` and each decision say how old it is).

How the snapshot stays current:
- every write bumps the client's `revision` (one sequence for the whole store), reads the
  client's new state in the same transaction, and sends `NOTIFY rules_engine_live_state`
  with the client's id; after the commit this store installs what it read;
- a listening connection receives the other daemons' notifications and rereads each
  client named; every `heartbeat` seconds (0.5) it checks the connection with a query, and
  the snapshot counts as current up to the moment that query was sent; every
  `resync_interval` seconds (30) it rereads everything, in case a notification was lost;
- when the connection fails the listener retries every 0.2 s, backing off to every 0.5 s
  (no further: the first daemon to write once the database is back has its pool reconnected
  within milliseconds, and the others should hold that write within the second), and once
  connected again rereads everything before counting the snapshot current.

Writes go through the process's connection pool for the database (`storage.postgres`, shared
with the outcome store and the decision log that name it); while the database is unreachable
they fail with a `StoreError` after `write_timeout` seconds. The listener holds a connection of
its own. Every database error is told as a `StoreError` naming the store (without its password)
and what failed.

The schema (`SCHEMA`, versioned in `live_state_schema`) is migrated by the engine's one
PostgreSQL routine (`storage.postgres.migrate`): under an advisory lock taken before anything is
created, so that daemons starting together on an empty database take turns; a newer one is refused.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import ClassVar

import psycopg
from psycopg import sql
from psycopg_pool import PoolTimeout

from ..errors import StoreError
from ..live import EMPTY, LiveState
from ..storage import postgres
from ..storage.postgres import describe
from ..storage.schema import Schema
from ..storage.writer import reason_of as first_line
from .snapshot import SnapshotStore, states_from_rows

__all__ = ["SCHEMA", "SCHEMA_VERSION", "PostgresStore", "describe"]

CHANNEL = "rules_engine_live_state"
RETRY_AT_MOST = 0.5  # seconds between the listener's attempts to reconnect, at the most

MIGRATIONS = (
    # 0 → 1
    """
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
    """,
    # 1 → 2: a status's notes per caller language, and its start (a status scheduled ahead)
    """
    ALTER TABLE live_status ADD COLUMN notes text;   -- JSON {language tag: note}; NULL: none
    ALTER TABLE live_status ADD COLUMN starts text;  -- ISO 8601 with the offset it was given in
    """,
)
SCHEMA = Schema("live_state", tuple((statements,) for statements in MIGRATIONS))
SCHEMA_VERSION = SCHEMA.version

CLIENTS = "SELECT client, revision FROM live_client"
STATUSES = "SELECT client, note, instructions, until, notes, starts FROM live_status"
OVERRIDES = "SELECT client, team, person, start_at, end_at, reason FROM live_override"


class PostgresStore(SnapshotStore):
    """A `Store` in a PostgreSQL database, shared by daemons on any number of hosts."""

    kind = "postgresql"
    shared = True
    WRITES: ClassVar[dict[str, str]] = {
        "set_status": "INSERT INTO live_status (client, note, instructions, until, notes, starts) "
        "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (client) DO UPDATE SET note = excluded.note, "
        "instructions = excluded.instructions, until = excluded.until, notes = excluded.notes, "
        "starts = excluded.starts",
        "clear_status": "DELETE FROM live_status WHERE client = %s",
        "add_override": "INSERT INTO live_override (client, team, person, start_at, end_at, reason) "
        "VALUES (%s, %s, %s, %s, %s, %s)",
        "clear_overrides": "DELETE FROM live_override WHERE client = %s",
        "clear_team_overrides": "DELETE FROM live_override WHERE client = %s AND team = %s",
        "remove_override": "DELETE FROM live_override WHERE id = (SELECT id FROM live_override WHERE client = %s "
        "AND team = %s AND person = %s AND start_at = %s AND end_at = %s AND reason IS NOT DISTINCT FROM %s "
        "ORDER BY id LIMIT 1)",
    }

    def __init__(
        self,
        url: str,
        write_timeout: float = 5.0,
        heartbeat: float = 0.5,
        resync_interval: float = 30.0,
        connect_timeout: int = 3,
    ):
        super().__init__()
        self.url = url
        self.where = describe(url)
        self.write_timeout = write_timeout
        self.heartbeat = heartbeat
        self.resync_interval = resync_interval
        self._closed = False
        try:
            self._db = postgres.database(url, connect_timeout=connect_timeout)
        except psycopg.Error as exc:
            raise StoreError(f"cannot open the live-state store {self.where}: {first_line(exc)}") from None
        self._listening: psycopg.Connection | None = None
        first = None
        try:
            first = self._db.connect()
            postgres.migrate(first, SCHEMA, f"the live-state store {self.where}", StoreError)
            self._start_listening(first)
        except BaseException as exc:
            if first is not None:
                first.close()
            postgres.release(self._db)
            if isinstance(exc, psycopg.Error):
                raise StoreError(f"cannot open the live-state store {self.where}: {first_line(exc)}") from None
            raise
        self._listening = first
        self._listener = threading.Thread(target=self._listen, name=f"live-state listen {self.where}", daemon=True)
        self._listener.start()

    # ---- keeping the snapshot current ---------------------------------------------------------

    def _start_listening(self, conn: psycopg.Connection) -> None:
        """LISTEN, then read everything: a change committed in between is read or notified."""
        started = time.monotonic()
        conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(CHANNEL)))
        self._install(read_states(conn))
        self._confirmed(started)

    def _listen(self) -> None:
        delay = 0.2
        while not self._stop.is_set():
            conn, self._listening = self._listening, None
            try:
                if conn is None:
                    conn = self._db.connect()
                    self._start_listening(conn)
                    self._db.check()  # drop the pool's connections that died with the database
                delay = 0.2
                self._follow(conn)
            except psycopg.Error as exc:
                self._unreachable(f"the live-state store {self.where} is unreachable: {first_line(exc)}")
            finally:
                if conn is not None:
                    conn.close()
            if self._sleep(delay):
                return
            delay = min(delay * 2, RETRY_AT_MOST)

    def _follow(self, conn: psycopg.Connection) -> None:
        """Reread each client another daemon changed, until the connection fails or the store closes."""
        resynced = time.monotonic()
        while not self._stop.is_set():
            sent = time.monotonic()
            conn.execute("SELECT 1")  # the server sends every notification committed before it first
            self._reread(conn, {notice.payload for notice in conn.notifies(timeout=0)})
            if time.monotonic() - resynced >= self.resync_interval:
                self._install(read_states(conn))
                resynced = sent
            self._confirmed(sent)
            # Wait for the next notification (the connection cannot be queried while waiting).
            self._reread(conn, {notice.payload for notice in conn.notifies(timeout=self.heartbeat, stop_after=1)})

    def _reread(self, conn: psycopg.Connection, clients: set[str]) -> None:
        if clients:
            self._install(read_states(conn, sorted(clients)))

    # ---- writing ------------------------------------------------------------------------

    def _write(self, client: str, what: str, statement: str, params: tuple) -> None:
        """One transaction: bump the client's revision (locking its row), change, read back, notify."""
        if self._stop.is_set():
            raise StoreError(f"cannot {what}: the live-state store {self.where} is closed")
        committing = False
        try:
            with self._db.connection(self.write_timeout) as conn:
                try:
                    with conn.transaction():
                        waits = max(1, int(self.write_timeout * 1000))  # a lock wait fails first, naming the holder
                        conn.execute(
                            "SELECT set_config('lock_timeout', %s, true), set_config('statement_timeout', %s, true)",
                            (f"{waits}ms", f"{2 * waits}ms"),
                        )
                        conn.execute(
                            "INSERT INTO live_client (client, revision) VALUES (%s, nextval('live_revision')) "
                            "ON CONFLICT (client) DO UPDATE SET revision = excluded.revision",
                            (client,),
                        )
                        conn.execute(statement, params)
                        read = read_states(conn, [client])
                        conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, client))
                        committing = True
                except psycopg.errors.LockNotAvailable:
                    raise StoreError(
                        f"cannot {what}: the live-state store {self.where} kept `{client}` locked "
                        f"for {self.write_timeout:g} s: {lock_holders(conn)}; nothing was changed"
                    ) from None
        except PoolTimeout:
            reason = self._error or (
                f"the live-state store {self.where} is unreachable: no connection within {self.write_timeout:g} s"
            )
            raise StoreError(f"cannot {what}: {reason}; nothing was changed") from None
        except psycopg.Error as exc:
            if committing:
                raise StoreError(
                    f"cannot {what}: the connection to the live-state store {self.where} failed while "
                    f"committing ({first_line(exc)}); the change may or may not have been made"
                ) from None
            raise StoreError(
                f"cannot {what}: the live-state store {self.where} failed: {first_line(exc)}; nothing was changed"
            ) from None
        self._install(read)

    def close(self) -> None:
        self._stop.set()
        listener = getattr(self, "_listener", None)
        if listener is not None and listener.is_alive():
            listener.join()
        if not self._closed:
            self._closed = True
            postgres.release(self._db)


def read_states(conn: psycopg.Connection, clients: Iterable[str] | None = None) -> dict[str, tuple[LiveState, int]]:
    """Every client's (or the named clients') state and revision, as of one moment."""
    where, params = ("", ()) if clients is None else (" WHERE client = ANY(%s)", (list(clients),))
    nested = conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE
    with conn.transaction():
        if not nested:
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        revisions: dict[str, int] = dict(conn.execute(CLIENTS + where, params).fetchall())
        states = states_from_rows(
            conn.execute(STATUSES + where, params).fetchall(),
            conn.execute(OVERRIDES + where + " ORDER BY id", params).fetchall(),
        )
    return {client: (states.get(client, EMPTY), revision) for client, revision in revisions.items()}


def lock_holders(conn: psycopg.Connection) -> str:
    """The other sessions holding write locks on `live_client`, as the server tells."""
    try:
        rows = conn.execute(
            "SELECT a.pid, a.application_name, coalesce(host(a.client_addr), 'a local socket'), "
            "extract(epoch FROM now() - a.xact_start) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'relation' AND l.relation = 'live_client'::regclass AND l.granted "
            "AND a.pid <> pg_backend_pid() AND l.mode IN ('RowShareLock', 'RowExclusiveLock', "
            "'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock') ORDER BY a.xact_start"
        ).fetchall()
    except psycopg.Error:
        return "the session holding it could not be identified"
    if not rows:
        return "the session holding it has finished since"
    return "; ".join(
        f"held by server process {pid} ({application or 'no application name'}, from {origin}, "
        f"in a transaction for {float(seconds or 0):.1f} s)"
        for pid, application, origin, seconds in rows
    )
