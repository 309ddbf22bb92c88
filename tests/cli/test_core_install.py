"""The core install (`pip install rules-engine`, no extras) is enough for a daemon to decide
calls, and a command that needs an extra names it (issue 20, "Install what you use").

One virtual environment for the whole session, in a temporary directory: the checkout's
package installed without extras (and with `constraints.txt`, as `./dev` installs), its
dependencies from the package index. That takes a minute; without the index the tests
skip, saying so, except under CI=true, where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from rules_engine import Call, Engine
from rules_engine.extras import EXTRAS
from tests.support import ACME, CONFIGS, ROOT

INDEX = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple/")
CALL = {
    "client": "acme_plumbing",
    "at": "2026-11-28T23:15:00-06:00",
    "forwarded": "busy",
    "answers": {"type": "burst_pipe"},
}
DECIDE = f"""
import json, sys
import rules_engine
from rules_engine import Call, Engine
assert rules_engine.__file__.startswith(sys.prefix), rules_engine.__file__  # the installed package, not the checkout
print(Engine({str(CONFIGS)!r}).decide(Call(**json.loads(sys.argv[1]))).to_json())
"""


def index_reachable() -> bool:
    try:
        with urllib.request.urlopen(INDEX, timeout=15):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def core(tmp_path_factory) -> Path:
    """The `bin/` of a fresh venv holding the checkout's package installed without extras."""
    if not index_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the package index ({INDEX}) is unreachable: the core install cannot be tested")
        pytest.skip(f"the package index ({INDEX}) is unreachable: run online (CI=true never skips this)")
    root = tmp_path_factory.mktemp("core-install")
    source = root / "source"  # a copy, so that building the wheel leaves nothing in the checkout
    shutil.copytree(ROOT / "rules_engine", source / "rules_engine", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "constraints.txt"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "venv", root / "venv"], check=True, timeout=300)
    bin = root / "venv" / "bin"
    installed = subprocess.run(
        [bin / "python", "-m", "pip", "install", "--quiet", "-c", source / "constraints.txt", source],
        check=False,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert installed.returncode == 0, installed.stderr
    return bin


def run(core: Path, *argv: str | Path) -> subprocess.CompletedProcess[str]:
    """A program of the core venv, run outside the checkout (so that it imports the installed package)."""
    return subprocess.run(
        [core / argv[0], *argv[1:]], check=False, cwd=core.parent, capture_output=True, text=True, timeout=300
    )


def test_the_core_install_has_none_of_the_extras(core):
    modules = [module for extra in EXTRAS.values() for module in extra]
    found = run(core, "python", "-c", f"import importlib.util as u; print([m for m in {modules!r} if u.find_spec(m)])")
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == "[]"


def test_the_core_install_decides_a_call_as_the_full_one_does(core):
    decided = run(core, "python", "-c", DECIDE, json.dumps(CALL))
    assert decided.returncode == 0, decided.stderr
    assert json.loads(decided.stdout) == json.loads(Engine(CONFIGS).decide(Call(**CALL)).to_json())


def test_the_core_install_checks_and_decides_from_the_command_line(core):
    checked = run(core, "rules-engine", "check", ACME)
    assert checked.returncode == 0, checked.stderr
    holidays, summary = checked.stdout.splitlines()  # the line about public holidays, then the summary
    assert holidays.startswith("acme_plumbing: public holidays (US-IL) make `holiday` hold on ")
    assert summary == "checked 1 file: no errors, no warnings"
    decided = run(core, "rules-engine", "decide", ACME, "--client", "acme_plumbing", "--at", "2026-11-28T23:15")
    assert decided.returncode == 0, decided.stderr


@pytest.mark.parametrize(
    ("argv", "extra"),
    [
        (["serve", "--rules", str(CONFIGS)], "service"),
        (["test", str(ROOT / "features")], "scenarios"),
    ],
    ids=["serve", "test"],
)
def test_a_command_of_an_extra_names_it_in_one_line(core, argv, extra):
    result = run(core, "rules-engine", *argv)
    assert result.returncode != 0
    assert result.stderr == f"rules-engine {argv[0]} needs the {extra} extra: pip install 'rules-engine[{extra}]'\n"
