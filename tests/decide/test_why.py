"""What a decision says about itself (issue 12): the language asked for, used and why; the
closure or holiday that holds, named with its line; and the line of each rule's condition."""

from __future__ import annotations

import pytest

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from tests.support import ACME


def language_of(engine, tag, client="acme_plumbing", at="2026-11-24T10:00:00-06:00"):
    decision = engine.decide(Call(client=client, at=at, forwarded="busy", language=tag))
    return decision.to_dict()["language"], decision.greeting.language


@pytest.mark.parametrize(
    "tag, used, why",
    [
        ("es", "es", "the caller's language"),
        ("es-MX", "es", "`es-MX` (Spanish (Mexico)) is a form of `es`"),
        ("ES", "es", "`ES` (Spanish) is a form of `es`"),
        ("spa", "es", "`spa` (Spanish) is a form of `es`"),
        ("fr-CA", "en", "the client has no language close to `fr-CA` (French (Canada)): the client's default"),
        ("zz", "en", "`zz` is not a language the engine knows: the client's default"),
        ("!!", "en", "`!!` is not a language tag: the client's default"),
        (None, "en", "the call names no language: the client's default"),
    ],
)
def test_the_decision_says_which_language_was_asked_for_which_was_used_and_why(engine, tag, used, why):
    language, greeting_language = language_of(engine, tag)
    assert language == {"asked": tag, "used": used, "why": why}
    assert greeting_language == used


def test_the_engines_default_language_is_named_as_such():
    engine = Engine(ACME, default_language="es")
    assert language_of(engine, None)[0] == {
        "asked": None,
        "used": "es",
        "why": "the call names no language: the engine's default language",
    }
    assert language_of(Engine(ACME, default_language="fr"), None)[0]["why"] == (
        "the call names no language, and the client has no text in the engine's default `fr`: the client's default"
    )


@pytest.mark.parametrize(
    "client, at, entry",
    [
        (
            "acme_plumbing",
            "2026-12-24T15:00:00-06:00",
            {"section": "calendar", "rule": "closed", "line": 13, "result": True, "note": 'closure "Christmas" holds'},
        ),
        (
            "acme_plumbing",
            "2026-07-17T10:00:00-05:00",
            {
                "section": "calendar",
                "rule": "holiday",
                "line": 6,
                "result": True,
                "note": 'the file\'s holiday "Company picnic"',
            },
        ),
        (
            "riverside_medical",
            "2026-11-26T15:00:00-05:00",
            {
                "section": "calendar",
                "rule": "holiday",
                "line": 18,
                "result": True,
                "note": '"Thanksgiving Day", a public holiday of US-NY',
            },
        ),
    ],
)
def test_the_trace_names_the_closure_or_holiday_that_holds(engine, client, at, entry):
    trace = engine.decide(Call(client=client, at=at)).to_dict()["trace"]
    assert trace[0] == entry


def test_no_calendar_entry_on_an_ordinary_day(engine):
    trace = engine.decide(Call(client="acme_plumbing", at="2026-11-24T10:00:00-06:00")).to_dict()["trace"]
    assert all(entry["section"] != "calendar" for entry in trace)


def test_the_trace_names_the_line_of_a_rules_condition(engine):
    # acme's `greeting busy "…"` is on line 38, its `when open and forwarded (…)` on line 39
    trace = engine.decide(Call(client="acme_plumbing", at="2026-11-28T23:15:00-06:00")).to_dict()["trace"]
    assert trace[0] == {
        "section": "greeting",
        "rule": "busy",
        "line": 39,
        "result": False,
        "note": "busy or no answer while open",
    }


def test_decide_shows_the_condition_the_language_and_the_closure(cli):
    code, out, err = cli(
        "decide",
        "client_configs/acme_plumbing.rules",
        "--client",
        "acme_plumbing",
        "--at",
        "2026-12-24T15:00",
        "--forwarded",
        "busy",
        "--language",
        "es-MX",
    )
    assert (code, err) == (0, "")
    assert out.splitlines()[4:12] == [
        "Windows:   open, split, closed",
        '           closed: closure "Christmas" holds (line 13: closed "Christmas" 2026-12-24 12:00 to 2026-12-26 08:00)',
        "Language:  es (`es-MX` (Spanish (Mexico)) is a form of `es`)",
        "",
        "GREETING  after_hours, in es",
        '  "Gracias por llamar a Acme Plumbing. Nuestra oficina está cerrada; puedo tomar un mensaje o avisar '
        'al fontanero de guardia si es una emergencia."',
        "  decided by line 43: greeting after_hours when not open or holiday or closed {",
        "    after these did not hold: line 39 (busy)",
    ]
