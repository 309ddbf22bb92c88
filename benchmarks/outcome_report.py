"""The outcome report over 100,000 recorded calls (target: under 2 s), and what recording costs `decide`.

    .venv/bin/python benchmarks/outcome_report.py                      # SQLite: ~1 minute on 2 cores
    .venv/bin/python benchmarks/outcome_report.py --postgres URL       # and PostgreSQL (a database of yours)

Generates one client's quarter (Acme Plumbing at ~1,100 calls a day, seeded: generate.py)
into a fresh store, then times `Engine.report` over it (best and median of 5), split into
reading the history and computing the figures. Then times `Engine.decide` with and without
a `call_id` (the recording hook: one tuple put in the background writer's queue).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.outcomes import generate, metrics
from rules_engine.runtime.stores import open_outcome_store as open_store
from rules_engine.schedule.clock import zone

ROOT = Path(__file__).resolve().parent.parent
CLIENT, START, DAYS = "acme_plumbing", date(2026, 9, 1), 91
BEHAVIOUR = generate.Behaviour(calls_per_day=1320, callers_per_day=300)


def timed(action, rounds: int = 5) -> tuple[float, float, object]:
    seconds, result = [], None
    for _ in range(rounds):
        began = time.perf_counter()
        result = action()
        seconds.append(time.perf_counter() - began)
    return min(seconds), statistics.median(seconds), result


def bench_report(location: str | Path, label: str) -> float:
    store = open_store(location)
    with Engine(ROOT / "client_configs", outcomes=store) as engine:
        began = time.perf_counter()
        calls = generate.write(store, generate.history(engine, CLIENT, START, DAYS, seed=1, behaviour=BEHAVIOUR))
        print(f"{label}: {calls:,} calls generated and stored in {time.perf_counter() - began:.1f} s")
        end = START + timedelta(days=DAYS - 1)
        best, median, report = timed(lambda: engine.report(CLIENT, START, end))
        assert report["received"] == calls, (report["received"], calls)
        client = engine.client(CLIENT)
        tz = zone(client.timezone)
        first, last = metrics.span(START, end, tz)
        window = metrics.Parameters().fcr_window.total_seconds()
        read_best, _, history = timed(
            lambda: store.history(CLIENT, first.timestamp(), last.timestamp(), last.timestamp() + window)
        )
        compute_best, _, _ = timed(lambda: metrics.report(history, client=CLIENT, start=first, end=last, zone=tz))
    store.close()
    print(
        f"{label}: report over {calls:,} calls: best {best:.3f} s, median {median:.3f} s "
        f"(reading the history {read_best:.3f} s, computing the figures {compute_best:.3f} s) "
        f"— target < 2 s: {'met' if best < 2 else 'MISSED'}"
    )
    return best


def bench_decide_hook(count: int = 20_000) -> None:
    with (
        tempfile.TemporaryDirectory() as folder,
        Engine(ROOT / "client_configs", outcomes=open_store(Path(folder) / "state.db")) as engine,
    ):
        calls = [
            Call(
                client=CLIENT,
                at=f"2026-11-{3 + i % 20:02d}T{8 + i % 10:02d}:{i % 60:02d}:00-06:00",
                forwarded=("busy", "no_answer")[i % 2],
                caller=f"+1312555{2000 + i % 5000:04d}",
                answers={"type": "burst_pipe"},
            )
            for i in range(count)
        ]
        for call in calls[:1000]:
            engine.decide(call)  # warm
        for rounds in range(3):
            plain, hooked = [], []
            for i, call in enumerate(calls):
                began = time.perf_counter_ns()
                engine.decide(call)
                plain.append(time.perf_counter_ns() - began)
                began = time.perf_counter_ns()
                engine.decide(call, call_id=f"bench-{rounds}-{i}")
                hooked.append(time.perf_counter_ns() - began)
            engine.outcomes.writer.flush(60)
        writer = engine.outcomes.writer.stats()
        print(
            f"decide without / with call_id ({count:,} calls each, interleaved, last round): median "
            f"{statistics.median(plain) / 1000:.1f} / {statistics.median(hooked) / 1000:.1f} µs; dropped "
            f"{writer.dropped}, failed writes {writer.failures}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", help="also measure on this PostgreSQL database (tables are added)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        best = bench_report(Path(folder) / "state.db", "SQLite")
    if args.postgres:
        best = max(best, bench_report(args.postgres, "PostgreSQL"))
    bench_decide_hook()
    return 0 if best < 2 else 1


if __name__ == "__main__":
    sys.exit(main())
