"""Deciding with numbers the caller gives, `say … when` in scripts and `say … then ACTION` in routes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rules_engine.compiler.compile import compile_text
from rules_engine.decide.call import Call, answer_rules, checked_answers
from rules_engine.decide.decider import decide
from rules_engine.errors import CallError

RULES = """client heat "Heat & Air" {
    timezone "America/Phoenix"
    languages en, es
    contact tech "Tina Ruiz" { call "+16025550111" sms "+16025550111" }
    escalation gas { step call tech, wait 5m  finally say { en "Nobody answered: call 911." es "Nadie contestó: llame al 911." } then take message priority high }
    greeting default { en "Hello" es "Hola" }
    script intake {
        ask problem "What is wrong?" choice (no_cool, gas_smell, other)
        ask outside { en "How hot is it outside (°F)?" es "¿Qué temperatura hace afuera (°F)?" } number -40-150
        say { en "Stay out of the sun and drink water." es "No salga al sol y beba agua." } when outside > 104
        say "Thank you." when problem is other
        say "We will help you."
    }
    choose script intake otherwise
    urgency {
        emergency when problem is gas_smell or (problem is no_cool and outside > 104)
        urgent when problem is no_cool and outside is 104
        routine otherwise
    }
    route {
        when problem is gas_smell -> say { en "Leave the house now and call the gas company from outside." es "Salga de la casa ahora y llame a la compañía de gas desde afuera." } then escalate gas
        when urgency is emergency -> say "A technician will call you, {answer.outside} °F is dangerous." then patch tech, else take message
        otherwise -> take message
    }
}
"""
CLIENT, _ = compile_text(RULES, "heat.rules")
AT = datetime(2026, 7, 15, 17, 0, tzinfo=UTC)  # 10:00 in Phoenix


def decision(language: str | None = None, **answers: str):
    call = Call(client="heat", at=AT, language=language, answers=answers)
    return decide(CLIENT, checked_answers(CLIENT, answer_rules(CLIENT), call))


# ---- numbers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outside", "urgency"),
    [("106", "emergency"), ("104.5", "emergency"), ("104", "urgent"), ("104.0", "urgent"), ("-5", "routine")],
)
def test_a_number_answer_is_compared_as_a_number(outside, urgency):
    assert decision(problem="no_cool", outside=outside).urgency == urgency


def test_an_unanswered_number_is_unknown_and_needed_next():
    made = decision(problem="no_cool")
    assert made.urgency is None
    assert made.needs == ("outside",)
    assert made.route is None


def test_a_comparison_that_cannot_matter_does_not_wait_for_the_number():
    assert decision(problem="other").urgency == "routine"


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            "hot",
            "answers.outside: `hot` is not an answer for `outside` (a number from -40 to 150; decimals allowed, e.g. 98.6)",
        ),
        (
            "151",
            "answers.outside: `151` is not an answer for `outside` (a number from -40 to 150; decimals allowed, e.g. 98.6)",
        ),
        (
            "1e2",
            "answers.outside: `1e2` is not an answer for `outside` (a number from -40 to 150; decimals allowed, e.g. 98.6)",
        ),
        (
            "NaN",
            "answers.outside: `NaN` is not an answer for `outside` (a number from -40 to 150; decimals allowed, e.g. 98.6)",
        ),
    ],
)
def test_an_answer_that_is_not_a_number_in_range_is_refused_naming_the_field(answer, message):
    with pytest.raises(CallError) as caught:
        decision(problem="no_cool", outside=answer)
    assert str(caught.value) == message
    assert caught.value.field == "answers.outside"


def test_an_unbounded_number_question_refuses_only_what_is_not_a_number():
    client, _ = compile_text(RULES.replace("number -40-150", "number"), "heat.rules")
    rules = answer_rules(client)
    checked_answers(client, rules, Call(client="heat", at=AT, answers={"outside": "1000"}))
    with pytest.raises(CallError) as caught:
        checked_answers(client, rules, Call(client="heat", at=AT, answers={"outside": "very hot"}))
    assert str(caught.value) == (
        "answers.outside: `very hot` is not an answer for `outside` (a number; decimals allowed, e.g. 98.6)"
    )


def test_the_question_says_it_wants_a_number_and_its_bounds():
    step = decision().to_dict()["script"]["steps"][1]
    assert step["number"] == {"min": -40, "max": 150}
    assert list(step) == [
        "kind",
        "field",
        "language",
        "text",
        "required",
        "phone",
        "choices",
        "number",
        "answer",
        "waits_for",
    ]


# ---- say … when -----------------------------------------------------------------------------------------


def says(made) -> list[str]:
    return [step.text for step in made.script.steps if step.kind == "say"]


def test_a_say_whose_condition_holds_is_said_in_the_callers_language():
    assert says(decision("es", problem="no_cool", outside="110")) == [
        "No salga al sol y beba agua.",
        "We will help you.",
    ]


def test_a_say_whose_condition_is_false_is_left_out():
    assert says(decision(problem="no_cool", outside="80")) == ["We will help you."]


def test_a_say_whose_condition_is_unknown_is_left_out_until_known_and_traced_as_waiting():
    made = decision(problem="no_cool")
    assert says(made) == ["We will help you."]
    assert [(e.rule, e.line, e.result) for e in made.trace if e.section == "say"] == [(3, 10, None), (4, 11, False)]


def test_a_say_on_a_choice_is_said_once_it_is_answered():
    assert says(decision(problem="other")) == ["Thank you.", "We will help you."]


# ---- say … then ACTION ----------------------------------------------------------------------------------


def test_the_words_before_an_action_are_in_its_json_in_the_callers_language():
    action = decision("es", problem="gas_smell").to_dict()["route"]["actions"][0]
    assert list(action)[:3] == ["kind", "say", "policy"]
    assert action["say"] == "Salga de la casa ahora y llame a la compañía de gas desde afuera."
    assert action["finally"] == {
        "kind": "message",
        "say": "Nadie contestó: llame al 911.",
        "priority": "high",
        "targets": [],
    }


def test_the_words_before_an_action_fill_their_placeholders_and_fallbacks_carry_none():
    first, fallback = decision(problem="no_cool", outside="111").to_dict()["route"]["actions"]
    assert first["say"] == "A technician will call you, 111 °F is dangerous."
    assert first["kind"] == "patch"
    assert "say" not in fallback


def test_an_action_without_words_has_no_say_key():
    assert "say" not in decision(problem="other").to_dict()["route"]["actions"][0]
