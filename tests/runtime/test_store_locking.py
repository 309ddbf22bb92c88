"""Reads never wait for writes: a decision is made from the snapshot while a write waits for
the database's lock, and a write that cannot get the lock in time says who holds it.

Before the snapshot, `decide` stalled for up to 10 s whenever another connection held
SQLite's write lock, because one lock covered reads, writes and the busy wait.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading

import psycopg
import pytest

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.errors import StoreError
from rules_engine.live import OwnerStatus
from rules_engine.runtime.store_postgres import PostgresStore, describe
from rules_engine.runtime.store_sqlite import SQLiteStore

OPEN_MANUAL = dict(client="acme_plumbing", at="2026-11-27T10:00:00-06:00", forwarded="manual", agent="Dana")

HOLD_THE_WRITE_LOCK = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("INSERT INTO status (client, note) VALUES ('someone_else', 'held')")
print("locked", flush=True)
sys.stdin.read()  # until the test closes our standard input
db.execute("ROLLBACK")
"""


def within(seconds: float, work):
    """`work()`'s result, or a failure if it has not returned after `seconds`."""
    result: list = []
    thread = threading.Thread(target=lambda: result.append(work()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert result, f"still waiting after {seconds} s"
    return result[0]


def test_decide_does_not_wait_while_a_write_waits_for_the_lock_another_connection_holds(acme_dir, tmp_path):
    path = tmp_path / "state.db"
    with Engine.from_settings(rules=acme_dir, store=path) as engine:
        other = sqlite3.connect(path, isolation_level=None)  # a portal's long transaction
        other.execute("BEGIN IMMEDIATE")
        writer = threading.Thread(target=engine.set_status, args=("acme_plumbing", "In court until 3pm"))
        writer.start()
        try:
            writer.join(0.2)
            assert writer.is_alive(), "the write should be waiting for the lock"
            decision = within(1.0, lambda: engine.decide(Call(**OPEN_MANUAL)))
            assert writer.is_alive(), "the write should still be waiting for the lock"
            assert decision.greeting.id != "away"  # the status is not set yet
        finally:
            other.execute("ROLLBACK")
            other.close()
            writer.join()
        # The write went through once the lock was free, and the next decision reads it.
        assert engine.decide(Call(**OPEN_MANUAL)).greeting.id == "away"


def test_a_write_that_cannot_get_the_lock_in_time_names_the_process_holding_it(tmp_path):
    path = tmp_path / "state.db"
    store = SQLiteStore(path, write_timeout=0.3)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_WRITE_LOCK, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline() == "locked\n"
        with pytest.raises(StoreError) as caught:
            store.set_status("acme_plumbing", OwnerStatus(note="In court"))
    finally:
        holder.communicate("")
        store.close()
    assert str(caught.value).startswith(
        f"cannot set the status of `acme_plumbing`: the live-state store {path} stayed locked for writing for "
        f"0.3 s by process {holder.pid} ({sys.executable} -c "
    )
    assert str(caught.value).endswith("); nothing was changed")
    reopened = SQLiteStore(path)
    assert reopened.snapshot("acme_plumbing").status is None
    reopened.close()


WRITE_MANY = """
import sys, time
from rules_engine.live import OwnerStatus
from rules_engine.runtime.store_sqlite import SQLiteStore
store = SQLiteStore(sys.argv[1])
worst = 0.0
for n in range(int(sys.argv[3])):
    started = time.monotonic()
    store.set_status(sys.argv[2], OwnerStatus(note=f"note {n}"))
    worst = max(worst, time.monotonic() - started)
store.close()
print(worst)
"""


def test_three_processes_writing_at_once_all_get_their_writes_through(tmp_path):
    path = tmp_path / "state.db"
    SQLiteStore(path).close()
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITE_MANY, str(path), f"client_{n}", "60"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(3)
    ]
    outcomes = [writer.communicate(timeout=60) for writer in writers]
    assert [writer.returncode for writer in writers] == [0, 0, 0], [err for _, err in outcomes]
    store = SQLiteStore(path)
    assert [store.snapshot(f"client_{n}").status.note for n in range(3)] == ["note 59"] * 3
    store.close()


def test_a_postgresql_write_that_cannot_get_the_clients_lock_names_the_session_holding_it(postgres_url):
    store = PostgresStore(postgres_url, write_timeout=0.3)
    store.set_status("acme_plumbing", OwnerStatus(note="Back at 5"))
    with psycopg.connect(postgres_url, application_name="portal batch job") as portal:
        portal.execute("UPDATE live_client SET revision = revision WHERE client = 'acme_plumbing'")  # holds the row
        backend = portal.info.backend_pid
        with pytest.raises(StoreError) as caught:
            store.set_status("acme_plumbing", OwnerStatus(note="In court"))
        portal.rollback()
    store.close()
    message = str(caught.value)
    assert message.startswith(
        f"cannot set the status of `acme_plumbing`: the live-state store {describe(postgres_url)} kept "
        f"`acme_plumbing` locked for 0.3 s: held by server process {backend} (portal batch job, from 127.0.0.1, "
        f"in a transaction for "
    )
    assert message.endswith(" s); nothing was changed")  # how long it has held the row
    assert store.snapshot("acme_plumbing").status == OwnerStatus(note="Back at 5")


def test_a_postgresql_decision_is_made_while_a_write_waits_for_a_lock(acme_dir, postgres_url):
    with Engine.from_settings(rules=acme_dir, store=postgres_url) as engine:
        with psycopg.connect(postgres_url) as portal:
            engine.clear_status("acme_plumbing")
            portal.execute("UPDATE live_client SET revision = revision WHERE client = 'acme_plumbing'")
            writer = threading.Thread(target=engine.set_status, args=("acme_plumbing", "In court until 3pm"))
            writer.start()
            decision = within(1.0, lambda: engine.decide(Call(**OPEN_MANUAL)))
            assert writer.is_alive(), "the write should still be waiting for the lock"
            portal.rollback()
            writer.join()
        assert decision.greeting.id != "away"
        assert engine.decide(Call(**OPEN_MANUAL)).greeting.id == "away"
