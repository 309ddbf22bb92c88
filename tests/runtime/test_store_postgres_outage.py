"""PostgreSQL down is not a phone outage: decisions go on from the last snapshot, saying how
old it is; writes fail with a clear `StoreError`; the snapshot catches up when the database
is back. The database is made unreachable by cutting a proxy between the engine and the
shared server (which keeps running for everyone else on the machine), or by restarting a
server of this module's own."""

from __future__ import annotations

import threading

import pytest

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.errors import StoreError
from rules_engine.live import OwnerStatus
from rules_engine.runtime.store_postgres import PostgresStore, describe
from tests.postgres import new_database, through_port
from tests.runtime.tcp_proxy import TcpProxy
from tests.support import eventually

OPEN_MANUAL = dict(client="acme_plumbing", at="2026-11-27T10:00:00-06:00", forwarded="manual", agent="Dana")


def test_decisions_go_on_from_the_last_snapshot_while_the_database_is_unreachable(acme_dir, postgres_url):
    portal = PostgresStore(postgres_url)  # another daemon, still connected
    with TcpProxy(("127.0.0.1", 5432)) as proxy:
        url = through_port(postgres_url, proxy.port)
        store = PostgresStore(url, write_timeout=1.0)  # given to the engine: this test closes it
        with Engine(acme_dir, store=store) as engine:
            engine.set_status("acme_plumbing", "Back at 5")
            before = engine.decide(Call(**OPEN_MANUAL))
            assert before.greeting.text.endswith("unavailable right now: Back at 5")
            assert before.live_state.revision > 0
            assert eventually(lambda: fresh(engine), within=5.0)

            proxy.cut()
            assert eventually(lambda: not engine.live_state_health().reachable, within=10.0)
            health = engine.live_state_health()
            assert health.error.startswith(f"the live-state store {describe(url)} is unreachable: ")

            during = engine.decide(Call(**OPEN_MANUAL))
            assert during.greeting.text == before.greeting.text
            assert during.live_state.revision == before.live_state.revision
            assert during.live_state.as_of == health.synced_at.isoformat(timespec="milliseconds")
            # the snapshot ages while the store is away (syncs until the cut may have made it younger than `before`)
            assert eventually(
                lambda: engine.decide(Call(**OPEN_MANUAL)).live_state.age > during.live_state.age + 0.1, within=10.0
            )
            with pytest.raises(StoreError) as caught:
                engine.set_status("acme_plumbing", "In court until 3pm")
            assert str(caught.value).startswith(
                f"cannot set the status of `acme_plumbing`: the live-state store {describe(url)} is unreachable: "
            )
            assert str(caught.value).endswith("; nothing was changed")

            portal.set_status("acme_plumbing", OwnerStatus(note="At the depot"))  # while this daemon is cut off
            proxy.restore()
            assert eventually(lambda: engine.live_state("acme_plumbing").status.note == "At the depot", within=5.0)
            assert eventually(lambda: engine.live_state_health().reachable, within=10.0)
            after = engine.decide(Call(**OPEN_MANUAL))
            assert after.greeting.text.endswith("unavailable right now: At the depot")
            assert eventually(lambda: fresh(engine), within=5.0)

            # Writes work again once the pool has reconnected.
            assert eventually(lambda: write_goes_through(engine, "Back at 6"), within=10.0, every=0.2)
            assert eventually(lambda: portal.snapshot("acme_plumbing").status.note == "Back at 6", within=10.0)
        store.close()
    portal.close()


def fresh(engine: Engine) -> bool:
    """The snapshot a decision reads is under a second old (polled: a loaded machine may lag a sync)."""
    return engine.decide(Call(**OPEN_MANUAL)).live_state.age < 1


def test_a_write_right_after_the_database_restarts_goes_through(private_postgres):
    with new_database(private_postgres.url) as url:
        store = PostgresStore(url, write_timeout=0.8)
        # Writers waiting for one another's row lock fill the pool (4 connections), all idle
        # when the server restarts and ends their sessions.
        writers = [threading.Thread(target=set_statuses, args=(store, 5)) for _ in range(6)]
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join()
        private_postgres.restart()
        store.set_status("acme_plumbing", OwnerStatus(note="Back after the restart"))
        assert store.snapshot("acme_plumbing").status.note == "Back after the restart"
        store.close()


def set_statuses(store: PostgresStore, count: int) -> None:
    for number in range(count):
        store.set_status("acme_plumbing", OwnerStatus(note=f"note {number}"))


def write_goes_through(engine: Engine, note: str) -> bool:
    try:
        engine.set_status("acme_plumbing", note)
    except StoreError:
        return False
    return True
