"""A fleet: three `rules-engine serve` processes, each with its own copy of the rule files,
sharing one PostgreSQL database for the console. A publish through one is served by the other
two (their `Follower`s write the file and reload; how soon: benchmarks/fleet_publish.py), and
is recorded once in the history and once in the audit log; the three starting at once record
each served file once."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from email.message import Message
from pathlib import Path

import psycopg
import pytest

from rules_engine.console.accounts import Accounts
from rules_engine.console.db import PostgresDatabase
from tests.console.conftest import PASSWORD
from tests.support import client_text, wait_for

RULES_ENGINE = str(Path(sys.executable).parent / "rules-engine")
COOKIE = "rules-engine-console"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def request(url: str, form: dict | None = None, cookie: str | None = None) -> tuple[int, str, Message]:
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    made = urllib.request.Request(url, data=data, headers={"Cookie": f"{COOKIE}={cookie}"} if cookie else {})
    try:
        with OPENER.open(made, timeout=10) as response:
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), exc.headers


def csrf_in(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def served_versions(base: str) -> dict[str, str]:
    with urllib.request.urlopen(f"{base}/v1/clients", timeout=5) as response:
        return {c["id"]: c["rules_version"] for c in json.load(response)}


@pytest.fixture
def fleet(rules_dir, tmp_path, postgres_url):
    db = PostgresDatabase(postgres_url)
    Accounts(db).add("mia", "account_manager", PASSWORD)
    db.close()
    processes, bases = [], []
    try:
        for n in (1, 2, 3):
            home = tmp_path / f"instance{n}"
            shutil.copytree(rules_dir, home / "rules")
            (home / "service.yaml").write_text(
                f"rules: rules\naccounts: {postgres_url}\nconsole_secure_cookies: false\n", encoding="utf-8"
            )
            serve = [
                "serve",
                "--settings",
                str(home / "service.yaml"),
                "--port",
                "0",
                "--port-file",
                str(home / "port"),
            ]
            processes.append(
                subprocess.Popen([RULES_ENGINE, *serve, "--log", str(home / "requests.log")], stderr=subprocess.DEVNULL)
            )
        for n in (1, 2, 3):
            port_file = tmp_path / f"instance{n}" / "port"
            port = int(wait_for(lambda f=port_file: f.exists() and f.read_text().strip(), "the service", 60))
            bases.append(f"http://127.0.0.1:{port}")
            wait_for(lambda b=bases[-1]: served_versions(b), "/v1/clients", 60)
        yield bases, tmp_path
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


def log_in(base: str) -> str:
    _, page, headers = request(f"{base}/console/login")
    anonymous = re.search(rf"{COOKIE}=([^;]+)", headers["set-cookie"]).group(1)
    status, _, headers = request(
        f"{base}/console/login", {"csrf": csrf_in(page), "name": "mia", "password": PASSWORD}, anonymous
    )
    assert status == 303
    return re.search(rf"{COOKIE}=([^;]+)", headers["set-cookie"]).group(1)


def test_a_publish_through_one_instance_is_served_by_the_others(fleet, postgres_url):
    """The others follow within a few polls (0.2 s each). How soon is printed, not asserted: a
    loaded machine may lag a poll, so the test waits up to 5 s."""
    (one, two, three), home = fleet
    cookie = log_in(one)
    _, page, _ = request(f"{one}/console/clients/alpha/history", cookie=cookie)
    text = client_text("alpha", "Alpha, published to the fleet")
    status, _, headers = request(
        f"{one}/console/clients/alpha/publish", {"csrf": csrf_in(page), "text": text, "message": "fleet"}, cookie
    )
    published = time.monotonic()
    assert status == 303 and headers["location"].endswith("published=2")
    wanted = served_versions(one)["alpha"]
    took = {}
    pending = {two, three}
    while pending and time.monotonic() - published < 5:
        for base in list(pending):
            if served_versions(base)["alpha"] == wanted:
                took[base] = time.monotonic() - published
                pending.discard(base)
        time.sleep(0.01)
    print(f"\nfleet: a publish was served by the other instances after {sorted(round(t, 3) for t in took.values())} s")
    assert not pending, f"{sorted(pending)} still served the old version 5 s after the publish"
    for n in (2, 3):
        assert (home / f"instance{n}" / "rules" / "alpha.rules").read_text() == text
    with psycopg.connect(postgres_url) as conn:
        versions = conn.execute("SELECT client, number, action FROM console_rules_version ORDER BY id").fetchall()
        audit = conn.execute("SELECT count(*) FROM console_audit WHERE action = 'publish'").fetchone()[0]
    # the three started at once: each served file recorded once, then the one publish once
    assert sorted(versions) == [("alpha", 1, "import"), ("alpha", 2, "publish"), ("beta", 1, "import")]
    assert audit == 1
