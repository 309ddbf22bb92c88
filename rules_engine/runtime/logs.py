"""Where an engine's decisions are logged: the third of the `Engine`'s four collaborators.

`Logs` holds the decision log the engine was given or opened (`decision_log.DecisionLog`: a
file or a PostgreSQL table), or none: each decision is appended under its call id, the text
of each rules version that starts serving is kept beside them (so `explain` can show the
rules that decided a call after the file has changed), and the file is reopened after
logrotate has moved it away.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .decision_log import DecisionLog

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

    def write(self, call: Call, decision: Decision, call_id: str | None) -> str | None:
        """Append the decision, if there is a log; returns the call id it was logged under."""
        log = self._decision_log
        return log.write(call, decision, call_id) if log is not None else None

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
