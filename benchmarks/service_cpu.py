"""Where the decision service's CPU goes, measured in one process with no network: the same
calls as `load_service.py`, each timed on the CPU clock of the thread that handles it.

    .venv/bin/python benchmarks/service_cpu.py              # 6,000 calls a row, 3 rounds, best kept
    .venv/bin/python benchmarks/service_cpu.py --calls 1000 --rounds 1

Rows, each a layer more of what `rules-engine serve` does for one `POST /v1/decide`:

1. `Engine.decide` alone (no decision log, no call id).
2. `Engine.decide` with a call id and the decision log on (a file), as the service decides.
3. the whole application (`create_app`: tokens, the JSON request log to a file, limits, the
   request counter, routing, the body parsed and checked), driven as uvicorn drives it
   (ASGI scope, receive, send) on a uvloop event loop; the response is checked against
   `Engine.decide`. What uvicorn itself adds (parsing HTTP, the socket's `write`) is not in it:
   `load_service.py` measures all of it from outside.

Each row gives the CPU time of the thread that decides (what bounds one worker's rate: a
worker serves on one thread) and of the whole process (the log's and the recorder's
background threads too), in microseconds a call. On a shared machine the figures still move
by 10-20% from run to run; compare rows of one run.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.load_service import calls

ROOT = Path(__file__).resolve().parent.parent


def settings_in(folder: Path, token: str, log: bool = True):
    from rules_engine.runtime.settings import Settings

    given = {
        "rules": str(ROOT / "client_configs"),
        "store": str(folder / "state.sqlite"),
        "tokens": [{"name": "bench", "token": token, "scopes": ["decide"]}],
    }
    if log:
        given["decision_log"] = str(folder / "decisions.jsonl")
    return Settings.of(given, "benchmark")


def timed(run, count: int) -> tuple[float, float]:
    """(thread CPU, process CPU) in µs a call of `run()` doing `count` calls."""
    thread, process = time.thread_time(), time.process_time()
    run()
    return (time.thread_time() - thread) / count * 1e6, (time.process_time() - process) / count * 1e6


def engine_rows(bodies: list[bytes], folder: Path, token: str) -> dict[str, tuple[float, float]]:
    from rules_engine.decide.call import Call
    from rules_engine.engine import Engine

    parsed = [Call(**json.loads(body)) for body in bodies]
    rows = {}
    with Engine.from_settings(settings_in(folder / "bare", token, log=False)) as engine:
        for call in parsed[:300]:
            engine.decide(call)
        rows["Engine.decide alone"] = timed(lambda: [engine.decide(call) for call in parsed], len(parsed))
    with Engine.from_settings(settings_in(folder / "logged", token)) as engine:
        for call in parsed[:300]:
            engine.decide(call, "warm")
        ids = [f"cpu-{n}" for n in range(len(parsed))]
        rows["Engine.decide, call id, decision log"] = timed(
            lambda: [engine.decide(call, i) for call, i in zip(parsed, ids, strict=True)], len(parsed)
        )
    return rows


def app_row(bodies: list[bytes], folder: Path, token: str) -> tuple[float, float]:
    from rules_engine.decide.call import Call
    from rules_engine.engine import Engine
    from rules_engine.http import create_app
    from rules_engine.http.access_log import AccessLog

    with Engine.from_settings(settings_in(folder / "app", token)) as engine:
        log = AccessLog(folder / "requests.log")
        app = create_app(engine, settings_in(folder / "app", token).tokens, log=log)
        headers = [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"authorization", b"Bearer " + token.encode()),
        ]
        answers: list[bytes] = []

        async def one(body: bytes, call_id: str) -> None:
            scope = {
                "type": "http",
                "asgi": {"version": "3.0", "spec_version": "2.3"},
                "http_version": "1.1",
                "method": "POST",
                "scheme": "http",
                "path": "/v1/decide",
                "raw_path": b"/v1/decide",
                "query_string": b"",
                "root_path": "",
                "headers": [
                    *headers,
                    (b"x-call-id", call_id.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
                "client": ("127.0.0.1", 50000),
                "server": ("127.0.0.1", 8080),
                "state": {},
            }
            sent = False

            async def receive():
                nonlocal sent
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}

            async def send(message):
                if message["type"] == "http.response.body":
                    answers.append(message.get("body", b""))

            await app(scope, receive, send)

        async def run(count: int, start: int) -> None:
            for number, body in enumerate(bodies[:count]):
                await one(body, f"app-{start + number}")

        loop = uvloop.new_event_loop()
        try:
            loop.run_until_complete(run(300, 0))
            answers.clear()
            row = timed(lambda: loop.run_until_complete(run(len(bodies), 1000)), len(bodies))
        finally:
            loop.close()
            log.close()
        wanted = Call(**json.loads(bodies[0]))
        expected = engine.decide(wanted, "app-1000").to_json().encode()
        if answers[0] != expected:
            raise SystemExit(f"the application answered {answers[0][:200]!r}, not Engine.decide's {expected[:200]!r}")
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=6000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    bodies = calls(args.calls)
    token = secrets.token_urlsafe(32)
    best: dict[str, tuple[float, float]] = {}
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            for part in ("bare", "logged", "app"):
                (folder / part).mkdir()
            rows = engine_rows(bodies, folder, token)
            rows["the application (no uvicorn)"] = app_row(bodies, folder, token)
        for key, value in rows.items():
            best[key] = min(best.get(key, value), value)
    print(f"CPU µs a call, {args.calls:,} calls, best of {args.rounds}; load {os.getloadavg()[0]:.1f}")
    print(f"  {'':40} {'thread':>8} {'process':>8}")
    for key, (thread, process) in best.items():
        print(f"  {key:40} {thread:8.0f} {process:8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
