"""Bad rule files and the whole output `rules-engine check` gives for each (golden files).

Each `tests/golden/diagnostics/NAME.rules` is one broken client; `NAME.expected` is the
complete output of `rules-engine check` for it (standard error, then standard output).
Regenerate after a deliberate change with `UPDATE_GOLDEN=1 .venv/bin/pytest tests/compiler/test_diagnostics.py`,
then read every changed file as an account manager would before committing it.
"""

from __future__ import annotations

import os

import pytest

from rules_engine.compiler.compile import compile_bytes
from rules_engine.errors import RulesError
from tests.support import GOLDEN, ROOT

CASES_DIR = GOLDEN / "diagnostics"
CASES = sorted(path.stem for path in CASES_DIR.glob("*.rules"))


@pytest.mark.parametrize("name", CASES)
def test_check_output_matches_golden_file(name, cli, monkeypatch):
    monkeypatch.chdir(ROOT)  # the files are named as an account manager at the project root types them
    code, out, err = cli("check", f"tests/golden/diagnostics/{name}.rules")
    output = err + out
    expected = CASES_DIR / f"{name}.expected"
    if os.environ.get("UPDATE_GOLDEN"):
        expected.write_text(output, encoding="utf-8")
    assert output == expected.read_text(encoding="utf-8")
    assert code == (1 if ": error: " in output else 0)


@pytest.mark.parametrize("name", CASES)
def test_every_golden_input_is_reported(name):
    """A golden input that compiled cleanly would test nothing."""
    data = (CASES_DIR / f"{name}.rules").read_bytes()
    try:
        _, warnings = compile_bytes(data, name)
    except RulesError as exc:
        assert exc.errors
    else:
        assert warnings, f"{name}.rules compiles without a single diagnostic"


def test_enough_distinct_bad_inputs():
    assert len(CASES) >= 30
    assert sorted(p.stem for p in CASES_DIR.glob("*.expected")) == CASES
