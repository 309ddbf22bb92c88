"""The library never writes to stderr on its own, and a second decision log on one file in one
process is told it is this process's (issue 22, finding 9)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from rules_engine.runtime.decision_log import DecisionLogError
from rules_engine.runtime.decision_log_file import FileDecisionLog
from tests.support import ACME, ROOT

FAILURES = textwrap.dedent(
    """
    import shutil, sys, time
    from pathlib import Path
    from rules_engine import Call, Engine
    from rules_engine.runtime.decision_log_file import FileDecisionLog

    folder = Path(sys.argv[1])
    rules = folder / "rules"
    rules.mkdir()
    shutil.copy(sys.argv[2], rules)
    (folder / "logs").mkdir()
    log = FileDecisionLog(folder / "logs" / "decisions.jsonl")
    engine = Engine(rules, decision_log=log)
    watcher = engine.watch(rescan=0.2)
    shutil.rmtree(folder / "logs")  # the decision log cannot be written
    shutil.rmtree(rules)  # the watched directory is gone
    for n in range(3):
        engine.decide(Call(client="acme_plumbing", at="2026-11-28T23:15:00-06:00"), call_id=f"c{n}")
    deadline = time.monotonic() + 10
    while watcher.health().errors == 0 or log.health().failed == 0:
        assert time.monotonic() < deadline, "the failures were never noticed"
        time.sleep(0.05)
    print("failed quietly:", watcher.health().errors, log.health().failed)
    """
)


def test_failures_reach_logging_and_health_never_stderr(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", FAILURES, str(tmp_path), str(ACME)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("failed quietly:") and done.stderr == ""


def test_a_second_log_on_one_file_in_one_process_names_this_process(tmp_path):
    first = FileDecisionLog(tmp_path / "decisions.jsonl")
    try:
        with pytest.raises(DecisionLogError, match="another decision log of this process"):
            FileDecisionLog(tmp_path / "decisions.jsonl")
    finally:
        first.close()
