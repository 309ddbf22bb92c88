"""One family of errors, and the diagnostics account managers read.

A diagnostic renders as::

    client_configs/acme.rules:12:20: error: unknown contact `bobb`
        step call bobb, wait 5m
                  ^
      hint: did you mean `bob`?

Every stage collects its diagnostics and raises once, so a file's mistakes are all
reported together. No Lark, pydantic or pendulum exception leaves the package: each is
translated into one of these at the boundary where it happens.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

# A note is neither: it says what was not looked at (the checks a syntax error holds back).
Severity = Literal["error", "warning", "note"]
COLOURS = {"error": "\033[1;31m", "warning": "\033[1;33m", "note": "\033[1;36m"}  # bold red, yellow, cyan
BOLD, RESET = "\033[1m", "\033[0m"


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    message: str
    file: str
    line: int = 0
    column: int = 0
    hint: str | None = None
    source_line: str | None = field(default=None, compare=False)

    def render(self, colour: bool = False) -> str:
        """The diagnostic as people read it; with `colour`, the severity and the caret in ANSI
        colours (red errors, yellow warnings, cyan notes) and the hint's label in bold, for a terminal."""
        paint = COLOURS[self.severity] if colour else ""
        reset, bold = (RESET, BOLD) if colour else ("", "")
        where = self.file if not self.line else f"{self.file}:{self.line}:{self.column}"
        out = [f"{bold}{where}:{reset} {paint}{self.severity}:{reset} {self.message}"]
        if self.source_line is not None and self.line:
            text = self.source_line.rstrip("\n").expandtabs(4)
            prefix = self.source_line[: max(self.column - 1, 0)].expandtabs(4)
            out.append(f"    {text}")
            out.append("    " + " " * len(prefix) + f"{paint}^{reset}")
        if self.hint:
            out.append(f"  {bold}hint:{reset} {self.hint}")
        return "\n".join(out)

    def as_dict(self) -> dict[str, str | int | None]:
        return {
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass(frozen=True)
class SourceText:
    """The text of one rule file by line: the one place a diagnostic is positioned in a file.

    Every stage that reports a mistake at a line and column (limits, parser, builder, checks,
    on-call coverage) makes its `Diagnostic` here, so each quotes its source line the same way.
    """

    path: str
    lines: tuple[str, ...]

    @classmethod
    def of(cls, path: str, text: str) -> SourceText:
        """The lines as the parser counts them, ended by `\n` alone (a `\r` before it is left
        out), so that a form feed or U+2028 in a comment never shifts the line quoted."""
        lines = text.split("\n")
        if len(lines) > 1 and not lines[-1]:
            lines.pop()  # the text's last line ends with a newline
        return cls(path, tuple(line.removesuffix("\r") for line in lines))

    def diagnostic(
        self, severity: Severity, message: str, line: int = 0, column: int = 0, hint: str | None = None
    ) -> Diagnostic:
        """At `line`:`column` (1-based), quoting that line; at no position when `line` is 0."""
        if not line:
            return Diagnostic(severity, message, self.path, hint=hint)
        quoted = self.lines[line - 1] if line <= len(self.lines) else None
        return Diagnostic(severity, message, self.path, line, column, hint, quoted)

    def at(self, severity: Severity, where: object, message: str, hint: str | None = None) -> Diagnostic:
        """At `where`: anything with a `line` and a `column` (a model `Pos`, a Lark token or a
        tree's `meta`), or None for no position."""
        return self.diagnostic(
            severity, message, getattr(where, "line", 0) or 0, getattr(where, "column", 0) or 0, hint
        )


def line_column(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of `offset` in `text`, lines counted as the parser counts them."""
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def render_all(diagnostics: Iterable[Diagnostic]) -> str:
    return "\n".join(d.render() for d in diagnostics)


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the closest known name, or None when nothing is close."""
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


class RulesEngineError(Exception):
    """Base of every error the engine raises on purpose."""


class RulesError(RulesEngineError):
    """A rule file (or several) did not compile; `diagnostics` holds every problem found."""

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        self.diagnostics = tuple(diagnostics)
        errors = [d for d in self.diagnostics if d.severity == "error"]
        first = errors[0] if errors else (self.diagnostics[0] if self.diagnostics else None)
        summary = first.render().splitlines()[0] if first else "rules did not compile"
        more = len(errors) - 1
        super().__init__(summary + (f" … and {more} more" if more > 0 else ""))

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")

    def render(self) -> str:
        return render_all(self.diagnostics)


class CallError(RulesEngineError):
    """A call given to `decide` is invalid: names the field and says what was expected."""

    def __init__(self, message: str, field: str | None = None):
        self.field = field
        super().__init__(f"{field}: {message}" if field else message)


class UnknownClientError(CallError):
    """No client is served under that id or number."""


class StoreError(RulesEngineError):
    """The live-state store cannot be opened, read or written; the message names what failed."""
