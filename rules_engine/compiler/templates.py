"""Templates: split once at compile time, filled by plain string concatenation per call.

`{agent}`, `{client}`, `{caller}`, `{status.note}`, `{answer.X}`, `{oncall.TEAM}`; `{{` and
`}}` are literal braces. A value the call does not carry leaves its placeholder as written,
for the agent console to fill. Values are inserted verbatim: no format specs, no attribute
access, nothing a caller types is ever interpreted.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..errors import did_you_mean
from ..model import Placeholder, Pos

TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
PLACEHOLDER_NAME = re.compile(r"^(agent|client|caller|status\.note|answer\.[a-z][a-z0-9_]*|oncall\.[a-z][a-z0-9_]*)$")


class TemplateSyntaxError(ValueError):
    def __init__(self, message: str, offset: int, hint: str | None = None):
        super().__init__(message)
        self.offset = offset
        self.hint = hint


def split(source: str, pos: Pos | None = None) -> tuple[str | Placeholder, ...]:
    """Split a template into literal text and placeholders, or raise TemplateSyntaxError."""
    parts: list[str | Placeholder] = []
    literal: list[str] = []
    last = 0
    for match in TOKEN.finditer(source):
        literal.append(source[last : match.start()])
        last = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            literal.append(token[0])
        elif token in ("{", "}"):
            raise TemplateSyntaxError(
                f"unbalanced `{token}` in a text", match.start(), "write `{{` or `}}` for a literal brace"
            )
        else:
            name = match.group(1).strip()
            if not PLACEHOLDER_NAME.match(name):
                raise TemplateSyntaxError(f"unknown placeholder `{{{name}}}`", match.start(), placeholder_hint(name))
            if literal:
                parts.append("".join(literal))
                literal = []
            parts.append(Placeholder(name=name, pos=pos))
    literal.append(source[last:])
    if "".join(literal):
        parts.append("".join(literal))
    return tuple(parts)


def placeholder_hint(name: str) -> str:
    """`{agent_name}` → did you mean `agent`?; `{answers.name}` → did you mean `answer.name`?"""
    _, _, rest = name.partition(".")
    candidates = ["agent", "client", "caller", "status.note"] + ([f"answer.{rest}", f"oncall.{rest}"] if rest else [])
    return (
        did_you_mean(f"{{{name}}}", [f"{{{c}}}" for c in candidates])
        or "placeholders are {agent}, {client}, {caller}, {status.note}, {answer.FIELD} and {oncall.TEAM}"
    )


def render(parts: tuple[str | Placeholder, ...], lookup: Callable[[str], str | None]) -> str:
    """Fill the placeholders from `lookup`; a placeholder with no value stays as written."""
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        else:
            value = lookup(part.name)
            out.append("{" + part.name + "}" if value is None else value)
    return "".join(out)
