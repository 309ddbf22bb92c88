"""Report: positions in one rule file → `Diagnostic`s, each with its source line and a hint.

The builder, assembly and every static check report through a `Report` (which positions
each diagnostic with `errors.SourceText`), so a file's diagnostics are collected and raised once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .. import model as m
from ..errors import Diagnostic, SourceText, did_you_mean


class Report:
    def __init__(self, path: str, text: str):
        self.text = SourceText.of(path, text)
        self.diagnostics: list[Diagnostic] = []
        self.suggested: set[tuple[str, str]] = set()

    def report(self, severity, where, message: str, hint: str | None = None) -> None:
        pos = where if isinstance(where, m.Pos) else getattr(where, "pos", None)
        self.diagnostics.append(self.text.at(severity, pos, message, hint))

    def error(self, where, message: str, hint: str | None = None) -> None:
        self.report("error", where, message, hint)

    def warn(self, where, message: str, hint: str | None = None) -> None:
        self.report("warning", where, message, hint)

    def word_pos(self, node: m.Node, word: str) -> m.Pos | None:
        """Where `word` is written on the node's line, at or after the node: a caret under the
        name itself rather than under the statement that mentions it (None for a node made
        without a position)."""
        pos = node.pos
        if pos is None:
            return None
        line = self.text.lines[pos.line - 1] if 0 < pos.line <= len(self.text.lines) else ""
        found = re.compile(rf"(?<![a-z0-9_]){re.escape(word)}(?![a-z0-9_])").search(line, pos.column - 1)
        return pos if found is None else m.Pos(file=pos.file, line=pos.line, column=found.start() + 1)

    def unknown(self, where, kind: str, name: str, known: Iterable[str]) -> None:
        """`name` is not one of the `known` names of its kind: an error with "did you mean"."""
        known = list(known)
        hint = did_you_mean(name, known)
        if hint:  # the misspelt reference means that one: do not also call it unused
            self.suggested.add((kind, hint.split("`")[1]))
        if hint is None:
            hint = (
                f"known {kind}s: " + ", ".join(f"`{k}`" for k in sorted(known))
                if known
                else f"no {kind} is defined in this file"
            )
        self.error(where, f"unknown {kind} `{name}`", hint)
