"""A routing daemon for the multi-process tests: `python -m tests.serve.live_daemon ROLE …`.

    write RULES URL OUT COUNT PAUSE   change acme_plumbing's status or override COUNT times, PAUSE
                                      seconds apart; after each write returns (is acknowledged),
                                      append {"step", "revision", "note", "covered", "wall"} to OUT:
                                      the client's state after it, and its revision
    decide RULES URL OUT SECONDS      decide one night-time emergency call again and again for
                                      SECONDS or until the file OUT.stop exists; append {"revision", "age", "wall", "digest"} for
                                      each decision, the digest of its JSON less its `live_state`

Lines are appended and flushed one by one, so a process killed with SIGKILL leaves whole
lines (and at most one torn last line, which readers skip).
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.serve.store_postgres import PostgresStore

CLIENT = "acme_plumbing"
NIGHT_BURST = dict(client=CLIENT, at="2026-11-28T23:15:00-06:00", forwarded="busy", answers={"type": "burst_pipe"})
CHICAGO = timezone(timedelta(hours=-6))
COVER = (datetime(2026, 11, 28, 18, tzinfo=CHICAGO), datetime(2026, 11, 29, 8, tzinfo=CHICAGO))


def digest(decision) -> str:
    """The decision's JSON, less how current its live state was, as a short hash."""
    data = decision.model_dump(mode="json")
    data.pop("live_state", None)
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def write(engine: Engine, out, count: int, pause: float) -> None:
    """Odd steps put alice on call or take her off again; even steps set the status `note N`.
    The client starts with no live state."""
    note, covered = None, False
    for step in range(1, count + 1):
        if step % 2:
            covered = not covered
            if covered:
                engine.set_override(CLIENT, "plumbers", "alice", *COVER, reason=f"step {step}")
            else:
                engine.clear_overrides(CLIENT)
        else:
            note = f"note {step}"
            engine.set_status(CLIENT, note)
        revision = engine.store.stamped(CLIENT)[1].revision
        out.write(json.dumps({"step": step, "revision": revision, "note": note, "covered": covered,
                              "wall": time.time()}) + "\n")
        out.flush()
        time.sleep(pause)


def decide(engine: Engine, out, seconds: float, stop: Path) -> None:
    call = Call(**NIGHT_BURST)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not stop.exists():
        decision = engine.decide(call)
        out.write(json.dumps({"revision": decision.live_state.revision, "age": decision.live_state.age,
                              "wall": time.time(), "digest": digest(decision)}) + "\n")
        out.flush()
        time.sleep(0.002)


def main(role: str, rules: str, url: str, out_path: str, amount: str, pause: str = "0") -> None:
    with Engine(rules, store=PostgresStore(url, write_timeout=2.0)) as engine, \
            open(out_path, "a", encoding="utf-8") as out:
        if role == "write":
            write(engine, out, int(amount), float(pause))
        else:
            decide(engine, out, float(amount), Path(out_path + ".stop"))


if __name__ == "__main__":
    main(*sys.argv[1:])
