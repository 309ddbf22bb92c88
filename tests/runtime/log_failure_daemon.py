"""A daemon whose decision log stops being writable while it decides, for
tests/runtime/test_decision_log_failures.py (run in a process of its own: a file size limit or
another user applies to the whole process).

    python -m tests.runtime.log_failure_daemon disk-full RULES LOG OUT
    python -m tests.runtime.log_failure_daemon permission RULES LOG OUT

`disk-full` lowers its file size limit (RLIMIT_FSIZE) to a little above the log's size, decides
200 calls, then raises the limit again; `permission` moves the log away and makes its directory
read-only (as logrotate with a wrong `create` would leave it), decides, then makes it writable
again. Each waits for the log to catch up, decides a few more calls and writes to OUT (JSON):
the call ids decided, the errors `decide` raised (none, it is hoped), the log's health while it
failed and after, and the warnings it logged.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import sys
import time
from dataclasses import asdict
from pathlib import Path

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.runtime.decision_log_file import FileDecisionLog

CALL = dict(client="acme_plumbing", at="2026-11-28T23:15:00-06:00", forwarded="busy", answers={"type": "burst_pipe"})


class Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def health(log: FileDecisionLog) -> dict:
    return {
        key: value if not hasattr(value, "isoformat") else value.isoformat()
        for key, value in asdict(log.health()).items()
    }


def main(scenario: str, rules: str, log_path: str, out: str) -> None:
    kept = Kept()
    logging.getLogger("rules_engine").addHandler(kept)
    log = FileDecisionLog(log_path)
    engine = Engine(rules, decision_log=log)
    decided, errors = [], []

    def decide(call_id: str) -> None:
        try:
            engine.decide(Call(**CALL), call_id=call_id)
            decided.append(call_id)
        except Exception as exc:  # what the test is about: there must be none
            errors.append(f"{type(exc).__name__}: {exc}")

    for n in range(5):
        decide(f"before-{n}")
    directory = Path(log_path).parent
    if scenario == "disk-full":
        hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
        resource.setrlimit(resource.RLIMIT_FSIZE, (os.path.getsize(log_path) + 20_000, hard))
        for n in range(200):
            decide(f"while-full-{n}")
        failing = health(log)
        resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))  # space again
    else:
        os.rename(log_path, log_path + ".old")
        directory.chmod(0o500)
        for n in range(30):
            decide(f"while-denied-{n}")
            time.sleep(0.05)  # the log looks at its path once a second: it notices within this loop
        failing = health(log)
        directory.chmod(0o700)
    deadline = time.monotonic() + 30
    while (log.health().queued or not log.health().writable) and time.monotonic() < deadline:
        time.sleep(0.05)
    for n in range(5):
        decide(f"after-{n}")
    after = health(log)
    engine.close()
    log.close()
    Path(out).write_text(
        json.dumps(
            {"decided": decided, "errors": errors, "failing": failing, "after": after, "warnings": kept.messages}
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
