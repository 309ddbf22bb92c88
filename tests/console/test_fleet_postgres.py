"""A fleet: three `rules-engine serve` processes, each with its own copy of the rule files,
sharing one PostgreSQL database for the console. A publish through one is served by the other
two (their `Follower`s write the file and reload; how soon: benchmarks/fleet_publish.py), and
is recorded once in the history and once in the audit log; the three starting at once record
each served file once."""

from __future__ import annotations

import time

import psycopg
import pytest

from rules_engine.console.accounts import Accounts
from rules_engine.console.db import PostgresDatabase
from tests.console import fleet as instances
from tests.console.conftest import PASSWORD
from tests.console.fleet import csrf_in, request, served_versions
from tests.support import client_text


@pytest.fixture
def fleet(rules_dir, tmp_path, postgres_url):
    db = PostgresDatabase(postgres_url)
    Accounts(db).add("mia", "account_manager", PASSWORD)
    db.close()
    processes, bases = instances.start(rules_dir, tmp_path, postgres_url)
    try:
        yield bases, tmp_path
    finally:
        instances.stop(processes)


def test_a_publish_through_one_instance_is_served_by_the_others(fleet, postgres_url):
    """The others follow within a few polls (0.2 s each). How soon is printed, not asserted: a
    loaded machine may lag a poll, so the test waits up to 5 s."""
    (one, two, three), home = fleet
    cookie = instances.log_in(one, "mia", PASSWORD)
    _, page, _ = request(f"{one}/console/clients/alpha/history", cookie=cookie)
    text = client_text("alpha", "Alpha, published to the fleet")
    status, _, headers = request(
        f"{one}/console/clients/alpha/publish", {"csrf": csrf_in(page), "text": text, "message": "fleet"}, cookie
    )
    published = time.monotonic()
    assert status == 303 and headers["location"].endswith("published=2")
    wanted = served_versions(one)["alpha"]
    took = instances.followed([two, three], "alpha", wanted, published, within=5.0)
    print(f"\nfleet: a publish was served by the other instances after {sorted(round(t, 3) for t in took.values())} s")
    assert set(took) == {two, three}, f"{sorted({two, three} - set(took))} still served the old version 5 s after"
    for n in (2, 3):
        assert (home / f"instance{n}" / "rules" / "alpha.rules").read_text() == text
    with psycopg.connect(postgres_url) as conn:
        versions = conn.execute("SELECT client, number, action FROM console_rules_version ORDER BY id").fetchall()
        audit = conn.execute("SELECT count(*) FROM console_audit WHERE action = 'publish'").fetchone()[0]
    # the three started at once: each served file recorded once, then the one publish once
    assert sorted(versions) == [("alpha", 1, "import"), ("alpha", 2, "publish"), ("beta", 1, "import")]
    assert audit == 1
