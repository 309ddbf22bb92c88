"""The outcome tables and their queries, written once for SQLite and PostgreSQL alike.

The tables live beside the live-state store's in the same database, with their own schema
version (`outcome_schema`), so the two schemas migrate independently: `SCHEMA`, migrated by the
engine's one routine for each database (`storage.sqlite`, `storage.postgres`), which refuses a
database written by a newer engine rather than misread it. Statements use `?` placeholders; the
PostgreSQL store turns them into `%s`. Instants are epoch seconds (double precision in both
databases), flags are small integers, so both return the same values for the same history.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any

from ..storage.schema import Schema
from .records import Decided, Escalation, Outcome
from .store import EscalationRow, History

MIGRATIONS = (
    # 0 → 1
    (
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
    ),
)
SCHEMA = Schema("outcome", MIGRATIONS)
SCHEMA_VERSION = SCHEMA.version

UPSERT_DECIDED = (
    "INSERT INTO decided_call (call_id, client, at, local_at, caller, forwarded, urgency, rule, line, rules_version) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (call_id) DO UPDATE SET urgency = excluded.urgency, "
    "rule = excluded.rule, line = excluded.line, rules_version = excluded.rules_version "
    "WHERE decided_call.client = excluded.client"
)
INSERT_OUTCOME = (
    "INSERT INTO call_outcome (call_id, client, outcome, at, waited, handled, resolved, transferred, csat) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (call_id) DO NOTHING"
)
INSERT_ESCALATION = (
    "INSERT INTO escalation_result (call_id, client, step, contact, method, result, at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (call_id, step, contact, method) DO NOTHING"
)
SELECT_DECIDED = (
    "SELECT call_id, client, at, local_at, caller, forwarded, urgency, rule, line, rules_version "
    "FROM decided_call WHERE call_id = ?"
)
SELECT_CALLS = (  # in time order, which the index gives without sorting
    "SELECT d.at, d.local_at, d.caller, d.rule, d.line, d.rules_version, "
    "o.outcome, o.waited, o.handled, o.resolved, o.transferred, o.csat "
    "FROM decided_call d LEFT JOIN call_outcome o ON o.call_id = d.call_id "
    "WHERE d.client = ? AND d.at >= ? AND d.at < ? ORDER BY d.at"
)
SELECT_LATER = (
    "SELECT caller, at FROM decided_call WHERE client = ? AND at >= ? AND at < ? AND caller IS NOT NULL ORDER BY at"
)
SELECT_ESCALATIONS = (
    "SELECT e.call_id, d.at, e.step, e.contact, e.method, e.result, e.at "
    "FROM escalation_result e JOIN decided_call d ON d.call_id = e.call_id "
    "WHERE d.client = ? AND d.at >= ? AND d.at < ? ORDER BY e.call_id, e.step, e.at, e.contact, e.method"
)


class SQLOutcomes:
    """The outcome store's logic over a database connection a subclass provides.

    A subclass gives `transaction()` (a context holding a transaction, yielding a cursor-like
    object with `execute`, `executemany`, `fetchone`, `fetchall`), `param` (its placeholder) and
    `where` (the database named in errors), and migrates `SCHEMA` when it opens.
    """

    param = "?"
    where = "the outcome store"

    def transaction(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def _sql(self, statement: str) -> str:
        return statement if self.param == "?" else statement.replace("?", self.param)

    def add_decided(self, rows: Sequence[Decided]) -> None:
        with self.transaction() as cursor:
            cursor.executemany(self._sql(UPSERT_DECIDED), rows)

    def decided(self, call_id: str) -> Decided | None:
        with self.transaction() as cursor:
            cursor.execute(self._sql(SELECT_DECIDED), (call_id,))
            row = cursor.fetchone()
        return Decided(*row) if row is not None else None

    def add_outcome(self, row: Outcome) -> str | None:
        with self.transaction() as cursor:
            cursor.execute(self._sql(INSERT_OUTCOME), row)
            if cursor.rowcount == 1:
                return None
            cursor.execute(self._sql("SELECT outcome FROM call_outcome WHERE call_id = ?"), (row.call_id,))
            return cursor.fetchone()[0]

    def add_escalation(self, row: Escalation) -> bool:
        with self.transaction() as cursor:
            cursor.execute(self._sql(INSERT_ESCALATION), row)
            return cursor.rowcount == 1

    def import_history(
        self, decided: Sequence[Decided], outcomes: Sequence[Outcome], escalations: Sequence[Escalation]
    ) -> None:
        with self.transaction() as cursor:
            cursor.executemany(self._sql(UPSERT_DECIDED), decided)
            cursor.executemany(self._sql(INSERT_OUTCOME), outcomes)
            cursor.executemany(self._sql(INSERT_ESCALATION), escalations)

    def history(self, client: str, start: float, end: float, until: float) -> History:
        with self.transaction() as cursor:
            cursor.execute(self._sql(SELECT_CALLS), (client, start, end))
            calls = cursor.fetchall()  # plain tuples, in CallRow's order
            cursor.execute(self._sql(SELECT_LATER), (client, end, until))
            later = [tuple(row) for row in cursor.fetchall()]
            cursor.execute(self._sql(SELECT_ESCALATIONS), (client, start, end))
            escalations = list(map(EscalationRow._make, cursor.fetchall()))
        return History(calls, later, escalations)
