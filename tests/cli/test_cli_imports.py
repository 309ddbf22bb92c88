"""The quick commands load only what they use: `--version` none of the engine, `check` and
`decide` none of the service, report, PostgreSQL or scenario stacks (issue 20, "A quick
command line"). Timings are printed by `benchmarks/cli.py`, not asserted here.

Each command runs in a fresh interpreter, through the same entry as the `rules-engine`
script, which then prints the modules that got imported.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from importlib import metadata

import pytest

import rules_engine
from rules_engine.cli import COMMANDS
from tests.support import ACME, ROOT

# Run the command, then print what it wrote and every module it imported.
RUN_AND_LIST = """
import contextlib, io, json, sys
from rules_engine.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        code = main(sys.argv[1:])
    except SystemExit as exit:
        code = exit.code
print(json.dumps({"code": code, "out": out.getvalue(), "modules": sorted(sys.modules)}))
"""
# Stacks only some commands need: the HTTP service, PostgreSQL, the report's charts, the
# scenario runner, and what comes with them.
HEAVY = (
    "fastapi",
    "starlette",
    "uvicorn",
    "httptools",
    "uvloop",
    "prometheus_client",
    "psycopg",
    "psycopg_pool",
    "matplotlib",
    "numpy",
    "pytest",
    "_pytest",
    "pytest_bdd",
    "rules_engine.http",
    "rules_engine.acceptance",
)
# What printing a version needs none of: the language, the engine and their libraries.
ENGINE = (
    "rules_engine.compiler",
    "rules_engine.model",
    "rules_engine.engine",
    "rules_engine.analysis",
    "rules_engine.runtime",
    "lark",
    "pydantic",
    "pendulum",
    "holidays",
    "phonenumbers",
    "langcodes",
    "yaml",
    "watchfiles",
)
DECIDE = [
    "decide",
    str(ACME),
    "--client",
    "acme_plumbing",
    "--at",
    "2026-11-28T23:15",
    "--forwarded",
    "busy",
]


def run(*argv: str) -> dict:
    """What a fresh `rules-engine ARGV…` wrote (`out`) and imported (`modules`); it must have succeeded."""
    result = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST, *argv], check=False, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["code"] in (0, None), result.stderr
    return report


def imported(*argv: str) -> list[str]:
    return run(*argv)["modules"]


def loaded(modules: list[str], packages: tuple[str, ...]) -> list[str]:
    """Those of `modules` that are, or are inside, one of `packages`."""
    return [name for name in modules if any(name == p or name.startswith(p + ".") for p in packages)]


def test_version_imports_neither_the_engine_nor_any_heavy_stack():
    report = run("--version")
    assert report["out"] == f"rules-engine {metadata.version('rules-engine')}\n"
    modules = report["modules"]
    assert loaded(modules, HEAVY + ENGINE) == []
    assert [m for m in modules if m.startswith("rules_engine.cli.")] == []  # no sub-command's module


def test_check_imports_the_compiler_and_the_checks_but_no_heavy_stack():
    modules = imported("check", str(ACME))
    assert loaded(modules, HEAVY) == []
    assert loaded(modules, ("rules_engine.engine", "rules_engine.outcomes", "watchfiles", "sqlite3")) == []
    assert [m for m in modules if m.startswith("rules_engine.cli.")] == [
        "rules_engine.cli.check",
        "rules_engine.cli.options",
        "rules_engine.cli.terminal",
    ]
    assert "rules_engine.compiler.compile" in modules  # it did check the file


def test_decide_imports_the_engine_but_no_heavy_stack():
    modules = imported(*DECIDE)
    assert loaded(modules, (*HEAVY, "rules_engine.analysis")) == []
    assert "rules_engine.engine" in modules


def test_help_lists_every_command_without_importing_them():
    report = run("--help")
    listed = [line.split()[0] for line in report["out"].splitlines() if line.startswith("    ") and line[4] != " "]
    assert listed == list(COMMANDS)
    assert loaded(report["modules"], HEAVY + ENGINE) == []


def test_a_commands_help_shows_its_own_options():
    report = run("decide", "--help")
    assert "--forwarded REASON" in report["out"] and "Decide one call as the engine would" in report["out"]
    assert loaded(report["modules"], HEAVY) == []


@pytest.mark.parametrize("name", list(rules_engine.__all__))
def test_every_name_the_package_exports_is_there_when_asked_for(name):
    """The package imports its exports on first use (so that the command line starts
    quickly); each one still resolves, from the module its docstring promises."""
    value = getattr(rules_engine, name)
    home = importlib.import_module("rules_engine" + rules_engine.EXPORTS[name])
    assert value is getattr(home, name)  # a class, a function, or a union such as `Action`
    assert name in dir(rules_engine)


def test_an_unknown_name_of_the_package_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'Engin'"):
        rules_engine.Engin  # noqa: B018
