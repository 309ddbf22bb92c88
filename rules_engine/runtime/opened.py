"""What an engine opens because its settings name it, and so closes with it.

A store, a decision log or an outcome store given to `Engine(…)` stays its giver's to close;
those `Engine.from_settings` opens from the settings are held here and closed by
`Engine.close()`. When one cannot be opened, those opened before it are closed at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .decision_log import open_log
from .stores import open_outcome_store, open_store

if TYPE_CHECKING:
    from ..outcomes.store import OutcomeStore
    from .decision_log import DecisionLog
    from .settings import Settings
    from .state import Store


@dataclass
class Opened:
    store: Store | None = None
    decision_log: DecisionLog | None = None
    outcomes: OutcomeStore | None = None

    @classmethod
    def of(cls, settings: Settings) -> Opened:
        """Open the live-state store, the decision log and the outcome store the settings name."""
        opened = cls()
        try:
            if settings.store is not None:
                opened.store = open_store(settings.store)
            if settings.decision_log is not None:
                opened.decision_log = open_log(
                    settings.decision_log,
                    settings.decision_log_max_bytes,
                    settings.decision_log_keep_files,
                    settings.decision_log_batch_seconds or 0.0,
                )
            if settings.store is not None:
                opened.outcomes = open_outcome_store(settings.store)
        except BaseException:
            opened.close()
            raise
        return opened

    def close(self) -> None:
        """Close what is open, once."""
        outcomes, store, log = self.outcomes, self.store, self.decision_log
        self.outcomes = self.store = self.decision_log = None
        for resource in (outcomes, store, log):
            if resource is not None:
                resource.close()
