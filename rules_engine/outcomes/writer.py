"""The background writer of decided-call facts: `decide` only puts a tuple in a bounded queue.

One thread takes what is queued, turns each (call, decision, call id) into a `Decided` row
and writes them in batches, one transaction a batch. `decide` never waits for the database:

- When the queue is full (the database is slow or away and `capacity` decisions are
  waiting), the new facts are dropped and counted in `dropped`; the call was still decided
  and served, but outcomes cannot be recorded for it (`record_outcome` says the call id is
  unknown) and reports do not count it.
- When a write fails, the batch is kept and tried again, waiting a little longer each time
  (up to `RETRY_MAX` seconds), while new facts queue behind it; `failures` counts the tries
  that failed and `last_error` says why.

`flush()` waits until everything queued so far is written (recording an outcome and making
a report call it, so they see every call decided before them).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import RulesEngineError
from .records import Decided, decided

LOG = logging.getLogger("rules_engine.outcomes")
BATCH = 500
RETRY_FIRST, RETRY_MAX = 0.05, 5.0
STOP = object()


class BackgroundWriter:
    def __init__(self, write: Callable[[Sequence[Decided]], None], capacity: int = 10_000):
        self._write = write
        self._queue: queue.Queue = queue.Queue(maxsize=capacity)
        self.capacity = capacity
        self.dropped = 0
        self.failures = 0
        self.last_error: str | None = None
        self._accepted = 0  # facts queued so far, and of those, the ones written
        self._written = 0
        self._done = threading.Condition()
        self._count = threading.Lock()
        self._thread: threading.Thread | None = None  # started by the first offer: most engines never record

    def offer(self, call: Any, decision: Any, call_id: str) -> None:
        """Queue one decision's facts, or drop and count them when the queue is full."""
        with self._count:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="rules-engine-outcomes", daemon=True)
                self._thread.start()
            try:
                self._queue.put_nowait((call, decision, call_id))
            except queue.Full:
                self.dropped += 1
                return
            self._accepted += 1

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until what was queued before this call is written; False if that took over `timeout`."""
        target = self._accepted
        deadline = time.monotonic() + timeout
        with self._done:
            while self._written < target and self._thread is not None and self._thread.is_alive():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._done.wait(left)
        return True

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued (for at most `timeout` seconds), then stop the thread."""
        if self._thread is None:
            return
        self.flush(timeout)
        try:
            self._queue.put(STOP, timeout=1.0)
        except queue.Full:
            pass
        self._thread.join(timeout=1.0)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is STOP:
                return
            batch = [item]
            while len(batch) < BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is STOP:
                    self._store(batch)
                    return
                batch.append(item)
            self._store(batch)

    def _store(self, batch: list) -> None:
        rows = [decided(call, decision, call_id) for call, decision, call_id in batch]
        pause = RETRY_FIRST
        while True:
            try:
                self._write(rows)
                break
            except RulesEngineError as exc:
                self.failures += 1
                self.last_error = str(exc)
                LOG.warning(
                    "cannot record decided calls yet (%d waiting), trying again in %.2fs: %s", len(rows), pause, exc
                )
                time.sleep(pause)
                pause = min(pause * 2, RETRY_MAX)
        with self._done:
            self._written += len(batch)
            self._done.notify_all()
