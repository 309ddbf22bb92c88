"""Timing: each call timed on its own (perf_counter_ns), the timer's own cost taken off.

Per-call times give the median and the 99th percentile; the garbage collector stays on
(a served process has it on), but is emptied before each series so one series does not
pay for another's garbage.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Iterable, Sequence


def timer_overhead_ns(samples: int = 20_000) -> float:
    """The median cost of two back-to-back perf_counter_ns calls."""
    clock = time.perf_counter_ns
    costs = []
    for _ in range(samples):
        start = clock()
        costs.append(clock() - start)
    return statistics.median(costs)


OVERHEAD_NS = timer_overhead_ns()


def per_call(fn: Callable, arguments: Sequence, warmup: int = 200) -> dict:
    """Time `fn(*args)` for each args in `arguments`: wall-clock median, p99 and mean per call,
    and the process CPU time per call over the series (on a machine shared with other work,
    preemption inflates the wall-clock tail; CPU time is what the calls themselves cost)."""
    for args in arguments[:warmup]:
        fn(*args)
    gc.collect()
    clock = time.perf_counter_ns
    times = []
    append = times.append
    cpu = time.process_time()
    for args in arguments:
        start = clock()
        fn(*args)
        append(clock() - start)
    cpu = time.process_time() - cpu
    figures = summary_us(max(t - OVERHEAD_NS, 0.0) for t in times)
    figures["cpu_mean_us"] = round(cpu / len(arguments) * 1e6 - OVERHEAD_NS / 1000, 2)
    return figures


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

    def __enter__(self) -> Stopwatch:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu


def best_of_rounds(contenders: dict[str, tuple[Callable, Sequence]], rounds: int = 3) -> dict[str, dict]:
    """Time each contender in turn, `rounds` times over, and keep each one's round with the
    lowest median: other work on the machine then weighs on neither side of a ratio."""
    best: dict[str, dict] = {}
    for _ in range(rounds):
        for name, (fn, arguments) in contenders.items():
            figures = per_call(fn, arguments)
            if name not in best or figures["median_us"] < best[name]["median_us"]:
                best[name] = figures
    return best
