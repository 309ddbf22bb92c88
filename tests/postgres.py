"""A PostgreSQL database of its own for each test that needs one.

Tests reach the server at 127.0.0.1:5432 as user `postgres` (trust authentication), or at
the server named by `RULES_ENGINE_TEST_POSTGRES` (a URL to a database where the user may
CREATE DATABASE). Each test gets a new, uniquely named database and drops it afterwards,
so parallel runs never collide. Without a server the tests skip, saying how to run them;
under `CI=true` they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

ADMIN_URL = os.environ.get("RULES_ENGINE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def admin_connection(admin_url: str = ADMIN_URL) -> psycopg.Connection:
    try:
        return psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[0]
        message = (
            f"no PostgreSQL server at {admin_url} ({reason}); to run these tests, start one there with "
            f"trust authentication for user postgres, or set RULES_ENGINE_TEST_POSTGRES to the URL of one"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@contextmanager
def new_database(admin_url: str = ADMIN_URL) -> Iterator[str]:
    """The URL of a new, empty database on the server of `admin_url`, dropped at the end."""
    name = f"rules_engine_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    with admin_connection(admin_url) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield replace_database(admin_url, name)
    finally:
        with admin_connection(admin_url) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def replace_database(url: str, name: str) -> str:
    """`url` with its database replaced by `name` (a postgresql:// URL stays one)."""
    head, _, tail = url.partition("?")
    base = head.rsplit("/", 1)[0] if head.count("/") > 2 else head
    return f"{base}/{name}" + (f"?{tail}" if tail else "")


def through_port(url: str, port: int) -> str:
    """`url` reaching its server through 127.0.0.1:`port` (a test's proxy) instead."""
    parts = urlsplit(url)
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit(parts._replace(netloc=f"{user}127.0.0.1:{port}"))
