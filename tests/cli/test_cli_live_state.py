"""`decide` and `oncall` with `--store`: what the daemon set live shows, and is never changed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from rules_engine.engine import Engine
from rules_engine.runtime.store_sqlite import SQLiteStore
from rules_engine.runtime.stores import open_store
from tests.support import ACME

CHICAGO = timezone(timedelta(hours=-6))


def daemon_store(tmp_path) -> str:
    """A store as the daemon leaves it: Alice covers the plumbers on Saturday night, a status is set."""
    path = tmp_path / "state.sqlite"
    store = SQLiteStore(path)
    engine = Engine(ACME, store=store)
    engine.set_override(
        "acme_plumbing",
        "plumbers",
        "alice",
        start=datetime(2026, 11, 28, 18, tzinfo=CHICAGO),
        end=datetime(2026, 11, 29, 8, tzinfo=CHICAGO),
    )
    engine.set_status("acme_plumbing", "On a job site until Monday")
    store.close()
    return str(path)


def test_oncall_with_the_daemons_store_shows_a_live_override(tmp_path, cli):
    store = daemon_store(tmp_path)
    code, out, _ = cli("oncall", ACME, "--client", "acme_plumbing", "--at", "2026-11-28T23:15")
    assert code == 0 and "Bob Ortiz" in out
    code, out, _ = cli("oncall", ACME, "--client", "acme_plumbing", "--at", "2026-11-28T23:15", "--store", store)
    assert code == 0 and "Alice Ng" in out


def test_decide_with_the_daemons_store_sees_status_and_override_and_leaves_the_store_alone(tmp_path, cli):
    store = daemon_store(tmp_path)
    args = [
        "decide",
        ACME,
        "--client",
        "acme_plumbing",
        "--at",
        "2026-11-28T23:15",
        "--forwarded",
        "manual",
        "--answer",
        "type=burst_pipe",
        "--store",
        store,
        "--json",
    ]
    code, out, _ = cli(*args)
    assert code == 0
    assert '"note": "On a job site until Monday"' in out  # the decision carries the live status
    assert '"contact": "alice"' in out
    assert cli(*args[:-1], "--status", "Trying another note").code == 0
    reopened = SQLiteStore(store)
    assert reopened.snapshot("acme_plumbing").status.note == "On a job site until Monday"
    reopened.close()


def test_a_missing_store_file_is_an_error_not_a_new_empty_store(tmp_path, cli):
    missing = tmp_path / "nope.sqlite"
    code, _, err = cli("oncall", ACME, "--client", "acme_plumbing", "--store", missing)
    assert code == 1 and "no live-state store at" in err
    assert not missing.exists()


def test_decide_reads_a_postgresql_store_and_never_prints_its_password(postgres_url, cli):
    store = open_store(postgres_url)
    Engine(ACME, store=store).set_status("acme_plumbing", "On a job site until Monday")
    store.close()
    args = [
        "decide",
        ACME,
        "--client",
        "acme_plumbing",
        "--at",
        "2026-11-28T23:15",
        "--forwarded",
        "manual",
        "--answer",
        "type=burst_pipe",
        "--json",
    ]
    code, out, _ = cli(*args, "--store", postgres_url)
    assert code == 0 and '"note": "On a job site until Monday"' in out

    code, _, err = cli(*args, "--store", "postgresql://postgres:s3cret@127.0.0.1:1/nowhere")
    assert code == 1
    assert err.startswith(
        "--store: error: cannot open the live-state store postgresql://postgres@127.0.0.1:1/nowhere: "
    )
    assert "s3cret" not in err
