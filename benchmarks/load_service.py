"""Load on `rules-engine serve` from a separate process, over keep-alive connections on loopback,
as it runs in production: bearer tokens, the request log and the decision log on.

    .venv/bin/python benchmarks/load_service.py                      # 20,000 decisions, 8 connections
    .venv/bin/python benchmarks/load_service.py --workers 2          # two processes sharing the port
    .venv/bin/python benchmarks/load_service.py --calls 300 --warmup 50 --connections 4   # the suite's check

Starts the service on the example clients (127.0.0.1, a free port, a settings file with a
`decide` token, a SQLite store, a decision log and the JSON request log in a temporary
folder), then sends `--calls` POST /v1/decide requests — varied calls over every example
client, each with its own X-Call-Id, each connection one request at a time — from this
process (asyncio on uvloop, raw HTTP/1.1). **Every** response is checked: a 200 whose body
is byte for byte `Engine.decide` of that call (with that call id). Anything else — another
status, another body — is counted and the run fails (exit 1) saying how many and showing
the first. It prints decisions per second, the latency each request saw (p50, p99, p99.9,
max) measured here from writing the request to reading the whole response, the service's CPU
time per decision, the load average, and `Engine.decide` alone in this process for
comparison. Targets on 2 cores: at least 2,500 decisions/s with one worker, 4,000 with
`--workers 2`, p99 under 10 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import uvloop

ROOT = Path(__file__).resolve().parent.parent
RULES_ENGINE = str(Path(sys.executable).parent / "rules-engine")
REASONS = ["always", "scheduled", "manual", "busy", "no_answer", "user-busy", "unknown"]
TARGET_RATE = {1: 2500, 2: 4000}
TARGET_P99_MS = 10.0


# Each client's number, its offset, and answers its scripts ask for (a client refuses answers
# to questions it does not ask: a 400, which the old version of this benchmark counted as load).
CLIENTS = {
    "+13125550100": ("-06:00", "type", ["burst_pipe", "no_heat", "billing"], "name"),
    "+12125550140": ("-05:00", "symptom", ["chest_pain", "fever", "appointment"], "name"),
    "+442079460100": ("+00:00", "matter", ["new_client", "court_deadline", "billing"], "name"),
    "+61255500100": ("+10:00", "problem", ["poisoning", "vomiting", "appointment"], "owner"),
}


def calls(count: int, seed: int = 7) -> list[bytes]:
    """`count` request bodies: the example clients by number, instants across 2026, mixed facts."""
    rng = random.Random(seed)
    bodies = []
    for _ in range(count):
        number, (offset, question, choices, name) = rng.choice(list(CLIENTS.items()))
        at = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.choice(['00', '30'])}:00{offset}"
        answers = rng.choice([{}, {question: rng.choice(choices)}, {name: "Ann", question: rng.choice(choices)}])
        body = {"number": number, "at": at, "forwarded": rng.choice(REASONS), "answers": answers}
        if rng.random() < 0.2:
            body["said"] = "water is flooding the basement"
        bodies.append(json.dumps(body).encode())
    return bodies


def expected_answers(bodies: list[bytes], ids: list[str]) -> tuple[list[bytes], float]:
    """What `Engine.decide` answers to each call under its id, and its rate alone (decisions/s)."""
    from rules_engine.decide.call import Call
    from rules_engine.engine import Engine

    with Engine(ROOT / "client_configs") as engine:
        parsed = [Call(**json.loads(body)) for body in bodies]
        for call in parsed[:200]:  # plans made, caches warm
            engine.decide(call)
        started = time.perf_counter()
        decisions = [engine.decide(call) for call in parsed]
        rate = len(parsed) / (time.perf_counter() - started)
    return [replace(d, call_id=i).to_json().encode() for d, i in zip(decisions, ids, strict=True)], rate


def request(body: bytes, call_id: str, token: str) -> bytes:
    return (
        b"POST /v1/decide HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Authorization: Bearer %s\r\nX-Call-Id: %s\r\nContent-Length: %d\r\n\r\n"
        % (token.encode(), call_id.encode(), len(body))
    ) + body


class Tally:
    """Latencies, statuses and the answers that were not what `Engine.decide` says."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.wrong: list[tuple[int, bytes, bytes]] = []  # (status, body, expected)


async def connection(port: int, work: list[tuple[bytes, bytes]], tally: Tally) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for sent, expected in work:
        started = time.perf_counter()
        writer.write(sent)
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length: ", 1)[1].split(b"\r\n", 1)[0])
        body = await reader.readexactly(length)
        tally.latencies.append(time.perf_counter() - started)
        status = int(head[9:12])
        tally.statuses[status] = tally.statuses.get(status, 0) + 1
        if status != 200 or body != expected:
            tally.wrong.append((status, body, expected))
    writer.close()


async def load(port: int, work: list[tuple[bytes, bytes]], connections: int) -> tuple[float, Tally]:
    tally = Tally()
    shares = [work[i::connections] for i in range(connections)]
    started = time.perf_counter()
    await asyncio.gather(*(connection(port, share, tally) for share in shares))
    return time.perf_counter() - started, tally


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def start_service(folder: Path, token: str, workers: int, log: str) -> tuple[subprocess.Popen, int]:
    settings = folder / "engine.yaml"
    settings.write_text(
        f"rules: {ROOT / 'client_configs'}\nstore: {folder / 'state.sqlite'}\n"
        f"decision_log: {folder / 'decisions.jsonl'}\n"
        f"tokens:\n  - name: bench\n    token: {token}\n    scopes: [decide]\n",
        encoding="utf-8",
    )
    settings.chmod(0o600)
    port_file = folder / "port"
    service = subprocess.Popen(
        [
            RULES_ENGINE,
            "serve",
            "--settings",
            str(settings),
            "--workers",
            str(workers),
            "--drain-seconds",
            "0",
            "--port",
            "0",
            "--port-file",
            str(port_file),
            "--log",
            log,
        ],
        stdin=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not (port_file.exists() and port_file.read_text().strip()):
        if time.monotonic() > deadline or service.poll() is not None:
            service.kill()
            raise SystemExit("the service did not start")
        time.sleep(0.05)
    return service, int(port_file.read_text())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=2_000, help="requests sent first and not counted")
    parser.add_argument("--workers", type=int, default=1, help="serve --workers N")
    parser.add_argument("--no-log", action="store_true", help="write the service's request log to /dev/null")
    args = parser.parse_args()

    token = secrets.token_urlsafe(32)
    bodies = calls(args.calls + args.warmup)
    ids = [f"bench-{number}" for number in range(len(bodies))]
    expected, engine_rate = expected_answers(bodies, ids)
    work = [(request(b, i, token), e) for b, i, e in zip(bodies, ids, expected, strict=True)]
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        log = os.devnull if args.no_log else str(folder / "requests.log")
        service, port = start_service(folder, token, args.workers, log)
        try:
            uvloop.run(load(port, work[: args.warmup], args.connections))  # every worker warm
            server_before, client_before = cpu_seconds(service.pid), time.process_time()
            elapsed, tally = uvloop.run(load(port, work[args.warmup :], args.connections))
            server_cpu = cpu_seconds(service.pid) - server_before
            client_cpu = time.process_time() - client_before
            load_average = os.getloadavg()[0]
        finally:
            service.terminate()
            service.wait(timeout=30)

    latencies = tally.latencies
    rate = len(latencies) / elapsed
    p50, p99, p999 = (percentile(latencies, s) * 1000 for s in (0.5, 0.99, 0.999))
    target = TARGET_RATE.get(args.workers)
    ok_share = (len(latencies) - len(tally.wrong)) / len(latencies)
    print(
        f"rules-engine serve --workers {args.workers}, POST /v1/decide with a bearer token: {len(latencies):,} "
        f"decisions over {args.connections} keep-alive connections, request log "
        f"{'off' if args.no_log else 'on'}, decision log on, {os.cpu_count()} CPUs"
    )
    print(f"  responses     {dict(sorted(tally.statuses.items()))}; equal to Engine.decide: {ok_share:.2%}")
    verdict = "" if target is None else f"   (target >= {target:,}: {'met' if rate >= target else 'MISSED'})"
    print(f"  throughput    {rate:,.0f} decisions/s{verdict}")
    print(
        f"  latency ms    p50 {p50:.2f}   p99 {p99:.2f}   p99.9 {p999:.2f}   max {max(latencies) * 1000:.2f}   "
        f"mean {statistics.fmean(latencies) * 1000:.2f}   (p99 target < {TARGET_P99_MS}: "
        f"{'met' if p99 < TARGET_P99_MS else 'MISSED'})"
    )
    per_call = server_cpu / len(latencies)
    print(
        f"  server CPU    {per_call * 1e6:.0f} us a decision (all of the service's work: HTTP, auth, routing, "
        f"both logs, engine; every worker)"
    )
    print(f"  Engine.decide {engine_rate:,.0f} decisions/s alone in this process (no HTTP, no log)")
    print(
        f"  load          {load_average:.1f} (1-min load average at the end; above {os.cpu_count()} the machine "
        f"was shared); the load generator used {client_cpu / elapsed:.0%} of a core"
    )
    if tally.wrong:
        status, body, wanted = tally.wrong[0]
        print(
            f"FAILED: {len(tally.wrong)} of {len(latencies)} answers were not a 200 equal to Engine.decide; "
            f"the first: status {status}, body {body[:300]!r}, expected {wanted[:300]!r}",
            file=sys.stderr,
        )
        return 1
    return 0


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process and its finished-or-running children (Linux /proc)."""
    total = 0.0
    for each in [pid, *children_of(pid)]:
        fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def children_of(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


if __name__ == "__main__":
    sys.exit(main())
