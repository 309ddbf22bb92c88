"""Outcomes in the live-state store's PostgreSQL database (tables of their own, `store_sql.py`).

One connection (psycopg 3, autocommit, each operation in its own transaction) shared under a
lock; a connection that broke (the database restarted) is replaced on the next operation.
Several daemons may share the database: the first to start migrates, under a table lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from ..errors import StoreError
from .store_sql import SQLOutcomes


class PostgresOutcomes(SQLOutcomes):
    param = "%s"

    def __init__(self, url: str):
        self.url = url
        self.where = "the PostgreSQL database of the store"
        self._lock = threading.Lock()
        self._db: psycopg.Connection | None = None
        self.migrate()

    def _connection(self) -> psycopg.Connection:
        if self._db is None or self._db.closed or self._db.broken:
            self._db = psycopg.connect(self.url, autocommit=True, connect_timeout=5)
        return self._db

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with self._lock:
            try:
                db = self._connection()
                with db.transaction(), db.cursor() as cursor:
                    yield cursor
            except psycopg.Error as exc:
                reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise StoreError(f"cannot use the outcome store in {self.where}: {reason}") from None

    def _lock_schema(self, cursor: Any) -> None:
        cursor.execute("LOCK TABLE outcome_schema IN EXCLUSIVE MODE")  # one daemon migrates, the others wait

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
