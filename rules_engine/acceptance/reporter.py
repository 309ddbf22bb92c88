"""What `rules-engine test` prints: one line per scenario, failures in plain words, a count.

It replaces pytest's own terminal output, which speaks of test functions and node ids.
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import TextIO

import pytest

RULE = "_" * 72


def gherkin_problem(text: str) -> str:
    """pytest-bdd's complaint about a feature file, without the Python around it."""
    lines = [line[4:] for line in text.splitlines() if line.startswith("E   ")]
    found = [i for i, line in enumerate(lines) if line.startswith("pytest_bdd.exceptions.")]
    if not found:
        return text
    name, _, first = lines[found[-1]].partition(": ")
    if name.endswith("NoScenariosFound"):
        return f"No scenario in {first.strip('[]')}: each one starts with `Scenario:` or `Scenario Outline:`."
    return "\n".join([first, *lines[found[-1] + 1 :]])


class ScenarioReporter:
    """A pytest plugin; the scenario's title comes from the step library (`user_properties`)."""

    def __init__(self, out: TextIO | None = None):
        self.out = out if out is not None else sys.stdout  # the stdout of this run, not of the first import
        self.counts: Counter[str] = Counter()
        self.failures: list[str] = []
        self.unreadable = 0  # feature files pytest-bdd could not parse
        self.feature: str | None = None

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.unreadable += 1
            self.failures.append(f"A feature file could not be read:\n{gherkin_problem(report.longreprtext)}")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call" and report.passed:
            return
        if report.when == "teardown" and not report.failed:
            return
        titles = {name: str(value) for name, value in report.user_properties}  # the feature's and scenario's
        feature, scenario = titles.get("feature", "?"), titles.get("scenario", report.nodeid)
        if feature != self.feature:
            self.feature = feature
            self.say(f"\nFeature: {feature}")
        verdict = "PASS" if report.passed else ("SKIP" if report.skipped else "FAIL")
        self.counts["passed" if report.passed else "skipped" if report.skipped else "failed"] += 1
        self.say(f"  {verdict}  {scenario}")
        if report.failed:
            self.failures.append(report.longreprtext)

    def pytest_sessionfinish(self) -> None:
        if self.failures:
            self.say(f"\nWhat failed\n{RULE}")
            for failure in self.failures:
                self.say(failure.rstrip("\n"))
                self.say(RULE)
        total = sum(self.counts.values())
        parts = ", ".join(f"{n} {what}" for what, n in self.counts.items() if n)
        unreadable = f"; {self.unreadable} feature file(s) could not be read" if self.unreadable else ""
        self.say(f"\n{total} scenario(s): {parts or 'none run'}{unreadable}")
