"""The console's preview of a draft: the 14-day diff and the 30-day replay of the decision log.

    .venv/bin/python benchmarks/console_preview.py              # 5,000 logged calls
    .venv/bin/python benchmarks/console_preview.py --calls 20000

A decision log of CALLS calls to Acme Plumbing is made through `Engine.decide` with a file
decision log (in a temporary directory, deleted afterwards): calls at seeded random times of
the last 30 days, each forwarding reason, a caller id and sometimes Spanish. Then, as the
preview page does (`console/preview_pages.py`), for two drafts: the text as published, and
the after-hours greeting reworded. Each is timed (best and median of the rounds) and checked:
the published text changes no call and no class of call; the reworded greeting changes
exactly the logged calls that heard that greeting in English, and nothing else. Wall-clock
and CPU seconds are printed: on a shared machine the CPU time is the steadier figure.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rules_engine import model as m
from rules_engine.console.drafted import compiled
from rules_engine.console.preview_pages import REPLAY_DAYS, diffed, replayed
from rules_engine.decide import Call
from rules_engine.engine import Engine
from rules_engine.runtime.decision_log_file import FileDecisionLog

CLIENT = "acme_plumbing"
CLOSED = "Our office is closed;"
REASONS = ("always", "scheduled", "manual", "busy", "no_answer", "unavailable", "direct", "unknown")


def make_log(engine: Engine, calls: int, now: datetime) -> None:
    chance = random.Random(24)
    for _ in range(calls):
        at = now - timedelta(seconds=chance.uniform(60, REPLAY_DAYS * 86400 - 60))
        call = Call(
            client=CLIENT,
            at=at,
            forwarded=chance.choice(REASONS),
            caller=f"+1312555{chance.randrange(10000):04d}",
            language="es" if chance.random() < 0.2 else None,
        )
        engine.decide(call)


def timed(action, rounds: int):
    """The result, and the best and median wall-clock and CPU seconds of `rounds` runs (on a
    shared machine the CPU time is the steadier figure)."""
    seconds, cpu, result = [], [], None
    for _ in range(rounds):
        began, began_cpu = time.perf_counter(), time.process_time()
        result = action()
        seconds.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    return result, (min(seconds), statistics.median(seconds)), (min(cpu), statistics.median(cpu))


def run(engine: Engine, draft: m.Client, rounds: int):
    published = engine.client(CLIENT)

    def both():
        now = datetime.now(UTC)
        return diffed(published, draft, now), replayed(engine, published, draft, now)

    return timed(both, rounds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "decisions.jsonl"
        log = FileDecisionLog(path)
        engine = Engine(ROOT / "client_configs", decision_log=log)
        began = time.perf_counter()
        make_log(engine, args.calls, datetime.now(UTC))
        print(f"logged {args.calls:,} calls through Engine.decide in {time.perf_counter() - began:.2f} s")
        published = engine.client(CLIENT)
        text = published.source
        records = engine.logged(CLIENT, datetime.now(UTC) - timedelta(days=REPLAY_DAYS), datetime.now(UTC), 10**6)
        assert len(records) == args.calls, (len(records), args.calls)
        expected = sum(
            r["decision"]["greeting"]["id"] == "after_hours" and r["decision"]["greeting"]["language"] == "en"
            for r in records
        )
        for label, draft_text, want in (
            ("the published text", text, 0),
            ("the after-hours greeting reworded", text.replace(CLOSED, "We are closed right now;"), expected),
        ):
            draft, errors = compiled(draft_text, published.path)
            assert draft is not None, errors
            (diff, replay), (best, median), (cpu_best, cpu_median) = run(engine, draft, args.rounds)
            assert replay.calls == args.calls and replay.different == want, (replay.calls, replay.different, want)
            assert (diff.changes == 0) == (want == 0), diff.changes
            print(
                f"{label}: {replay.different:,} of {replay.calls:,} calls differ "
                f"({len(replay.kinds)} kind(s)), {diff.changes} class(es) of call in 14 days; "
                f"diff {diff.seconds:.2f} s + replay {replay.seconds:.2f} s; "
                f"both: best {best:.2f} s, median {median:.2f} s (CPU {cpu_best:.2f} / {cpu_median:.2f} s)"
            )
        engine.close()
        log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
