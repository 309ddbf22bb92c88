"""Where outcomes are kept: the protocol every outcome store meets, and the in-memory one.

A durable store keeps its tables in the same database as the live-state store (the SQLite
file or the PostgreSQL database the settings' `store` names), with a schema version of its
own (`store_sql.py`). An engine without a store keeps outcomes in memory, for the life of
the process.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import NamedTuple, Protocol

from .records import Decided, Escalation, Outcome


class CallRow(NamedTuple):
    """What a report reads of a decided call and its outcome (None's when none was recorded).

    SQL stores return plain tuples in this order (a report reads them by position: `metrics.py`)."""

    at: float
    local_at: str
    caller: str | None
    rule: int | None
    line: int | None
    rules_version: str
    outcome: str | None
    waited: float | None
    handled: float | None
    resolved: int | None
    transferred: int | None
    csat: float | None


class EscalationRow(NamedTuple):
    """An escalation result, with the instant its call arrived."""

    call_id: str
    call_at: float
    step: int
    contact: str
    method: str
    result: str
    at: float


class History(NamedTuple):
    """What a report over [start, end) reads: the calls decided in it, by time; the callers and
    instants of the calls after it, up to `until` (end + the FCR window: a repeat call may come
    after the span), by time; and the escalation results of the span's calls, by call, step, instant."""

    calls: Sequence[CallRow]
    later: Sequence[tuple[str, float]]
    escalations: Sequence[EscalationRow]


class OutcomeStore(Protocol):
    def add_decided(self, rows: Sequence[Decided]) -> None:
        """Insert, or update the urgency, route and rules version of a call decided again
        under the same id (the first instant is kept; another client's call is left alone)."""

    def decided(self, call_id: str) -> Decided | None: ...

    def add_outcome(self, row: Outcome) -> str | None:
        """Record it; or, when the call already has one, record nothing and return that outcome."""

    def add_escalation(self, row: Escalation) -> bool:
        """Record it; False (and nothing recorded) when that step, contact and method already have one."""

    def history(self, client: str, start: float, end: float, until: float) -> History: ...

    def import_history(
        self, decided: Sequence[Decided], outcomes: Sequence[Outcome], escalations: Sequence[Escalation]
    ) -> None:
        """Add rows already checked, in one go (`generate.write`); rows already present are kept."""

    def close(self) -> None: ...


class MemoryOutcomes:
    """Outcomes in this process only; lost on restart."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._decided: dict[str, Decided] = {}
        self._outcomes: dict[str, Outcome] = {}
        self._escalations: dict[tuple[str, int, str, str], Escalation] = {}

    def add_decided(self, rows: Sequence[Decided]) -> None:
        with self._lock:
            for row in rows:
                old = self._decided.get(row.call_id)
                if old is None:
                    self._decided[row.call_id] = row
                elif old.client == row.client:
                    self._decided[row.call_id] = row._replace(at=old.at, local_at=old.local_at)

    def decided(self, call_id: str) -> Decided | None:
        return self._decided.get(call_id)

    def add_outcome(self, row: Outcome) -> str | None:
        with self._lock:
            old = self._outcomes.setdefault(row.call_id, row)
        return None if old is row else old.outcome

    def add_escalation(self, row: Escalation) -> bool:
        with self._lock:
            return self._escalations.setdefault((row.call_id, row.step, row.contact, row.method), row) is row

    def import_history(
        self, decided: Sequence[Decided], outcomes: Sequence[Outcome], escalations: Sequence[Escalation]
    ) -> None:
        self.add_decided(decided)
        for outcome in outcomes:
            self.add_outcome(outcome)
        for escalation in escalations:
            self.add_escalation(escalation)

    def history(self, client: str, start: float, end: float, until: float) -> History:
        with self._lock:
            mine = sorted(
                (d for d in self._decided.values() if d.client == client and start <= d.at < until), key=lambda d: d.at
            )
            calls, arrived = [], {}
            for d in mine:
                if d.at < end:
                    o = self._outcomes.get(d.call_id)
                    after = (o.outcome, o.waited, o.handled, o.resolved, o.transferred, o.csat) if o else (None,) * 6
                    calls.append(CallRow(d.at, d.local_at, d.caller, d.rule, d.line, d.rules_version, *after))
                    arrived[d.call_id] = d.at
            later = [(d.caller, d.at) for d in mine if d.at >= end and d.caller is not None]
            escalations = sorted(
                (
                    EscalationRow(e.call_id, arrived[e.call_id], e.step, e.contact, e.method, e.result, e.at)
                    for e in self._escalations.values()
                    if e.call_id in arrived
                ),
                key=lambda e: (e.call_id, e.step, e.at, e.contact, e.method),
            )
        return History(calls, later, escalations)

    def close(self) -> None:
        """Nothing to release."""
