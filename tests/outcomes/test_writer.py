"""Decided calls reach the outcome store through the engine's bounded background writer
(`storage.writer`, tested on its own in tests/storage/test_writer.py): decide never waits for
it; closing writes what it holds; a report or an outcome that cannot see every call decided
before it (the store down, the writer stopped) says so instead of counting short."""

from __future__ import annotations

import threading

import pytest

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.errors import StoreError
from rules_engine.outcomes import recorder
from rules_engine.outcomes.store import MemoryOutcomes
from rules_engine.runtime.stores import open_outcome_store as open_store
from tests.outcomes.histories import local, tiny_engine

CALL = Call(client="tiny_vets", at=local("2026-11-03 09:00"), forwarded="busy")


def test_an_engine_starts_no_writer_thread_until_a_call_is_decided_with_an_id(tmp_path):
    with tiny_engine(tmp_path) as engine:
        engine.decide(CALL)
        assert engine.outcomes.writer.stats().running is False
        engine.decide(CALL, call_id="x")
        assert engine.outcomes.writer.flush(5)
        assert engine.outcomes.store.decided("x").rule == 1


def test_closing_the_engine_writes_every_decided_call_first(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    settings = dict(rules=rules, store=tmp_path / "state.db")
    tiny_engine(rules).close()
    with Engine.from_settings(**settings) as engine:
        for number in range(300):
            engine.decide(CALL, call_id=f"closing-{number}")
    with Engine.from_settings(**settings) as engine:
        assert engine.report("tiny_vets", CALL.at.date(), CALL.at.date())["received"] == 300


def test_threads_deciding_and_recording_at_once_lose_nothing(tmp_path):
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


class BrokenOutcomes(MemoryOutcomes):
    """A store with a bug: taking decided calls raises an error nobody retries."""

    def add_decided(self, rows):
        raise KeyError("decided_call")


class DownOutcomes(MemoryOutcomes):
    """A store whose database is down for decided calls."""

    def add_decided(self, rows):
        raise StoreError("cannot use the outcome store: connection refused")


def test_a_report_after_the_writer_died_says_so_instead_of_counting_short(tmp_path):
    with tiny_engine(tmp_path, outcomes=BrokenOutcomes()) as engine:
        engine.decide(CALL, call_id="never-written")  # the decision is made and served all the same
        with pytest.raises(StoreError) as caught:
            engine.report("tiny_vets", CALL.at.date(), CALL.at.date())
        assert str(caught.value) == "the outcome store is behind: its writer stopped (KeyError: 'decided_call')"
        assert engine.outcomes.writer.stats().dropped == 1


def test_an_outcome_while_decided_calls_cannot_be_written_says_why(tmp_path, monkeypatch):
    monkeypatch.setattr(recorder, "CATCH_UP_S", 0.2)
    with tiny_engine(tmp_path, outcomes=DownOutcomes()) as engine:
        engine.decide(CALL, call_id="waiting")
        with pytest.raises(StoreError) as caught:
            engine.record_outcome("waiting", "answered", at=CALL.at)
        assert str(caught.value) == (
            "the outcome store is behind: 1 decided call(s) still wait to be written "
            "(cannot use the outcome store: connection refused)"
        )
        engine.outcomes.writer.close(0.1)
