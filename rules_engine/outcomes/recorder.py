"""What the engine does to record outcomes and to report on them.

`decide(call, call_id=…)` hands the call and its decision to `offer` (a tuple put in the
background writer's bounded queue: `writer.py`). Outcomes and escalation results are
checked (`records.py`) and written at once, since their caller waits to learn whether they
were accepted. A report flushes the writer first, so it counts every call decided before it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..extras import needs
from ..runtime.stores import is_database_url
from ..schedule.clock import zone
from . import metrics, records
from .records import AlreadyRecordedError, Decided, Escalation, Outcome
from .store import OutcomeStore
from .writer import BackgroundWriter

if TYPE_CHECKING:
    from ..model import Client


def open_store(location: str | Path) -> OutcomeStore:
    """The outcome store beside the live-state store at `location` (a SQLite file or a postgresql:// URL)."""
    if is_database_url(location):
        with needs("postgres", "a postgresql:// outcome store"):
            from .store_postgres import PostgresOutcomes  # libpq is loaded only by daemons that use it

        return PostgresOutcomes(location)
    from .store_sqlite import SQLiteOutcomes

    return SQLiteOutcomes(location)


class Recorder:
    def __init__(self, store: OutcomeStore, capacity: int = 10_000):
        self.store = store
        self.writer = BackgroundWriter(store.add_decided, capacity)
        self.offer = self.writer.offer

    def facts(self, call_id: Any, client: str | None = None) -> Decided:
        """The decided-call facts of `call_id`, which must be `client`'s call when it is given."""
        call_id = records.check_call_id(call_id)
        found = self.store.decided(call_id)
        if found is None:
            self.writer.flush()  # decided a moment ago: its facts may still be queued
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
        self.writer.flush()
        until = last.timestamp() + parameters.fcr_window.total_seconds()
        history = self.store.history(client.id, first.timestamp(), last.timestamp(), until)
        names = {name: contact.title for name, contact in client.contacts.items()}
        return metrics.report(
            history, client=client.id, start=first, end=last, zone=tz, parameters=parameters, names=names
        )

    def close(self, store_too: bool) -> None:
        """Write what is queued and stop the writer; close the store too if the engine opened it."""
        self.writer.close()
        if store_too:
            self.store.close()
