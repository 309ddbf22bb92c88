"""An asyncio routing daemon's side of the engine, as its author writes it: the async face
(`AsyncEngine`), call ids it can look up, and the health a readiness check reads.

`tests/test_types.py` checks it with `mypy --strict` against the types the package ships and
runs it. Run it: `.venv/bin/python tests/typing/async_daemon.py [RULES_DIR] [LOG_DIR]`.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rules_engine import AsyncEngine, Call, CallError, Decision, Engine


def ready(engine: AsyncEngine) -> bool:
    """What the daemon's readiness check answers: rules served and followed, live state current."""
    rules = engine.rules_health()
    live = engine.live_state_health()
    return rules.ready and live.reachable


async def serve(engine: AsyncEngine) -> list[str]:
    lines: list[str] = []
    call = Call(
        client="acme_plumbing", at="2026-11-28T23:15:00-06:00", forwarded="busy", answers={"type": "burst_pipe"}
    )
    decision: Decision = engine.decide(call, call_id="switch-4711")  # direct: memory only
    assert decision.call_id == "switch-4711"
    lines.append(f"{decision.call_id}: {decision.urgency}")
    anonymous = engine.decide(call.model_copy(update={"caller": None}))
    assert anonymous.call_id is not None  # made up for the log, returned to look it up later
    explained = await engine.explain(anonymous.call_id)
    if explained is not None:
        lines.append(f"logged under {explained.record['call_id']}, {explained.torn} torn line(s) skipped")
    since = datetime.now(UTC) - timedelta(minutes=5)
    records = await engine.logged("acme_plumbing", since, datetime.now(UTC) + timedelta(minutes=1))
    lines.append(f"{len(records)} call(s) of acme_plumbing logged in the last five minutes")
    await engine.set_status("acme_plumbing", "In court", until=datetime.now(UTC) + timedelta(hours=2))
    status = engine.live_state("acme_plumbing").status
    lines.append(f"status: {status.note if status is not None else 'none'}")
    await engine.clear_status("acme_plumbing")
    try:
        engine.decide(call, call_id="")
    except CallError as error:
        lines.append(f"refused: {error.field}")
    lines.append(f"ready: {ready(engine)}")
    return lines


async def main(rules: Path, logs: Path) -> None:
    async with AsyncEngine(Engine.from_settings(rules=rules, decision_log=logs / "decisions.jsonl")) as engine:
        watcher = engine.engine.watch(on_error=lambda error: print(f"watch: {error}", file=sys.stderr))
        for line in await serve(engine):
            print(line)
        watcher.stop()


if __name__ == "__main__":
    rules = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("client_configs")
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(main(rules, Path(sys.argv[2]) if len(sys.argv) > 2 else Path(folder)))
