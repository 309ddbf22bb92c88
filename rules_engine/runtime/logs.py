"""Where an engine's decisions are logged: the third of the `Engine`'s four collaborators.

`Logs` holds the decision log the engine was given or opened (`decision_log.DecisionLog`: a
file or a PostgreSQL table), or none: each decision is appended under its call id, the text
of each rules version that starts serving is kept beside them (so `explain` can show the
rules that decided a call after the file has changed), and the file is reopened after
logrotate has moved it away.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import log_reading
from .decision_log import DecisionLog, DecisionLogError

if TYPE_CHECKING:
    from ..decide.call import Call
    from ..decide.decision import Decision
    from .rule_sources import Source


class Logs:
    """The decision log, if there is one. A log given to the engine stays its giver's to close;
    `owns_log` is set when the engine opened it (`Engine.from_settings`), and then `close()`
    closes it."""

    def __init__(self, decision_log: DecisionLog | None = None) -> None:
        self._decision_log = decision_log
        self.owns_log = False

    @property
    def decision_log(self) -> DecisionLog | None:
        return self._decision_log

    def write(
        self, call: Call, decision: Decision, call_id: str | None, items: list[tuple[str, str]] | None = None
    ) -> str | None:
        """Append the decision, if there is a log; returns the call id it was logged under (a
        new random one when none was given), or `call_id` as given without a log. `items`: the
        decision's JSON members (`json_items`), which the engine's own logs build the record
        from; a log of the daemon's making is given the decision only."""
        log = self._decision_log
        if log is None:
            return call_id
        call_id = call_id if call_id is not None else uuid.uuid4().hex
        write_items = getattr(log, "write_items", None)
        if write_items is not None and items is not None:
            return write_items(call, decision, call_id, items)
        return log.write(call, decision, call_id)

    def location(self) -> str | Path:
        """Where the log can be read back: its file or its database URL."""
        log = self._decision_log
        if log is None:
            raise DecisionLogError("no decision log is configured: decisions are not logged")
        # The engine's own backends say where they write; a log of the daemon's own making may not.
        where = getattr(log, "path", None) or getattr(log, "url", None)
        if not isinstance(where, (str, Path)):
            raise DecisionLogError(f"the decision log {type(log).__name__} cannot be read back (it has no path or url)")
        return where

    def explain(self, call_id: str) -> log_reading.Explained | None:
        return log_reading.explain(self.location(), call_id)

    def logged(self, client: str, start: datetime, end: datetime, limit: int) -> list[dict[str, Any]]:
        return log_reading.logged(self.location(), client, start, end, limit)

    def keep_sources(self, sources: Iterable[Source]) -> None:
        if self._decision_log is not None:
            self._decision_log.keep_sources(sources)

    def reopen(self) -> None:
        if self._decision_log is not None:
            self._decision_log.reopen()

    def close(self) -> None:
        """Close the log if the engine opened it (once)."""
        if self.owns_log and self._decision_log is not None:
            self.owns_log = False
            self._decision_log.close()
