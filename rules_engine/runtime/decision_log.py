"""The decision log: what every backend offers the engine (`DecisionLog`), and the one that
settings name (`open_log`): a file (`decision_log_file`) or a PostgreSQL database for a fleet
(`decision_log_pg`, imported only when asked for: only a fleet's daemons need libpq).

Both backends follow one rule: logging never fails a call. `write` does not raise for a log
that cannot be written (a full disk, a permission taken away, a directory removed, a database
down): the record waits in a bounded queue (`storage.writer`) and is written when the log works
again, or is dropped and counted when the queue is full; the failure is logged at most once a
minute (logger `rules_engine.runtime.decision_log…`) and `health()` says what happened. Only a
log that cannot be opened at start, or is used after `close()`, is a `DecisionLogError`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import RulesEngineError
from ..extras import needs
from ..storage.writer import WriterStats
from .stores import is_database_url

if TYPE_CHECKING:
    from ..decide.call import Call
    from ..decide.decision import Decision
    from .rule_sources import Source

KEEP_FILES = 10
LOOKUP_WAIT_S = 1.0  # how long a lookup waits for a record still queued to be written


class DecisionLogError(RulesEngineError):
    """The decision log cannot be opened or written."""


@dataclass(frozen=True)
class DecisionLogHealth:
    """Whether the decision log is being written, for a daemon's health check and metrics.

    Every record given to `write` is counted once: `written`, `queued` (waiting to be written)
    or `dropped` (lost: the queue was full, or the log closed while it could not be written).
    `failed` counts the attempts to write that failed; `failing_since` is None while writing works.
    """

    backend: str  # "file" or "postgresql"
    location: str  # the file, or the database without its password
    writable: bool  # False from a failed write until a write works again
    written: int
    queued: int
    dropped: int
    failed: int
    failing_since: datetime | None
    last_error: str | None
    last_error_at: datetime | None

    @classmethod
    def of(cls, backend: str, location: str, stats: WriterStats, written: int = 0) -> DecisionLogHealth:
        """The health of a log writing through a `BoundedWriter` (and `written` records itself)."""
        return cls(
            backend=backend,
            location=location,
            writable=stats.failing_since is None and stats.died is None,
            written=written + stats.written,
            queued=stats.queued,
            dropped=stats.dropped,
            failed=stats.failures,
            failing_since=stats.failing_since,
            last_error=stats.last_error,
            last_error_at=stats.last_error_at,
        )


class DecisionLog(Protocol):
    """Where decisions are logged, so that "why did this call go there?" can be answered later."""

    def write(self, call: Call, decision: Decision, call_id: str | None = None) -> str:
        """Log one decision under `call_id` (one is made up when not given); returns the id.
        Never fails for a log that cannot be written now: see `health()`."""
        ...

    def health(self) -> DecisionLogHealth:
        """What was written, queued and dropped, and the last failure."""
        ...

    def keep_sources(self, sources: Iterable[Source]) -> None:
        """Keep the text of rules versions that start serving, for `explain`."""
        ...

    def logged(self, call_id: str) -> dict[str, Any] | None:
        """The newest record logged under `call_id` (its script's steps in full), or None; a
        record still queued is waited for (a second at most). OSError or `DecisionLogError`
        when the log cannot be read."""
        ...

    def reopen(self) -> None:
        """Reopen after logrotate moved the file away (nothing to do for a database)."""
        ...

    def close(self) -> None:
        """Write what is queued (for a few seconds at most), then release the log."""
        ...


def open_log(
    location: str | Path, max_bytes: int | None = None, keep_files: int = KEEP_FILES, batch_seconds: float = 0.0
) -> DecisionLog:
    """The decision log at `location`: a file, or a PostgreSQL database for a `postgresql://` URL
    (which writes in batches from a thread of its own anyway). `batch_seconds`: a file's records
    are written in batches (`FileDecisionLog`)."""
    if is_database_url(location):
        with needs("postgres", "a postgresql:// decision log"):
            from .decision_log_pg import PostgresDecisionLog

        return PostgresDecisionLog(str(location))
    from .decision_log_file import FileDecisionLog

    return FileDecisionLog(location, max_bytes, keep_files, batch_seconds=batch_seconds)
