"""The decision log in PostgreSQL: one log for a fleet of daemons, so that
`rules-engine explain --log postgresql://… --call-id …` answers whichever daemon took the call.

    decision_log          a row a decision: when, the call id, the client, the rules version,
                          and the record (`decision_record`) as jsonb. Partitioned by day (UTC):
                          each day's partition, `decision_log_YYYYMMDD`, is made with its first
                          decision, and a day is deleted with one DROP TABLE. Indexed by call id.
    decision_log_source   the source of every rules version that served (`rule_sources`)
    decision_log_script   the steps of the scripts the records refer to (`decision_record`)
    decision_log_schema   the schema's version; a newer one than this engine knows is refused

Writing never blocks a decision. `write` puts the record on a bounded queue (QUEUE_SIZE
records) and returns; one thread takes records off it in batches and copies them in. While
the database is slow or down the queue fills, and a record that finds it full is dropped and
counted (`stats()`, and a warning at most once a minute): the calls matter more than the
record of them. The thread reconnects with a growing pause (up to 5 s) and writes what it
holds once the database is back; `close()` gives it CLOSE_S to write what is queued.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.types.json import Jsonb

from .decision_log import DecisionLogError
from .decision_record import Script, line_of, record_of
from .rule_sources import FIELDS, Source

if TYPE_CHECKING:
    from ..decide.call import Call
    from ..decide.decision import Decision

log = logging.getLogger(__name__)

QUEUE_SIZE = 10_000  # records waiting for the database: at ~1 kB each, ~10 s of a busy fleet's calls
BATCH = 500
CLOSE_S = 5.0
CONNECT_TIMEOUT_S = 3
WARN_EVERY_S = 60.0
LOCK_KEY = 0x72756C65_6C6F67  # serializes schema changes and partition creation between daemons
# A queued decision: the day it was logged (UTC), and its row as a line of COPY's text format.
Row = tuple[str, bytes]
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})

MIGRATIONS = (
    # 0 → 1
    """
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
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def redacted(url: str) -> str:
    """`url` without its password, to be shown in messages."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


class PostgresDecisionLog:
    """Appends decisions to PostgreSQL from a background thread; safe to share between threads."""

    def __init__(
        self,
        url: str,
        queue_size: int = QUEUE_SIZE,
        close_seconds: float = CLOSE_S,
        connect_timeout: int = CONNECT_TIMEOUT_S,
    ):
        try:
            conninfo_to_dict(url)
        except psycopg.ProgrammingError as exc:
            raise DecisionLogError(f"not a PostgreSQL URL: {redacted(url)} ({exc})") from None
        self.url = url
        self.close_seconds = close_seconds
        self.connect_timeout = connect_timeout
        self._queue: queue.Queue[Row] = queue.Queue(maxsize=queue_size)
        self._lock = threading.Lock()
        self._sources: list[Source] = []
        self._scripts: list[Script] = []  # to write before (or with) the first record that refers to each
        self._scripts_kept: set[str] = set()
        self._days: set[date] = set()  # days whose partition is known to exist
        self._written = self._dropped = self._holding = 0  # holding: taken off the queue, not yet written
        self._failing_since: float | None = None
        self._last_error: str | None = None
        self._warned_at = 0.0
        self._closing = threading.Event()
        self._deadline = float("inf")  # when closing stops waiting for the database
        self._connection: psycopg.Connection | None = None
        try:  # a schema newer than this engine is refused now; a database down is only waited for
            self._connection = self._connect()
        except psycopg.Error as exc:
            self._failed(exc)
        self._thread = threading.Thread(target=self._run, name="decision log (postgresql)", daemon=True)
        self._thread.start()

    # ---- what the engine calls -----------------------------------------------------------------

    def write(self, call: Call, decision: Decision, call_id: str | None = None) -> str:
        """Queue one decision for the database; returns its call id at once."""
        if self._closing.is_set():
            raise DecisionLogError(f"cannot write the decision log {redacted(self.url)}: it is closed")
        record, script = record_of(call, decision, call_id)
        if script is not None and script.ref not in self._scripts_kept:
            with self._lock:
                self._scripts_kept.add(script.ref)
                self._scripts.append(script)
        # Encoded here, as COPY reads it, so that the writing thread runs almost no Python to hold
        # the interpreter's lock against the deciding threads: it sends bytes.
        fields = (
            record["logged_at"],
            record["call_id"],
            record["client"],
            record["rules_version"],
            line_of(record)[:-1].decode("utf-8"),
        )
        row = (record["logged_at"][:10], ("\t".join(f.translate(COPY_ESCAPES) for f in fields) + "\n").encode("utf-8"))
        try:
            self._queue.put_nowait(row)
        except queue.Full:
            self._drop(1, "the queue is full")
        return record["call_id"]

    def keep_sources(self, sources: Iterable[Source]) -> None:
        with self._lock:
            self._sources.extend(sources)

    def reopen(self) -> None:
        """Nothing to reopen: there is no file for logrotate to move."""

    def stats(self) -> dict[str, Any]:
        """Records written, queued (or being written) and dropped, and since when writing fails (None
        while it works): every record given to `write` is counted in one of the three."""
        with self._lock:
            failing = self._failing_since
            return {
                "written": self._written,
                "queued": self._queue.qsize() + self._holding,
                "dropped": self._dropped,
                "failing_since": datetime.fromtimestamp(failing, UTC).isoformat() if failing else None,
                "last_error": self._last_error,
            }

    def close(self) -> None:
        """Write what is queued (for up to `close_seconds` more if the database is down), then stop."""
        self._deadline = time.monotonic() + self.close_seconds
        self._closing.set()
        self._thread.join(self.close_seconds + self.connect_timeout + 1)  # + one connection attempt

    # ---- the writing thread --------------------------------------------------------------------

    def _run(self) -> None:
        batch: list[Row] = []
        pause = 0.1
        while True:
            if not batch:
                batch = self._take()
                with self._lock:
                    self._holding = len(batch)
                if not batch and not self._sources and not self._scripts:
                    if self._closing.is_set():
                        break
                    continue
            if self._closing.is_set() and self._failing_since is not None and time.monotonic() >= self._deadline:
                self._give_up(batch)  # closing, the database still down: the rest is counted as dropped
                break
            try:
                if self._connection is None or self._connection.closed:
                    self._connection = self._connect()
                self._flush(self._connection, batch)
                batch, pause = [], 0.1
                with self._lock:
                    self._failing_since = None
                    self._holding = 0
            except (psycopg.Error, DecisionLogError) as exc:  # down, or its schema changed under us
                self._disconnect()
                self._failed(exc)
                if self._closing.wait(pause):  # closing: retry briskly until the deadline
                    time.sleep(0.05)
                pause = min(pause * 2, 5.0)
        self._disconnect()

    def _take(self) -> list[Row]:
        """Up to BATCH queued records, waiting a moment for the first."""
        try:
            batch = [self._queue.get(timeout=0.2)]
        except queue.Empty:
            return []
        while len(batch) < BATCH:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _connect(self) -> psycopg.Connection:
        connection = psycopg.connect(self.url, autocommit=True, connect_timeout=self.connect_timeout)
        try:
            migrate(connection, redacted(self.url))
        except BaseException:
            connection.close()
            raise
        return connection

    def _disconnect(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except psycopg.Error:
                pass
            self._connection = None

    def _flush(self, connection: psycopg.Connection, batch: list[Row]) -> None:
        with self._lock:
            sources, scripts = list(self._sources), list(self._scripts)
        for day in sorted({date.fromisoformat(row[0]) for row in batch} - self._days):
            make_partition(connection, day)
            self._days.add(day)
        with connection.transaction(), connection.cursor() as cursor:
            if sources:
                cursor.executemany(
                    "INSERT INTO decision_log_source (rules_version, path, client, title, timezone, text) "
                    "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (rules_version) DO NOTHING",
                    [(s.rules_version, s.path, s.client, s.title, s.timezone, s.text) for s in sources],
                )
            if scripts:
                cursor.executemany(
                    "INSERT INTO decision_log_script (ref, steps) VALUES (%s, %s) ON CONFLICT (ref) DO NOTHING",
                    [(s.ref, Jsonb(s.steps)) for s in scripts],
                )
            if batch:
                with cursor.copy(
                    "COPY decision_log (logged_at, call_id, client, rules_version, record) FROM STDIN"
                ) as copy:
                    copy.write(b"".join(row[1] for row in batch))
        with self._lock:
            del self._sources[: len(sources)]
            del self._scripts[: len(scripts)]
            self._written += len(batch)
            self._holding = 0

    def _give_up(self, batch: list[Row]) -> None:
        """Closing with the database still down: what is left is counted as dropped."""
        left = len(batch)
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
            left += 1
        with self._lock:
            self._holding = 0
        self._drop(left, "the engine closed while the database was down")

    def _failed(self, exc: Exception) -> None:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        with self._lock:
            first = self._failing_since is None
            self._failing_since = self._failing_since or time.time()
            self._last_error = reason
        if first:
            log.warning(
                "decision log %s: cannot write (%s); decisions queue until it is back", redacted(self.url), reason
            )

    def _drop(self, count: int, why: str) -> None:
        with self._lock:
            self._dropped += count
            dropped, now = self._dropped, time.monotonic()
            warn = now - self._warned_at >= WARN_EVERY_S
            if warn:
                self._warned_at = now
        if warn:
            log.warning("decision log %s: %s; %d decision(s) not logged so far", redacted(self.url), why, dropped)


def migrate(connection: psycopg.Connection, shown: str) -> None:
    """Create or upgrade the log's tables, one daemon at a time; refuse a schema newer than known."""
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        connection.execute("CREATE TABLE IF NOT EXISTS decision_log_schema (version integer NOT NULL)")
        row = connection.execute("SELECT version FROM decision_log_schema").fetchone()
        version = row[0] if row else 0
        if version > SCHEMA_VERSION:
            raise DecisionLogError(
                f"the decision log in {shown} has schema version {version}, newer than this "
                f"engine knows ({SCHEMA_VERSION}); upgrade the engine"
            )
        for number in range(version, SCHEMA_VERSION):
            connection.execute(MIGRATIONS[number])
        if row is None:
            connection.execute("INSERT INTO decision_log_schema (version) VALUES (%s)", (SCHEMA_VERSION,))
        elif version != SCHEMA_VERSION:
            connection.execute("UPDATE decision_log_schema SET version = %s", (SCHEMA_VERSION,))


def make_partition(connection: psycopg.Connection, day: date) -> None:
    """The partition of `day` (UTC), unless it exists; daemons take turns making it."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        connection.execute(
            sql.SQL("CREATE TABLE IF NOT EXISTS {} PARTITION OF decision_log FOR VALUES FROM ({}) TO ({})").format(
                sql.Identifier(f"decision_log_{day:%Y%m%d}"), sql.Literal(start), sql.Literal(start + timedelta(days=1))
            )
        )


# ---- reading ----------------------------------------------------------------------------------


@contextmanager
def reading(url: str) -> Iterator[psycopg.Connection]:
    """A connection to read the log, every failure told as a `DecisionLogError`."""
    shown = redacted(url)
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S) as connection:
            yield connection
    except psycopg.errors.UndefinedTable:
        raise DecisionLogError(f"{shown} holds no decision log (no table decision_log)") from None
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DecisionLogError(f"cannot read the decision log {shown}: {reason}") from None


def find(url: str, call_id: str) -> dict | None:
    """The newest record logged under `call_id`, or None."""
    with reading(url) as connection:
        row = connection.execute(
            "SELECT record FROM decision_log WHERE call_id = %s ORDER BY logged_at DESC LIMIT 1", (call_id,)
        ).fetchone()
    return row[0] if row is not None else None


def source(url: str, rules_version: str) -> Source | None:
    with reading(url) as connection:
        row = connection.execute(
            sql.SQL("SELECT {} FROM decision_log_source WHERE rules_version = %s").format(
                sql.SQL(", ").join(map(sql.Identifier, FIELDS))
            ),
            (rules_version,),
        ).fetchone()
    return Source.of(dict(zip(FIELDS, row, strict=True))) if row is not None else None


def script_steps(url: str, ref: str) -> list | None:
    with reading(url) as connection:
        row = connection.execute("SELECT steps FROM decision_log_script WHERE ref = %s", (ref,)).fetchone()
    return row[0] if row is not None else None
