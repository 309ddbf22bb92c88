"""The store a `store` setting names: a `postgresql://` URL, or else a SQLite file."""

from __future__ import annotations

from pathlib import Path

from ..storage.locations import is_database_url
from .state import Store
from .store_sqlite import SQLiteStore

__all__ = ["is_database_url", "open_store"]


def open_store(location: str | Path) -> Store:
    """Open the live-state store at `location`; a `StoreError` says why it cannot be."""
    if is_database_url(location):
        # Imported here: loading libpq is needed only by daemons that share a database.
        from .store_postgres import PostgresStore

        return PostgresStore(str(location))
    return SQLiteStore(location)
