"""Every diagnostic quotes the line it points at, with lines counted as the parser counts them:
ended by a newline alone, whatever other line separators a comment or a text holds."""

from __future__ import annotations

import pytest

from rules_engine.compiler.compile import compile_bytes, compile_text
from rules_engine.errors import RulesError

BODY = '  timezone "Europe/London"\n  greeting default {{ en "Hi" }}\n  route {{ otherwise -> patch bobb }}\n}}\n'


def rendered(text: str) -> str:
    with pytest.raises(RulesError) as caught:
        compile_text(text, "x.rules")
    return caught.value.render()


@pytest.mark.parametrize("separator", ["\x0c", "\u2028", "\x85", "\r"], ids=["form feed", "U+2028", "NEL", "lone CR"])
def test_a_line_separator_in_a_comment_does_not_shift_the_quoted_line(separator):
    text = f'client x "X" {{\n  # one{separator}comment\n' + BODY.format()
    assert rendered(text) == (
        "x.rules:5:30: error: unknown contact `bobb`\n"
        "      route { otherwise -> patch bobb }\n"
        "                                 ^\n"
        "  hint: no contact is defined in this file"
    )


def test_a_file_with_windows_line_ends_is_quoted_without_them():
    text = ('client x "X" {\n' + BODY.format()).replace("\n", "\r\n")
    assert rendered(text) == (
        "x.rules:4:30: error: unknown contact `bobb`\n"
        "      route { otherwise -> patch bobb }\n"
        "                                 ^\n"
        "  hint: no contact is defined in this file"
    )


def test_invalid_utf8_is_placed_by_characters_and_quotes_its_line():
    data = 'client x "X" {\n  timezone "Europe/London"  # café '.encode() + b"\xff\n"
    with pytest.raises(RulesError) as caught:
        compile_bytes(data, "x.rules")
    assert caught.value.render() == (
        "x.rules:2:36: error: the file is not valid UTF-8 text\n"
        '      timezone "Europe/London"  # café \ufffd\n'
        "    " + " " * 35 + "^\n"
        '  hint: save the file with the UTF-8 encoding (your editor\'s "Save as" offers it)'
    )
