"""An instance of the engine started again and again on a new, empty PostgreSQL database at the
same moment as two others, for tests/runtime/test_start_together.py.

    python -m tests.runtime.start_together_daemon RULES FOLDER ROUNDS

For each round N it waits for the file FOLDER/go-N (the database's URL, written by the test),
then opens an engine with its live state, outcomes and decision log in that database (each
migrates its tables), decides a call, sets a status, closes, and writes FOLDER/done-N-PID:
`ok`, or the error it met. Everything is imported first, so that the three start within a
millisecond of each other.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from rules_engine.decide.call import Call
from rules_engine.engine import Engine

CALL = Call(client="alpha", at="2026-11-27T10:00:00-06:00", forwarded="busy")  # tests/conftest.py: rules_dir


def main(rules: str, folder: str, rounds: str) -> None:
    here = Path(folder)
    for number in range(int(rounds)):
        go = here / f"go-{number}"
        deadline = time.monotonic() + 120
        while not go.exists():
            if time.monotonic() > deadline:
                return
            time.sleep(0.001)
        url = go.read_text(encoding="utf-8")
        try:
            with Engine.from_settings(rules=rules, store=url, decision_log=url) as engine:
                engine.decide(CALL, call_id=f"round-{number}")
                engine.set_status("alpha", f"round {number}")
            result = "ok"
        except Exception as exc:
            result = f"{type(exc).__name__}: {exc}"
        name = f"done-{number}-{os.getpid()}"
        (here / f".{name}").write_text(result, encoding="utf-8")
        (here / f".{name}").rename(here / name)  # seen whole by the test, or not at all


if __name__ == "__main__":
    main(*sys.argv[1:])
