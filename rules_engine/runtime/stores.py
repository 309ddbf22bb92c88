"""The store a `store` setting names: a `postgresql://` URL, or else a SQLite file."""

from __future__ import annotations

from pathlib import Path

from ..extras import needs
from .state import Store
from .store_sqlite import SQLiteStore

DATABASE_SCHEMES = ("postgresql://", "postgres://")


def is_database_url(location: object) -> bool:
    return isinstance(location, str) and location.startswith(DATABASE_SCHEMES)


def open_store(location: str | Path) -> Store:
    """Open the live-state store at `location`; a `StoreError` says why it cannot be."""
    if is_database_url(location):
        # Imported here: loading libpq is needed only by daemons that share a database.
        with needs("postgres", "a postgresql:// store"):
            from .store_postgres import PostgresStore

        return PostgresStore(str(location))
    return SQLiteStore(location)
