"""Suggestions for a step the library does not know: the closest phrase, and curly quotes pointed out.

The step library registers each phrase's pattern here (`register`); a pattern becomes a
readable phrase (`the agent greets with "…"`, `it is DAY at TIME`) by keeping the first alternative of each
group, leaving optional groups out and writing each quoted value as `"…"`.
"""

from __future__ import annotations

import difflib
import re

CURLY = "“”„‟″‘’‚‛′"
QUOTED = re.compile(r'"[^"]*"')
INNERMOST = re.compile(r"\((\?P<(?P<name>\w+)>|\?:)?(?P<body>[^()]*)\)(?P<optional>\?)?")

_phrases: list[str] = []  # every step of the library, as an account manager would write it


def register(keyword: str, pattern: str) -> None:
    _phrases.append(f"{keyword} {readable(pattern)}")


def readable(pattern: str) -> str:
    """`the caller answers "(?P<field>[^"]*)" with …` → `the caller answers "…" with …`."""
    text = re.sub(r'"\(\?P<\w+>\[\^"\]\*\)"', '"…"', pattern.strip("^$"))
    while True:
        match = INNERMOST.search(text)
        if match is None:
            break
        body = match.group("body")
        if match.group("optional"):
            value = ""
        elif "\\" in body or "[" in body or "." in body:
            value = (match.group("name") or "…").upper()  # a date, a time, a word: say which
        else:
            value = body.split("|")[0]
        text = text[: match.start()] + value + text[match.end() :]
    return re.sub(r"\\(.)", r"\1", text).replace("?", "").strip()


def hint(keyword: str, text: str) -> str | None:
    """What to tell about a step the library has no phrase for: curly quotes, or the closest phrase."""
    if any(quote in text for quote in CURLY):
        return (
            "its quotes are curly (“…”), as a word processor types them; "
            'write straight quotes ("…"), as on a plain keyboard'
        )
    written = QUOTED.sub('"…"', f"{keyword} {text}")
    close = difflib.get_close_matches(written, _phrases, n=1, cutoff=0.6)
    return f"did you mean: {close[0]}" if close else None
