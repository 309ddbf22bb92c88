"""docs/metrics.md: its example report is what its code computes, and it defines every key a report has."""

from __future__ import annotations

import json
import re

from tests.support import ROOT

GUIDE = ROOT / "docs" / "metrics.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def blocks(language: str) -> list[str]:
    return [code for lang, code in BLOCK.findall(GUIDE.read_text(encoding="utf-8")) if lang == language]


def example_report(monkeypatch) -> dict:
    monkeypatch.chdir(ROOT)
    (code,) = [code for code in blocks("python") if "generate.write" in code]
    namespace: dict = {}
    exec(compile(code, str(GUIDE), "exec"), namespace)
    return namespace["report"]


def test_the_example_report_is_what_its_code_computes(monkeypatch):
    report = example_report(monkeypatch)
    (shown,) = [json.loads(code) for code in blocks("json")]
    for key, value in shown.items():
        if isinstance(value, list):  # an excerpt: the first entries
            assert report[key][: len(value)] == value, key
        else:
            assert report[key] == value, key


def test_every_key_of_a_report_is_defined(monkeypatch):
    report = example_report(monkeypatch)
    keys = set(report) | set(report["escalations"]) | set(report["parameters"])
    keys |= set(next(iter(report["escalations"]["by_person"].values())))
    for part in ("by_rule", "by_hour", "by_day", "by_week"):
        keys |= set(report[part][0])
    text = GUIDE.read_text(encoding="utf-8")
    undefined = sorted(key for key in keys if f"`{key}`" not in text)
    assert undefined == []
