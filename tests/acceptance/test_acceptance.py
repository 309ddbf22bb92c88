"""`rules-engine test`: the account managers' scenarios pass with full rule coverage, and a
scenario that is wrong, or written with words the step library does not know, fails with a
message an account manager can act on.

Every scenario under features/ runs once, in one `rules-engine test --coverage` run shared
by the tests that read its output (`examples`); the wrong scenarios run together in a
second (`mistakes`). Each run is the command's own entry point called in this process.

Expected rule counts and line numbers are read from the rule files' text here (a rule is a
line of its own: `greeting NAME`, `choose script`, a level in `urgency { … }`, a route line
with `->`), not from the engine's model.
"""

from __future__ import annotations

import io
import re
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from rules_engine.cli import main
from tests.support import CLIENTS, CONFIGS, FEATURES


def line_of(client: str, pattern: str) -> int:
    """The line number (1-based) of the first line of a client's rule file matching `pattern`."""
    for number, line in enumerate((CONFIGS / f"{client}.rules").read_text(encoding="utf-8").splitlines(), 1):
        if re.search(pattern, line):
            return number
    raise AssertionError(f"no line matching {pattern!r} in {client}.rules")


def rule_count(client: str) -> int:
    """Greetings, script choices, urgency levels and route rules, counted from the file's lines."""
    text = (CONFIGS / f"{client}.rules").read_text(encoding="utf-8")
    lines = [line.split("#", 1)[0] for line in text.splitlines()]
    greetings = sum(bool(re.match(r"\s*greeting\s+\w+", line)) for line in lines)
    choices = sum(bool(re.match(r"\s*choose\s+script\s", line)) for line in lines)
    routes = sum(bool(re.match(r"\s*(when\b|otherwise\b).*->", line)) for line in lines)
    start = next(i for i, line in enumerate(lines) if re.match(r"\s*urgency\s*\{", line))
    end = next(i for i in range(start, len(lines)) if lines[i].strip() == "}")
    levels = sum(bool(re.match(r"\s*\w+\s+(when\b|otherwise\s*$)", line)) for line in lines[start + 1 : end])
    return greetings + choices + levels + routes


def rules_engine_test(*paths: Path, coverage: bool = False) -> tuple[int, str]:
    """`rules-engine test PATHS… --rules client_configs` as an account manager runs it: the exit
    code, and what it printed (standard output, then standard error, as one text)."""
    printed = io.StringIO()
    with redirect_stdout(printed), redirect_stderr(printed):
        code = main(["test", *map(str, paths), "--rules", str(CONFIGS)] + (["--coverage"] if coverage else []))
    return code, printed.getvalue()


def failure_of(output: str, scenario: str) -> str:
    """The failure report of one scenario: from its `Scenario:` line to the next section rule."""
    start = output.index(f"Scenario: {scenario} (")
    end = re.search(r"^(_{3,}|={3,})", output[start:], re.M)
    return output[start : start + end.start()] if end else output[start:]


def assert_no_python(output: str) -> None:
    for sign in ("Traceback", 'File "', "def "):
        assert sign not in output, f"Python shows through ({sign!r}):\n{output}"


@pytest.fixture(scope="module")
def examples() -> tuple[int, str]:
    """Every example client's scenarios, with coverage: the one run of features/ in the suite."""
    return rules_engine_test(FEATURES, coverage=True)


def test_every_example_client_passes_with_every_rule_exercised(examples):
    code, out = examples
    assert code == 0, out
    assert " failed" not in out and "FAILED" not in out
    assert "not exercised" not in out
    for client in CLIENTS:
        total = rule_count(client)
        assert re.search(rf"^  {client} \(.*\): {total} of {total} rules exercised$", out, re.M), (client, out)


# Mistakes an account manager makes, each in a feature of its own; one run reports them all.
MISTAKES = {
    "wrong_greeting.feature": """\
Feature: Acme at the weekend
  Scenario: A busy line on Saturday night
    Given the client "acme_plumbing"
    And it is Saturday 2026-11-28 at 23:15
    And the call was forwarded because the line was busy
    When the call arrives
    Then the agent greets with "busy"
""",
    "wrong_route.feature": """\
Feature: Harbour Vets at night
  Scenario: A poisoned dog at night
    Given the client "harbour_vets"
    And it is Saturday 2026-12-05 at 23:00
    When the caller answers "problem" with "poisoning"
    Then the call is patched to "Reception"
""",
    "unknown_phrase.feature": """\
Feature: Words the library does not know
  Scenario: A happy caller
    Given the client "acme_plumbing"
    And it is Saturday 2026-11-28 at 23:15
    Then the caller is delighted
""",
    "unknown_client.feature": """\
Feature: A misspelt client
  Scenario: Acme with a typo
    Given the client "acme_plumbin"
    And it is Saturday 2026-11-28 at 23:15
    Then the agent greets with "after_hours"
""",
    "wrong_weekday.feature": """\
Feature: A slip of the calendar
  Scenario: Saturday the 29th
    Given the client "acme_plumbing"
    And it is Saturday 2026-11-29 at 23:15
    Then the agent greets with "after_hours"
""",
    "answer_not_a_choice.feature": """\
Feature: An answer the script does not offer
  Scenario: Knocked out
    Given the client "riverside_medical"
    And it is Saturday 2026-11-28 at 23:15
    When the caller answers "symptom" with "knocked out"
    Then the urgency is "emergency"
""",
    "misspelt_step.feature": """\
Feature: A misspelt step
  Scenario: Greets, misspelt
    Given the client "acme_plumbing"
    And it is Saturday 2026-11-28 at 23:15
    Then the agent greet with "after_hours"
""",
    "curly_quotes.feature": """\
Feature: Pasted from a word processor
  Scenario: Curly quotes
    Given the client "acme_plumbing"
    And it is Saturday 2026-11-28 at 23:15
    Then the agent greets with “after_hours”
""",
    "wrong_callback_time.feature": """\
Feature: Harbour Vets, a callback
  Scenario: Vomiting while open, a callback within 2 hours
    Given the client "harbour_vets"
    And it is Thursday 2026-12-03 at 11:00
    When the caller answers "problem" with "vomiting"
    Then the call is patched to "Reception"
    And if that fails, a callback is queued within 2 hours
""",
}


@pytest.fixture(scope="module")
def mistakes(tmp_path_factory) -> tuple[int, str]:
    folder = tmp_path_factory.mktemp("mistakes")
    for name, text in MISTAKES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return rules_engine_test(folder)


def test_a_run_with_failing_scenarios_fails_without_showing_python(mistakes):
    code, out = mistakes
    assert code == 1
    assert f"{len(MISTAKES)} failed" in out
    assert_no_python(out)


def test_a_wrong_expectation_says_what_was_expected_what_happened_and_why(mistakes):
    report = failure_of(mistakes[1], "A busy line on Saturday night")
    assert "wrong_greeting.feature, line 2)" in report
    assert 'Step: Then the agent greets with "busy" (line 7)' in report
    assert 'Expected the greeting "busy"' in report
    assert (
        'but the agent greets with "after_hours": "Thank you for calling Acme Plumbing. Our office is closed' in report
    )
    # the trace: `busy` was tried and did not hold (not open at 23:15), `after_hours` decided
    busy = line_of(
        "acme_plumbing", r"^\s*when open and not \(holiday or closed\) and forwarded"
    )  # the line of its condition
    after_hours = line_of("acme_plumbing", r"^\s*greeting after_hours")
    assert f"greeting: busy (line {busy}): no" in report
    assert f"greeting: after_hours (line {after_hours}): yes" in report


def test_a_wrong_route_names_the_route_the_engine_chose(mistakes):
    report = failure_of(mistakes[1], "A poisoned dog at night")
    assert 'Expected the call to be patched to "Reception"' in report
    assert 'but the call is escalated by "critical"' in report
    route = line_of("harbour_vets", r"when urgency is critical and not open")
    assert f"route: 1 (line {route}): yes" in report


def test_an_unknown_phrase_is_named_with_its_line(mistakes):
    report = failure_of(mistakes[1], "A happy caller")
    assert "Step: Then the caller is delighted (line 5)" in report
    assert "not a phrase of the step library" in report


def test_an_unknown_client_is_named_with_the_clients_there_are(mistakes):
    report = failure_of(mistakes[1], "Acme with a typo")
    assert 'There is no client "acme_plumbin"' in report
    assert "did you mean `acme_plumbing`?" in report
    assert "The clients there are: " + ", ".join(CLIENTS) in report


def test_a_date_that_is_not_that_weekday_is_pointed_out(mistakes):
    report = failure_of(mistakes[1], "Saturday the 29th")
    assert "2026-11-29 is a Sunday, not a Saturday" in report


def test_coverage_lists_the_rules_a_partial_feature_left_unexercised(tmp_path):
    feature = tmp_path / "night_only.feature"
    feature.write_text(
        """\
Feature: Only the night for Harbour Vets
  Scenario: A poisoned dog at night
    Given the client "harbour_vets"
    And it is Saturday 2026-12-05 at 23:00
    When the caller answers "problem" with "poisoning"
    Then the urgency is "critical"
""",
        encoding="utf-8",
    )
    code, out = rules_engine_test(feature, coverage=True)
    assert code == 0, out
    # exercised: the after-hours greeting, the one script choice, urgency `critical`, route 1
    total = rule_count("harbour_vets")
    assert f"harbour_vets ({CONFIGS / 'harbour_vets.rules'}): 4 of {total} rules exercised" in out
    missing = {
        line_of("harbour_vets", r"^\s*greeting default"): "greeting default",
        line_of("harbour_vets", r"^\s*urgent\s+when"): "urgency urgent",
        line_of("harbour_vets", r"^\s*routine\s+otherwise"): "urgency routine otherwise",
        line_of("harbour_vets", r"when urgency is critical\s+->"): "route rule 2",
        line_of("harbour_vets", r"^\s*otherwise\s+->"): "route rule 6 (otherwise)",
    }
    for line, label in missing.items():
        assert f"not exercised: line {line}: {label}" in out
    for exercised in (r"^\s*greeting after_hours", r"^\s*critical\s+when", r"when urgency is critical and"):
        line = line_of("harbour_vets", exercised)
        assert f"not exercised: line {line}:" not in out
    assert out.count("not exercised:") == total - 4


def test_a_missing_feature_file_is_an_error(tmp_path):
    code, out = rules_engine_test(tmp_path / "no_such.feature")
    assert code == 1
    assert "no such feature file or directory" in out


@pytest.mark.parametrize("client", CLIENTS)
def test_every_example_client_has_its_own_feature_file(client):
    text = (FEATURES / f"{client}.feature").read_text(encoding="utf-8")
    assert f'Given the client "{client}"' in text
    assert "Scenario Outline:" in text and "Examples:" in text


def test_a_feature_file_that_is_not_gherkin_is_named_with_its_line_and_no_python(tmp_path):
    (tmp_path / "broken.feature").write_text(
        "Feature: broken\n  Scenario: oops\n    Given nothing\n  Blah\n", encoding="utf-8"
    )
    code, out = rules_engine_test(tmp_path / "broken.feature")
    assert code == 1
    assert "A feature file could not be read" in out
    assert "Line number: 4" in out and "broken.feature" in out
    assert "1 feature file(s) could not be read" in out
    assert_no_python(out)


def test_each_scenario_gets_one_line_with_its_verdict(examples):
    code, out = examples
    assert code == 0
    assert (
        "\nFeature: Acme Plumbing & Heating — calls forwarded to the answering service (features/acme_plumbing.feature)\n"
        in out
    )
    assert "\n  PASS  Saturday night, busy line, burst pipe: the plumber on call is called first\n" in out
    verdicts = re.findall(r"^  (PASS|FAIL|SKIP)  ", out, re.M)
    assert f"\n{len(verdicts)} scenario(s): {len(verdicts)} passed\n" in out


def test_an_answer_outside_the_choices_fails_in_the_engines_words(mistakes):
    report = failure_of(mistakes[1], "Knocked out")
    assert (
        "answers.symptom: `knocked out` is not one of the choices for `symptom` "
        "(chest_pain, breathing, fever, prescription, appointment, other)" in report
    )


def test_a_misspelt_step_gets_the_closest_phrase(mistakes):
    report = failure_of(mistakes[1], "Greets, misspelt")
    assert 'Step: Then the agent greet with "after_hours" (line 5)' in report
    assert 'Hint: did you mean: Then the agent greets with "…"' in report


def test_curly_quotes_get_a_hint(mistakes):
    report = failure_of(mistakes[1], "Curly quotes")
    assert (
        "Hint: its quotes are curly (“…”), as a word processor types them; "
        'write straight quotes ("…"), as on a plain keyboard'
    ) in report


def test_durations_are_compared_as_durations_and_told_in_words(mistakes):
    report = failure_of(mistakes[1], "Vomiting while open, a callback within 2 hours")
    assert "Expected a callback within 2 hours,\nbut a callback is queued within 15 minutes." in report


def test_a_callback_written_in_other_units_is_the_same_callback(tmp_path):
    feature = tmp_path / "units.feature"
    feature.write_text(
        """\
Feature: Harbour Vets, a callback in seconds
  Scenario: Vomiting while open
    Given the client "harbour_vets"
    And it is Thursday 2026-12-03 at 11:00
    When the caller answers "problem" with "vomiting"
    Then the call is patched to "Reception"
    And if that fails, a callback is queued within 900 seconds
""",
        encoding="utf-8",
    )
    code, out = rules_engine_test(feature)
    assert code == 0, out


def test_without_rules_a_client_not_in_client_configs_says_to_pass_rules(tmp_path, monkeypatch):
    feature = tmp_path / "elsewhere.feature"
    feature.write_text(
        """\
Feature: A client kept elsewhere
  Scenario: Its greeting
    Given the client "desk_only"
    And it is Saturday 2026-11-28 at 23:15
    Then the agent greets with "default"
""",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)  # no client_configs/ here, and no --rules
    printed = io.StringIO()
    with redirect_stdout(printed), redirect_stderr(printed):
        code = main(["test", str(feature)])
    assert code == 1
    assert (
        f'There are no rules at {tmp_path / "client_configs"}, so there is no client "desk_only"\n'
        "Pass --rules PATH (the .rules file or directory this client is in) to run its scenarios."
    ) in printed.getvalue()
