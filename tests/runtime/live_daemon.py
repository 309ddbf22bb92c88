"""A routing daemon for the multi-process tests: `python -m tests.runtime.live_daemon ROLE …`.

    write RULES URL OUT COUNT PAUSE   change acme_plumbing's status or override COUNT times, PAUSE
                                      seconds apart; after each write returns (is acknowledged),
                                      append {"step", "revision", "note", "covered", "wall"} to OUT:
                                      the client's state after it, and its revision
    keep-writing RULES URL OUT COUNT PAUSE
                                      the same through outages: a write that fails appends
                                      {"step", "error", "wall"} and is tried again, PAUSE later if
                                      nothing was changed; if cut off while committing, once the
                                      store answers again it is found done (its line has
                                      "found": true) or tried again
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
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.errors import StoreError
from rules_engine.live import LiveState
from rules_engine.runtime.store_postgres import PostgresStore

CLIENT = "acme_plumbing"
NIGHT_BURST = dict(client=CLIENT, at="2026-11-28T23:15:00-06:00", forwarded="busy", answers={"type": "burst_pipe"})
CHICAGO = timezone(timedelta(hours=-6))
COVER = (datetime(2026, 11, 28, 18, tzinfo=CHICAGO), datetime(2026, 11, 29, 8, tzinfo=CHICAGO))


def digest(decision) -> str:
    """The decision's JSON, less how current its live state was, as a short hash."""
    data = decision.to_dict()
    data.pop("live_state", None)
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def write(engine: Engine, out, count: int, pause: float, through_outages: bool = False) -> None:
    """Odd steps put alice on call or take her off again; even steps set the status `note N`.
    The client starts with no live state. Each step's state differs from the one before, so
    whether a step is done can be read from the state."""
    note, covered = None, False
    for step in range(1, count + 1):
        if step % 2:
            covered = not covered
        else:
            note = f"note {step}"
        found = False
        while True:
            try:
                change(engine, step, note, covered)
                break
            except StoreError as exc:
                if not through_outages:
                    raise
                failed_at = datetime.now(UTC)
                append(out, {"step": step, "error": str(exc), "wall": time.time()})
                if str(exc).endswith("; nothing was changed"):
                    time.sleep(pause)
                    continue
            while not current_since(engine, failed_at):  # then the write cut off is in the snapshot if made
                time.sleep(0.02)
            if state_of(engine.live_state(CLIENT)) == (note, covered):
                found = True
                break
        revision = engine.store.stamped(CLIENT)[1].revision
        append(
            out,
            {"step": step, "revision": revision, "note": note, "covered": covered, "wall": time.time()}
            | ({"found": True} if found else {}),
        )
        time.sleep(pause)


def current_since(engine: Engine, moment: datetime) -> bool:
    """Whether the snapshot is known to hold every change committed before `moment`."""
    health = engine.live_state_health()
    return health.reachable and health.synced_at is not None and health.synced_at > moment


def change(engine: Engine, step: int, note: str | None, covered: bool) -> None:
    if step % 2 == 0:
        engine.set_status(CLIENT, note)
    elif covered:
        engine.set_override(CLIENT, "plumbers", "alice", *COVER, reason=f"step {step}")
    else:
        engine.clear_overrides(CLIENT)


def state_of(state: LiveState) -> tuple[str | None, bool]:
    """(the status note, whether alice is on call) of a live state: what a step changes."""
    return (state.status.note if state.status else None), any(o.person == "alice" for o in state.overrides)


def append(out, line: dict) -> None:
    out.write(json.dumps(line) + "\n")
    out.flush()


def decide(engine: Engine, out, seconds: float, stop: Path) -> None:
    call = Call(**NIGHT_BURST)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not stop.exists():
        decision = engine.decide(call)
        append(
            out,
            {
                "revision": decision.live_state.revision,
                "age": decision.live_state.age,
                "wall": time.time(),
                "digest": digest(decision),
            },
        )
        time.sleep(0.002)


def main(role: str, rules: str, url: str, out_path: str, amount: str, pause: str = "0") -> None:
    with (
        Engine(rules, store=PostgresStore(url, write_timeout=2.0)) as engine,
        open(out_path, "a", encoding="utf-8") as out,
    ):
        if role in ("write", "keep-writing"):
            write(engine, out, int(amount), float(pause), through_outages=role == "keep-writing")
        else:
            decide(engine, out, float(amount), Path(out_path + ".stop"))


if __name__ == "__main__":
    main(*sys.argv[1:])
