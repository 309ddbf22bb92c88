"""Live state under load: the figures of issue 14 ("reads never wait for writes") and issue 16.

    .venv/bin/python benchmarks/live_state.py              # everything: about 2 minutes on 2 cores
    .venv/bin/python benchmarks/live_state.py --changes 200 --seconds 1   # a quicker run

1. decide p50/p99 on a SQLite store, alone and while another connection holds the write
   lock for 3 s (with one of this engine's writes waiting for it meanwhile);
2. three processes writing statuses to one SQLite file as fast as they can: the worst wait
   of one `set_status` (and its p99);
3. propagation across three processes: one sets a status 1,000 times (every 20 ms), two
   others watch their snapshot; from the start of each write to the moment each watcher
   holds it: median and worst, for PostgreSQL and for SQLite;
4. decisions per second, one thread, with the store in memory, in SQLite and in PostgreSQL
   (the best of 3 series each, the stores taking turns).

PostgreSQL figures use a new database on 127.0.0.1:5432 (or BENCH_POSTGRES=URL of a
database where the user may CREATE DATABASE), dropped at the end; without a server they
are left out, with a note.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.live import OwnerStatus
from rules_engine.runtime.state import MemoryStore
from rules_engine.runtime.stores import open_store

ACME = ROOT / "client_configs" / "acme_plumbing.rules"
CLIENT = "acme_plumbing"
NIGHT_BURST = Call(client=CLIENT, at="2026-11-28T23:15:00-06:00", forwarded="busy", answers={"type": "burst_pipe"})
ADMIN = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def decide_for(engine: Engine, seconds: float) -> list[float]:
    """Seconds per `decide`, for `seconds`."""
    times = []
    deadline = time.perf_counter() + seconds
    while (now := time.perf_counter()) < deadline:
        engine.decide(NIGHT_BURST)
        times.append(time.perf_counter() - now)
    return times


# ---- 1. decide while another connection holds SQLite's write lock ------------------------------


def decide_under_a_held_lock(directory: Path, seconds: float) -> dict:
    path = directory / "held.db"
    with Engine(ACME, store=open_store(path)) as engine:
        engine.set_status(CLIENT, "Back at 5")
        alone = decide_for(engine, seconds)
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        waiting = threading.Thread(target=engine.set_status, args=(CLIENT, "In court"))
        waiting.start()
        held = decide_for(engine, seconds)
        still_waiting = waiting.is_alive()
        other.execute("ROLLBACK")
        waiting.join()
    return {
        "alone_p50_us": percentile(alone, 0.5) * 1e6,
        "alone_p99_us": percentile(alone, 0.99) * 1e6,
        "held_p50_us": percentile(held, 0.5) * 1e6,
        "held_p99_us": percentile(held, 0.99) * 1e6,
        "held_max_us": max(held) * 1e6,
        "write_waited_throughout": still_waiting,
    }


# ---- 2. three writing processes ------------------------------------------------------------


def write_many(location: str, client: str, count: int) -> None:
    store = open_store(location)
    waits = []
    for n in range(count):
        started = time.perf_counter()
        store.set_status(client, OwnerStatus(note=f"note {n}"))
        waits.append(time.perf_counter() - started)
    store.close()
    print(json.dumps(waits))


def three_writers(directory: Path, count: int) -> dict:
    path = directory / "writers.db"
    open_store(path).close()
    writers = [role("write", str(path), f"client_{n}", str(count)) for n in range(3)]
    waits = [wait for writer in writers for wait in json.loads(finished(writer))]
    return {
        "writes": len(waits),
        "p50_ms": percentile(waits, 0.5) * 1e3,
        "p99_ms": percentile(waits, 0.99) * 1e3,
        "worst_ms": max(waits) * 1e3,
    }


# ---- 3. propagation across three processes ----------------------------------------------------


def set_statuses(location: str, count: int, pause: float, out: str) -> None:
    """Set `CLIENT`'s status to 1, 2, … `count`, `pause` seconds apart; write when each write began."""
    store = open_store(location)
    began = []
    for n in range(1, count + 1):
        began.append(time.time())
        store.set_status(CLIENT, OwnerStatus(note=str(n)))
        time.sleep(pause)
    store.close()
    Path(out).write_text(json.dumps(began))


def watch(location: str, count: int, out: str) -> None:
    """Note when this process's snapshot first holds each status, until it holds the last."""
    store = open_store(location)
    seen: dict[int, float] = {}
    latest = 0
    print("ready", flush=True)
    deadline = time.monotonic() + 300
    while latest < count and time.monotonic() < deadline:
        status = store.snapshot(CLIENT).status
        number = int(status.note) if status is not None else 0
        if number > latest:
            now = time.time()
            for n in range(latest + 1, number + 1):
                seen[n] = now
            latest = number
        time.sleep(0.0005)
    store.close()
    Path(out).write_text(json.dumps(seen))


def propagation(location: str, directory: Path, count: int, pause: float) -> dict:
    if not location.startswith("postgresql://"):
        open_store(location).close()
    watchers = [role("watch", location, str(count), str(directory / f"seen{n}.json")) for n in range(2)]
    for watcher in watchers:
        assert watcher.stdout.readline().strip() == "ready"
    writer = role("set", location, str(count), str(pause), str(directory / "began.json"))
    for process in (writer, *watchers):
        finished(process)
    began = json.loads((directory / "began.json").read_text())
    delays = []
    for n in range(2):
        seen = json.loads((directory / f"seen{n}.json").read_text())
        delays += [max(0.0, seen[str(k)] - began[k - 1]) for k in range(1, count + 1) if str(k) in seen]
    return {
        "changes": count,
        "observations": len(delays),
        "median_ms": statistics.median(delays) * 1e3,
        "p99_ms": percentile(delays, 0.99) * 1e3,
        "worst_ms": max(delays) * 1e3,
    }


# ---- 4. decisions per second by store ----------------------------------------------------------


def decisions_per_second(stores: dict, seconds: float, rounds: int = 3) -> dict:
    """Each store's best of `rounds` series, the stores taking turns so that the shared
    machine's drift weighs on none of them more than the others."""
    engines = {name: Engine(ACME, store=store) for name, store in stores.items()}
    for engine in engines.values():
        engine.set_status(CLIENT, "Back at 5")
        decide_for(engine, 0.3)  # warm up
    rates = {name: 0.0 for name in engines}
    for _ in range(rounds):
        for name, engine in engines.items():
            rates[name] = max(rates[name], len(decide_for(engine, seconds)) / seconds)
    for store in stores.values():
        store.close()
    return rates


# ---- plumbing ----------------------------------------------------------------------------------


def role(name: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, __file__, "--role", name, *args], stdout=subprocess.PIPE, text=True)


def finished(process: subprocess.Popen) -> str:
    out, _ = process.communicate(timeout=600)
    if process.returncode != 0:
        raise SystemExit(f"a benchmark process failed ({process.args})")
    return out


class Database:
    """A new PostgreSQL database for the run, dropped at the end; None without a server."""

    def __enter__(self):
        self.name = f"rules_engine_bench_{uuid.uuid4().hex[:10]}"
        try:
            with psycopg.connect(ADMIN, autocommit=True, connect_timeout=3) as admin:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
        except psycopg.OperationalError as exc:
            print(f"PostgreSQL figures left out: no server at {ADMIN} ({str(exc).strip().splitlines()[0]})")
            self.name = None
            return None
        return ADMIN.rsplit("/", 1)[0] + "/" + self.name

    def __exit__(self, *exc):
        if self.name is not None:
            with psycopg.connect(ADMIN, autocommit=True) as admin:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=1000, help="changes propagated (default 1,000)")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each decide series (default 3)")
    parser.add_argument("--role", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role:
        name, *rest = args.role
        {
            "write": lambda: write_many(rest[0], rest[1], int(rest[2])),
            "set": lambda: set_statuses(rest[0], int(rest[1]), float(rest[2]), rest[3]),
            "watch": lambda: watch(rest[0], int(rest[1]), rest[2]),
        }[name]()
        return

    results: dict = {
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "load": [round(n, 2) for n in os.getloadavg()],
    }
    with tempfile.TemporaryDirectory() as scratch, Database() as url:
        directory = Path(scratch)
        results["decide_while_sqlite_write_lock_held_3s"] = decide_under_a_held_lock(directory, args.seconds)
        results["three_sqlite_writers_300_writes_each"] = three_writers(directory, 300)
        results["propagation_sqlite"] = propagation(str(directory / "propagate.db"), directory, args.changes, 0.02)
        stores = {"memory": MemoryStore(), "sqlite": open_store(directory / "rate.db")}
        if url is not None:
            results["propagation_postgresql"] = propagation(url, directory, args.changes, 0.02)
            stores["postgresql"] = open_store(url)
        results["decisions_per_second"] = decisions_per_second(stores, args.seconds)
    print(json.dumps(rounded(results), indent=2))


def rounded(value):
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, dict):
        return {key: rounded(item) for key, item in value.items()}
    return value


if __name__ == "__main__":
    main()
