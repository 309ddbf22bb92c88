"""A fleet's console: accounts, sessions and the audit log in one PostgreSQL database, so a
person logged in through one instance is logged in on every other, and the login lock and
the audit log count every instance's attempts."""

from __future__ import annotations

import warnings

import pytest

from rules_engine.console.accounts import Accounts
from rules_engine.console.db import PostgresDatabase, open_database
from rules_engine.console.drafts import DraftConflict, Drafts
from rules_engine.console.mount import mount
from rules_engine.http import create_app
from tests.console.conftest import PASSWORD, csrf_of, log_in

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture
def two_instances(engine, postgres_url, cheap_hashes):
    setup = PostgresDatabase(postgres_url)
    Accounts(setup).add("ann", "client", PASSWORD, ("acme_plumbing",))
    Accounts(setup).add("bob", "client", PASSWORD, ("hale_law",))
    setup.close()
    apps, dbs = [], []
    for _ in range(2):
        app = create_app(engine)
        dbs.append(mount(app, engine, postgres_url, secure_cookies=True))
        apps.append(app)
    with (
        TestClient(apps[0], base_url="https://testserver") as one,
        TestClient(apps[1], base_url="https://testserver") as two,
    ):
        yield one, two
    for db in dbs:
        db.close()


def test_a_session_made_on_one_instance_serves_on_another(two_instances):
    one, two = two_instances
    assert log_in(one, "ann").status_code == 303
    two.cookies = one.cookies
    page = two.get("/console/clients/acme_plumbing")
    assert page.status_code == 200 and "Acme Plumbing" in page.text
    token = csrf_of(page.text)
    assert two.post("/console/clients/acme_plumbing/status", data={"csrf": token, "note": "Away"}).status_code == 200
    entries = one.get("/console/audit", follow_redirects=False)
    assert entries.status_code == 404  # a client account has no audit page, on either instance


def test_failed_logins_on_every_instance_count_toward_the_lock(two_instances):
    one, two = two_instances
    for client in (one, two, one, two, one):
        assert log_in(client, "bob", "guess guess guess").status_code == 401
    assert log_in(two, "bob").status_code == 429


def test_a_save_through_one_instance_is_never_overwritten_by_a_stale_one_through_another(postgres_url):
    one, two = open_database(postgres_url), open_database(postgres_url)
    try:
        first = Drafts(one).put("acme_plumbing", "text one", "mia", base="")
        with pytest.raises(DraftConflict) as caught:
            Drafts(two).put("acme_plumbing", "text two", "sam", base="")  # opened before mia saved
        assert caught.value.current == first
        second = Drafts(two).put("acme_plumbing", "text two", "sam", base=first.updated)
        with pytest.raises(DraftConflict):
            Drafts(one).put("acme_plumbing", "text three", "mia", base=first.updated)
        assert Drafts(one).get("acme_plumbing") == second
        # another instance's clock ahead (or two saves in one millisecond): the next time still differs
        ahead = "2099-01-01T00:00:00.000+00:00"
        one.execute("UPDATE console_draft SET updated = ? WHERE client = 'acme_plumbing'", (ahead,))
        third = Drafts(one).put("acme_plumbing", "text three", "mia", base=ahead)
        assert third.updated == "2099-01-01T00:00:00.001+00:00"
        with pytest.raises(DraftConflict):
            Drafts(two).put("acme_plumbing", "text four", "sam", base=ahead)
    finally:
        one.close()
        two.close()
