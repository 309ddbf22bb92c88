"""Timing: each call timed on its own (perf_counter_ns), the timer's own cost taken off.

Per-call times give the median and the 99th percentile; the garbage collector stays on
(a served process has it on), but is emptied before each series so one series does not
pay for another's garbage.
"""

from __future__ import annotations

import gc
import statistics
import time
from typing import Callable, Iterable, Sequence


def timer_overhead_ns(samples: int = 20_000) -> float:
    """The median cost of two back-to-back perf_counter_ns calls."""
    clock = time.perf_counter_ns
    costs = []
    for _ in range(samples):
        start = clock()
        costs.append(clock() - start)
    return statistics.median(costs)


OVERHEAD_NS = timer_overhead_ns()


def per_call_ns(fn: Callable, arguments: Sequence, warmup: int = 200) -> list[float]:
    """Time `fn(*args)` for each args in `arguments`; returns nanoseconds per call."""
    for args in arguments[:warmup]:
        fn(*args)
    gc.collect()
    clock = time.perf_counter_ns
    times = []
    append = times.append
    for args in arguments:
        start = clock()
        fn(*args)
        append(clock() - start)
    return [max(t - OVERHEAD_NS, 0.0) for t in times]


def summary_us(times_ns: Iterable[float]) -> dict:
    """Median, 99th percentile and mean, in microseconds."""
    ordered = sorted(times_ns)
    n = len(ordered)
    return {
        "n": n,
        "median_us": round(statistics.median(ordered) / 1000, 2),
        "p99_us": round(ordered[min(n - 1, int(n * 0.99))] / 1000, 2),
        "mean_us": round(statistics.fmean(ordered) / 1000, 2),
    }


class Stopwatch:
    """Wall-clock and CPU seconds of a block: on a busy machine the two part ways."""

    def __enter__(self) -> "Stopwatch":
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu
