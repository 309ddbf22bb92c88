"""A new client's rule file made from a copy of another's: the same text with its `client` id,
its title and its `numbers` changed, at the places the compiled client says they were written
(never by running anything, never by rewriting the rest of the file).

What the copy says beyond those three (greetings naming the old business, contacts, on-call
people) is the account manager's to edit before or after the first publish.
"""

from __future__ import annotations

import re

from .. import model as m
from ..errors import RulesEngineError

ID = re.compile(r"[a-z][a-z0-9_]{0,63}")
STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
TITLE = re.compile(r'[ \t]+"(?:[^"\\\n]|\\.)*"')


class OnboardingError(RulesEngineError):
    """The form's values cannot make a copy (shown on the form)."""


def quoted(value: str) -> str:
    if any(ord(ch) < 32 for ch in value):
        raise OnboardingError("A name or number cannot hold a line break or a control character.")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def offset(lines: list[str], pos: m.Pos) -> int:
    """The index in the text of a 1-based line and column."""
    return sum(len(line) for line in lines[: pos.line - 1]) + pos.column - 1


def numbers_of(value: str) -> list[str]:
    """The dialled numbers a form's field holds: separated by commas, spaces or lines."""
    return [n for n in re.split(r"[\s,;]+", value.strip()) if n]


def copy_text(source: m.Client, new_id: str, title: str, numbers: list[str]) -> str:
    """`source`'s text as the file of client `new_id`, titled `title`, dialled on `numbers`."""
    if not ID.fullmatch(new_id):
        raise OnboardingError("An id is lower-case letters, digits and `_`, starting with a letter (at most 64).")
    title = title.strip()
    if not title:
        raise OnboardingError("Write the new client's name.")
    if not numbers:
        raise OnboardingError("Give at least one number the new client is dialled on.")
    positions = [n.pos for n in source.numbers if n.pos is not None]
    if source.pos is None or not positions or len(positions) != len(source.numbers):
        raise OnboardingError(f"{source.id}'s file has no `numbers` line to change: copy another client.")
    text = source.source
    lines = text.splitlines(keepends=True)
    starts = [offset(lines, pos) for pos in positions]
    # one `numbers` line per client (the compiler refuses two): from its first to its last
    spans = [(starts[0], literal_end(text, starts[-1]), ", ".join(quoted(n) for n in numbers))]
    at = offset(lines, source.pos)
    if not text.startswith(source.id, at):
        raise OnboardingError(f"cannot find `client {source.id}` in its file")
    id_end = at + len(source.id)
    had_title = TITLE.match(text, id_end)
    spans.append((id_end, had_title.end() if had_title else id_end, " " + quoted(title)))
    spans.append((at, id_end, new_id))
    for start, end, replacement in sorted(spans, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def literal_end(text: str, start: int) -> int:
    found = STRING.match(text, start)
    if found is None:
        raise OnboardingError("cannot find a number's quotes in the copied file")
    return found.end()
