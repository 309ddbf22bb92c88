"""Lint runs as CI runs the suite: `ruff check` and `ruff format --check` are clean over the
package, the tests and the benchmarks, with the rules chosen in pyproject.toml — and a planted
mistake of the kind the configuration exists for (a dropped task, a `zip` without `strict=`,
an unused import) is reported, so the check is known to bite."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ("rules_engine", "tests", "benchmarks")


@pytest.fixture(scope="module")
def ruff():
    """Run ruff from the venv beside this interpreter; returns (exit status, output)."""
    found = Path(sys.executable).with_name("ruff")
    if not found.exists():
        message = "ruff is not installed: install the test extra (`./dev test` does) to lint the code"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)

    def run(*args: str, cwd: Path = ROOT) -> tuple[int, str]:
        done = subprocess.run([str(found), *args], check=False, cwd=cwd, capture_output=True, text=True, timeout=300)
        return done.returncode, done.stdout + done.stderr

    return run


def test_the_code_passes_ruff_check(ruff):
    status, output = ruff("check", "--no-cache", *CHECKED)
    assert status == 0, output


def test_the_code_is_formatted_as_ruff_format_writes_it(ruff):
    status, output = ruff("format", "--check", "--no-cache", *CHECKED)
    assert status == 0, output


PLANTED = '''"""A module with the mistakes the lint configuration is there to catch."""

import asyncio
import os


async def reload() -> None: ...


def start() -> None:
    asyncio.ensure_future(reload())


def pairs(names: list[str], lines: list[int]) -> list[tuple[str, int]]:
    return list(zip(names, lines))
'''


def test_a_planted_dropped_task_unstrict_zip_and_unused_import_are_reported(ruff, tmp_path):
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")  # the project's rules
    (tmp_path / "planted.py").write_text(PLANTED, "utf-8")
    status, output = ruff("check", "--no-cache", "--output-format", "concise", "planted.py", cwd=tmp_path)
    assert status == 1
    reported = {line.split(" ")[1] for line in output.splitlines() if line.startswith("planted.py:")}
    assert {"F401", "RUF006", "B905"} <= reported, output
