"""`rules-engine test [FEATURES...]`: run account managers' Gherkin scenarios, with rule coverage."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path


def add_parser(sub):
    parser = sub.add_parser("test", help="run Gherkin acceptance scenarios")
    parser.add_argument("paths", nargs="*", default=["features"], metavar="FEATURES",
                        help="feature files or directories (default: features)")
    parser.add_argument("--rules", default="client_configs", metavar="PATH",
                        help="rules directory or file the scenarios' clients come from (default: client_configs)")
    parser.add_argument("--coverage", action="store_true",
                        help="list, per client, the rules no scenario exercised")
    return parser


def run(args) -> int:
    import pytest

    from ..acceptance import coverage
    from ..acceptance.reporter import ScenarioReporter

    features = [Path(p).resolve() for p in args.paths]
    missing = [str(p) for p in features if not p.exists()]
    if missing:
        print("rules-engine test: no such feature file or directory: " + ", ".join(missing), file=sys.stderr)
        return 1
    coverage.reset()
    with tempfile.TemporaryDirectory(prefix="rules-engine-test-") as tmp:
        (Path(tmp) / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        module = Path(tmp) / "rules_engine_scenarios.py"
        module.write_text(
            "from pytest_bdd import scenarios\n"
            f"scenarios(*{[str(p) for p in features]!r})\n",
            encoding="utf-8",
        )
        code = pytest.main([
            str(module), "-p", "rules_engine.acceptance.steps", "-p", "no:cacheprovider",
            "--rootdir", str(Path.cwd()), "-c", str(Path(tmp) / "pytest.ini"),
            "--rules", str(Path(args.rules).resolve()),
            "-p", "no:terminal",
        ], plugins=[ScenarioReporter()])
    if args.coverage:
        print(coverage.report())
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        print("rules-engine test: no scenarios found", file=sys.stderr)
        return 1
    return 0 if code == 0 else 1
