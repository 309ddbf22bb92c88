"""`rules-engine report`: the figures from the daemon's store, as text, JSON and a page; its refusals."""

from __future__ import annotations

import json

import pytest

from rules_engine.engine import Engine
from tests.outcomes.histories import BUSY_LINE, record_escalations, record_mixed_day, tiny_engine


@pytest.fixture
def settings(tmp_path) -> str:
    """The daemon's settings, and its store after the hand-made days of Tiny Vets."""
    rules = tmp_path / "rules"
    rules.mkdir()
    tiny_engine(rules).close()
    path = tmp_path / "settings.yaml"
    path.write_text("rules: rules\nstore: state.db\n", encoding="utf-8")
    with Engine.from_settings(path) as engine:
        record_mixed_day(engine)
        record_escalations(engine)
    return str(path)


def report(settings: str, *options: str) -> list[str]:
    return [
        "report",
        "--settings",
        settings,
        "--client",
        "tiny_vets",
        "--from",
        "2026-11-03",
        "--to",
        "2026-11-04",
        *options,
    ]


def test_the_report_for_people(settings, cli):
    run = cli(*report(settings))
    assert run.code == 0
    assert run.out.splitlines() == [
        "Tiny Vets (tiny_vets): calls from 2026-11-03 to 2026-11-04",
        "CALLS     received 9, answered 3, abandoned 1 (and 1 within 5 s, left out of the rates), missed 1, "
        "failed 1, dropped 1, no outcome recorded 1",
        "RATES     resolution 25.0 %, abandonment 20.0 %, service level 50.0 % (answered within 20 s), "
        "first-call resolution 50.0 %, transferred 33.3 %",
        "TIMES     average speed of answer 20 s, average handle time 2 min 50 s, satisfaction 4.0",
        "ESCALATED 0 calls: 0 acknowledged (median n/a after the call), 0 never",
        "BY RULE",
        f"  rule 1 (line {BUSY_LINE}): when forwarded busy      -> patch ann",
        "    received 4, answered 2, unanswered 1, abandonment 33.3 %, resolution 33.3 %",
        f"  rule 2 (line {BUSY_LINE + 1}): when forwarded no_answer -> escalate urgent",
        "    received 2, answered 0, unanswered 1, abandonment 0.0 %, resolution 0.0 %",
        f"  rule 3 (line {BUSY_LINE + 2}): otherwise                -> take message",
        "    received 3, answered 1, unanswered 0, abandonment 0.0 %, resolution 33.3 %",
    ]


def test_the_report_as_json_with_its_parameters(settings, cli):
    run = cli(*report(settings, "--json", "--service-level", "10", "--short-abandon", "2"))
    printed = json.loads(run.out)
    assert printed["parameters"] == {
        "short_abandon_seconds": 2,
        "service_level_seconds": 10,
        "fcr_window_seconds": 604800.0,
    }
    assert (printed["abandoned"], printed["short_abandoned"]) == (2, 0)  # c4's 3 s now counts
    assert printed["service_level"] == 20.0  # c1 alone ÷ (3 answered + 2 abandoned)


def test_escalations_for_people_name_each_person(settings, cli):
    run = cli("report", "--settings", settings, "--client", "tiny_vets", "--from", "2026-11-05", "--to", "2026-11-06")
    assert run.out.splitlines()[4:7] == [
        "ESCALATED 3 calls: 2 acknowledged (median 4 min 30 s after the call), 1 never",
        "          Ann Lee: notified 3 (1 at night), acknowledged 1, median 2 min 0 s",
        "          Ben Cho: notified 2 (0 at night), acknowledged 1, median 2 min 0 s",
    ]


def test_the_page_is_written_beside_the_figures(settings, tmp_path, cli):
    page = tmp_path / "tiny.html"
    run = cli(*report(settings, "--html", page))
    assert run.code == 0 and run.out.endswith(f"\npage written to {page}\n")
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!doctype html>")
    assert "<title>Calls report: Tiny Vets, 2026-11-03 to 2026-11-04</title>" in text
    assert "<code>when [your line is busy] → patch ann</code>" in text
    assert text.count("<svg") == 3  # calls per day, unanswered by hour, resolution per week (no escalation)


@pytest.mark.parametrize(
    "option, value, message",
    [
        ("--client", "tiny_vet", "error: no client `tiny_vet` is served\n  hint: did you mean `tiny_vets`?"),
        ("--to", "2026-11-01", "--to: error: the report must end after it starts"),
    ],
)
def test_refusals_name_the_option(settings, cli, option, value, message):
    given = report(settings)
    given[given.index(option) + 1] = value
    run = cli(*given)
    assert run.code == 1 and message in run.err


@pytest.mark.parametrize(
    "option, value, message",
    [
        ("--fcr-days", "0", "argument --fcr-days: `0` is not a positive number"),
        ("--service-level", "-1", "argument --service-level: `-1` is not a number, 0 or more"),
        ("--to", "2026-11-31", "argument --to: `2026-11-31` is not a date (YYYY-MM-DD, e.g. 2026-12-21)"),
    ],
)
def test_values_that_are_not_what_an_option_takes_are_usage_errors(settings, cli, option, value, message):
    given = report(settings)
    if option in given:
        given[given.index(option) + 1] = value
    else:
        given += [option, value]
    run = cli(*given)
    assert run.code == 2 and message in run.err


def test_settings_that_cannot_be_read(tmp_path, cli):
    missing = tmp_path / "none.yaml"
    run = cli("report", "--settings", missing, "--client", "x", "--from", "2026-11-01", "--to", "2026-11-02")
    assert run.code == 1
    assert run.err == f"{missing}: error: {missing}: cannot read the settings file: No such file or directory\n"


def test_a_page_that_cannot_be_written(settings, tmp_path, cli):
    run = cli(*report(settings, "--html", tmp_path / "no" / "such" / "folder.html"))
    assert run.code == 1
    assert (
        run.err
        == f"{tmp_path / 'no' / 'such' / 'folder.html'}: error: cannot write the page: No such file or directory\n"
    )
