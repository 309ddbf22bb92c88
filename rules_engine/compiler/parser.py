"""Parse: rule-file text → Lark parse tree, with syntax errors told in plain words.

A syntax error is explained from the offending token and what the grammar expected there:
common slips (a missing `->`, single or curly quotes, a lower-case holiday code, a name in
capitals, a reserved word used as a name, an unquoted time zone, a forwarding reason as a
switch writes it…) get a message of their own; anything else is "expected …, but found …"
with Lark's terminal names replaced by words. A file with one error is read on by
`recovery.py`, which finds the others (and names a block whose `}` is missing).
"""

from __future__ import annotations

import difflib
import functools
import re
from pathlib import Path
from typing import NamedTuple

from lark import (
    Lark,
    Token,
    Tree,
    UnexpectedCharacters,
    UnexpectedInput,
    UnexpectedToken,
)
from lark.lexer import PatternStr

from ..errors import Diagnostic, RulesError, SourceText, line_column
from ..forwarding import written_reason_hint
from ..model import DAY_NAMES
from .recovery import STATEMENTS, recover

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
    "NUMBER": "a number (104, 98.6)",
    "NUMBER_RANGE": "a range of numbers (0-150)",
    "COMPARISON": "<, <=, > or >=",
    "REGION": "a holiday region code (US-IL)",
    "METHOD": "call, sms or email",
    "ELSE": "`, else`",
    "$END": "the end of the file",
}
DIGITS = ("INT", "NUMBER")  # a token of digits: read as a number wherever the lexer fell back to all terminals
# How a token that was found is named in a message ("found the name `bobb`").
FOUND_WORDS = {
    "NAME": "the name",
    "INT": "the number",
    "NUMBER": "the number",
    "DURATION": "the duration",
    "TIME": "the time",
    "TIMERANGE": "the time range",
    "DATE": "the date",
    "DAYS": "the days",
    "REGION": "the code",
}
# A text or a comment, as the grammar's STRING and COMMENT terminals read them: no bracket or
# word inside one is code.
TEXT_OR_COMMENT = r'"(?:[^"\\\n]|\\.)*"|#[^\n]*'
MAX_SYNTAX_ERRORS = 20
ACTIONS = ("patch", "escalate", "take", "voicemail", "callback", "say")
STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')  # a text, as the grammar's STRING reads it
CURLY_QUOTES = "“”„‟«»‘’‚‛"  # what word processors put where a `"` was typed
# A list of forwarding reasons up to the end of `text` (searched up to the error).
FORWARDING_LIST = re.compile(r"\bforward(?:ing|ed)\s*\(?\s*(?:[a-z_]+\s*,\s*)*([a-z]+)$")
AM_PM = re.compile(r"(\d{1,2})(?::(\d\d))?\s*([ap])\.?m\.?", re.IGNORECASE)


GRAMMAR = Path(__file__).with_name("rules.lark")  # the grammar's one location, beside this module


@functools.lru_cache(maxsize=1)
def grammar() -> Lark:
    """The one parser of the process: LALR, positions on, grammar read once and cached.

    The grammar's `{DAY_NAMES}` is filled in with `model.DAY_NAMES`, the language's one list
    of day names (Lark's cache is keyed by the grammar's text, so it follows).
    """
    text = GRAMMAR.read_text(encoding="utf-8").replace("{DAY_NAMES}", "|".join(DAY_NAMES))
    return Lark(
        text,
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=True,
        strict=True,
        cache=True,
    )


def parse(text: str, path: str) -> Tree:
    """Parse one rule file; syntax errors become a `RulesError` of positioned diagnostics.

    A file with a syntax error is read again to find every other one (`recovery.py`): one
    message per broken statement, at most `MAX_SYNTAX_ERRORS`, then a note that the checks
    which need the whole file wait until it parses (a skipped statement would make them
    report the names it defines as unknown).
    """
    try:
        return grammar().parse(text)
    except UnexpectedInput as exc:
        first = exc
    found = recover(grammar(), text, path, lambda exc: syntax_diagnostic(exc, text, path), MAX_SYNTAX_ERRORS)
    diagnostics = found or [syntax_diagnostic(first, text, path)]
    raise RulesError([*diagnostics, checks_skipped(path, len(diagnostics) >= MAX_SYNTAX_ERRORS)])


def checks_skipped(path: str, capped: bool) -> Diagnostic:
    """The one line saying that the other checks wait for the syntax to be right."""
    shown = f"only the first {MAX_SYNTAX_ERRORS} syntax errors are shown; " if capped else ""
    return Diagnostic(
        "note",
        shown + "the other checks (names, numbers, times, rule order, on-call cover) "
        "run once the syntax errors above are fixed",
        path,
    )


def position(where) -> tuple[int, int]:
    """Where a Lark token, tree or tree's `meta` starts (line, column); 1:1 where Lark
    recorded no position (a rule that matched nothing)."""
    where = getattr(where, "meta", where)
    return (getattr(where, "line", None) or 1), (getattr(where, "column", None) or 1)


# ---- words for terminals ------------------------------------------------------------------


@functools.cache
def literal(name: str) -> str | None:
    """The fixed text of a keyword or punctuation terminal (`->` for `__ANON_1`), else None."""
    term = next((t for t in grammar().terminals if t.name == name), None)
    if term is not None and isinstance(term.pattern, PatternStr):
        return term.pattern.value
    return None


def describe_expected(names: set[str]) -> str:
    """`expected …` in words; a long list of statement keywords becomes one phrase."""
    found: set[str] = set()
    statements = {n for n in names if literal(n) in STATEMENTS}
    if len(statements) >= 4:
        names = names - statements
        found.add("a new statement (`window`, `contact`, `greeting`, `route`…)")
    for name in names:
        fixed = literal(name)
        found.add(TERMINAL_WORDS.get(name) or (f"`{fixed}`" if fixed else name.lower()))
    words = sorted(found, key=lambda w: (w.startswith("a new statement"), w))
    if len(words) > 8:
        return ", ".join(words[:8]) + f" (or {len(words) - 8} more)"
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]


def describe_found(token: Token) -> str:
    if token.type == "STRING":
        return f"the text {token}"
    if token.type in FOUND_WORDS:
        return f"{FOUND_WORDS[token.type]} `{token}`"
    if str(token).isalpha():
        return f"the word `{token}`"
    return f"`{token}`"


# ---- where braces open and close ------------------------------------------------------------


def braces(text: str) -> tuple[list[int], int | None]:
    """Lines of the `{` still open at the end of `text`, and the line where the outermost
    block last closed (strings and comments are skipped)."""
    stack: list[int] = []
    closed_at = None
    for match in re.finditer(TEXT_OR_COMMENT + "|[{}]", text):
        line, _ = line_column(text, match.start())
        if match.group() == "{":
            stack.append(line)
        elif match.group() == "}" and stack:
            stack.pop()
            if not stack:
                closed_at = line
    return stack, closed_at


# ---- explanations ---------------------------------------------------------------------------


class Explanation(NamedTuple):
    """What is wrong, in words, and what to write instead. `at` is the offset where the mistake
    starts when that is before where the parser stopped (`monday 08:00-17:00` stops at the time)."""

    message: str
    hint: str | None = None
    at: int | None = None


def syntax_diagnostic(exc: UnexpectedInput, text: str, path: str) -> Diagnostic:
    """A Lark syntax error as the diagnostic an account manager reads."""
    source = SourceText.of(path, text)
    token = exc.token if isinstance(exc, UnexpectedToken) else None
    stopped = token.start_pos if token is not None else exc.pos_in_stream
    opening = unclosed_text(text, stopped) if stopped is not None else None
    line, column = exc.line, exc.column
    if opening is not None:
        explanation = Explanation(
            'this text has no closing `"`', 'it runs on to the next `"` on the line; close it where it ends', opening
        )
    elif isinstance(exc, UnexpectedCharacters):
        explanation = explain_character(text, exc.pos_in_stream or 0, set(exc.allowed or ()))
    elif token is not None and token.type != "$END":
        assert isinstance(exc, UnexpectedToken)
        line, column = token.line or 1, token.column or 1
        explanation = explain_token(text, token, set(exc.accepts or exc.expected))
    else:  # the file ended too early (UnexpectedEOF, or an UnexpectedToken on `$END`)
        line = max((i for i, s in enumerate(source.lines, 1) if s.strip()), default=1)
        column = len(source.lines[line - 1].rstrip()) + 1
        explanation = explain_end(text)
    if explanation.at is not None:
        line, column = line_column(text, explanation.at)
    return source.diagnostic("error", explanation.message, line, column, explanation.hint)


def unclosed_text(text: str, stopped: int) -> int | None:
    """Where a text that is not closed starts, when the parser stopped because of it.

    A text left open on a line with other texts takes everything to the next `"` (`"Bob {
    call "`), and the parser stops just after: the line then has an odd number of quotes, and
    the last text before the stop is the one that was not closed. None otherwise.
    """
    start = text.rfind("\n", 0, stopped) + 1
    end = text.find("\n", stopped)
    line = text[start:] if end < 0 else text[start:end]
    if len(re.findall(r'(?<!\\)"', line)) % 2 == 0:
        return None
    texts = [m for m in STRING.finditer(line) if m.end() <= stopped - start]
    return start + texts[-1].start() if texts else None


def written_number(text: str, start: int) -> re.Match | None:
    """A number written in a way the grammar does not read (`104.`, `1e3`, `1,000`) around
    the token at `start`, or None."""
    for found in re.finditer(r"(?<![\w.])-?\d[\w.,]*", text[max(start - 40, 0) : start + 40]):
        begin = found.start() + max(start - 40, 0)
        if begin <= start < begin + len(found.group()) + 1 and not re.fullmatch(
            r"-?\d+(\.\d+)?|\d+[smhd]|\d{4}-\d\d-\d\d|\d\d?:\d\d", found.group()
        ):
            return re.compile(re.escape(found.group())).search(text, begin)
    return None


def explain_end(text: str) -> Explanation:
    if not text.strip() or re.fullmatch(r"(\s*#[^\n]*)*\s*", text):
        return Explanation("the file is empty", 'a rule file starts with `client NAME "Title" {`', 0)
    open_lines, _ = braces(text)
    if open_lines:
        return Explanation(
            "the file ends before every `{` is closed", f"the `{{` on line {open_lines[-1]} has no matching `}}`"
        )
    return Explanation("the file ends too early")


def explain_token(text: str, token: Token, expected: set[str]) -> Explanation:
    value, found = str(token), describe_found(token)
    literals = {fixed for name in expected if (fixed := literal(name)) is not None}
    start = token.start_pos or 0
    before = text[:start]
    if "NAME" in expected and token.type != "NAME" and re.fullmatch(r"[a-z][a-z0-9_]*", value):
        return Explanation(f"`{value}` is a reserved word and cannot be used as a name", "choose another name")
    if token.type in ("NAME", *DIGITS) and (prefix := re.search(r"[a-z]+$", before[-100:])):
        # Keywords are matched as prefixes where no name may follow: `windows` is `window` + `s`.
        return Explanation(
            f"`{prefix.group()}{value}` is not a word of the rule language",
            f"did you mean `{prefix.group()}`?",
            start - len(prefix.group()),
        )
    if glued := glued_keyword(before):  # …and the letters after it were read as a name: `windows open =`
        keyword, word = glued
        return Explanation(
            f"`{word.group(1)}` is not a word of the rule language", f"did you mean `{keyword}`?", word.start(1)
        )
    if re.search(r"\bduring(\s+\w+){0,4}\s*$", before):
        return Explanation(
            "`during` takes two dates, each a month and a day, joined by `to`",
            "write for example `during nov 15 to mar 15` (months jan, feb, … dec)",
        )
    if "REGION" in expected and token.type == "NAME":
        code = matched(r"[A-Za-z0-9-]+", text, start)
        return Explanation("holiday codes are written in capital letters", f"write `{code.upper()}`")
    if "->" in literals and value in ACTIONS:
        return Explanation("`->` is missing before the action", "a route rule reads `when CONDITION -> ACTION`")
    if value == "else" and "ELSE" in expected:
        return Explanation("`else` needs a comma before it", "write `patch bob, else voicemail`")
    if token.type in DIGITS and (meant := twenty_four_hours(text[start:])):
        written, range_ = meant
        return Explanation(
            f"`{written}` is not a time of the rule language", f"times are 24-hour `HH:MM`: write `{range_}`"
        )
    if token.type in DIGITS and re.match(r"\d+(:\d+)?\s*-\s*\d", text[start:]):
        return Explanation("a time range is written HH:MM-HH:MM, without spaces", "for example `08:00-17:00`")
    if token.type in DIGITS and "DURATION" in expected:
        return Explanation(f"the duration `{value}` has no unit", "durations are written 30s, 5m, 2h or 1d")
    day = re.search(r"([A-Za-z]+)\s*$", before) if token.type == "TIMERANGE" else None
    if day and (day.group(1)[:3].lower() in DAY_NAMES or difflib.get_close_matches(day.group(1), DAY_NAMES)):
        return Explanation(
            f"`{day.group(1)}` is not a day", f"days are written {', '.join(DAY_NAMES)}, or daily", day.start(1)
        )
    if value == "=" and text[start + 1 : start + 2] in ("<", ">"):
        written = "=" + text[start + 1]
        return Explanation(f"`{written}` is not a comparison", f"write `{written[::-1]}`")
    if (number := written_number(text, start)) is not None:
        return Explanation(
            f"`{number.group()}` is not a number the rule language reads",
            "write digits with at most one decimal point, e.g. `104` or `98.6`",
            number.start(),
        )
    if value == "=" and "is" in literals:
        return Explanation("conditions compare with `is`, not `=`", "for example `type is billing`")
    if value == "wait" and literals == {","}:
        return Explanation("each step ends with a comma and `wait`", "for example `step call bob, wait 5m`")
    if literals == {","} and re.search(r"\bstep\b[^{}]*$", before) and "wait" not in before[before.rfind("step") :]:
        return Explanation(
            "this step has no `wait`",
            "each step ends with `, wait DURATION`, e.g. `step call bob, wait 5m`",
            len(before.rstrip()),
        )
    if token.type == "STRING" and expected == {"NAME"} and before.rstrip()[-1:] in ("{", '"'):
        return Explanation("each text in braces starts with its language", 'for example `en "Hello"`')
    if value in STATEMENTS and "}" in literals:
        open_lines, _ = braces(before)
        where = f"the `{{` on line {open_lines[-1]} is not closed" if open_lines else None
        return Explanation(f"a closing `}}` is missing before `{value}`", where)
    if expected == {"$END"}:
        _, closed_at = braces(before)
        return Explanation(
            f"{found} comes after the end of the client",
            f"the client's block already ended with the `}}` on line {closed_at}; is there one `}}` too many?",
        )
    hint = "is a comma missing before it?" if token.type == "STRING" and "," in literals else None
    if token.type == "NAME":  # most often a misspelt keyword: `timzone`, `rotaton`
        words = sorted(w for w in literals if w.isalpha())
        close = difflib.get_close_matches(value, words, n=1, cutoff=0.6)
        if close and "NAME" not in expected:
            return Explanation(f"`{value}` is not a word of the rule language", f"did you mean `{close[0]}`?")
        hint = f"did you mean `{close[0]}`?" if close else None
    return Explanation(f"expected {describe_expected(expected)}, but found {found}", hint)


def twenty_four_hours(after: str) -> tuple[str, str] | None:
    """(`8am-2pm`, `08:00-14:00`) for a time or range written with am/pm; None otherwise."""
    first = AM_PM.match(after)
    if first is None:
        return None
    second = re.compile(r"\s*-\s*" + AM_PM.pattern, re.IGNORECASE).match(after, first.end())
    times = [first] + ([second] if second else [])
    written = after[: times[-1].end()]

    def hhmm(time: re.Match[str]) -> str:
        hour, minute, half = time.groups()
        return f"{int(hour) % 12 + (12 if half.lower() == 'p' else 0):02d}:{minute or '00'}"

    return written, "-".join(hhmm(t) for t in times)


def glued_keyword(before: str) -> tuple[str, re.Match[str]] | None:
    """The statement keyword that the last word before the error wrongly extends (`windows`),
    and where that word is."""
    word = re.search(r"(?<![a-z0-9_])([a-z]+)\s+$", before)
    if word is None or word.group(1) in STATEMENTS:
        return None
    keyword = next((k for k in STATEMENTS if re.fullmatch(k + "[a-z]{1,2}", word.group(1))), None)
    return (keyword, word) if keyword else None


def explain_character(text: str, pos: int, allowed: set[str]) -> Explanation:
    char = text[pos] if pos < len(text) else ""
    word = matched(r"[^\s{}(),\"]*", text, pos) or char
    if char in CURLY_QUOTES:
        quoted = matched(f'[^{CURLY_QUOTES}"\n]*', text, pos + 1).rstrip()
        return Explanation("texts are written in straight double quotes, not curly ones", f'write "{quoted}"')
    if char == "'":
        quoted = matched(r"[^'\n]*", text, pos + 1)
        return Explanation("texts are written in double quotes, not single quotes", f'write "{quoted}"')
    if char == '"' and (curly := re.compile(f'"([^"\n{CURLY_QUOTES}]*)[{CURLY_QUOTES}]').match(text, pos)):
        return Explanation("this text ends with a curly quote", f'write "{curly.group(1)}"')
    if char == '"':
        return Explanation('this text has no closing `"`', 'a text ends with `"` on the line where it starts')
    if char == "-" and (reason := forwarding_reason(text, pos)):
        return reason
    if char == "-" and (day := re.search(r"([a-z]+)$", text[:pos])) and day.group(1) in DAY_NAMES:
        wrong = matched(r"[A-Za-z]*", text, pos + 1)
        close = difflib.get_close_matches(wrong.lower(), DAY_NAMES, n=1)
        return Explanation(
            f"`{wrong}` is not a day",
            f"did you mean `{close[0]}`?" if close else f"days are written {', '.join(DAY_NAMES)}",
            pos + 1,
        )
    name = re.search(r"(?<![A-Za-z0-9_])[a-z][a-z0-9_]*$", text[max(0, pos - 200) : pos]) if char.isupper() else None
    if name and name.group() not in literal_names():  # `acme_Plumbing`: one name, partly in capitals
        whole = name.group() + matched(r"[A-Za-z0-9_]*", text, pos)
        return Explanation("names are written in lower case", f"write `{whole.lower()}`", pos - len(name.group()))
    if char.isalpha() and char.isupper() and allowed & {"NAME", "DAYS", "METHOD"}:
        return Explanation("names, days and keywords are written in lower case", f"write `{word.lower()}`")
    if "STRING" in allowed and not allowed & {"NAME", "REGION"} and char not in "\"'":
        if re.search(r'\b(except|only)\s+("[^"\n]*"\s*,\s*)*$', text[max(0, pos - 300) : pos]):
            holiday = matched(r"[^,#\n]*", text, pos).rstrip()  # `except Columbus Day`: the whole name
            return Explanation("a holiday name must be in double quotes", f'write "{holiday}"')
        return Explanation("this value must be in double quotes", f'write "{word}"')
    if char == ";":
        return Explanation("`;` is not needed", "a statement ends where the next one begins; remove the `;`")
    message = f"unexpected character `{char}`"
    if allowed:
        message += f"; expected {describe_expected(allowed)}"
    return Explanation(message)


def forwarding_reason(text: str, pos: int) -> Explanation | None:
    """`no-answer` where a forwarding reason is written (after `forwarding` or `forwarded`): the
    reason as the switch names it, stopped at its `-`; None when that is not it."""
    reason = FORWARDING_LIST.search(text, max(0, pos - 500), pos)
    if reason is None:
        return None
    written = reason.group(1) + matched(r"[-a-z_]*", text, pos)
    hint = written_reason_hint(written)
    if hint is None:
        return None
    message = f"`{written}` is how a switch names the reason"
    if "_" in hint:
        message += "; the rule language writes it with `_`"
    return Explanation(message, hint, reason.start(1))


def matched(pattern: str, text: str, pos: int) -> str:
    """What `pattern` matches in `text` at `pos` ("" when nothing)."""
    found = re.compile(pattern).match(text, pos)
    return found.group() if found else ""


@functools.cache
def literal_names() -> frozenset[str]:
    """The keywords of the language: `client`, `greeting`, `when`…"""
    return frozenset(t.pattern.value for t in grammar().terminals if isinstance(t.pattern, PatternStr))
