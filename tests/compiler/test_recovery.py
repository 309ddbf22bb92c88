"""Syntax errors, every one at once: one message per broken statement, none for what a mistake
garbles, and the statements after a missing `}` still read (the whole messages of each kind
are in the golden files `tests/golden/diagnostics/syntax_*`)."""

from __future__ import annotations

import re

import pytest

from rules_engine.compiler.compile import compile_text
from rules_engine.errors import RulesError
from tests.support import CONFIGS

ACME = (CONFIGS / "acme_plumbing.rules").read_text("utf-8")
EXAMPLES = {path.name: path.read_text("utf-8") for path in sorted(CONFIGS.glob("*.rules"))}
# Words, texts, punctuation: the pieces a slip of the keyboard deletes or doubles.
TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|,\s*else\b|->|[A-Za-z0-9_:+.@-]+|[^\s#]')
SKIPPED = (
    "the other checks (names, numbers, times, rule order, on-call cover) run once the syntax errors above are fixed"
)


def syntax_errors(text: str) -> list[tuple[int, int, str]]:
    """(line, column, message) of each error, when the file stops at its syntax."""
    with pytest.raises(RulesError) as caught:
        compile_text(text, "acme.rules")
    assert caught.value.diagnostics[-1].message == SKIPPED, "not a syntax error"
    return [(d.line, d.column, d.message) for d in caught.value.errors]


def edit(text: str, *changes: tuple[str, str]) -> str:
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def test_one_slip_gives_one_message_wherever_it_is():
    """Every 9th word, text or bracket of each example deleted, or doubled: never a second message."""
    for name, text in EXAMPLES.items():
        for n, token in enumerate(TOKEN.finditer(text)):
            if n % 9:
                continue
            start, end = token.span()
            for variant in (text[:start] + text[end:], text[:start] + text[start:end] * 2 + text[end:]):
                try:
                    compile_text(variant, name)
                except RulesError as exc:
                    if exc.diagnostics[-1].message == SKIPPED:
                        assert len(exc.errors) == 1, f"{name}, `{token.group()}` at {start}:\n{exc.render()}"


def test_after_a_missing_brace_the_statements_that_follow_are_read():
    text = edit(
        ACME,
        (
            '        es "Acme Plumbing, le atiende {agent}. {client} no está disponible ahora: {status.note}"\n    }\n',
            '        es "Acme Plumbing, le atiende {agent}. {client} no está disponible ahora: {status.note}"\n',
        ),
        ("when lunch                          ->", "when lunch"),
    )
    assert syntax_errors(text) == [
        (50, 5, "the greeting `away` opened at line 47 is not closed before line 50"),
        (77, 20, "`->` is missing before the action"),
    ]


def test_a_mistake_in_the_first_line_leaves_the_statements_read():
    text = edit(ACME, ("client acme_plumbing", "client acme_Plumbing"), ("timezone  ", "timzone  "))
    assert syntax_errors(text) == [
        (1, 8, "names are written in lower case"),
        (2, 5, "`timzone` is not a word of the rule language"),
    ]


def test_after_a_brace_too_many_the_statements_that_follow_are_read():
    text = edit(
        ACME,
        ("window lunch = mon-fri 12:00-13:00", "window lunch = mon-fri 12:00-13:00 }"),
        ("when lunch                          ->", "when lunch"),
    )
    assert syntax_errors(text) == [
        (11, 5, "the word `window` comes after the end of the client"),
        (78, 20, "`->` is missing before the action"),
    ]


def test_each_broken_line_of_a_block_gets_its_message():
    """Route rules, script steps, escalation steps and rotations are read one by one."""
    text = edit(
        ACME,
        ("step call oncall plumbers, wait 5m", "step call oncall plumbers wait 5m"),
        ("step sms oncall plumbers, call bob, wait 10m", "step sms oncall plumbers, call bob, wait 10"),
        ("when lunch                          ->", "when lunch"),
        (
            "-> take message deliver email office\n        otherwise",
            "-> take mesage deliver email office\n        otherwise",
        ),
    )
    assert syntax_errors(text) == [
        (31, 35, "each step ends with a comma and `wait`"),
        (32, 50, "the duration `10` has no unit"),
        (78, 20, "`->` is missing before the action"),
        (79, 53, "`mesage` is not a word of the rule language"),
    ]


def test_a_broken_first_step_does_not_make_the_rest_of_its_block_a_mistake():
    """`repeat` after the only step, which was skipped, is not reported as a step missing."""
    text = edit(ACME, ("step call oncall plumbers, wait 5m\n", ""), ("step sms oncall", "step sms oncal"))
    assert syntax_errors(text) == [(31, 31, "this step has no `wait`")]


def test_a_lost_opening_brace_does_not_end_the_client_early():
    text = edit(ACME, ("route {", "route"))
    assert syntax_errors(text) == [(75, 9, "expected `{`, but found the word `when`")]


def test_past_twenty_syntax_errors_the_note_says_only_the_first_are_shown():
    windows = "".join(f"    window w{n} = mon-fri 08:00 - 17:00\n" for n in range(25))
    text = ACME.replace("    window open  =", windows + "    window open  =")
    with pytest.raises(RulesError) as caught:
        compile_text(text, "acme.rules")
    *errors, note = caught.value.diagnostics
    assert [(d.line, d.message) for d in errors] == [
        (n, "a time range is written HH:MM-HH:MM, without spaces") for n in range(9, 29)
    ]
    assert note.render() == f"acme.rules: note: only the first 20 syntax errors are shown; {SKIPPED}"
