"""Parse: rule-file text → Lark parse tree, with syntax errors told in plain words.

A syntax error is explained from the offending token and what the grammar expected there:
common slips (a missing `}` or `->`, single quotes, a lower-case holiday code, a reserved
word used as a name, an unquoted time zone…) get a message of their own; anything else is
"expected …, but found …" with Lark's terminal names replaced by words.
"""

from __future__ import annotations

import difflib
import functools
import re
from pathlib import Path

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
    "$END": "the end of the file",
}
# How a token that was found is named in a message ("found the name `bobb`").
FOUND_WORDS = {
    "NAME": "the name",
    "INT": "the number",
    "DURATION": "the duration",
    "TIME": "the time",
    "TIMERANGE": "the time range",
    "DATE": "the date",
    "DAYS": "the days",
    "REGION": "the code",
}
STATEMENTS = (
    "timezone",
    "languages",
    "numbers",
    "forwarding",
    "holidays",
    "holiday",
    "window",
    "closed",
    "contact",
    "list",
    "oncall",
    "escalation",
    "greeting",
    "script",
    "choose",
    "urgency",
    "route",
)
# Lines where a statement of the client surely begins: where parsing resumes after an error. The
# keywords that are also words of a condition (`holiday`, `closed`, `urgency is`) begin a line
# of a condition too, so they count only when followed by what their statement needs.
STATEMENT_AFTER = {"holiday": r'\s+"', "closed": r'\s+"', "urgency": r"\s*\{"}
RESYNC = re.compile(r"\s*(?:" + "|".join(k + STATEMENT_AFTER.get(k, r"\b") for k in STATEMENTS) + ")")
# A text or a comment, as the grammar's STRING and COMMENT terminals read them: no bracket or
# word inside one is code.
TEXT_OR_COMMENT = r'"(?:[^"\\\n]|\\.)*"|#[^\n]*'
MAX_SYNTAX_ERRORS = 10
ACTIONS = ("patch", "escalate", "take", "voicemail", "callback", "say")
# (message, hint) or (message, hint, offset of the mistake when it starts before the parser stopped)
Explanation = tuple[str, str | None] | tuple[str, str | None, int]
STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')  # a text, as the grammar's STRING reads it
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

    After a syntax error the parser does not guess what was meant (its guesses invent
    errors). Instead the statement holding the error is blanked out, up to the next line
    that starts a statement of the client, and the rest is parsed again: one error per
    broken statement, at most `MAX_SYNTAX_ERRORS`. Other checks wait until the file parses,
    since a blanked statement would make them report names it defines as unknown.
    """
    try:
        return grammar().parse(text)
    except UnexpectedInput as exc:
        error = exc
    diagnostics = [syntax_diagnostic(error, text, path)]
    current = text
    while len(diagnostics) < MAX_SYNTAX_ERRORS:
        line = diagnostics[-1].line
        current = blank_statement(current, line)
        if current is None:
            break
        try:
            grammar().parse(current)
            break
        except UnexpectedInput as exc:
            diagnostic = syntax_diagnostic(exc, current, path)
            if diagnostic.line <= line:  # no progress: stop rather than loop
                break
            diagnostics.append(diagnostic)
    raise RulesError(diagnostics)


def blank_statement(text: str, line: int) -> str | None:
    """`text` with the client statement around `line` replaced by empty lines (so positions
    stay), or None when the statement's start or the next statement cannot be told."""
    lines = text.split("\n")
    depth, depths = 0, []
    for source in lines:  # brace depth at the start of each line
        depths.append(depth)
        code = re.sub(TEXT_OR_COMMENT, "", source)
        depth += code.count("{") - code.count("}")
    starts = [i for i, source in enumerate(lines) if depths[i] == 1 and RESYNC.match(source)]
    first = max((i for i in starts if i < line), default=None)
    after = min((i for i in starts if i >= line), default=None)
    if first is None or after is None:
        return None
    return "\n".join(lines[:first] + [""] * (after - first) + lines[after:])


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
    words = set()
    statements = {n for n in names if literal(n) in STATEMENTS}
    if len(statements) >= 4:
        names = names - statements
        words.add("a new statement (`window`, `contact`, `greeting`, `route`…)")
    for name in names:
        words.add(TERMINAL_WORDS.get(name) or (f"`{literal(name)}`" if literal(name) else name.lower()))
    words = sorted(words, key=lambda w: (w.startswith("a new statement"), w))
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


def syntax_diagnostic(exc: UnexpectedInput, text: str, path: str) -> Diagnostic:
    """Explanations are `(message, hint)`, or `(message, hint, offset)` when the mistake
    starts elsewhere than where the parser stopped (`monday 08:00-17:00` stops at the time)."""
    source = SourceText.of(path, text)
    stopped = exc.pos_in_stream if isinstance(exc, UnexpectedCharacters) else getattr(exc.token, "start_pos", None)
    opening = unclosed_text(text, stopped) if stopped is not None else None
    if opening is not None:
        line, column = exc.line, exc.column
        message, hint, *at = (
            'this text has no closing `"`',
            'it runs on to the next `"` on the line; close it where it ends',
            opening,
        )
    elif isinstance(exc, UnexpectedCharacters):
        line, column = exc.line, exc.column
        message, hint, *at = explain_character(text, exc.pos_in_stream, set(exc.allowed or ()))
    elif isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        line, column = exc.token.line, exc.token.column
        message, hint, *at = explain_token(text, exc.token, set(exc.accepts or exc.expected))
    else:  # the file ended too early (UnexpectedEOF, or an UnexpectedToken on `$END`)
        line = max((i for i, s in enumerate(source.lines, 1) if s.strip()), default=1)
        column = len(source.lines[line - 1].rstrip()) + 1
        message, hint, *at = explain_end(text)
    if at:
        line, column = line_column(text, at[0])
    return source.diagnostic("error", message, line, column, hint)


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


def explain_end(text: str) -> Explanation:
    if not text.strip() or re.fullmatch(r"(\s*#[^\n]*)*\s*", text):
        return "the file is empty", 'a rule file starts with `client NAME "Title" {`', 0
    open_lines, _ = braces(text)
    if open_lines:
        return ("the file ends before every `{` is closed", f"the `{{` on line {open_lines[-1]} has no matching `}}`")
    return "the file ends too early", None


def explain_token(text: str, token: Token, expected: set[str]) -> Explanation:
    value, found = str(token), describe_found(token)
    literals = {literal(n) for n in expected} - {None}
    before = text[: token.start_pos]
    if "NAME" in expected and token.type != "NAME" and re.fullmatch(r"[a-z][a-z0-9_]*", value):
        return f"`{value}` is a reserved word and cannot be used as a name", "choose another name"
    if token.type in ("NAME", "INT") and before[-1:].isalpha():
        # Keywords are matched as prefixes where no name may follow: `windows` is `window` + `s`.
        keyword = re.search(r"[a-z]+$", before).group()
        return (
            f"`{keyword}{value}` is not a word of the rule language",
            f"did you mean `{keyword}`?",
            len(before) - len(keyword),
        )
    if keyword := glued_keyword(before):  # …and the letters after it were read as a name: `windows open =`
        word = re.search(r"[a-z]+\s+$", before)
        return (
            f"`{word.group().strip()}` is not a word of the rule language",
            f"did you mean `{keyword}`?",
            word.start(),
        )
    if "REGION" in expected and token.type == "NAME":
        code = re.match(r"[A-Za-z0-9-]+", text[token.start_pos :]).group()
        return "holiday codes are written in capital letters", f"write `{code.upper()}`"
    if "->" in literals and value in ACTIONS:
        return "`->` is missing before the action", "a route rule reads `when CONDITION -> ACTION`"
    if value == "else" and "ELSE" in expected:
        return "`else` needs a comma before it", "write `patch bob, else voicemail`"
    if token.type == "INT" and (meant := twenty_four_hours(text[token.start_pos :])):
        written, range_ = meant
        return f"`{written}` is not a time of the rule language", f"times are 24-hour `HH:MM`: write `{range_}`"
    if token.type == "INT" and re.match(r"\d+(:\d+)?\s*-\s*\d", text[token.start_pos :]):
        return "a time range is written HH:MM-HH:MM, without spaces", "for example `08:00-17:00`"
    if token.type == "INT" and "DURATION" in expected:
        return f"the duration `{value}` has no unit", "durations are written 30s, 5m, 2h or 1d"
    day = re.search(r"([A-Za-z]+)\s*$", before) if token.type == "TIMERANGE" else None
    if day and (day.group(1)[:3].lower() in DAY_NAMES or difflib.get_close_matches(day.group(1), DAY_NAMES)):
        return (
            f"`{day.group(1)}` is not a day",
            f"days are written {', '.join(DAY_NAMES)}, or daily",
            day.start(1),
        )
    if value == "=" and "is" in literals:
        return "conditions compare with `is`, not `=`", "for example `type is billing`"
    if value == "wait" and literals == {","}:
        return "each step ends with a comma and `wait`", "for example `step call bob, wait 5m`"
    if literals == {","} and re.search(r"\bstep\b[^{}]*$", before) and "wait" not in before[before.rfind("step") :]:
        return (
            "this step has no `wait`",
            "each step ends with `, wait DURATION`, e.g. `step call bob, wait 5m`",
            len(before.rstrip()),
        )
    if token.type == "STRING" and expected == {"NAME"} and before.rstrip()[-1:] in ("{", '"'):
        return "each text in braces starts with its language", 'for example `en "Hello"`'
    if value in STATEMENTS and "}" in literals:
        open_lines, _ = braces(before)
        where = f"the `{{` on line {open_lines[-1]} is not closed" if open_lines else None
        return f"a closing `}}` is missing before `{value}`", where
    if expected == {"$END"}:
        _, closed_at = braces(before)
        return (
            f"{found} comes after the end of the client",
            f"the client's block already ended with the `}}` on line {closed_at}; is there one `}}` too many?",
        )
    hint = "is a comma missing before it?" if token.type == "STRING" and "," in literals else None
    if token.type == "NAME":  # most often a misspelt keyword: `timzone`, `rotaton`
        words = sorted(w for w in literals if w.isalpha())
        close = difflib.get_close_matches(value, words, n=1, cutoff=0.6)
        if close and "NAME" not in expected:
            return f"`{value}` is not a word of the rule language", f"did you mean `{close[0]}`?"
        hint = f"did you mean `{close[0]}`?" if close else None
    return f"expected {describe_expected(expected)}, but found {found}", hint


def twenty_four_hours(after: str) -> tuple[str, str] | None:
    """(`8am-2pm`, `08:00-14:00`) for a time or range written with am/pm; None otherwise."""
    first = AM_PM.match(after)
    if first is None:
        return None
    second = re.compile(r"\s*-\s*" + AM_PM.pattern, re.IGNORECASE).match(after, first.end())
    times = [first] + ([second] if second else [])
    written = after[: times[-1].end()]

    def hhmm(time: re.Match) -> str:
        hour, minute, half = time.groups()
        return f"{int(hour) % 12 + (12 if half.lower() == 'p' else 0):02d}:{minute or '00'}"

    return written, "-".join(hhmm(t) for t in times)


def glued_keyword(before: str) -> str | None:
    """The statement keyword that the last word before the error wrongly extends (`windows`)."""
    word = re.search(r"(?<![a-z0-9_])([a-z]+)\s+$", before)
    if word is None or word.group(1) in STATEMENTS:
        return None
    return next((k for k in STATEMENTS if re.fullmatch(k + "[a-z]{1,2}", word.group(1))), None)


def explain_character(text: str, pos: int, allowed: set[str]) -> Explanation:
    char = text[pos] if pos < len(text) else ""
    word = re.match(r"[^\s{}(),\"]*", text[pos:]).group() or char
    if char == "'":
        quoted = re.match(r"'([^'\n]*)'?", text[pos:]).group(1)
        return "texts are written in double quotes, not single quotes", f'write "{quoted}"'
    if char == '"':
        return 'this text has no closing `"`', 'a text ends with `"` on the line where it starts'
    reason = re.search(r"\bforwarded\s*(?:\([^)]*)?\b([a-z]+)$", text[:pos])
    if char == "-" and reason is not None:
        written = reason.group(1) + re.match(r"[-a-z_]*", text[pos:]).group()
        hint = written_reason_hint(written)
        if hint:
            return (
                f"`{written}` is how a switch names the reason; the rule language writes it with `_`"
                if "_" in hint
                else f"`{written}` is how a switch names the reason",
                hint,
                reason.start(1),
            )
    if char == "-" and (day := re.search(r"([a-z]+)$", text[:pos])) and day.group(1) in DAY_NAMES:
        wrong = re.match(r"-([A-Za-z]*)", text[pos:]).group(1)
        close = difflib.get_close_matches(wrong.lower(), DAY_NAMES, n=1)
        return (
            f"`{wrong}` is not a day",
            f"did you mean `{close[0]}`?" if close else f"days are written {', '.join(DAY_NAMES)}",
            pos + 1,
        )
    if char.isalpha() and char.isupper() and allowed & {"NAME", "DAYS", "METHOD"}:
        return "names, days and keywords are written in lower case", f"write `{word.lower()}`"
    if "STRING" in allowed and not allowed & {"NAME", "REGION"} and char not in "\"'":
        return "this value must be in double quotes", f'write "{word}"'
    if char == ";":
        return "`;` is not needed", "a statement ends where the next one begins; remove the `;`"
    message = f"unexpected character `{char}`"
    if allowed:
        message += f"; expected {describe_expected(allowed)}"
    return message, None
