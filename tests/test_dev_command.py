"""`./dev test`, the README's test command and what CI runs, runs the suite on several worker
processes (pytest-xdist, as `dev` sets it up), still fails when it collects nothing, and runs in
one process when asked to (`-p no:xdist`; `-n 0` too). Each runs pytest anew: seconds each."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT

ONE = "tests/test_layers.py::test_a_table_that_points_both_ways_is_refused"  # a test of a second or less

pytestmark = pytest.mark.skipif(
    Path(sys.prefix).resolve() != (ROOT / ".venv").resolve(),
    reason="the suite runs outside the .venv that ./dev makes: ./dev would build one",
)


def dev_test(*args: str) -> subprocess.CompletedProcess[str]:
    """`./dev test ARGS` from the checkout, as a person types it (no cache left behind)."""
    unset = ("DEV_FRESH", "DEV_TEST_WORKERS", "PYTEST_ADDOPTS")
    environment = {key: value for key, value in os.environ.items() if key not in unset and "XDIST" not in key}
    return subprocess.run(
        [str(ROOT / "dev"), "test", "-p", "no:cacheprovider", *args],
        check=False,
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_test_command_runs_tests_on_worker_processes():
    done = dev_test("-vv", ONE)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(rf"^\[gw\d+\] .*PASSED {re.escape(ONE)}", done.stdout, re.M), done.stdout  # gw0, gw1…


def test_the_test_command_fails_when_it_collects_nothing():
    done = dev_test("tests/test_layers.py", "-k", "no_test_is_named_so")
    assert done.returncode == 5, done.stdout + done.stderr


def test_the_test_command_runs_in_one_process_when_asked():
    done = dev_test("-p", "no:xdist", "-vv", ONE)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{ONE} PASSED" in done.stdout and "[gw" not in done.stdout, done.stdout
