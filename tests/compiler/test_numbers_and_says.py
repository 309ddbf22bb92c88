"""Numbers the caller gives (`ask … number LO-HI`, `FIELD > N`), `say … when` and `say … then ACTION`:
what compiles, and each mistake's whole message (file, line, column, what to write instead)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rules_engine import model as m
from rules_engine.compiler.compile import compile_text
from rules_engine.errors import RulesError

HEAD = """client heat "Heat & Air" {
    timezone "America/Phoenix"
    languages en, es
    greeting default { en "Hello" es "Hola" }
    script intake {
        ask problem "What is wrong?" choice (no_heat, no_cool, other)
        ask outside "How hot is it outside (°F)?" number -40-150
        ask people "How many people live there?" number
        say "Stay out of the sun." when outside >= 110
    }
    choose script intake otherwise
"""


def client_with(rules: str) -> str:
    return HEAD + rules + "\n}\n"


def rendered(text: str) -> list[str]:
    """Every diagnostic of the file as `check` prints it."""
    try:
        _, diagnostics = compile_text(text, "heat.rules")
    except RulesError as exc:
        diagnostics = exc.diagnostics
    return [d.render() for d in diagnostics]


def test_a_number_question_its_bounds_and_comparisons_compile():
    client, warnings = compile_text(
        client_with("""    urgency {
        emergency when outside > 104 or people >= 6.5
        routine otherwise
    }
    route { otherwise -> take message }"""),
        "heat.rules",
    )
    assert [w.render() for w in warnings] == []
    asks = {step.field: step for step in client.scripts["intake"].steps if isinstance(step, m.Ask)}
    assert asks["outside"].number == m.NumberRange(low=Decimal(-40), high=Decimal(150))
    assert asks["people"].number == m.NumberRange()
    emergency = client.urgency[0].when
    assert isinstance(emergency, m.Or)
    assert emergency.items == (
        m.FieldCompare(field="outside", op=">", value=Decimal(104)),
        m.FieldCompare(field="people", op=">=", value=Decimal("6.5")),
    )


def test_comparing_a_choice_field_names_what_to_write():
    assert rendered(
        client_with("""    urgency {
        emergency when problem > 3
        routine otherwise
    }
    route { otherwise -> take message }""")
    ) == [
        "heat.rules:13:24: error: `problem` is not asked as a number, so it cannot be compared with `>`\n"
        "            emergency when problem > 3\n"
        "                           ^\n"
        "  hint: write `problem is no_cool` or `problem in (…)`"
    ]


def test_comparing_a_free_text_field_says_to_ask_it_as_a_number():
    text = client_with("""    route {
        when note < 3 -> voicemail
        otherwise -> take message
    }""").replace('ask people "How many people live there?" number', 'ask note "Anything else?"')
    assert rendered(text) == [
        "heat.rules:13:14: error: `note` is not asked as a number, so it cannot be compared with `<`\n"
        "            when note < 3 -> voicemail\n"
        "                 ^\n"
        '  hint: ask it as a number (`ask note "…" number`), or compare it with `is`'
    ]


def test_a_word_for_a_number_field_names_what_to_write():
    assert rendered(
        client_with("""    route {
        when outside is hot -> voicemail
        otherwise -> take message
    }""")
    ) == [
        "heat.rules:13:14: error: `outside` is asked as a number, so `hot` can never be its answer\n"
        "            when outside is hot -> voicemail\n"
        "                 ^\n"
        "  hint: compare it with a number, e.g. `outside > 104` or `outside is 104`"
    ]


@pytest.mark.parametrize("condition", ["outside > 150", "outside >= 151", "outside < -40", "outside is 200"])
def test_a_comparison_no_answer_in_range_can_satisfy_is_warned(condition):
    column = 14
    assert rendered(
        client_with(f"""    route {{
        when {condition} -> voicemail
        otherwise -> take message
    }}""")
    ) == [
        f"heat.rules:13:{column}: warning: `{condition}` never holds: `outside` is a number from -40 to 150 (line 7)\n"
        f"            when {condition} -> voicemail\n"
        "                 ^\n"
        "  hint: check the number, or widen the question's range"
    ]


def test_an_empty_range_says_which_way_round_to_write_it():
    text = HEAD.replace("number -40-150", "number 150-40") + "    route { otherwise -> take message }\n}\n"
    assert rendered(text) == [
        "heat.rules:7:58: error: the range `150-40` is empty: 150 is more than 40\n"
        '            ask outside "How hot is it outside (°F)?" number 150-40\n'
        "                                                             ^\n"
        "  hint: write `number 40-150`"
    ]


def test_a_question_cannot_be_a_choice_and_a_number():
    text = HEAD.replace("number -40-150", "number choice (hot, cold)") + "    route { otherwise -> take message }\n}\n"
    assert rendered(text) == [
        "heat.rules:7:13: error: question `outside` is both a choice and a number\n"
        '            ask outside "How hot is it outside (°F)?" number choice (hot, cold)\n'
        "                ^\n"
        "  hint: keep one of `choice (…)`, `phone` and `number`"
    ]


def test_a_field_asked_as_a_number_is_a_number_in_every_script():
    text = HEAD.replace(
        "    choose script intake otherwise",
        '    script short { ask outside "Is it hot outside?" }\n'
        "    choose script short when sat-sun\n"
        "    choose script intake otherwise",
    )
    assert rendered(text + "    route { otherwise -> take message }\n}\n") == [
        "heat.rules:11:24: error: `outside` is asked as a number on line 7, but not here\n"
        '        script short { ask outside "Is it hot outside?" }\n'
        "                           ^\n"
        "  hint: ask it as a number here too: `ask outside … number`"
    ]


def test_a_comparison_in_a_greeting_is_refused_as_answers_are():
    text = HEAD.replace(
        'greeting default { en "Hello" es "Hola" }',
        'greeting hot when outside > 100 { en "Hot" es "Calor" }\n    greeting default { en "Hello" es "Hola" }',
    )
    assert rendered(text + "    route { otherwise -> take message }\n}\n")[0] == (
        "heat.rules:4:23: error: a greeting cannot depend on the answer `outside`: it is not known yet when the call arrives\n"
        '        greeting hot when outside > 100 { en "Hot" es "Calor" }\n'
        "                          ^\n"
        "  hint: answers are known only after the script; use them in `urgency` or `route`"
    )


def test_say_then_any_action_compiles_with_its_words():
    client, warnings = compile_text(
        client_with("""    route {
        when problem is no_heat -> say { en "Keep warm." es "Abríguese." } then patch "+16025550100", else say "Sorry." then voicemail
        otherwise -> say "We will call back." then callback within 1h
    }"""),
        "heat.rules",
    )
    assert [w.render() for w in warnings] == []
    first, fallback = client.routes[0].actions
    assert isinstance(first, m.Patch) and first.say is not None
    assert {language: t.source for language, t in first.say.by_language.items()} == {
        "en": "Keep warm.",
        "es": "Abríguese.",
    }
    assert isinstance(fallback, m.Voicemail) and fallback.say is not None
    assert isinstance(client.routes[1].actions[0], m.Callback)


def test_two_says_before_one_action_are_refused():
    assert rendered(
        client_with("""    route {
        otherwise -> say "Leave now." then say "Call the gas company." then hangup
    }""")
    ) == [
        "heat.rules:13:22: error: an action can be preceded by one `say` only\n"
        '            otherwise -> say "Leave now." then say "Call the gas company." then hangup\n'
        "                         ^\n"
        '  hint: put all the words in one `say`, e.g. `say "Leave the house. Call the gas company." then …`'
    ]


def test_the_words_before_an_action_need_the_default_language():
    assert rendered(
        client_with("""    route {
        otherwise -> say { es "Salga de la casa." } then take message
    }""")
    ) == [
        "heat.rules:13:31: error: this route has no text in the default language `en`\n"
        '            otherwise -> say { es "Salga de la casa." } then take message\n'
        "                                  ^\n"
        "  hint: every text must exist in `en`, the first of `languages`"
    ]


def test_say_when_on_a_field_no_script_asks_is_an_error_like_any_condition():
    text = HEAD.replace("when outside >= 110", "when outsid >= 110") + "    route { otherwise -> take message }\n}\n"
    assert rendered(text) == [
        "heat.rules:9:41: error: no script asks `outsid`, so this condition can never hold\n"
        '            say "Stay out of the sun." when outsid >= 110\n'
        "                                            ^\n"
        "  hint: did you mean `outside`?"
    ]


@pytest.mark.parametrize(
    ("written", "message"),
    [
        (
            "outside > 104.",
            "heat.rules:13:24: error: `104.` is not a number the rule language reads\n"
            "            when outside > 104. -> voicemail\n"
            "                           ^\n"
            "  hint: write digits with at most one decimal point, e.g. `104` or `98.6`",
        ),
        (
            "outside > 1e3",
            "heat.rules:13:24: error: `1e3` is not a number the rule language reads\n"
            "            when outside > 1e3 -> voicemail\n"
            "                           ^\n"
            "  hint: write digits with at most one decimal point, e.g. `104` or `98.6`",
        ),
        (
            "outside => 104",
            "heat.rules:13:22: error: `=>` is not a comparison\n"
            "            when outside => 104 -> voicemail\n"
            "                         ^\n"
            "  hint: write `>=`",
        ),
    ],
)
def test_a_number_or_comparison_written_wrongly_says_how_to_write_it(written, message):
    text = client_with(f"""    route {{
        when {written} -> voicemail
        otherwise -> take message
    }}""")
    assert rendered(text)[0] == message
