"""Parse: rule-file text → Lark parse tree, with syntax errors told in plain words."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

from lark import Lark, Tree, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.lexer import PatternStr

from .errors import Diagnostic, RulesError

# What each regular-expression terminal means, in an account manager's words.
TERMINAL_WORDS = {
    "NAME": "a name",
    "STRING": 'a quoted text ("…")',
    "DAYS": "days (mon-fri, sat, daily)",
    "TIMERANGE": "a time range (08:00-17:00)",
    "DATE": "a date (2026-12-24)",
    "TIME": "a time (08:00)",
    "DURATION": "a duration (30s, 5m, 2h, 1d)",
    "INT": "a whole number",
    "REGION": "a holiday region code (US-IL)",
    "METHOD": "call, sms or email",
    "ELSE": "`, else`",
}


def grammar_text() -> str:
    """The grammar's one location: `grammars/rules.lark` in a source checkout (editable
    install), shipped as the `rules_engine.grammars` package data in a built wheel."""
    checkout = Path(__file__).resolve().parent.parent / "grammars" / "rules.lark"
    if checkout.is_file():
        return checkout.read_text("utf-8")
    return resources.files("rules_engine.grammars").joinpath("rules.lark").read_text("utf-8")


@functools.lru_cache(maxsize=1)
def grammar() -> Lark:
    """The one parser of the process: LALR, positions on, grammar read once and cached."""
    source = grammar_text()
    return Lark(
        source,
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=True,
        strict=True,
        cache=True,
    )


def parse(text: str, path: str) -> Tree:
    """Parse one rule file; a syntax error becomes a `RulesError` with one positioned diagnostic."""
    try:
        return grammar().parse(text)
    except UnexpectedInput as exc:
        raise RulesError([syntax_diagnostic(exc, text, path)]) from None


def describe_terminal(name: str) -> str:
    if name in TERMINAL_WORDS:
        return TERMINAL_WORDS[name]
    if name == "$END":
        return "the end of the file"
    term = next((t for t in grammar().terminals if t.name == name), None)
    if term is not None and isinstance(term.pattern, PatternStr):
        return f"`{term.pattern.value}`"
    return name.lower()


def describe_expected(names: set[str]) -> str:
    words = sorted({describe_terminal(n) for n in names})
    if len(words) > 8:
        return ", ".join(words[:8]) + f" (or {len(words) - 8} more)"
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]


def syntax_diagnostic(exc: UnexpectedInput, text: str, path: str) -> Diagnostic:
    lines = text.splitlines() or [""]
    line = getattr(exc, "line", 0) or len(lines)
    column = getattr(exc, "column", 0) or 1
    if line < 1 or line > len(lines):
        line = len(lines)
        column = len(lines[-1]) + 1
    source_line = lines[line - 1]
    hint = None
    if isinstance(exc, UnexpectedEOF) or (
        isinstance(exc, UnexpectedToken) and exc.token.type == "$END"
    ):
        expected = getattr(exc, "expected", None) or getattr(exc, "accepts", None) or set()
        message = "the file ends before the client is complete"
        if expected:
            message += f"; expected {describe_expected(set(expected))}"
        hint = "is a closing `}` missing?"
        line = len(lines)
        source_line = lines[-1]
        column = len(source_line) + 1
    elif isinstance(exc, UnexpectedToken):
        token = exc.token
        expected = set(exc.accepts or exc.expected)
        if "NAME" in expected and str(token).isidentifier() and str(token).islower() and token.type != "NAME":
            message = f"`{token}` is a reserved word and cannot be used as a name"
            hint = "choose another name, e.g. `" + str(token) + "_hours`"
        else:
            message = f"unexpected {token_words(token)}; expected {describe_expected(expected)}"
    elif isinstance(exc, UnexpectedCharacters):
        char = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else ""
        expected = set(exc.allowed or ())
        message = f"unexpected character `{char}`"
        if expected:
            message += f"; expected {describe_expected(expected)}"
        if char == "'":
            hint = 'texts are written in double quotes: "…"'
    else:  # pragma: no cover - every UnexpectedInput is one of the three above
        message = "this line could not be read"
    return Diagnostic("error", message, path, line, column, hint, source_line)


def token_words(token) -> str:
    if token.type in ("STRING",):
        return f"text {token}"
    if token.type in TERMINAL_WORDS:
        return f"{TERMINAL_WORDS[token.type].split(' (')[0]} `{token}`"
    return f"`{token}`"
