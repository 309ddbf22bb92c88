"""The bounded background writer: whoever offers a record never waits for the database or disk.

`offer` puts a record on a queue of `capacity` and returns at once; one thread (started by
the first offer: most engines never need it) takes up to `batch` records at a time and hands
them to `write`. Its rules, the same for every user (the PostgreSQL decision log, the file
decision log's backlog, the outcome recorder):

- **Batches gather.** With `linger`, the thread waits that long after the first record of a
  batch for more to come, so that a busy service writes one batch (one transaction, one
  `write`) every `linger` seconds rather than one per record; `flush` and `close` do not wait
  for it (a flush asks for the batch at once).
- **A full queue drops.** A record offered while `capacity` wait (the database slow or down,
  the disk full) is dropped and counted at once; the caller's work (a decision) matters more
  than the record of it.
- **A failed write is retried** with a growing pause (`retry_first`, doubling up to
  `retry_max`) while new records queue behind it; only the errors named by `retry_on` are
  retried. `write` may take records off the front of its list before it fails (a file written
  record by record): those count as written and are not written again.
- **Anything else kills the thread**, said once through `logging` with its traceback: the
  records queued are counted as dropped, later offers are dropped, `flush` answers False and
  `stats().died` says why. It never reports success after that.
- **Said, not shouted:** failures and drops are logged at most once a `warn_every` (60 s) each.
- **`flush(timeout)`** waits until every record offered before it is written: True only then;
  False when the deadline passed first, or the thread died or gave records up.
- **`close(timeout)`** writes what is queued for at most `timeout` seconds, retrying briskly;
  what is still unwritten then is dropped and counted (closing waits `write_seconds` more for
  a write under way). True when everything was written.
- **`stats()`** counts every record offered as exactly one of written, queued or dropped, with
  the failures, since when writing fails and the last error: for health checks and metrics.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

T = TypeVar("T")
WAKE = object()  # put on the queue by `close`, so that an idle thread sees it at once

WARN_EVERY_S = 60.0
TAKE_WAIT_S = 0.2  # how long the idle thread waits for a record before it checks for closing


@dataclass(frozen=True)
class WriterStats:
    """What became of every record offered: `written + queued + dropped == offered`."""

    offered: int
    written: int
    queued: int  # waiting, or being written
    dropped: int  # never to be written: the queue was full, the writer had stopped, or closing gave up
    failures: int  # write attempts that failed
    failing_since: datetime | None  # None while writes work
    last_error: str | None
    last_error_at: datetime | None
    running: bool  # the thread is alive (False before the first offer and after close)
    died: str | None  # why the thread stopped, if it died of an error it does not retry


class Throttle:
    """Lets a message through at most once every `every` seconds."""

    def __init__(self, every: float = WARN_EVERY_S):
        self.every = every
        self._last: float | None = None
        self._lock = threading.Lock()

    def ready(self) -> bool:
        now = time.monotonic()
        with self._lock:
            if self._last is not None and now - self._last < self.every:
                return False
            self._last = now
            return True


def reason_of(exc: BaseException) -> str:
    """An error's first line, for a message (a database's errors run to several)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


class BoundedWriter(Generic[T]):
    """Writes what is offered from a thread of its own, in batches; see the module's rules."""

    def __init__(
        self,
        write: Callable[[list[T]], None],
        *,
        what: str,
        log: logging.Logger,
        retry_on: tuple[type[BaseException], ...],
        capacity: int = 10_000,
        batch: int = 500,
        retry_first: float = 0.05,
        retry_max: float = 5.0,
        close_seconds: float = 5.0,
        write_seconds: float = 1.0,
        linger: float = 0.0,
        warn_every: float = WARN_EVERY_S,
        noun: str = "records",
    ):
        self._write = write
        self.what = what  # "the decision log postgresql://…": the subject of every message
        self.noun = noun
        self.capacity = capacity
        self.batch = batch
        self.retry_first = retry_first
        self.retry_max = retry_max
        self.close_seconds = close_seconds
        self.write_seconds = write_seconds  # the longest one call of `write` takes: closing waits for it
        self.linger = linger  # how long a batch waits for more records after its first
        self._hurry = threading.Event()  # set by `flush` and `close`: the batch is written without lingering
        self._log = log
        self._retry_on = retry_on
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=capacity)  # records, and WAKE
        self._lock = threading.Condition()
        self._offered = self._written = self._dropped = self._failures = 0
        self._accepted = 0  # records that entered the queue, in order; `_finished` of them are done with
        self._finished = 0
        self._lost = 0  # records that entered the queue and were dropped (death, or closing gave up)
        self._failing_since: datetime | None = None
        self._last_error: str | None = None
        self._last_error_at: datetime | None = None
        self._died: str | None = None
        self._closing = threading.Event()
        self._deadline = float("inf")  # when closing stops retrying
        self._thread: threading.Thread | None = None
        self._failure_warning = Throttle(warn_every)
        self._drop_warning = Throttle(warn_every)

    # ---- what callers use ----------------------------------------------------------------------

    def offer(self, item: T) -> bool:
        """Queue `item` for writing; False (and counted as dropped) when it cannot be."""
        with self._lock:
            self._offered += 1
            if self._closing.is_set() or self._died is not None:
                why = "it has stopped" if self._died is not None else "it is closed"
                self._dropped += 1
                dropped = self._dropped
            else:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name=f"writer: {self.what}", daemon=True)
                    self._thread.start()
                try:
                    self._queue.put_nowait(item)
                except queue.Full:
                    why = f"the queue of {self.capacity} is full"
                    self._dropped += 1
                    dropped = self._dropped
                else:
                    self._accepted += 1
                    return True
        if self._drop_warning.ready():
            self._log.warning("%s: %s; %d %s dropped so far", self.what, why, dropped, self.noun)
        return False

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every record offered before this call is written. True only then; False
        when `timeout` seconds pass first, or the thread died or gave records up."""
        deadline = time.monotonic() + timeout
        self._hurry.set()
        with self._lock:
            target = self._accepted
            while self._finished < target:
                left = deadline - time.monotonic()
                if left <= 0 or self._died is not None or self._thread is None or not self._thread.is_alive():
                    return False
                self._lock.wait(min(left, 0.5))
            return self._lost == 0 and self._died is None

    def close(self, timeout: float | None = None) -> bool:
        """Write what is queued, for at most `timeout` seconds (`close_seconds` by default), then
        stop; what could not be written is dropped and counted. True when everything was written."""
        seconds = self.close_seconds if timeout is None else timeout
        with self._lock:
            if not self._closing.is_set():
                self._deadline = time.monotonic() + seconds
                self._closing.set()
                self._hurry.set()
                try:
                    self._queue.put_nowait(WAKE)
                except queue.Full:
                    pass  # the thread is busy writing: it sees `_closing` when it is done
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(seconds + TAKE_WAIT_S + self.write_seconds)  # + a write that was under way
        with self._lock:
            return self._finished == self._accepted and self._lost == 0 and self._died is None

    def waiting(self) -> int:
        """Records in the queue, not yet taken by the thread (one more while closing)."""
        return self._queue.qsize()

    def stats(self) -> WriterStats:
        with self._lock:
            return WriterStats(
                offered=self._offered,
                written=self._written,
                queued=self._offered - self._written - self._dropped,
                dropped=self._dropped,
                failures=self._failures,
                failing_since=self._failing_since,
                last_error=self._last_error,
                last_error_at=self._last_error_at,
                running=self._thread is not None and self._thread.is_alive(),
                died=self._died,
            )

    # ---- the thread ----------------------------------------------------------------------------

    def _run(self) -> None:
        batch: list[T] = []
        try:
            while True:
                batch = self._take()
                if not batch:
                    if self._closing.is_set():
                        return
                    continue
                if not self._write_until_done(batch):
                    return  # closing gave up
                batch = []
        except BaseException as exc:  # a bug or an error nobody said to retry: stop, and say so
            self._die(exc, batch)

    def _take(self) -> list[T]:
        """Up to `batch` queued records, waiting a moment for the first (not when closing)."""
        try:
            first = self._queue.get_nowait() if self._closing.is_set() else self._queue.get(timeout=TAKE_WAIT_S)
        except queue.Empty:
            return []
        batch = [] if first is WAKE else [first]
        if self.linger > 0 and batch and not self._closing.is_set():
            # gather: a batch of the records that come meanwhile (the queue is thread-safe)
            if self._queue.qsize() < self.batch - 1:
                self._hurry.wait(self.linger)
            self._hurry.clear()
        while len(batch) < self.batch:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not WAKE:
                batch.append(item)
        return batch

    def _write_until_done(self, batch: list[T]) -> bool:
        """Write `batch`, retrying while it fails; False when closing gave it up."""
        pause = self.retry_first
        while True:
            size = len(batch)
            try:
                self._write(batch)
            except self._retry_on as exc:
                self._count_written(size - len(batch), recovered=False)
                self.failed(exc)
                if not batch:
                    return True  # everything was written before it failed
                left = self._deadline - time.monotonic()
                if self._closing.is_set() and left <= 0:
                    self._give_up(batch, reason_of(exc))
                    return False
                if self._closing.is_set():
                    time.sleep(min(0.05, left))  # closing: retry briskly until the deadline
                else:
                    self._closing.wait(pause)
                    pause = min(pause * 2, self.retry_max)
                continue
            self._count_written(size, recovered=True)
            return True

    def _count_written(self, count: int, recovered: bool) -> None:
        """`count` records written; `recovered`: the whole batch, so writing works (again)."""
        with self._lock:
            self._written += count
            self._finished += count
            was_failing = self._failing_since is not None
            if recovered:
                self._failing_since = None
            self._lock.notify_all()
        if recovered and was_failing:
            self._log.info("%s: writing again", self.what)

    def failed(self, exc: BaseException) -> None:
        """Count a failed attempt to write: the thread's, or one its user made itself (a write
        tried at once, a first connection), so that `stats()` tells of every failure."""
        reason = reason_of(exc)
        now = datetime.now(UTC)
        with self._lock:
            self._failures += 1
            self._failing_since = self._failing_since or now
            self._last_error, self._last_error_at = reason, now
        if self._failure_warning.ready():
            self._log.warning(
                "%s: cannot write (%s); %s wait in a queue of %d and are tried again",
                self.what,
                reason,
                self.noun,
                self.capacity,
            )

    def _give_up(self, batch: list[T], reason: str) -> None:
        """Closing with writes still failing: what is left is dropped and counted."""
        left = len(batch) + self._drain()
        with self._lock:
            self._dropped += left
            self._finished += left
            self._lost += left
            self._lock.notify_all()
        if left:
            self._log.warning(
                "%s: closed while writes failed (%s); %d %s not written", self.what, reason, left, self.noun
            )

    def _die(self, exc: BaseException, batch: list[T]) -> None:
        left = len(batch) + self._drain()
        with self._lock:
            self._died = f"{type(exc).__name__}: {reason_of(exc)}"
            self._last_error, self._last_error_at = self._died, datetime.now(UTC)
            self._dropped += left
            self._finished += left
            self._lost += left
            self._lock.notify_all()
        self._log.error(
            "%s: the writing thread stopped; %d %s dropped, and later ones will be",
            self.what,
            left,
            self.noun,
            exc_info=exc,
        )

    def _drain(self) -> int:
        count = 0
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return count
            count += item is not WAKE
