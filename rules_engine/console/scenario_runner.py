"""Run one client's Gherkin feature against one rule file, and print the results as JSON.

    python -m rules_engine.console.scenario_runner FEATURE RULES_DIR

The console (`scenarios.py`) runs this in a process of its own for each run: pytest and
pytest-bdd keep state per process (the coverage registry, imported scenario modules), a
scenario may take long, and a run must never disturb the service. The scenarios run as
`rules-engine test --coverage` runs them (the same step library and the same words for a
failure); what is printed is one JSON object:

    {"scenarios": [{"feature", "scenario", "verdict": "passed|failed|skipped", "message"}],
     "problems": ["a feature file could not be read: …"],
     "coverage": [{"client", "exercised", "total", "missing": [{"line", "section", "label"}]}]}
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from ..acceptance import coverage
from ..acceptance.reporter import gherkin_problem


class Collector:
    """A pytest plugin that keeps each scenario's verdict and, for a failure, its message."""

    def __init__(self) -> None:
        self.scenarios: list[dict[str, Any]] = []
        self.problems: list[str] = []

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.problems.append(f"A feature file could not be read:\n{gherkin_problem(report.longreprtext)}")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call" and not report.failed and not report.skipped:
            return
        titles = {name: str(value) for name, value in report.user_properties}
        verdict = "passed" if report.passed else "skipped" if report.skipped else "failed"
        self.scenarios.append(
            {
                "feature": titles.get("feature", "?"),
                "scenario": titles.get("scenario", report.nodeid),
                "verdict": verdict,
                "message": report.longreprtext if report.failed else None,
            }
        )


def run(feature: Path, rules: Path) -> dict[str, Any]:
    coverage.reset()
    collector = Collector()
    with tempfile.TemporaryDirectory(prefix="rules-engine-console-scenarios-") as tmp:
        module = Path(tmp) / "console_scenarios.py"
        module.write_text(f"from pytest_bdd import scenarios\nscenarios({str(feature)!r})\n", encoding="utf-8")
        ini = Path(tmp) / "pytest.ini"
        ini.write_text("[pytest]\n", encoding="utf-8")
        pytest.main(
            [
                str(module),
                "-p",
                "rules_engine.acceptance.steps",
                "-p",
                "no:cacheprovider",
                "-p",
                "no:terminal",
                "--rootdir",
                tmp,
                "-c",
                str(ini),
                "--rules",
                str(rules),
            ],
            plugins=[collector],
        )
    covered = [
        {
            "client": c.client,
            "exercised": c.exercised,
            "total": c.total,
            "missing": [{"line": u.line, "section": u.section, "label": u.label} for u in c.missing],
        }
        for c in coverage.by_client()
    ]
    return {"scenarios": collector.scenarios, "problems": collector.problems, "coverage": covered}


def main(argv: list[str]) -> int:
    feature, rules = argv
    result = run(Path(feature).resolve(), Path(rules).resolve())
    sys.stdout.flush()
    print("\n" + json.dumps(result))  # the last line: anything a step printed comes before it
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
