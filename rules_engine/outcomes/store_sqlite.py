"""Outcomes in the live-state store's SQLite file (tables of their own, `store_sql.py`).

One connection of its own to the file, shared by the engine's threads under a lock; WAL
lets the live-state store and other processes read while outcomes are written.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import StoreError
from .store_sql import SQLOutcomes


class SQLiteOutcomes(SQLOutcomes):
    def __init__(self, path: str | Path):
        self.where = str(path)
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(self.where, check_same_thread=False, isolation_level=None, timeout=10)
            self._db.execute("PRAGMA journal_mode=WAL")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the outcome store {self.where}: {exc}") from None
        self.migrate()

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with self._lock:
            try:
                cursor = self._db.cursor()
                cursor.execute("BEGIN IMMEDIATE")
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
