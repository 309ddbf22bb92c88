"""A command or API whose extra is not installed says which one in one line, never with an
ImportError traceback (issue 20, "Install what you use").

The missing libraries are simulated in a fresh interpreter by an import hook that refuses
them, as an install without the extra would; `test_core_install.py` checks the real thing.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib import metadata

import pytest
from packaging.requirements import Requirement

from rules_engine.extras import EXTRAS, MissingExtraError, needs
from tests.support import ACME, CONFIGS, ROOT

# Refuse every module of the packages named in argv[1] (comma-separated), then run `rules-engine ARGV[2:]`,
# or with `-c CODE` run that code instead.
WITHOUT = """
import importlib.abc, sys
REFUSED = set(sys.argv[1].split(","))

class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in REFUSED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, Refuse())
if sys.argv[2] == "-c":
    exec(sys.argv[3])
else:
    from rules_engine.cli import main
    sys.exit(main(sys.argv[2:]))
"""


def message(what: str, extra: str) -> str:
    return f"{what} needs the {extra} extra: pip install 'rules-engine[{extra}]'"


def without(extra: str, *argv: str) -> subprocess.CompletedProcess[str]:
    """`rules-engine ARGV…` (or `-c CODE`) in a fresh interpreter where `extra` is not installed."""
    return subprocess.run(
        [sys.executable, "-c", WITHOUT, ",".join(EXTRAS[extra]), *argv],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("extra", "argv", "said"),
    [
        pytest.param(
            "service", ["serve", "--rules", str(CONFIGS)], message("rules-engine serve", "service"), id="serve"
        ),
        pytest.param("scenarios", ["test", "features"], message("rules-engine test", "scenarios"), id="test"),
        pytest.param(
            "report",
            [
                "report",
                "--settings",
                "daemon.yaml",
                "--client",
                "acme_plumbing",
                "--from",
                "2026-11-01",
                "--to",
                "2026-11-30",
                "--html",
                "page.html",
            ],
            message("rules-engine report --html", "report"),
            id="report --html",
        ),
        pytest.param(
            "console",
            ["users", "list", "--accounts", "accounts.db"],
            message("rules-engine users", "console"),
            id="users",
        ),
        pytest.param(
            "console",
            ["serve", "--rules", str(CONFIGS), "--accounts", "accounts.db", "--port", "0"],
            message("the console", "console"),
            id="serve with the console",
        ),
        pytest.param(
            "postgres",
            ["explain", "--log", "postgresql://localhost/decisions", "--call-id", "c1"],
            message("a postgresql:// decision log", "postgres"),
            id="explain a PostgreSQL log",
        ),
    ],
)
def test_a_command_without_its_extra_names_it_in_one_line(extra, argv, said):
    result = without(extra, *argv)
    assert result.returncode == 1
    assert result.stderr == said + "\n"
    assert result.stdout == ""


def test_a_postgresql_store_without_its_extra_is_told_as_an_input_error():
    result = without(
        "postgres", "decide", str(ACME), "--client", "acme_plumbing", "--at", "2026-11-28T23:15",
        "--store", "postgresql://localhost/live",
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == f"--store: error: {message('a postgresql:// store', 'postgres')}\n"


def test_the_text_report_needs_no_extra_only_its_page_does():
    """`report` without `--html` reads no chart library: it gets as far as the settings file."""
    result = without(
        "report", "report", "--settings", "no-such.yaml", "--client", "acme_plumbing",
        "--from", "2026-11-01", "--to", "2026-11-30",
    )  # fmt: skip
    assert result.returncode == 1
    assert "no-such.yaml" in result.stderr and "extra" not in result.stderr


@pytest.mark.parametrize(
    ("extra", "code", "said"),
    [
        pytest.param(
            "postgres",
            "from rules_engine import Engine, Settings\n"
            f"Engine.from_settings(Settings.of({{'rules': {str(CONFIGS)!r}, 'store': 'postgresql://localhost/live'}}, 'code'))",
            message("a postgresql:// store", "postgres"),
            id="a PostgreSQL store",
        ),
        pytest.param(
            "postgres",
            "from rules_engine.runtime.decision_log import open_log\nopen_log('postgresql://localhost/decisions')",
            message("a postgresql:// decision log", "postgres"),
            id="a PostgreSQL decision log",
        ),
        pytest.param(
            "postgres",
            "from rules_engine.runtime.stores import open_outcome_store\nopen_outcome_store('postgresql://localhost/live')",
            message("a postgresql:// outcome store", "postgres"),
            id="a PostgreSQL outcome store",
        ),
        pytest.param(
            "service",
            "import rules_engine.http",
            message("rules_engine.http (the HTTP service)", "service"),
            id="the HTTP service",
        ),
        pytest.param(
            "report",
            "from rules_engine.outcomes import html\nassert html.duration(75) == '1 min 15 s'\nhtml.page({}, 'x', 'UTC')",
            message("the outcome report's page", "report"),
            id="the report's page",
        ),
    ],
)
def test_an_api_without_its_extra_raises_one_error_naming_it(extra, code, said):
    result = without(extra, "-c", code)
    assert result.returncode == 1
    *_, last = result.stderr.splitlines()
    assert last == f"rules_engine.extras.MissingExtraError: {said}"
    assert "ImportError" not in result.stderr and "ModuleNotFoundError" not in result.stderr


def test_needs_turns_only_a_missing_module_of_its_extra_into_one_line():
    with pytest.raises(MissingExtraError) as caught, needs("service", "rules-engine serve"):
        raise ModuleNotFoundError("No module named 'uvicorn.server'", name="uvicorn.server")
    assert str(caught.value) == message("rules-engine serve", "service")
    assert caught.value.__suppress_context__  # no ImportError shown beneath it

    with pytest.raises(ModuleNotFoundError), needs("service", "rules-engine serve"):  # not the extra's: a real fault
        raise ModuleNotFoundError("No module named 'rules_engine.nothing'", name="rules_engine.nothing")


def test_the_outermost_need_names_what_the_user_asked_for():
    with (
        pytest.raises(MissingExtraError) as caught,
        needs("service", "rules-engine serve"),
        needs("service", "rules_engine.http"),
    ):
        raise ModuleNotFoundError("No module named 'fastapi'", name="fastapi")
    assert str(caught.value) == message("rules-engine serve", "service")


def test_each_extra_of_pyproject_is_known_by_the_modules_it_installs():
    """Every library an extra of pyproject.toml names provides a module `extras.EXTRAS` lists for
    that extra, so its absence is told; and `all` is every one of them."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    optional = declared["optional-dependencies"]
    assert set(optional) - {"all", "test"} == set(EXTRAS)
    assert optional["all"] == [f"rules-engine[{','.join(EXTRAS)}]"]
    providers = metadata.packages_distributions()
    for extra, requirements in ((e, optional[e]) for e in EXTRAS):
        for requirement in map(Requirement, requirements):
            if requirement.marker is not None and not requirement.marker.evaluate():
                continue
            dist = canonical(requirement.name)
            modules = {module for module, dists in providers.items() if dist in map(canonical, dists)}
            assert modules & set(EXTRAS[extra]), f"{requirement.name} ({extra}): none of {sorted(modules)} is listed"
    core = {canonical(Requirement(r).name) for r in declared["dependencies"]}
    assert not core & {canonical(Requirement(r).name) for e in EXTRAS for r in optional[e]}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_readme_installs_every_extra_and_shows_the_line_a_missing_one_gives():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    install = readme[readme.index("## Install\n") : readme.index("\n## ", readme.index("## Install\n") + 1)]
    assert set(re.findall(r"pip install 'rules-engine\[(\w+)\]'  ", install)) == {*EXTRAS, "all"}
    assert message("rules-engine serve", "service") + "\n" in install
