"""The background writer of decided-call facts: decide never waits; a full queue drops and counts;
a failing store is retried until the facts are written."""

from __future__ import annotations

import threading

from rules_engine.decide.call import Call
from rules_engine.errors import StoreError
from rules_engine.outcomes import writer as writers
from rules_engine.outcomes.writer import BackgroundWriter
from tests.outcomes.histories import local, tiny_engine

CALL = Call(client="tiny_vets", at=local("2026-11-03 09:00"), forwarded="busy")


class Decision:
    """The few fields of a decision the writer reads."""

    client, at, urgency, route, rules_version = "tiny_vets", "2026-11-03T09:00:00-06:00", None, None, "v1"


def test_a_full_queue_drops_and_counts_the_facts_without_waiting():
    started, release, written = threading.Event(), threading.Event(), []

    def slow_store(rows):
        started.set()
        release.wait(10)
        written.extend(row.call_id for row in rows)

    writer = BackgroundWriter(slow_store, capacity=2)
    writer.offer(CALL, Decision(), "first")
    assert started.wait(5)  # the writer holds "first" and waits on the store
    for call_id in ("second", "third", "fourth"):
        writer.offer(CALL, Decision(), call_id)  # two fit in the queue; "fourth" is dropped at once
    assert writer.dropped == 1
    release.set()
    assert writer.flush(5)
    assert written == ["first", "second", "third"]
    writer.close()


def test_a_store_that_fails_is_tried_again_until_it_takes_the_facts(monkeypatch):
    monkeypatch.setattr(writers, "RETRY_FIRST", 0.001)
    failures, written = iter([True, True, False]), []

    def flaky_store(rows):
        if next(failures):
            raise StoreError("cannot use the outcome store: the database is restarting")
        written.extend(row.call_id for row in rows)

    writer = BackgroundWriter(flaky_store)
    writer.offer(CALL, Decision(), "kept")
    assert writer.flush(5)
    assert written == ["kept"]
    assert (writer.failures, writer.last_error) == (2, "cannot use the outcome store: the database is restarting")
    writer.close()


def test_an_engine_starts_no_writer_thread_until_a_call_is_decided_with_an_id(tmp_path):
    with tiny_engine(tmp_path) as engine:
        engine.decide(CALL)
        assert engine.outcomes.writer._thread is None
        engine.decide(CALL, call_id="x")
        assert engine.outcomes.writer.flush(5)
        assert engine.outcomes.store.decided("x").rule == 1


def test_closing_the_engine_writes_every_decided_call_first(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    settings = dict(rules=rules, store=tmp_path / "state.db")
    tiny_engine(rules).close()
    from rules_engine.engine import Engine

    with Engine.from_settings(**settings) as engine:
        for number in range(300):
            engine.decide(CALL, call_id=f"closing-{number}")
    with Engine.from_settings(**settings) as engine:
        assert engine.report("tiny_vets", CALL.at.date(), CALL.at.date())["received"] == 300


def test_threads_deciding_and_recording_at_once_lose_nothing(tmp_path):
    from rules_engine.runtime.stores import open_outcome_store as open_store

    store = open_store(tmp_path / "state.db")
    with tiny_engine(tmp_path, outcomes=store) as engine:

        def work(thread: int) -> None:
            for number in range(100):
                call_id = f"t{thread}-{number}"
                engine.decide(CALL, call_id=call_id)
                engine.record_outcome(call_id, "answered", at=CALL.at, waited_seconds=number % 30)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        report = engine.report("tiny_vets", CALL.at.date(), CALL.at.date())
    store.close()
    assert (report["received"], report["answered"], report["no_outcome"]) == (400, 400, 0)
