"""Catching up after PostgreSQL restarts: how soon writes work and every daemon is current again.

    .venv/bin/python benchmarks/restart.py                  # 5 restarts, 2 s down each: about 30 s
    .venv/bin/python benchmarks/restart.py --restarts 3 --down 5

It runs a private, throwaway server (`tests/postgres_cluster.py`: needs PostgreSQL's server
programs; the shared server on 5432 is not touched). Three daemons' stores and a portal's
store (in this one process, each with its own listening connection and pool, as in a
daemon) share one database. Each round the server stops (fast: every session ended) for
`--down` seconds and starts again; from the moment it accepts connections it measures

- `write_s`: until the portal's first write goes through (its pool replaced the dead connections),
- `caught_up_s`: until each daemon holds that write (its listener reconnected, reread
  everything and listens again): median and worst over rounds × daemons.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rules_engine.errors import StoreError
from rules_engine.live import OwnerStatus
from rules_engine.runtime.store_postgres import PostgresStore
from tests.postgres_cluster import PrivateCluster, server_programs

CLIENT = "acme_plumbing"


def first_write(portal: PostgresStore, note: str, within: float = 60.0) -> float:
    """Set the status until a write goes through; the moment it did."""
    deadline = time.monotonic() + within
    while True:
        try:
            portal.set_status(CLIENT, OwnerStatus(note=note))
            return time.monotonic()
        except StoreError:
            if time.monotonic() > deadline:
                raise


def held_at(daemons: list[PostgresStore], note: str, within: float = 60.0) -> list[float]:
    """The moment each daemon's snapshot first holds the status `note`."""
    seen: dict[int, float] = {}
    deadline = time.monotonic() + within
    while len(seen) < len(daemons) and time.monotonic() < deadline:
        for number, daemon in enumerate(daemons):
            status = daemon.snapshot(CLIENT).status
            if number not in seen and status is not None and status.note == note:
                seen[number] = time.monotonic()
        time.sleep(0.001)
    if len(seen) < len(daemons):
        raise SystemExit(f"a daemon did not catch up within {within:g} s")
    return [seen[number] for number in range(len(daemons))]


def restarts(cluster: PrivateCluster, rounds: int, down: float) -> dict:
    portal = PostgresStore(cluster.url)
    daemons = [PostgresStore(cluster.url) for _ in range(3)]
    writes, caught_up = [], []
    for number in range(1, rounds + 1):
        portal.set_status(CLIENT, OwnerStatus(note=f"before restart {number}"))
        held_at(daemons, f"before restart {number}")
        cluster.stop()
        time.sleep(down)
        cluster.start()
        back = time.monotonic()
        written = first_write(portal, f"after restart {number}")
        writes.append(written - back)
        caught_up += [seen - back for seen in held_at(daemons, f"after restart {number}")]
    for store in (portal, *daemons):
        store.close()
    return {"restarts": rounds, "down_s": down, "write_s": spread(writes), "caught_up_s": spread(caught_up)}


def spread(seconds: list[float]) -> dict:
    return {"median": round(statistics.median(seconds), 3), "worst": round(max(seconds), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--restarts", type=int, default=5, help="how many restarts (default 5)")
    parser.add_argument("--down", type=float, default=2.0, help="seconds the server stays down (default 2)")
    args = parser.parse_args()
    logging.getLogger("psycopg.pool").setLevel(logging.ERROR)  # its warnings of each failed reconnection
    programs = server_programs()
    if programs is None:
        raise SystemExit(
            "no PostgreSQL server programs (initdb, pg_ctl): install them (Debian: apt-get install postgresql)"
        )
    cluster = PrivateCluster(programs)
    try:
        results = {
            "cpus": os.cpu_count(),
            "load": [round(n, 2) for n in os.getloadavg()],
            **restarts(cluster, args.restarts, args.down),
        }
    finally:
        cluster.close()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
