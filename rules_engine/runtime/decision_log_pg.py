"""The decision log in PostgreSQL: one log for a fleet of daemons, so that
`rules-engine explain --log postgresql://… --call-id …` answers whichever daemon took the call.

    decision_log          a row a decision: when, the call id, the client, the rules version,
                          and the record (`decision_record`) as jsonb. Partitioned by day (UTC):
                          each day's partition, `decision_log_YYYYMMDD`, is made with its first
                          decision, and a day is deleted with one DROP TABLE. Indexed by call id.
    decision_log_source   the source of every rules version that served (`rule_sources`)
    decision_log_script   the steps of the scripts the records refer to (`decision_record`)
    decision_log_schema   the schema's version; a newer one than this engine knows is refused

Writing never blocks a decision, and never fails one: `write` puts the record on the queue
of a `storage.writer.BoundedWriter` (QUEUE_SIZE records) and returns; its thread takes records
off in batches and copies them in through a connection of the process's pool for that database
(`storage.postgres`, shared with the live-state and outcome stores that name it). While the
database is slow or down the queue fills, and a record that finds it full is dropped and
counted (`health()`, and a warning at most once a minute): the calls matter more than the record
of them. Failed batches are tried again with a growing pause (up to 5 s) and written once the
database is back; `close()` gives the thread CLOSE_S to write what is queued.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from ..storage import postgres
from ..storage.postgres import describe
from ..storage.schema import Schema
from ..storage.writer import BoundedWriter, reason_of
from .decision_log import LOOKUP_WAIT_S, DecisionLogError, DecisionLogHealth
from .decision_record import Script, record, with_steps
from .rule_sources import FIELDS, Source

if TYPE_CHECKING:
    from ..decide.call import Call
    from ..decide.decision import Decision

log = logging.getLogger(__name__)

QUEUE_SIZE = 10_000  # records waiting for the database: at ~1 kB each, ~10 s of a busy fleet's calls
BATCH = 500
CLOSE_S = 5.0
CONNECT_TIMEOUT_S = 3
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
SCHEMA = Schema("decision_log", tuple((statements,) for statements in MIGRATIONS))
SCHEMA_VERSION = SCHEMA.version


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
            self._db = postgres.database(url, connect_timeout=connect_timeout)
        except psycopg.ProgrammingError as exc:
            raise DecisionLogError(f"not a PostgreSQL URL: {describe(url)} ({exc})") from None
        self.url = url
        self.where = self._db.where
        self.connect_timeout = connect_timeout
        self._lock = threading.Lock()
        self._sources: list[Source] = []
        self._scripts: list[Script] = []  # to write before (or with) the first record that refers to each
        self._scripts_kept: set[str] = set()
        self._days: set[date] = set()  # days whose partition is known to exist
        self._migrated = False
        self._closed = False
        self._writer: BoundedWriter[Row] = BoundedWriter(
            self._write_rows,
            what=f"decision log {self.where}",
            log=log,
            retry_on=(psycopg.Error, DecisionLogError),  # down, or its schema changed under us
            capacity=queue_size,
            batch=BATCH,
            retry_first=0.1,
            close_seconds=close_seconds,
            write_seconds=connect_timeout + 1.0,
            noun="decisions",
        )
        try:  # a schema newer than this engine is refused now; a database down is only waited for
            with self._db.connection(timeout=connect_timeout) as connection:
                self._migrate(connection)
        except psycopg.Error as exc:
            self._writer.failed(exc)
        except BaseException:
            postgres.release(self._db)
            raise

    # ---- what the engine calls -----------------------------------------------------------------

    def write(self, call: Call, decision: Decision, call_id: str | None = None) -> str:
        """Queue one decision for the database; returns its call id at once."""
        return self.write_items(call, decision, call_id, None)

    def write_items(
        self, call: Call, decision: Decision, call_id: str | None, items: list[tuple[str, str]] | None
    ) -> str:
        """`write`, the record made from the decision's JSON members as the engine wrote them."""
        if self._closed:
            raise DecisionLogError(f"cannot write the decision log {self.where}: it is closed")
        made = record(call, decision, call_id, items)
        script = made.script
        if script is not None and script.ref not in self._scripts_kept:
            with self._lock:
                self._scripts_kept.add(script.ref)
                self._scripts.append(script)
        # Encoded here, as COPY reads it, so that the writing thread runs almost no Python to hold
        # the interpreter's lock against the deciding threads: it sends bytes.
        fields = (made.logged_at, made.call_id, made.client, made.rules_version, made.line[:-1].decode("utf-8"))
        self._writer.offer(
            (made.logged_at[:10], ("\t".join(f.translate(COPY_ESCAPES) for f in fields) + "\n").encode("utf-8"))
        )
        return made.call_id

    def keep_sources(self, sources: Iterable[Source]) -> None:
        """Keep the text of these rules versions: written with the next decisions."""
        with self._lock:
            self._sources.extend(sources)

    def reopen(self) -> None:
        """Nothing to reopen: there is no file for logrotate to move."""

    def logged(self, call_id: str) -> dict[str, Any] | None:
        found = find(self.url, call_id)
        if found is None and self._writer.stats().queued and self.flush(LOOKUP_WAIT_S):
            found = find(self.url, call_id)
        if found is not None:
            found["decision"] = with_steps(found.get("decision") or {}, lambda ref: script_steps(self.url, ref))
        return found

    def health(self) -> DecisionLogHealth:
        return DecisionLogHealth.of("postgresql", self.where, self._writer.stats())

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every decision queued so far is in the database; False if that did not happen
        within `timeout` seconds (the database is down or slow)."""
        return self._writer.flush(timeout)

    def close(self) -> None:
        """Write what is queued (for up to `close_seconds` more if the database is down), then stop."""
        if self._closed:
            return
        self._closed = True
        self._writer.close()
        postgres.release(self._db)

    # ---- the writing thread --------------------------------------------------------------------

    def _migrate(self, connection: psycopg.Connection) -> None:
        postgres.migrate(connection, SCHEMA, f"the decision log in {self.where}", DecisionLogError)
        self._migrated = True

    def _write_rows(self, batch: list[Row]) -> None:
        """One batch, with the sources and scripts kept since the last: one transaction."""
        with self._lock:
            sources, scripts = list(self._sources), list(self._scripts)
        with self._db.connection(timeout=self.connect_timeout) as connection:
            if not self._migrated:
                self._migrate(connection)
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
                with cursor.copy(
                    "COPY decision_log (logged_at, call_id, client, rules_version, record) FROM STDIN"
                ) as copy:
                    copy.write(b"".join(row[1] for row in batch))
        with self._lock:
            del self._sources[: len(sources)]
            del self._scripts[: len(scripts)]


def make_partition(connection: psycopg.Connection, day: date) -> None:
    """The partition of `day` (UTC), unless it exists; daemons take turns making it."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    with postgres.locked_schema(connection):
        connection.execute(
            sql.SQL("CREATE TABLE IF NOT EXISTS {} PARTITION OF decision_log FOR VALUES FROM ({}) TO ({})").format(
                sql.Identifier(f"decision_log_{day:%Y%m%d}"), sql.Literal(start), sql.Literal(start + timedelta(days=1))
            )
        )


# ---- reading ----------------------------------------------------------------------------------


@contextmanager
def reading(url: str) -> Iterator[psycopg.Connection]:
    """A read-only connection to read the log (it never locks what a writer uses), every failure
    told as a `DecisionLogError`."""
    shown = describe(url)
    try:
        with psycopg.connect(url, **postgres.options(CONNECT_TIMEOUT_S, read_only=True)) as connection:
            yield connection
    except psycopg.errors.UndefinedTable:
        raise DecisionLogError(f"{shown} holds no decision log (no table decision_log)") from None
    except psycopg.Error as exc:
        raise DecisionLogError(f"cannot read the decision log {shown}: {reason_of(exc)}") from None


def find(url: str, call_id: str) -> dict[str, Any] | None:
    """The newest record logged under `call_id`, or None."""
    with reading(url) as connection:
        row = connection.execute(
            "SELECT record FROM decision_log WHERE call_id = %s ORDER BY logged_at DESC LIMIT 1", (call_id,)
        ).fetchone()
    return row[0] if row is not None else None


def logged(url: str, client: str, start: datetime, end: datetime, limit: int = 1000) -> list[dict[str, Any]]:
    """`client`'s records logged from `start` to `end` (excluded), the oldest first."""
    with reading(url) as connection:
        rows = connection.execute(
            "SELECT record FROM decision_log WHERE client = %s AND logged_at >= %s AND logged_at < %s "
            "ORDER BY logged_at LIMIT %s",
            (client, start, end, limit),
        ).fetchall()
    return [row[0] for row in rows]


def source(url: str, rules_version: str) -> Source | None:
    with reading(url) as connection:
        row = connection.execute(
            sql.SQL("SELECT {} FROM decision_log_source WHERE rules_version = %s").format(
                sql.SQL(", ").join(map(sql.Identifier, FIELDS))
            ),
            (rules_version,),
        ).fetchone()
    return Source.of(dict(zip(FIELDS, row, strict=True))) if row is not None else None


def script_steps(url: str, ref: str) -> list[Any] | None:
    with reading(url) as connection:
        row = connection.execute("SELECT steps FROM decision_log_script WHERE ref = %s", (ref,)).fetchone()
    return row[0] if row is not None else None
