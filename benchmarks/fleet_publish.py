"""How soon a fleet serves a publish: three `rules-engine serve` processes, each with its own
copy of the example rule files, share a new PostgreSQL database for the console; Acme
Plumbing is published through the first instance `--publishes` times (a different greeting
each time), and after each the other two are asked (`GET /v1/clients`) until they serve the
version the first one serves.

    .venv/bin/python benchmarks/fleet_publish.py [--publishes 20]

Prints, per follower, the best, median and worst seconds from the publish's answer to the
new version served, with the load average, and whether the target (1 s) was met. Every publish must be answered with the history
page's redirect and followed by both others within 5 s with the same version, or the
benchmark fails (exit 1). `BENCH_POSTGRES` names the server (an admin URL; default
postgresql://postgres@127.0.0.1:5432/postgres); the database is dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.live_state import Database
from rules_engine.console.accounts import Accounts
from rules_engine.console.db import PostgresDatabase
from tests.console import fleet

PASSWORD = "a fleet benchmark password"
GREETING = "Thank you for calling Acme Plumbing. Our office is closed;"
FOLLOW_WITHIN = 5.0  # seconds: a follower later than this fails the run
TARGET = 1.0  # seconds: issue 24's "served by the others within 1 s"


def publish_and_follow(bases: list[str], cookie: str, text: str, number: int) -> list[float]:
    """Seconds until each other instance served the publish (its answer is the starting point)."""
    first, *others = bases
    _, page, _ = fleet.request(f"{first}/console/clients/acme_plumbing/history", cookie=cookie)
    form = {"csrf": fleet.csrf_in(page), "text": text, "message": f"benchmark {number}", "acknowledge": "yes"}
    status, _, headers = fleet.request(f"{first}/console/clients/acme_plumbing/publish", form, cookie)
    published = time.monotonic()
    if status != 303 or "published=" not in headers.get("location", ""):
        raise SystemExit(f"publish {number} was answered {status}, not the history's redirect")
    wanted = fleet.served_versions(first)["acme_plumbing"]
    took = fleet.followed(others, "acme_plumbing", wanted, published, FOLLOW_WITHIN)
    if len(took) < len(others):
        late = [base for base in others if base not in took]
        raise SystemExit(f"publish {number}: {late} did not serve version {wanted} within {FOLLOW_WITHIN:g} s")
    return [took[base] for base in others]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--publishes", type=int, default=20, help="publishes through the first instance (20)")
    args = parser.parse_args()
    original = (ROOT / "client_configs" / "acme_plumbing.rules").read_text(encoding="utf-8")
    if GREETING not in original:
        raise SystemExit("the Acme example no longer has the greeting this benchmark edits")
    with tempfile.TemporaryDirectory() as scratch, Database() as url:
        if url is None:
            return 1
        db = PostgresDatabase(url)
        Accounts(db).add("bench", "account_manager", PASSWORD)
        db.close()
        processes, bases = fleet.start(ROOT / "client_configs", Path(scratch), url)
        try:
            cookie = fleet.log_in(bases[0], "bench", PASSWORD)
            followed = []
            for number in range(1, args.publishes + 1):
                text = original.replace(GREETING, GREETING.replace("closed;", f"closed ({number});"), 1)
                followed.append(publish_and_follow(bases, cookie, text, number))
        finally:
            fleet.stop(processes)
    load = ", ".join(f"{n:.2f}" for n in os.getloadavg())
    print(f"{args.publishes} publishes through instance 1, each served by both others (load {load}):")
    for n, times in enumerate(zip(*followed, strict=True), start=2):
        print(
            f"  instance {n}: best {min(times):.3f} s   median {statistics.median(times):.3f} s   "
            f"worst {max(times):.3f} s"
        )
    worst = max(max(times) for times in followed)
    print(f"target: every publish served by every instance within {TARGET:g} s: ", end="")
    print(f"met (worst {worst:.3f} s)" if worst <= TARGET else f"missed (worst {worst:.3f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
