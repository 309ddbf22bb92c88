"""Fixtures of the console's tests: the service with the console over the example clients, its
accounts in a SQLite file of the test's own, and an account of each role."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher

from rules_engine.console import accounts as accounts_module
from rules_engine.console.accounts import Accounts
from rules_engine.console.db import SQLiteDatabase
from rules_engine.console.mount import mount
from rules_engine.http import create_app

with warnings.catch_warnings():  # starlette asks for httpx2, which FastAPI's TestClient does not need yet
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"
# name, role, clients
PEOPLE = (
    ("root", "admin", ()),
    ("mia", "account_manager", ()),
    ("sam", "account_manager", ("hale_law",)),
    ("ann", "client", ("acme_plumbing",)),
    ("vic", "client", ("harbour_vets",)),
)


# Argon2id at a fraction of its cost (8 MiB, one pass), for the in-process tests that log in
# dozens of times; the browser tests' real `serve` and test_users_cli keep the real parameters.
CHEAP = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)


@pytest.fixture
def cheap_hashes(monkeypatch):
    monkeypatch.setattr(accounts_module, "HASHER", CHEAP)
    monkeypatch.setattr(accounts_module, "DECOY", CHEAP.hash("not anyone's password"))


@dataclass
class Served:
    client: TestClient
    accounts: Accounts


@pytest.fixture
def accounts_path(tmp_path, cheap_hashes):
    path = tmp_path / "accounts.db"
    db = SQLiteDatabase(path)
    accounts = Accounts(db)
    for name, role, clients in PEOPLE:
        accounts.add(name, role, PASSWORD, clients)
    db.close()
    return path


@pytest.fixture
def console(engine, accounts_path):
    """The service and its console over the example clients; Secure cookies, as in production
    (the test client speaks https)."""
    app = create_app(engine)
    db = mount(app, engine, accounts_path, secure_cookies=True)
    with TestClient(app, base_url="https://testserver") as client:
        yield Served(client, Accounts(db))
    db.close()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def log_in(client: TestClient, name: str, password: str = PASSWORD):
    """Open the login page (an anonymous session and its token), then post the form."""
    page = client.get("/console/login")
    return client.post(
        "/console/login",
        data={"csrf": csrf_of(page.text), "name": name, "password": password},
        follow_redirects=False,
    )


def token_of(client: TestClient, path: str) -> str:
    return csrf_of(client.get(path).text)
