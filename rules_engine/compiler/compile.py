"""Compile: syntax nodes → a validated, immutable `Client`, with every static check run.

The whole pipeline reads top to bottom in `compile_text`: parse (`parser.py`), build
(`build.py`), assemble (`assemble.py`), check (`check_sections.py`, `check_refs.py`).
All diagnostics of a file are collected and raised once (`RulesError`); warnings travel
beside a compiled client.
"""

from __future__ import annotations

from pathlib import Path

from .. import model as m
from ..errors import Diagnostic, RulesError, SourceText, line_column
from . import limits
from .assemble import assemble
from .build import build
from .check_sections import Checker
from .parser import parse, position

__all__ = ["compile_bytes", "compile_file", "compile_text"]


def compile_file(path: str | Path) -> tuple[m.Client, tuple[Diagnostic, ...]]:
    """Compile one `.rules` file; returns the client and its warnings, or raises RulesError."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RulesError([Diagnostic("error", f"cannot read the file: {exc.strerror}", str(path))]) from None
    return compile_bytes(data, str(path))


def compile_bytes(data: bytes, path: str) -> tuple[m.Client, tuple[Diagnostic, ...]]:
    if len(data) > limits.MAX_FILE_BYTES:  # before decoding: a huge file is never read as text
        raise RulesError(
            [
                Diagnostic(
                    "error",
                    f"the file is larger than {limits.MAX_FILE_BYTES // 1000} kB",
                    path,
                    hint="one client's rules fit in far less; is this the right file?",
                )
            ]
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        source = SourceText.of(path, data.decode("utf-8", errors="replace"))
        before = data[: exc.start].decode("utf-8")  # valid up to the first bad byte: columns count characters
        raise RulesError(
            [
                source.diagnostic(
                    "error",
                    "the file is not valid UTF-8 text",
                    *line_column(before, len(before)),
                    'save the file with the UTF-8 encoding (your editor\'s "Save as" offers it)',
                )
            ]
        ) from None
    return compile_text(text, path)


def compile_text(text: str, path: str = "<rules>") -> tuple[m.Client, tuple[Diagnostic, ...]]:
    """The pipeline: text → parse tree → syntax nodes → checked `Client`."""
    try:
        limits.check_text(text, path)
        tree = parse(text, path)
        limits.check_tree(tree, path, text)
        source, diagnostics = build(tree, path, text)
        checker = Checker(path, text)
        client, singles = assemble(source, path, text, checker)
        checker.check(client, singles)
    except RulesError:
        raise
    except Exception as exc:
        raise RulesError([unexpected_failure(exc, path, text)]) from exc
    diagnostics = sorted(diagnostics + checker.diagnostics, key=lambda d: (d.line, d.column))
    if any(d.severity == "error" for d in diagnostics):
        raise RulesError(diagnostics)
    return client, tuple(diagnostics)


def unexpected_failure(exc: Exception, path: str, text: str) -> Diagnostic:
    """A diagnostic for a failure no check foresaw, placed where the builder was when it happened."""
    line, column = position(getattr(exc, "obj", None))  # lark's VisitError carries the tree or token it was on
    source = SourceText.of(path, text)
    cause = getattr(exc, "orig_exc", exc)
    if isinstance(cause, RecursionError):
        return source.diagnostic(
            "error", "this condition is nested too deeply", line, column, "split it into named windows or simpler rules"
        )
    return source.diagnostic(
        "error",
        "this part of the file could not be compiled",
        line,
        column,
        f"please report this to the engine's developers ({type(cause).__name__})",
    )
