"""The decision log: what every backend offers the engine (`DecisionLog`), and the one that
settings name (`open_log`): a file (`decision_log_file`) or a PostgreSQL database for a fleet
(`decision_log_pg`, imported only when asked for: only a fleet's daemons need libpq).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..errors import RulesEngineError
from ..extras import needs
from .stores import is_database_url

if TYPE_CHECKING:
    from ..decide.call import Call
    from ..decide.decision import Decision
    from .rule_sources import Source

KEEP_FILES = 10


class DecisionLogError(RulesEngineError):
    """The decision log cannot be opened or written."""


class DecisionLog(Protocol):
    """Where decisions are logged, so that "why did this call go there?" can be answered later."""

    def write(self, call: Call, decision: Decision, call_id: str | None = None) -> str:
        """Log one decision under `call_id` (one is made up when not given); returns the id."""
        ...

    def keep_sources(self, sources: Iterable[Source]) -> None:
        """Keep the text of rules versions that start serving, for `explain`."""
        ...

    def reopen(self) -> None:
        """Reopen after logrotate moved the file away (nothing to do for a database)."""
        ...

    def close(self) -> None: ...


def open_log(location: str | Path, max_bytes: int | None = None, keep_files: int = KEEP_FILES) -> DecisionLog:
    """The decision log at `location`: a file, or a PostgreSQL database for a `postgresql://` URL."""
    if is_database_url(location):
        with needs("postgres", "a postgresql:// decision log"):
            from .decision_log_pg import PostgresDecisionLog

        return PostgresDecisionLog(str(location))
    from .decision_log_file import FileDecisionLog

    return FileDecisionLog(location, max_bytes, keep_files)
