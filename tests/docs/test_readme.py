"""The README is the front door: its example client compiles and its embedding example runs."""

from __future__ import annotations

import re

from rules_engine import Call, Engine, compile_text
from tests.support import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def block_after(heading: str, language: str = "") -> str:
    found = re.search(rf"## {re.escape(heading)}\n.*?```{language}\n(.*?)```", README, re.S)
    assert found, f"no code block under '## {heading}'"
    return found.group(1)


def test_the_language_tour_client_compiles_without_a_warning():
    client, warnings = compile_text(block_after("The language in five minutes"), "README.md")
    assert client.id == "acme_plumbing"
    assert [w.render() for w in warnings] == []


def test_the_tour_client_decides_the_demo_call_as_the_readme_says(tmp_path):
    (tmp_path / "acme.rules").write_text(block_after("The language in five minutes"), encoding="utf-8")
    engine = Engine.from_path(tmp_path)
    decision = engine.decide(Call(client="acme_plumbing", at="2026-11-28T23:15:00-06:00", forwarded="busy",
                                  answers={"type": "burst_pipe"}))
    assert decision.greeting.id == "after_hours"
    assert decision.urgency == "emergency"
    assert decision.route.actions[0].kind == "escalate"


def test_the_embedding_example_runs(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    exec(compile(block_after("Embedding in the routing daemon", "python"), "README.md", "exec"), {})
    assert "Our office is closed" in capsys.readouterr().out
