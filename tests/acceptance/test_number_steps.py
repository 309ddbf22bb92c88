"""Scenario steps for numbers the caller gives, `say … when` steps and words told before an action."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.acceptance.test_acceptance import assert_no_python, failure_of, rules_engine_test
from tests.decide.test_numbers_and_says import RULES

PASSING = """\
Feature: Heat & Air: numbers and words before actions
  Background:
    Given the rules in "{rules}"
    And the client "heat"
    And it is Wednesday 2026-07-15 at 10:00

  Scenario: A hot day without cooling is an emergency, told in words first
    When the caller answers "problem" with "no_cool"
    And the caller says the outside temperature is 106 °F
    Then the urgency is "emergency"
    And the script says "Stay out of the sun"
    And the agent first tells the caller "106 °F is dangerous"
    And the call is patched to "Tina Ruiz"
    And if that fails, a message is taken

  Scenario: 104 exactly is urgent, and the sun warning is not said
    When the caller answers "problem" with "no_cool"
    And the caller says the outside temperature is 104
    Then the urgency is "urgent"
    And the script does not say "Stay out of the sun"

  Scenario: Until the temperature is given, the urgency waits for it
    When the caller answers "problem" with "no_cool"
    Then the urgency is not decided yet
    And the agent must still ask for "outside"
    And the script does not say "Stay out of the sun"

  Scenario: A gas smell: leave the house, then the escalation
    Given the caller speaks Spanish
    When the caller answers "problem" with "gas_smell"
    Then the agent first tells the caller "Salga de la casa ahora"
    And the call is escalated by "gas" starting with "Tina Ruiz" by call
"""

FAILING = """\
Feature: Heat & Air: mistakes
  Background:
    Given the rules in "{rules}"
    And the client "heat"
    And it is Wednesday 2026-07-15 at 10:00

  Scenario: A number question the client does not have
    When the caller says the indoor humidity is 60
    Then the urgency is "routine"

  Scenario: Words the agent does not say
    When the caller answers "problem" with "gas_smell"
    Then the agent first tells the caller "Open the windows"

  Scenario: A temperature out of range
    When the caller says the outside temperature is 200
    Then the urgency is "routine"
"""


@pytest.fixture(scope="module")
def rules(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("heat") / "heat.rules"
    path.write_text(RULES, encoding="utf-8")
    return path


def test_number_and_say_steps_pass_on_rules_that_do_what_they_say(rules, tmp_path):
    feature = tmp_path / "heat.feature"
    feature.write_text(PASSING.format(rules=rules), encoding="utf-8")
    code, out = rules_engine_test(feature)
    assert code == 0, out
    assert "4 passed" in out


def test_number_and_say_steps_fail_in_words_naming_what_was_expected(rules, tmp_path):
    feature = tmp_path / "mistakes.feature"
    feature.write_text(FAILING.format(rules=rules), encoding="utf-8")
    code, out = rules_engine_test(feature)
    assert code == 1
    assert_no_python(out)
    assert (
        'no number question of client "heat" is about "indoor humidity" (its number questions: "outside"); '
        'name the field, e.g. When the caller answers "FIELD" with "106"'
    ) in failure_of(out, "A number question the client does not have")
    words = failure_of(out, "Words the agent does not say")
    assert 'Expected the agent to tell the caller "Open the windows" first,' in words
    assert (
        'but the call is escalated by "gas", after the words '
        '"Leave the house now and call the gas company from outside."'
    ) in words
    assert (
        "answers.outside: `200` is not an answer for `outside` (a number from -40 to 150; decimals allowed, e.g. 98.6)"
        in failure_of(out, "A temperature out of range")
    )
