"""The README is the front door: its example client compiles, its embedding example runs, and the
samples of "Before you deploy" are what the commands print."""

from __future__ import annotations

import re
import shutil

from rules_engine import Call, Engine, compile_text
from tests.support import ACME, CONFIGS, ROOT

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
    decision = engine.decide(
        Call(client="acme_plumbing", at="2026-11-28T23:15:00-06:00", forwarded="busy", answers={"type": "burst_pipe"})
    )
    assert decision.greeting.id == "after_hours"
    assert decision.urgency == "emergency"
    assert decision.route.actions[0].kind == "escalate"


def test_the_embedding_example_runs(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    exec(compile(block_after("Embedding in the routing daemon", "python"), "README.md", "exec"), {})
    assert "Our office is closed" in capsys.readouterr().out


# ---- "Before you deploy": its samples are what the commands print -------------------------------

SHOP = """client shop "Shop" {
    timezone "America/Chicago"
    window open = mon-fri 09:00-17:00
    closed "Christmas" 2026-12-24 12:00 to 2026-12-26 08:00
    contact desk "Desk" { call "+13125550999" }
    greeting closed_now when not open { en "We are closed." }
    greeting default { en "Hello." }
    route {
        when open -> patch desk
        otherwise -> voicemail
    }
}
"""


def samples(heading: str) -> list[tuple[list[str], list[list[str]]]]:
    """Each `$ rules-engine …` block of a section: the command's words and the runs of output
    lines it shows (a line `…` stands for lines left out)."""
    section = README.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    out = []
    for block in re.findall(r"```\n(\$ rules-engine .*?)```", section, re.S):
        command, *lines = block.rstrip("\n").split("\n")
        runs: list[list[str]] = [[]]
        for line in lines:
            if line == "…":
                runs.append([])
            else:
                runs[-1].append(line)
        out.append((command[2:].split()[1:], [run for run in runs if run]))
    return out


def test_the_before_you_deploy_samples_are_real_output(tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(CONFIGS, tmp_path / "client_configs")
    edit = ACME.read_text(encoding="utf-8").replace(
        "window lunch = mon-fri 12:00-13:00", "window lunch = mon-fri 12:30-13:30"
    )
    (tmp_path / "acme_plumbing.rules").write_text(
        edit.replace("{ alice, bob, carol }", "{ bob, alice, carol }"), encoding="utf-8"
    )
    (tmp_path / "shop.rules").write_text(SHOP, encoding="utf-8")
    found = samples("Before you deploy")
    assert [argv[0] for argv, _ in found] == ["matrix", "diff", "check"]
    for argv, runs in found:
        pinned = ["--from", "2026-12-01"] if argv[0] == "check" else []  # the README's "today"
        result = cli(*argv, *pinned)
        printed = (result.err + result.out).splitlines()  # as a terminal shows them: the summary comes last
        at = 0
        for run in runs:  # each run of lines is printed as shown, the runs in order
            starts = [i for i in range(at, len(printed)) if printed[i : i + len(run)] == run]
            assert starts, f"`rules-engine {' '.join(argv)}` does not print:\n" + "\n".join(run)
            at = starts[0] + len(run)


def test_the_outcome_example_records_what_the_report_then_counts():
    from datetime import date, datetime, timedelta, timezone

    engine = Engine.from_path(ROOT / "client_configs")
    arrived = datetime(2026, 11, 28, 23, 15, tzinfo=timezone(timedelta(hours=-6)))
    call = Call(client="acme_plumbing", at=arrived, forwarded="busy", answers={"type": "burst_pipe"})
    exec(
        compile(block_after("Call outcomes and the month's report", "python"), "README.md", "exec"),
        {"engine": engine, "call": call, "when": arrived + timedelta(minutes=7)},
    )
    report = engine.report("acme_plumbing", date(2026, 11, 28), date(2026, 11, 28))
    assert (report["received"], report["answered"], report["resolved"]) == (1, 1, 1)
    assert report["escalations"]["acknowledged_at_step"] == {"2": 1}
