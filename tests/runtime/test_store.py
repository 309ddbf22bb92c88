"""Live state — owners' statuses and on-call overrides — in memory, in SQLite and in PostgreSQL.

Every store must behave exactly like the in-memory one; the durable ones keep everything
across a restart, see what another process sharing them wrote (within the refresh delay),
and refuse a schema newer than the engine knows. PostgreSQL tests each get a database of
their own (tests/postgres.py) and skip, saying how to run them, where no server runs.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import psycopg
import pytest

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.errors import CallError, StoreError
from rules_engine.live import EMPTY, LiveOverride, OwnerStatus
from rules_engine.runtime import store_postgres
from rules_engine.runtime.state import MemoryStore
from rules_engine.runtime.store_sqlite import SCHEMA_VERSION, SQLiteStore
from rules_engine.runtime.stores import open_store
from tests.support import eventually

CHICAGO = timezone(timedelta(hours=-6))  # November: CST
LONDON_SUMMER = timezone(timedelta(hours=1))

STATUS = OwnerStatus(
    note="In court until 3pm", instructions="Take a message", until=datetime(2026, 11, 30, 15, tzinfo=CHICAGO)
)
ALICE = LiveOverride(
    team="plumbers",
    person="alice",
    start=datetime(2026, 11, 28, tzinfo=CHICAGO),
    end=datetime(2026, 11, 30, tzinfo=CHICAGO),
    reason="swap with carol",
)
BOB = LiveOverride(
    team="plumbers",
    person="bob",
    start=datetime(2026, 12, 1, 8, tzinfo=LONDON_SUMMER),
    end=datetime(2026, 12, 2, 8, tzinfo=LONDON_SUMMER),
)
GAS = LiveOverride(
    team="gas", person="carol", start=datetime(2026, 12, 1, tzinfo=UTC), end=datetime(2026, 12, 3, tzinfo=UTC)
)


def location(kind: str, request, tmp_path):
    """Where a durable store keeps live state: a SQLite file, or a PostgreSQL database's URL."""
    return tmp_path / "state.db" if kind == "sqlite" else request.getfixturevalue("postgres_url")


@pytest.fixture(params=["sqlite", "postgresql"])
def durable(request, tmp_path):
    return location(request.param, request, tmp_path)


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request, tmp_path):
    made = MemoryStore() if request.param == "memory" else open_store(location(request.param, request, tmp_path))
    yield made
    made.close()


def test_a_client_without_live_state_has_none(store):
    assert store.snapshot("acme_plumbing") == EMPTY


def test_status_is_set_replaced_and_cleared(store):
    store.set_status("acme_plumbing", STATUS)
    assert store.snapshot("acme_plumbing").status == STATUS
    store.set_status("acme_plumbing", OwnerStatus(note="Back at 5"))
    assert store.snapshot("acme_plumbing").status == OwnerStatus(note="Back at 5")
    store.clear_status("acme_plumbing")
    assert store.snapshot("acme_plumbing").status is None


def test_overrides_are_listed_in_the_order_they_were_set(store):
    for override in (ALICE, GAS, BOB):
        store.add_override("acme_plumbing", override)
    assert store.snapshot("acme_plumbing").overrides == (ALICE, GAS, BOB)


def test_clearing_one_team_keeps_the_other_teams_overrides(store):
    for override in (ALICE, GAS, BOB):
        store.add_override("acme_plumbing", override)
    store.clear_overrides("acme_plumbing", team="plumbers")
    assert store.snapshot("acme_plumbing").overrides == (GAS,)
    store.clear_overrides("acme_plumbing")
    assert store.snapshot("acme_plumbing").overrides == ()


def test_removing_one_override_keeps_the_teams_others_in_their_order(store):
    for override in (ALICE, GAS, BOB, ALICE):
        store.add_override("acme_plumbing", override)
    store.remove_override("acme_plumbing", ALICE)  # of two equal ones, the older goes
    assert store.snapshot("acme_plumbing").overrides == (GAS, BOB, ALICE)
    store.remove_override("acme_plumbing", BOB)  # no reason, and an offset other than the client's
    assert store.snapshot("acme_plumbing").overrides == (GAS, ALICE)
    store.remove_override("acme_plumbing", BOB)  # gone already: nothing changes
    store.remove_override("acme_plumbing", ALICE.model_copy(update={"reason": "another reason"}))
    assert store.snapshot("acme_plumbing").overrides == (GAS, ALICE)


def test_clients_do_not_share_live_state(store):
    store.set_status("acme_plumbing", STATUS)
    store.add_override("acme_plumbing", ALICE)
    assert store.snapshot("other_client") == EMPTY


def test_the_store_reports_itself_reachable_and_current(store):
    health = store.health()
    assert health.reachable and health.error is None
    assert health.age is not None and health.age >= 0  # read at least once: the copy has an age
    # kept current by polling: the copy is soon again under a second old (a loaded machine may lag a poll)
    assert eventually(lambda: store.health().age < 1, within=10.0, every=0.05)


def test_everything_is_kept_across_a_restart_with_offsets_intact(durable):
    first = open_store(durable)
    first.set_status("acme_plumbing", STATUS)
    first.add_override("acme_plumbing", ALICE)
    first.add_override("acme_plumbing", BOB)
    first.close()

    second = open_store(durable)
    state = second.snapshot("acme_plumbing")
    second.close()
    assert state.status == STATUS
    assert state.overrides == (ALICE, BOB)
    assert state.overrides[1].start.utcoffset() == timedelta(hours=1)


def test_a_change_written_by_another_process_is_seen_within_a_second(durable):
    daemon = open_store(durable)
    portal = open_store(durable)  # another process's connection to the same store
    try:
        assert daemon.snapshot("acme_plumbing") == EMPTY
        portal.set_status("acme_plumbing", STATUS)
        portal.add_override("acme_plumbing", ALICE)
        assert eventually(lambda: daemon.snapshot("acme_plumbing").overrides == (ALICE,), within=10.0)
        assert daemon.snapshot("acme_plumbing").status == STATUS
        portal.clear_status("acme_plumbing")
        portal.clear_overrides("acme_plumbing")
        assert eventually(lambda: daemon.snapshot("acme_plumbing") == EMPTY, within=10.0)
    finally:
        daemon.close()
        portal.close()


def test_a_sqlite_store_written_by_a_newer_engine_is_refused(tmp_path):
    path = tmp_path / "state.db"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError) as caught:
        SQLiteStore(path)
    assert str(caught.value) == (
        f"the live-state store {path} has schema version {SCHEMA_VERSION + 1}, newer than this engine "
        f"knows ({SCHEMA_VERSION}); upgrade the engine"
    )


def test_a_postgresql_store_written_by_a_newer_engine_is_refused(postgres_url):
    open_store(postgres_url).close()  # creates the schema
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("UPDATE live_state_schema SET version = version + 1")
    where = store_postgres.describe(postgres_url)
    with pytest.raises(StoreError) as caught:
        open_store(postgres_url)
    assert str(caught.value) == (
        f"the live-state store {where} has schema version {store_postgres.SCHEMA_VERSION + 1}, newer than this "
        f"engine knows ({store_postgres.SCHEMA_VERSION}); upgrade the engine"
    )


def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path):
    path = tmp_path / "state.db"
    path.write_text("these are not the tables you are looking for\n" * 100)
    with pytest.raises(StoreError, match=r"^cannot open the live-state store .*state\.db: file is not a database$"):
        SQLiteStore(path)


def test_a_database_that_does_not_exist_is_a_store_error_without_the_password(postgres_url):
    missing = store_postgres.describe(postgres_url).replace("postgresql://postgres@", "postgresql://postgres:s3cret@")
    missing = missing.rsplit("/", 1)[0] + "/no_such_database_here"
    with pytest.raises(StoreError) as caught:
        open_store(missing)
    message = str(caught.value)
    assert message.startswith(f"cannot open the live-state store {store_postgres.describe(missing)}: connection")
    assert 'database "no_such_database_here" does not exist' in message
    assert "s3cret" not in message


def test_using_a_closed_store_is_a_store_error(durable):
    store = open_store(durable)
    store.close()
    with pytest.raises(StoreError) as caught:
        store.set_status("acme_plumbing", STATUS)
    where = durable if isinstance(durable, Path) else store_postgres.describe(durable)
    assert str(caught.value) == f"cannot set the status of `acme_plumbing`: the live-state store {where} is closed"


# ---- through the engine: the daemon restarts, the decisions do not change --------------------

NIGHT_BURST = dict(
    client="acme_plumbing", at="2026-11-28T23:15:00-06:00", forwarded="busy", answers={"type": "burst_pipe"}
)
OPEN_MANUAL = dict(client="acme_plumbing", at="2026-11-27T10:00:00-06:00", forwarded="manual", agent="Dana")


def first_call_of_emergency(decision) -> tuple[str, str]:
    target = decision.route.actions[0].steps[0].targets[0]
    return target.contact, target.address


def without_age(decision) -> dict:
    """A decision as JSON, less the age of its live state (a shared store's decisions carry it)."""
    data = decision.to_dict()
    data.get("live_state", {}).pop("age", None)
    data.get("live_state", {}).pop("as_of", None)
    return data


def test_statuses_and_overrides_survive_closing_the_engine(acme_dir, durable):
    settings = dict(rules=acme_dir, store=durable)
    with Engine.from_settings(**settings) as engine:
        # Saturday night, the weekend layer has only carol and bob: alice is not on call.
        assert first_call_of_emergency(engine.decide(Call(**NIGHT_BURST)))[0] in ("carol", "bob")
        engine.set_status("acme_plumbing", "In court until 3pm")
        engine.set_override(
            "acme_plumbing",
            "plumbers",
            "alice",
            datetime(2026, 11, 28, 18, tzinfo=CHICAGO),
            datetime(2026, 11, 29, 8, tzinfo=CHICAGO),
            reason="covering for carol",
        )
        before = [engine.decide(Call(**call)) for call in (NIGHT_BURST, OPEN_MANUAL)]

    with Engine.from_settings(**settings) as engine:
        after = [engine.decide(Call(**call)) for call in (NIGHT_BURST, OPEN_MANUAL)]

    assert [without_age(d) for d in after] == [without_age(d) for d in before]
    assert first_call_of_emergency(after[0]) == ("alice", "+13125550111")
    # Friday 10:00, open, forwarded by hand with a status: the `away` greeting reads the note.
    assert after[1].greeting.id == "away"
    assert after[1].greeting.text == (
        "Acme Plumbing, this is Dana. Acme Plumbing & Heating is unavailable right now: In court until 3pm"
    )


def test_cleared_overrides_stay_cleared_after_a_restart(acme_dir, durable):
    settings = dict(rules=acme_dir, store=durable)
    with Engine.from_settings(**settings) as engine:
        engine.set_override(
            "acme_plumbing",
            "plumbers",
            "alice",
            datetime(2026, 11, 28, 18, tzinfo=CHICAGO),
            datetime(2026, 11, 29, 8, tzinfo=CHICAGO),
        )
        engine.clear_overrides("acme_plumbing", team="plumbers")
    with Engine.from_settings(**settings) as engine:
        assert engine.live_state("acme_plumbing").overrides == ()
        assert first_call_of_emergency(engine.decide(Call(**NIGHT_BURST)))[0] in ("carol", "bob")


@pytest.mark.parametrize(
    "team, person, message",
    [
        ("plumber", "alice", "team: client `acme_plumbing` has no on-call team `plumber`; did you mean `plumbers`?"),
        ("plumbers", "alicia", "person: client `acme_plumbing` has no contact `alicia`; did you mean `alice`?"),
    ],
)
def test_an_override_naming_an_unknown_team_or_person_is_refused(engine, team, person, message):
    with pytest.raises(CallError) as caught:
        engine.set_override(
            "acme_plumbing",
            team,
            person,
            datetime(2026, 11, 28, tzinfo=CHICAGO),
            datetime(2026, 11, 29, tzinfo=CHICAGO),
        )
    assert str(caught.value) == message
    assert engine.live_state("acme_plumbing").overrides == ()


def test_an_override_must_end_after_it_starts_and_carry_offsets(engine):
    start = datetime(2026, 11, 28, tzinfo=CHICAGO)
    with pytest.raises(CallError, match=r"^end: an override must end after it starts$"):
        engine.set_override("acme_plumbing", "plumbers", "alice", start, start)
    with pytest.raises(CallError, match=r"^start: needs a date-time with a time zone offset$"):
        engine.set_override("acme_plumbing", "plumbers", "alice", datetime(2026, 11, 28), start)


def test_a_change_whose_notification_was_lost_is_read_at_the_periodic_resync(postgres_url):
    daemon = store_postgres.PostgresStore(postgres_url, resync_interval=0.2)
    try:
        with psycopg.connect(postgres_url) as portal:  # writes the tables directly: no NOTIFY
            portal.execute(
                "INSERT INTO live_client (client, revision) VALUES ('acme_plumbing', nextval('live_revision'))"
            )
            portal.execute("INSERT INTO live_status (client, note) VALUES ('acme_plumbing', 'Back at 5')")
        assert eventually(lambda: daemon.snapshot("acme_plumbing").status is not None, within=10.0)
        assert daemon.snapshot("acme_plumbing").status == OwnerStatus(note="Back at 5")
    finally:
        daemon.close()
