"""Live state kept in a SQLite file, so that a restart of the routing daemon loses nothing.

It implements the `state.Store` protocol. Decisions read the in-memory snapshot of
`snapshot.SnapshotStore` and never touch the file, so a write waiting for SQLite's write
lock (another process's long transaction) cannot stall a decision. The snapshot is
refreshed after each write of this store, before the write returns, and — for what other
processes sharing the file commit — by a background thread that checks SQLite's
`PRAGMA data_version` every `refresh_interval` seconds (0.1 by default) and rereads the
file when it changed.

Writers take the write lock by trying `BEGIN IMMEDIATE` every millisecond or two (random,
so that processes do not fall into step) instead of SQLite's busy handler, whose sleeps
grow to 100 ms and let one process win the lock again and again while another waits for
seconds; and a store that has just written waits 2 ms before writing again, so that a
process polling for the lock gets its turn. A write that cannot get the lock within `write_timeout` seconds fails with a
`StoreError` naming the process that holds it.

The schema (`SCHEMA`) is migrated by the engine's one SQLite routine (`storage.sqlite`): its
version in `live_state_schema`, changes made under `BEGIN IMMEDIATE`, a newer file refused. A
file made before that table read its version from `PRAGMA user_version` (`SCHEMA.legacy`), and
is upgraded in place like any other.
"""

from __future__ import annotations

import itertools
import os
import random
import sqlite3
import threading
import time
from pathlib import Path
from typing import ClassVar

from ..errors import StoreError
from ..live import EMPTY
from ..storage import sqlite
from ..storage.schema import Schema
from .snapshot import SnapshotStore, states_from_rows

__all__ = ["MIGRATIONS", "SCHEMA", "SCHEMA_VERSION", "SQLiteStore", "StoreError"]

MIGRATIONS = (
    # 0 → 1
    (
        """CREATE TABLE status (
            client       TEXT PRIMARY KEY,
            note         TEXT NOT NULL,
            instructions TEXT,
            until        TEXT                -- ISO 8601 with offset
        )""",
        """CREATE TABLE override (
            id     INTEGER PRIMARY KEY,      -- insertion order: the order a snapshot lists them in
            client TEXT NOT NULL,
            team   TEXT NOT NULL,
            person TEXT NOT NULL,
            start  TEXT NOT NULL,            -- ISO 8601 with offset
            end    TEXT NOT NULL,
            reason TEXT
        )""",
        "CREATE INDEX override_by_client ON override (client, team)",
    ),
    # 1 → 2: a status's notes per caller language, and its start (a status scheduled ahead)
    (
        "ALTER TABLE status ADD COLUMN notes TEXT",  # JSON {language tag: note}; NULL: none
        "ALTER TABLE status ADD COLUMN starts TEXT",  # ISO 8601 with offset; NULL: from when it was set
    ),
)
SCHEMA = Schema("live_state", MIGRATIONS, legacy="PRAGMA user_version")
SCHEMA_VERSION = SCHEMA.version

SQLITE_BUSY = 5
TURN = 0.002  # seconds a store waits before writing again right after a write of its own
WAL_WRITE_LOCK_BYTE = 120  # the byte of the `-shm` file a WAL writer locks (SQLite's wal.c)

STATUS_COLUMNS = "SELECT client, note, instructions, until, notes, starts FROM status"
OVERRIDE_COLUMNS = "SELECT client, team, person, start, end, reason FROM override"


class SQLiteStore(SnapshotStore):
    """A durable `Store` in one SQLite file; safe to share between threads and processes."""

    kind = "sqlite"
    WRITES: ClassVar[dict[str, str]] = {
        "set_status": "INSERT INTO status (client, note, instructions, until, notes, starts) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (client) DO UPDATE SET note = excluded.note, instructions = excluded.instructions, "
        "until = excluded.until, notes = excluded.notes, starts = excluded.starts",
        "clear_status": "DELETE FROM status WHERE client = ?",
        "add_override": "INSERT INTO override (client, team, person, start, end, reason) VALUES (?, ?, ?, ?, ?, ?)",
        "clear_overrides": "DELETE FROM override WHERE client = ?",
        "clear_team_overrides": "DELETE FROM override WHERE client = ? AND team = ?",
        "remove_override": "DELETE FROM override WHERE id = (SELECT id FROM override WHERE client = ? AND team = ? "
        "AND person = ? AND start = ? AND end = ? AND reason IS ? ORDER BY id LIMIT 1)",
    }

    def __init__(self, path: str | Path, write_timeout: float = 5.0, refresh_interval: float = 0.1):
        super().__init__()
        self.path = str(path)
        self.write_timeout = write_timeout
        self.refresh_interval = refresh_interval
        self._write_lock = threading.Lock()
        self._reads = itertools.count(1)  # revisions of this process's reads, in the order they began
        self._closed = False
        self._committed = 0.0  # when this store's last write committed (monotonic)
        opened: list[sqlite3.Connection] = []
        try:
            self._db = connect(self.path, busy_timeout=write_timeout)  # writes (and this store's rereads)
            opened.append(self._db)
            self._db.execute("PRAGMA journal_mode=WAL")  # waits for a process making the file at the same time
            self._db.execute("PRAGMA synchronous=FULL")
            sqlite.migrate(self._db, SCHEMA, f"the live-state store {self.path}", StoreError, write_timeout)
            self._db.execute("PRAGMA busy_timeout = 0")  # from now on, writes wait their own way (`_begin`)
            self._reader = connect(self.path, busy_timeout=1.0)  # the refreshing thread's own
            opened.append(self._reader)
            self._data_version = -1
            started = time.monotonic()
            self._refresh()
            self._confirmed(started)
        except (sqlite3.Error, StoreError) as exc:
            for db in opened:
                db.close()
            if isinstance(exc, StoreError):
                raise
            raise StoreError(f"cannot open the live-state store {self.path}: {exc}") from None
        self._poller = threading.Thread(target=self._poll, name=f"live-state refresh {self.path}", daemon=True)
        self._poller.start()

    # ---- keeping the snapshot current ---------------------------------------------------------

    def _poll(self) -> None:
        while not self._sleep(self.refresh_interval):
            started = time.monotonic()
            try:
                self._refresh()
            except sqlite3.Error as exc:
                self._unreachable(f"cannot read the live-state store {self.path}: {exc}")
            else:
                self._confirmed(started)

    def _refresh(self) -> None:
        """Reread the whole file if any connection committed since the last reread."""
        version = self._reader.execute("PRAGMA data_version").fetchone()[0]
        if version == self._data_version:
            return
        revision = next(self._reads)
        self._reader.execute("BEGIN")  # one read transaction: one consistent state
        try:
            states = states_from_rows(
                self._reader.execute(STATUS_COLUMNS), self._reader.execute(OVERRIDE_COLUMNS + " ORDER BY id")
            )
        finally:
            self._reader.execute("COMMIT")
        self._install({client: (state, revision) for client, state in states.items()}, others_empty_at=revision)
        self._data_version = version

    def _reread(self, client: str) -> None:
        """After this store's own write: the client's state as committed, into the snapshot."""
        revision = next(self._reads)
        states = states_from_rows(
            self._db.execute(STATUS_COLUMNS + " WHERE client = ?", (client,)),
            self._db.execute(OVERRIDE_COLUMNS + " WHERE client = ? ORDER BY id", (client,)),
        )
        self._install({client: (states.get(client, EMPTY), revision)})

    # ---- writing ------------------------------------------------------------------------

    def _write(self, client: str, what: str, statement: str, params: tuple) -> None:
        with self._write_lock:
            if self._closed:
                raise StoreError(f"cannot {what}: the live-state store {self.path} is closed")
            try:
                self._begin(what)
                try:
                    self._db.execute(statement, params)
                    self._db.execute("COMMIT")
                    self._committed = time.monotonic()
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._reread(client)
            except sqlite3.Error as exc:
                raise StoreError(f"cannot {what}: the live-state store {self.path} failed: {exc}") from None

    def _begin(self, what: str) -> None:
        """`BEGIN IMMEDIATE`, tried again every 0.5–2 ms while another connection writes."""
        since = time.monotonic() - self._committed
        if since < TURN:
            time.sleep(TURN - since)  # writing again at once: a process waiting for the lock goes first
        deadline = time.monotonic() + self.write_timeout
        while True:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if (getattr(exc, "sqlite_errorcode", 0) & 0xFF) != SQLITE_BUSY:
                    raise
                if time.monotonic() >= deadline:
                    raise StoreError(
                        f"cannot {what}: the live-state store {self.path} stayed locked for writing for "
                        f"{self.write_timeout:g} s by {lock_holder(self.path)}; nothing was changed"
                    ) from None
            time.sleep(random.uniform(0.0005, 0.002))

    def close(self) -> None:
        self._stop.set()
        if self._poller.is_alive() and self._poller is not threading.current_thread():
            self._poller.join()
        with self._write_lock:
            if not self._closed:
                self._closed = True
                self._db.close()
                self._reader.close()


def connect(path: str, busy_timeout: float) -> sqlite3.Connection:
    return sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=busy_timeout)


def lock_holder(path: str) -> str:
    """Who holds the WAL write lock of the SQLite file at `path`, as Linux's /proc/locks tells."""
    unknown = "another connection (its process could not be identified)"
    try:
        shm = os.stat(path + "-shm")
        with open("/proc/locks", encoding="ascii") as locks:
            table = locks.read().splitlines()
    except OSError:
        return unknown
    device = f"{os.major(shm.st_dev):02x}:{os.minor(shm.st_dev):02x}:{shm.st_ino}"
    for line in table:
        fields = line.split()  # "1: POSIX  ADVISORY  WRITE 4242 fe:00:2149641 120 120"; waiters have "->"
        if len(fields) != 8 or fields[1] != "POSIX" or fields[3] != "WRITE" or fields[5] != device:
            continue
        end = WAL_WRITE_LOCK_BYTE if fields[7] == "EOF" else int(fields[7])
        if int(fields[6]) <= WAL_WRITE_LOCK_BYTE <= end:
            pid = int(fields[4])
            if pid == os.getpid():
                return f"another connection of this process ({pid})"
            return f"process {pid} ({command_line(pid)})"
    return unknown


def command_line(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as file:
            words = file.read().split(b"\0")
    except OSError:
        return "command unknown"
    text = " ".join(word.decode("utf-8", "replace") for word in words if word)
    return text if len(text) <= 80 else text[:77] + "…"
