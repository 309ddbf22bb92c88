"""Outcomes in the live-state store's PostgreSQL database (tables of their own, `store_sql.py`).

Connections come from the process's pool for that database (`storage.postgres`), shared with
the live-state store and the decision log that name it; each operation is one transaction on
one of them, so threads do not wait for each other. Several daemons may share the database:
the first to start migrates, the others wait for it (`storage.postgres.migrate`). A reader (the
report beside a running service) uses read-only connections.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from ..errors import StoreError
from ..storage import postgres
from ..storage.postgres import describe
from ..storage.writer import reason_of
from .store_sql import SCHEMA, SQLOutcomes

TIMEOUT_S = 5.0  # the longest an operation waits for a connection


class PostgresOutcomes(SQLOutcomes):
    param = "%s"

    def __init__(self, url: str, read_only: bool = False, timeout: float = TIMEOUT_S):
        self.url = url
        self.where = describe(url)
        self.timeout = timeout
        try:
            self._db = postgres.database(url, read_only=read_only)
        except psycopg.Error as exc:
            raise StoreError(f"cannot open the outcome store {self.where}: {reason_of(exc)}") from None
        what = f"the outcome store {self.where}"
        try:
            with self._db.connection(timeout) as connection:
                if read_only:
                    postgres.check(connection, SCHEMA, what, StoreError)
                else:
                    postgres.migrate(connection, SCHEMA, what, StoreError)
        except psycopg.Error as exc:
            postgres.release(self._db)
            raise StoreError(f"cannot open {what}: {reason_of(exc)}") from None
        except BaseException:
            postgres.release(self._db)
            raise
        self._closed = False

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        try:
            with self._db.connection(self.timeout) as db, db.transaction(), db.cursor() as cursor:
                yield cursor
        except psycopg.Error as exc:
            raise StoreError(f"cannot use the outcome store {self.where}: {reason_of(exc)}") from None

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            postgres.release(self._db)
