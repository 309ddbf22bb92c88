"""Input limits: how large a rule file may be, checked around parsing so that no file can
exhaust the stack or keep the compiler busy for long.

The compiler's later stages (building nodes, static checks, evaluation) recurse over
conditions and compare rules pairwise for shadowing, so a file far beyond anything a
person writes (20,000 `and`s in a row, thousands of routes) would otherwise end in a
`RecursionError` or take minutes. Each limit is generous for hand-written rules and is
reported as a positioned diagnostic naming the limit, with a hint on how to stay under it.

`check_text` runs on the text before parsing (size, line length, brackets open at once);
`check_tree` on the parse tree before anything recursive walks it (conditions' depth,
statements and rules counts). Both walk iteratively.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lark import Tree

from ..errors import Diagnostic, RulesError, SourceText, line_column
from .parser import TEXT_OR_COMMENT, position

MAX_FILE_BYTES = 1_000_000
MAX_LINE_CHARS = 2_000
MAX_WORDS = 10_000  # names, keywords, texts, times and symbols (25 times the largest example client)
MAX_BRACKETS = 32  # `(` and `{` open at once
MAX_CONDITION_DEPTH = 64  # `and`, `or`, `not` on one path of one condition
MAX_STATEMENTS = 1_000  # statements of one client
MAX_SECTION_RULES = 100  # greetings, `choose script`s, urgency levels, routes

# Strings and comments are skipped: a `(` inside a text is not a bracket.
BRACKET = re.compile(TEXT_OR_COMMENT + "|[(){}]")
# About one token of the parser each: a text, a word or time (`08:00-17:00`), a symbol.
WORD = re.compile(TEXT_OR_COMMENT + r"|[\w:.@+-]+|[^\s\w]")
CONNECTIVES = frozenset({"or_", "and_", "not_"})
# The parse-tree nodes that are rules of a first-match section, and what to call them.
SECTION_RULES = {"greeting": "greetings", "choose_script": "`choose script` rules"}
SECTIONS = {"urgency_section": "urgency levels", "route_section": "route rules"}


def check_text(text: str, path: str) -> None:
    """Raise a `RulesError` when the text is too large or too long, has a very long line, or nests too deep."""
    source = SourceText.of(path, text)
    checks = (size(text, source), too_many_words(text, source), long_line(source), deep_brackets(text, source))
    diagnostics = [d for d in checks if d]
    if diagnostics:
        raise RulesError(diagnostics)


def check_tree(tree: Tree, path: str, text: str) -> None:
    """Raise a `RulesError` when a condition is nested too deep, or the client has too many parts."""
    source = SourceText.of(path, text)
    diagnostics = [d for d in (deep_condition(tree, source), too_many(tree, source)) if d]
    if diagnostics:
        raise RulesError(diagnostics)


def size(text: str, source: SourceText) -> Diagnostic | None:
    data = text.encode("utf-8", errors="surrogatepass")
    if len(data) <= MAX_FILE_BYTES:
        return None
    head = data[:MAX_FILE_BYTES].decode("utf-8", errors="ignore")
    line, column = line_column(head, len(head))
    return source.diagnostic(
        "error",
        f"the file is larger than {MAX_FILE_BYTES // 1000} kB; it goes past the limit here",
        line,
        column,
        "one client's rules fit in far less; is this the right file?",
    )


def too_many_words(text: str, source: SourceText) -> Diagnostic | None:
    count = 0
    for match in WORD.finditer(text):
        if match.group().startswith("#"):
            continue
        count += 1
        if count > MAX_WORDS:
            line, column = line_column(text, match.start())
            return source.diagnostic(
                "error",
                f"the file has more than {MAX_WORDS} words and symbols; it goes past the limit here",
                line,
                column,
                "one client's rules fit in far less; split shared parts into `list`s and windows",
            )
    return None


def long_line(source: SourceText) -> Diagnostic | None:
    long = [number for number, line in enumerate(source.lines, 1) if len(line) > MAX_LINE_CHARS]
    if not long:
        return None
    more = f" (and {len(long) - 1} more lines)" if len(long) > 1 else ""
    return source.diagnostic(
        "error",
        f"this line is longer than {MAX_LINE_CHARS} characters{more}",
        long[0],
        MAX_LINE_CHARS + 1,
        "break it over several lines: a statement may continue on the next line",
    )


def deep_brackets(text: str, source: SourceText) -> Diagnostic | None:
    depth = 0
    for match in BRACKET.finditer(text):
        char = match.group()
        if char in "({":
            depth += 1
            if depth > MAX_BRACKETS:
                line, column = line_column(text, match.start())
                return source.diagnostic(
                    "error",
                    f"brackets are nested more than {MAX_BRACKETS} deep here",
                    line,
                    column,
                    "give parts of the condition a name with `window`, or write it more simply",
                )
        elif char in ")}":
            depth = max(depth - 1, 0)
    return None


def children(node: Tree) -> Iterator[Tree]:
    return (child for child in node.children if isinstance(child, Tree))


def deep_condition(tree: Tree, source: SourceText) -> Diagnostic | None:
    """The first condition with more than MAX_CONDITION_DEPTH connectives on one path."""
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if node.data in CONNECTIVES:
            depth += 1
            if depth > MAX_CONDITION_DEPTH:
                line, column = position(node)
                return source.diagnostic(
                    "error",
                    f"this condition is too long or nested too deeply: more than "
                    f"{MAX_CONDITION_DEPTH} `and`, `or` and `not` follow one another in it",
                    line,
                    column,
                    "give parts of it a name with `window`, or use a `list` of numbers",
                )
        stack.extend((child, depth) for child in children(node))
    return None


def too_many(tree: Tree, source: SourceText) -> Diagnostic | None:
    """The first statement or rule past the limit on their number."""
    client = next(tree.find_data("client"), None)
    if client is None:
        return None
    items = [c for c in client.children if isinstance(c, Tree)]
    found = None
    if len(items) > MAX_STATEMENTS:
        found = (
            items[MAX_STATEMENTS],
            f"this client has more than {MAX_STATEMENTS} statements",
            "split the client's rules, or use `list`s and shared windows",
        )
    for data, word in SECTION_RULES.items():
        rules = [item for item in items if item.data == data]
        if found is None and len(rules) > MAX_SECTION_RULES:
            found = (
                rules[MAX_SECTION_RULES],
                f"this client has more than {MAX_SECTION_RULES} {word}",
                "combine rules with `or`, or use a `list` of numbers",
            )
    for item in items:
        rules = list(children(item))
        if found is None and item.data in SECTIONS and len(rules) > MAX_SECTION_RULES:
            found = (
                rules[MAX_SECTION_RULES],
                f"this section has more than {MAX_SECTION_RULES} {SECTIONS[item.data]}",
                "combine rules with `or`, or use a `list` of numbers",
            )
    if found is None:
        return None
    where, message, hint = found
    return source.diagnostic("error", message, *position(where), hint)
