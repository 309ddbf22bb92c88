"""The bounded background writer every log and recorder writes through: the caller never waits;
a full queue drops and counts; failed writes are retried with a growing pause; `flush` and
`close` tell the truth, even after the thread died; failures are logged once a minute at most."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from rules_engine.errors import StoreError
from rules_engine.storage.writer import BoundedWriter
from tests.support import wait_for

LOG = logging.getLogger("rules_engine.tests.writer")


def writer(write, **options) -> BoundedWriter[str]:
    options.setdefault("retry_on", (StoreError,))
    options.setdefault("retry_first", 0.001)
    return BoundedWriter(write, what="the test log", log=LOG, **options)


def test_no_thread_runs_until_the_first_record_is_offered():
    quiet = writer(lambda batch: None)
    assert quiet.stats().running is False
    quiet.offer("first")
    assert quiet.flush(5) and quiet.stats().running
    assert quiet.close()
    assert quiet.stats().running is False


def test_a_full_queue_drops_and_counts_without_waiting():
    started, release, written = threading.Event(), threading.Event(), []

    def slow(batch):
        started.set()
        release.wait(10)
        written.extend(batch)

    held = writer(slow, capacity=2)
    held.offer("first")
    assert started.wait(5)  # the thread holds "first" and waits on the store
    began = time.monotonic()
    offered = [held.offer(record) for record in ("second", "third", "fourth")]
    assert time.monotonic() - began < 0.5
    assert offered == [True, True, False]  # two fit in the queue; "fourth" is dropped at once
    stats = held.stats()
    assert (stats.offered, stats.written, stats.queued, stats.dropped) == (4, 0, 3, 1)
    release.set()
    assert held.flush(5)
    assert written == ["first", "second", "third"]
    assert held.close()


def test_a_failing_write_is_tried_again_with_the_same_records_until_it_works():
    failures, written = iter([True, True, False]), []

    def flaky(batch):
        if next(failures):
            raise StoreError("the database is restarting")
        written.extend(batch)

    retried = writer(flaky)
    retried.offer("kept")
    assert retried.flush(5)
    stats = retried.stats()
    assert written == ["kept"]
    assert (stats.failures, stats.last_error, stats.failing_since) == (2, "the database is restarting", None)
    assert stats.last_error_at is not None
    retried.close()


def test_records_a_failed_write_took_off_its_list_are_not_written_again():
    """As the file log writes: record by record, taking each off the list once it is written."""
    gate, written, seen = threading.Event(), [], []

    def record_by_record(batch):
        seen.append(list(batch))
        if batch == ["warm-up"]:  # holds the thread while a, b and c queue behind it
            gate.wait(5)
            batch.clear()
            return
        written.append(batch.pop(0))
        if len(seen) == 2:
            raise StoreError("the disk is full")  # after "a" was written
        written.extend(batch)
        batch.clear()

    partial = writer(record_by_record, retry_first=0.01)
    partial.offer("warm-up")
    wait_for(lambda: seen, "the thread to take the first record", seconds=5)
    for record in ("a", "b", "c"):
        partial.offer(record)
    gate.set()
    assert partial.flush(5)
    assert seen == [["warm-up"], ["a", "b", "c"], ["b", "c"]]
    assert written == ["a", "b", "c"]
    assert (partial.stats().written, partial.stats().failures) == (4, 1)
    partial.close()


def test_flush_never_reports_success_after_the_thread_died(caplog):
    """The outcome writer's `flush` used to answer True once its thread had died."""

    def broken(batch):
        raise TypeError("a bug, not a store that is down")

    dying = writer(broken)
    dying.offer("lost")
    wait_for(lambda: dying.stats().died is not None, "the thread to die", seconds=5)
    assert dying.flush(5) is False
    assert dying.offer("later") is False
    stats = dying.stats()
    assert stats.died == "TypeError: a bug, not a store that is down"
    assert (stats.written, stats.queued, stats.dropped, stats.running) == (0, 0, 2, False)
    assert dying.close() is False
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.getMessage().startswith("the test log: the writing thread stopped; 1 records dropped")
    assert record.exc_info is not None


def test_flush_says_false_when_its_deadline_passes_first():
    def down(batch):
        raise StoreError("connection refused")

    failing = writer(down, retry_first=0.01, retry_max=0.05)
    failing.offer("waiting")
    began = time.monotonic()
    assert failing.flush(0.3) is False
    assert 0.25 < time.monotonic() - began < 2
    assert failing.stats().queued == 1 and failing.stats().failing_since is not None
    assert failing.close(0.1) is False


def test_closing_writes_what_is_queued_and_gives_up_at_its_deadline():
    written = []
    working = writer(written.extend)
    for n in range(1000):
        working.offer(f"r{n}")
    assert working.close(5) is True
    assert len(written) == 1000 and working.stats().written == 1000

    def down(batch):
        raise StoreError("connection refused")

    failing = writer(down)
    for n in range(10):
        failing.offer(f"r{n}")
    began = time.monotonic()
    assert failing.close(0.3) is False
    assert time.monotonic() - began < 2
    stats = failing.stats()
    assert (stats.written, stats.queued, stats.dropped) == (0, 0, 10)
    assert failing.offer("after") is False and failing.stats().dropped == 11


def test_failures_and_drops_are_logged_once_a_minute_at_most(caplog):
    def down(batch):
        raise StoreError("no space left on device")

    noisy = writer(down, capacity=1, retry_first=0.001, retry_max=0.001)
    with caplog.at_level(logging.WARNING, logger=LOG.name):
        for n in range(50):
            noisy.offer(f"r{n}")
        wait_for(lambda: noisy.stats().failures >= 50, "fifty failed writes", seconds=5)
    warnings = [r.getMessage() for r in caplog.records if r.name == LOG.name and r.levelno == logging.WARNING]
    assert warnings == [
        "the test log: the queue of 1 is full; 1 records dropped so far",
        "the test log: cannot write (no space left on device); records wait in a queue of 1 and are tried again",
    ] or warnings == [
        "the test log: cannot write (no space left on device); records wait in a queue of 1 and are tried again",
        "the test log: the queue of 1 is full; 1 records dropped so far",
    ]
    noisy.close(0.1)


@pytest.mark.parametrize("capacity", [1, 3])
def test_every_record_offered_is_written_queued_or_dropped(capacity):
    release = threading.Event()
    held = writer(lambda batch: release.wait(5), capacity=capacity)
    for n in range(20):
        held.offer(f"r{n}")
    stats = held.stats()
    assert stats.written + stats.queued + stats.dropped == stats.offered == 20
    release.set()
    assert held.close(5)
    stats = held.stats()
    assert stats.written + stats.dropped == 20 and stats.queued == 0


def test_with_linger_records_offered_together_are_written_in_one_batch_and_a_flush_does_not_wait():
    batches: list[list[str]] = []
    gathering = writer(batches.append, linger=5.0)
    for number in range(20):
        gathering.offer(f"record {number}")
    began = time.monotonic()
    assert gathering.flush(10)  # asks for the batch at once: not 5 s of lingering
    assert time.monotonic() - began < 2.0
    assert [record for batch in batches for record in batch] == [f"record {number}" for number in range(20)]
    assert len(batches) <= 2  # the first record may have been taken before the others came
    began = time.monotonic()
    gathering.offer("late")
    assert gathering.close()
    assert time.monotonic() - began < 2.0 and batches[-1] == ["late"]
