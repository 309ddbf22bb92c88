"""Three instances started together on an empty PostgreSQL database all start, twenty times in a
row (issue 23, finding 4: in 2 of 4 tries one exited with `duplicate key value violates unique
constraint "pg_type_typname_nsp_index"`, its outcome tables created before the lock was taken).

The instances are three processes (`tests/runtime/start_together_daemon.py`) that start an
engine with its live state, outcomes and decision log in a new database on each round, at the
same moment: each round takes about a second."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.postgres import new_database
from tests.support import ROOT, wait_for

ROUNDS = 20
INSTANCES = 3


def test_three_instances_started_together_on_an_empty_database_all_start(rules_dir, tmp_path):
    folder = tmp_path / "rounds"
    folder.mkdir()
    instances = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.runtime.start_together_daemon", str(rules_dir), str(folder), str(ROUNDS)],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(INSTANCES)
    ]
    try:
        for number in range(ROUNDS):
            with new_database() as url:
                go = folder / f"go-{number}"
                Path(f"{go}.tmp").write_text(url, encoding="utf-8")
                Path(f"{go}.tmp").rename(go)  # all three see it at once, whole
                done = wait_for(
                    lambda n=number: len(found := list(folder.glob(f"done-{n}-*"))) == INSTANCES and found,
                    f"round {number}",
                    seconds=60,
                )
                results = sorted(path.read_text(encoding="utf-8") for path in done)
                assert results == ["ok"] * INSTANCES, f"round {number}: {results}"
    finally:
        for instance in instances:
            if instance.poll() is None:
                instance.kill()
            instance.communicate(timeout=30)
