"""What the engine does to record outcomes and to report on them.

`decide(call, call_id=…)` hands the call and its decision to `offer`: a tuple put on the queue
of the engine's bounded background writer (`storage.writer`), whose thread turns them into
`Decided` rows and writes them in batches, retrying while the store fails, dropping and counting
what finds the queue full (`writer.stats()`). Outcomes and escalation results are checked
(`records.py`) and written at once, since their caller waits to learn whether they were
accepted. Recording an outcome for a call not found yet, and a report, wait for the writer first
(`caught_up`), so that they see every call decided before them; when it cannot catch up (the
store down, the writer stopped) they fail with a `StoreError` saying so instead of counting
calls short.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ..errors import StoreError
from ..schedule.clock import zone
from ..storage.writer import BoundedWriter
from . import metrics, records
from .records import AlreadyRecordedError, Decided, Escalation, Outcome, decided
from .store import OutcomeStore

if TYPE_CHECKING:
    from ..decide.call import Call
    from ..decide.decision import Decision
    from ..model import Client

LOG = logging.getLogger("rules_engine.outcomes")
CATCH_UP_S = 10.0  # the longest a report or an outcome waits for the decided calls queued before it
CLOSE_S = 10.0
# A busy service writes its decided calls in one transaction every LINGER_S rather than one per
# call (a commit each was the service's largest cost after deciding); a report or an outcome that
# needs them written asks for them at once (`caught_up`).
LINGER_S = 0.05

# A decided call waiting to be written: the call, its decision and the call id.
Offered = tuple["Call", "Decision", str]


class Recorder:
    def __init__(self, store: OutcomeStore, capacity: int = 10_000):
        self.store = store
        self.writer: BoundedWriter[Offered] = BoundedWriter(
            self._write,
            what="outcome store (decided calls)",
            log=LOG,
            retry_on=(StoreError,),
            capacity=capacity,
            close_seconds=CLOSE_S,
            linger=LINGER_S,
            noun="decided calls",
        )

    def offer(self, call: Call, decision: Decision, call_id: str) -> None:
        """Queue a decided call's facts for the store; never waits (dropped and counted when the queue is full)."""
        self.writer.offer((call, decision, call_id))

    def _write(self, batch: list[Offered]) -> None:
        self.store.add_decided([decided(call, decision, call_id) for call, decision, call_id in batch])

    def caught_up(self) -> None:
        """Wait until the decided calls queued so far are in the store; a `StoreError` saying why
        when they are not within CATCH_UP_S (the store is down or slow, or the writer stopped)."""
        if self.writer.flush(CATCH_UP_S):
            return
        stats = self.writer.stats()
        if stats.died is not None:
            why = f"its writer stopped ({stats.died})"
        else:
            why = f"{stats.queued} decided call(s) still wait to be written ({stats.last_error or 'the store is slow'})"
        raise StoreError(f"the outcome store is behind: {why}")

    def facts(self, call_id: Any, client: str | None = None) -> Decided:
        """The decided-call facts of `call_id`, which must be `client`'s call when it is given."""
        call_id = records.check_call_id(call_id)
        found = self.store.decided(call_id)
        if found is None:
            self.caught_up()  # decided a moment ago: its facts may still be queued
            found = self.store.decided(call_id)
        if found is None:
            raise records.unknown_call(call_id)
        records.check_owner(found, client)
        return found

    def record_outcome(self, call_id: Any, outcome: Any, *, client: str | None = None, **values: Any) -> Outcome:
        row = records.outcome(self.facts(call_id, client), outcome, **values)
        existing = self.store.add_outcome(row)
        if existing is not None:
            raise AlreadyRecordedError(
                f"call `{call_id}` already has its outcome ({existing}); a call's outcome is final and recorded once",
                field="outcome",
            )
        return row

    def record_escalation(
        self, call_id: Any, served: Callable[[str], Client], *, client: str | None = None, **values: Any
    ) -> Escalation:
        facts = self.facts(call_id, client)
        row = records.escalation(facts, served(facts.client), **values)
        if not self.store.add_escalation(row):
            raise AlreadyRecordedError(
                f"call `{call_id}` already has the result of step {row.step} for `{row.contact}` by {row.method}",
                field="step",
            )
        return row

    def report(
        self, client: Client, start: date | datetime, end: date | datetime, parameters: metrics.Parameters
    ) -> dict:
        tz = zone(client.timezone)
        first, last = metrics.span(start, end, tz)
        self.caught_up()
        until = last.timestamp() + parameters.fcr_window.total_seconds()
        history = self.store.history(client.id, first.timestamp(), last.timestamp(), until)
        names = {name: contact.title for name, contact in client.contacts.items()}
        return metrics.report(
            history, client=client.id, start=first, end=last, zone=tz, parameters=parameters, names=names
        )

    def close(self, store_too: bool) -> None:
        """Write what is queued (for CLOSE_S at most) and stop the writer; close the store too if the
        engine opened it."""
        self.writer.close()
        if store_too:
            self.store.close()
