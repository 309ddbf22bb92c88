"""The stores a `store` setting names: a `postgresql://` URL, or else a SQLite file, holding
the live state (`open_store`) and, in tables of their own, call outcomes (`open_outcome_store`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..extras import needs
from ..storage.locations import is_database_url
from .state import Store
from .store_sqlite import SQLiteStore

if TYPE_CHECKING:
    from ..outcomes.store import OutcomeStore

__all__ = ["is_database_url", "open_outcome_store", "open_store"]


def open_store(location: str | Path) -> Store:
    """Open the live-state store at `location`; a `StoreError` says why it cannot be."""
    if is_database_url(location):
        # Imported here: loading libpq is needed only by daemons that share a database.
        with needs("postgres", "a postgresql:// store"):
            from .store_postgres import PostgresStore

        return PostgresStore(str(location))
    return SQLiteStore(location)


def open_outcome_store(location: str | Path, read_only: bool = False) -> OutcomeStore:
    """The outcome store beside the live-state store at `location` (a SQLite file or a postgresql://
    URL); `read_only` for a reader beside the engine that writes it (the report)."""
    if is_database_url(location):
        with needs("postgres", "a postgresql:// outcome store"):
            from ..outcomes.store_postgres import PostgresOutcomes  # libpq is loaded only by daemons that use it

        return PostgresOutcomes(str(location), read_only=read_only)
    from ..outcomes.store_sqlite import SQLiteOutcomes

    return SQLiteOutcomes(location, read_only=read_only)
