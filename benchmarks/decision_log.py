"""The decision log's figures: bytes a decision, the cost of logging one, and how long
`explain` takes to find a call in a log of a million decisions.

    .venv/bin/python benchmarks/decision_log.py                      # 1,000,000 decisions (~0.9 GB of disk)
    .venv/bin/python benchmarks/decision_log.py --decisions 100000   # a quicker run
    .venv/bin/python benchmarks/decision_log.py --postgres postgresql://postgres@127.0.0.1/postgres
                                        # the PostgreSQL log instead, in a new database it drops after

The log is built in a temporary directory (deleted afterwards) by the engine's own
`DecisionLog`, rotating at 128 MB, from decisions of the example clients over the benchmark's
seeded calls (`scenarios.py`), each written under a call id of its own. Lookups are timed on a
warm page cache (the log was just written), through `find` (what `explain` calls) and through
the `rules-engine explain` command in a new process; a full read of the log, which is what
`explain` did before the index, is timed once for comparison. Figures go to the screen and to
benchmarks/results/decision_log.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import scenarios

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.runtime.decision_log_file import FileDecisionLog, find, log_files
from rules_engine.runtime.decision_record import record

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "client_configs"
RESULTS = HERE / "results" / "decision_log.json"
ROTATE_AT = 128 * 2**20


def sample_decisions(engine: Engine, per_client: int) -> list[tuple[Call, object]]:
    pairs = []
    for client in engine.clients.values():
        for with_answers in (False, True):
            for scenario in scenarios.calls(client, per_client // 2, with_answers):
                call = Call(**scenario)
                pairs.append((call, engine.decide(call)))
    return pairs


def full_record_bytes(call: Call, decision) -> int:
    """The size of the record the log wrote before the compact format: the whole decision."""
    body = decision.to_dict()
    trace = body.pop("trace", [])
    whole = {
        "call_id": "x" * 24,
        "logged_at": "2026-12-02T13:59:52.249+00:00",
        "client": decision.client,
        "rules_version": decision.rules_version,
        "call": call.model_dump(mode="json", exclude_none=True),
        "decision": body,
        "trace": trace,
    }
    return len((json.dumps(whole, ensure_ascii=False, separators=(",", ":")) + "\n").encode())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * share), len(ordered) - 1)]


def postgres(server: str, pairs: list, decisions: int) -> None:
    """The PostgreSQL log: what `write` costs a decision, how fast the thread writes, lookups."""
    import psycopg
    from psycopg import sql

    from rules_engine.runtime import decision_log_pg

    name = f"rules_engine_bench_{os.getpid()}"
    url = server.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        log = decision_log_pg.PostgresDecisionLog(url, queue_size=decisions)
        writes = []
        began = time.perf_counter()
        for n in range(decisions):
            call, decision = pairs[n % len(pairs)]
            started = time.perf_counter()
            log.write(call, decision, call_id=f"pg-{n}")
            writes.append(time.perf_counter() - started)
        while log.health().written < decisions:
            time.sleep(0.01)
        total = time.perf_counter() - began
        log.close()
        lookups = []
        for n in range(0, decisions, max(decisions // 200, 1)):
            started = time.perf_counter()
            assert decision_log_pg.find(url, f"pg-{n}") is not None
            lookups.append(time.perf_counter() - started)
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    print(
        f"postgresql: write() a decision   median {statistics.median(writes) * 1e6:.0f} µs, "
        f"p99 {percentile(writes, 0.99) * 1e6:.0f} µs (queued; the decision waits for nothing else)"
    )
    print(
        f"postgresql: written               {decisions:,} in {total:.1f} s ({decisions / total:,.0f} a second, "
        f"one writing thread, batches of {decision_log_pg.BATCH})"
    )
    print(
        f"postgresql: find a call id        median {statistics.median(lookups) * 1e3:.1f} ms, "
        f"max {max(lookups) * 1e3:.1f} ms (a new connection each)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=1_000_000)
    parser.add_argument("--postgres", metavar="URL", help="measure the PostgreSQL log on this server instead")
    args = parser.parse_args()

    engine = Engine(EXAMPLES)
    pairs = sample_decisions(engine, per_client=250)
    if args.postgres:
        return postgres(args.postgres, pairs, min(args.decisions, 100_000))
    compact = [len(record(call, decision, "x" * 24).line) for call, decision in pairs]
    full = [full_record_bytes(call, decision) for call, decision in pairs]

    work = Path(tempfile.mkdtemp(prefix="decision-log-bench-"))
    try:
        path = work / "decisions.jsonl"
        log = FileDecisionLog(path, max_bytes=ROTATE_AT, keep_files=1000)
        log.keep_sources([])
        rng = random.Random(7)
        ids = []
        started = time.perf_counter()
        for n in range(args.decisions):
            call, decision = pairs[n % len(pairs)]
            call_id = f"{rng.getrandbits(64):016x}@pbx-{n}"
            log.write(call, decision, call_id=call_id)
            if n % max(args.decisions // 400, 1) == 0 or n == args.decisions - 1:
                ids.append(call_id)
        write_s = time.perf_counter() - started
        log.close()
        files = log_files(path)
        log_bytes = sum(f.stat().st_size for f in files)
        index_bytes = sum(f.stat().st_size for f in (work / "decisions.jsonl.index").glob("*.idx"))

        lookups = []
        for call_id in ids + [f"missing-{n}" for n in range(20)]:
            began = time.perf_counter()
            found = find(path, call_id)
            lookups.append(time.perf_counter() - began)
            assert (found is None) == call_id.startswith("missing-"), call_id
        command = []
        for call_id in (ids[0], ids[len(ids) // 2], ids[-1]):
            began = time.perf_counter()
            subprocess.run(
                [str(Path(sys.executable).with_name("rules-engine")), "explain", str(path), "--call-id", call_id],
                check=True,
                capture_output=True,
            )
            command.append(time.perf_counter() - began)
        began = time.perf_counter()
        needle = json.dumps(ids[0]).encode()
        for file in files:  # what explain did before the index: read every line of the history
            with file.open("rb") as lines:
                for line in lines:
                    if needle in line:
                        json.loads(line)
        scan_s = time.perf_counter() - began
    finally:
        shutil.rmtree(work, ignore_errors=True)

    figures = {
        "decisions": args.decisions,
        "record_bytes": {
            "median": statistics.median(compact),
            "mean": round(statistics.mean(compact)),
            "p95": percentile(compact, 0.95),
            "max": max(compact),
        },
        "full_record_bytes_before": {"median": statistics.median(full), "mean": round(statistics.mean(full))},
        "log_bytes": log_bytes,
        "files": len(files),
        "index_bytes": index_bytes,
        "write_us_per_decision": round(write_s / args.decisions * 1e6, 1),
        "find_ms": {
            "median": round(statistics.median(lookups) * 1e3, 2),
            "p99": round(percentile(lookups, 0.99) * 1e3, 2),
            "max": round(max(lookups) * 1e3, 2),
            "lookups": len(lookups),
        },
        "explain_command_s": {"median": round(statistics.median(command), 3), "max": round(max(command), 3)},
        "full_read_s": round(scan_s, 2),
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    rb, fb = figures["record_bytes"], figures["full_record_bytes_before"]
    print(
        f"decisions logged             {args.decisions:,} in {len(files)} file(s), {log_bytes / 2**20:,.0f} MiB "
        f"+ index {index_bytes / 2**20:,.1f} MiB"
    )
    print(
        f"bytes a decision             median {rb['median']:,}, mean {rb['mean']:,}, p95 {rb['p95']:,}, max {rb['max']:,} "
        f"(the full record before: median {fb['median']:,}, mean {fb['mean']:,})"
    )
    print(
        f"a year at 50,000 calls a day {rb['mean'] * 50_000 * 365 / 1e9:,.1f} GB (before: {fb['mean'] * 50_000 * 365 / 1e9:,.1f} GB)"
    )
    print(f"logging a decision           {figures['write_us_per_decision']} µs (record, JSON, append, index entry)")
    print(
        f"find a call id               median {figures['find_ms']['median']} ms, p99 {figures['find_ms']['p99']} ms, "
        f"max {figures['find_ms']['max']} ms over {len(lookups)} lookups (target: under 1 s)"
    )
    print(
        f"rules-engine explain         median {figures['explain_command_s']['median']} s, "
        f"max {figures['explain_command_s']['max']} s (a new process: start-up and imports included)"
    )
    print(f"reading the whole log        {figures['full_read_s']} s (what explain did before the index)")


if __name__ == "__main__":
    main()
