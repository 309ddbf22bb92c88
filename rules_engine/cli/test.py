"""`rules-engine test [FEATURES...]`: run account managers' Gherkin scenarios, with rule coverage.

The scenarios run under pytest-bdd in this process (`pytest.main`), with the step library
as a plugin and our own reporter in place of pytest's terminal output. Several runs may
share one process (the project's test suite makes a few): each leaves nothing behind.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..extras import needs


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        default=["features"],
        metavar="FEATURES",
        help="feature files or directories (default: features)",
    )
    parser.add_argument(
        "--rules",
        metavar="PATH",
        help="rules directory or file the scenarios' clients come from (default: client_configs)",
    )
    parser.add_argument("--coverage", action="store_true", help="list, per client, the rules no scenario exercised")


def run(args: argparse.Namespace) -> int:
    with needs("scenarios", "rules-engine test"):
        import pytest
        import pytest_bdd  # noqa: F401  (the scenario module imports it)

        from ..acceptance import coverage
        from ..acceptance.reporter import ScenarioReporter

    features = [Path(p).resolve() for p in args.paths]
    missing = [str(p) for p in features if not p.exists()]
    if missing:
        print("rules-engine test: no such feature file or directory: " + ", ".join(missing), file=sys.stderr)
        return 1
    coverage.reset()
    with scenario_module(features) as (module, ini):
        code = pytest.main(
            [
                str(module),
                "-p",
                "rules_engine.acceptance.steps",
                "-p",
                "no:cacheprovider",
                "--rootdir",
                str(Path.cwd()),
                "-c",
                str(ini),
                *(["--rules", str(Path(args.rules).resolve())] if args.rules else []),
                "-p",
                "no:terminal",
            ],
            plugins=[ScenarioReporter()],
        )
    if args.coverage:
        print(coverage.report())
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        print("rules-engine test: no scenarios found", file=sys.stderr)
        return 1
    return 0 if code == 0 else 1


@contextmanager
def scenario_module(features: list[Path]) -> Iterator[tuple[Path, Path]]:
    """A throwaway test module that asks pytest-bdd for the scenarios of `features`, beside an
    empty `pytest.ini` (so that no project's settings apply).

    Its name is new each run, and afterwards it is gone from disk, `sys.modules` and the
    `sys.path` entry pytest adds for it: a later run in the same process imports its own.
    """
    name = f"rules_engine_scenarios_{uuid.uuid4().hex}"
    with tempfile.TemporaryDirectory(prefix="rules-engine-test-") as tmp:
        module = Path(tmp) / f"{name}.py"
        module.write_text(
            f"from pytest_bdd import scenarios\nscenarios(*{[str(p) for p in features]!r})\n", encoding="utf-8"
        )
        ini = Path(tmp) / "pytest.ini"
        ini.write_text("[pytest]\n", encoding="utf-8")
        try:
            yield module, ini
        finally:
            sys.modules.pop(name, None)
            while tmp in sys.path:
                sys.path.remove(tmp)
