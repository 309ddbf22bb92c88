"""Outcomes in the live-state store's SQLite file (tables of their own, `store_sql.py`).

One connection of its own to the file, shared by the engine's threads under a lock; WAL
lets the live-state store and other processes read while outcomes are written. A reader (the
report beside a running service) opens the file read-only: it never takes the write lock.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import StoreError
from ..storage import sqlite
from .store_sql import SCHEMA, SQLOutcomes


class SQLiteOutcomes(SQLOutcomes):
    def __init__(self, path: str | Path, read_only: bool = False):
        self.where = str(path)
        self.read_only = read_only
        self._lock = threading.Lock()
        what = f"the outcome store {self.where}"
        db = None
        try:
            if read_only:
                db = sqlite.connect_read_only(self.where, busy_timeout=10)
                sqlite.check(db, SCHEMA, what, StoreError)
            else:
                db = sqlite3.connect(self.where, check_same_thread=False, isolation_level=None, timeout=10)
                db.execute("PRAGMA journal_mode=WAL")
                sqlite.migrate(db, SCHEMA, what, StoreError)
        except (sqlite3.Error, StoreError) as exc:
            if db is not None:
                db.close()
            if isinstance(exc, StoreError):
                raise
            raise StoreError(f"cannot open {what}: {exc}") from None
        self._db = db

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with self._lock:
            try:
                cursor = self._db.cursor()
                cursor.execute("BEGIN" if self.read_only else "BEGIN IMMEDIATE")
                try:
                    yield cursor
                    cursor.execute("COMMIT")
                except BaseException:
                    cursor.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise StoreError(f"cannot use the outcome store {self.where}: {exc}") from None

    def close(self) -> None:
        with self._lock:
            self._db.close()
