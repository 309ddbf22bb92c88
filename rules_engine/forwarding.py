"""Forwarding reasons: the spec's short names, and the RFC 5806 Diversion reasons switches send.

Calls are read with `normalise_reason`; rule files are written with the short names only,
and a file that uses an RFC name is told which short name to write (`no-answer` → `no_answer`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from .model import FORWARDING_REASONS

# RFC 5806 Diversion reasons (and the short names, hyphenated) → the short names of the spec.
# Written with hyphens; `normalise_reason` turns underscores into hyphens before the look-up.
REASONS: Mapping[str, str] = MappingProxyType(
    {
        **{name.replace("_", "-"): name for name in FORWARDING_REASONS},
        "unconditional": "always",
        "follow-me": "always",  # forwarding the user set up to follow them everywhere
        "time-of-day": "scheduled",
        "deflection": "manual",  # the user sent the ringing call on by hand
        "do-not-disturb": "manual",  # the user switched on do-not-disturb
        "away": "manual",  # the user said they are away
        "user-busy": "busy",
        "no-answer": "no_answer",
        "out-of-service": "unavailable",
    }
)


def normalise_reason(value: str | None) -> str:
    """A short name or an RFC 5806 reason (any case, `-` or `_`) → the spec's short name."""
    if value is None:
        return "unknown"
    key = value.strip().lower().replace("_", "-")
    if not key:
        return "unknown"
    try:
        return REASONS[key]
    except KeyError:
        raise ValueError(
            f"unknown forwarding reason `{value}`; use one of {', '.join(FORWARDING_REASONS)} "
            f"or an RFC 5806 reason such as user-busy, no-answer, unconditional"
        ) from None


def written_reason_hint(word: str) -> str | None:
    """`write `no_answer`` for a reason written in a rule file as a switch sends it (an RFC
    5806 name, or a short name with `-`); None when the word is no reason at all."""
    short = REASONS.get(word.lower().replace("_", "-"))
    return f"write `{short}`" if short is not None and short != word else None


# What each reason means to the client whose phones forward: the words of the pages they read.
IN_WORDS: Mapping[str, str] = MappingProxyType(
    {
        "always": "you forward all calls",
        "scheduled": "your phones forward on a schedule",
        "manual": "you forward calls by hand",
        "busy": "your line is busy",
        "no_answer": "your line is unanswered",
        "unavailable": "your phone cannot be reached",
        "direct": "callers dial the answering service directly",
        "unknown": "the phone system does not say why",
    }
)
WRITTEN = re.compile(r"\bforwarded\s+(?:\(([\w\s,]+)\)|(\w+))")  # `forwarded busy`, `forwarded (busy, no_answer)`


def in_words(names: Sequence[str]) -> str:
    """`["busy", "no_answer"]` → `your line is busy or unanswered`; every reason → `whatever the reason`."""
    if set(names) >= set(FORWARDING_REASONS):
        return "whatever the reason"
    phrases = [IN_WORDS[name] for name in names if name not in ("busy", "no_answer")]
    line = [name for name in names if name in ("busy", "no_answer")]
    if line:
        said = "your line is " + " or ".join("busy" if name == "busy" else "unanswered" for name in line)
        phrases.insert(0 if names[0] in line else len(phrases), said)
    return phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " or " + phrases[-1]


def written_in_words(text: str) -> str:
    """A rule's text with each `forwarded …` said in words (`when forwarded manual and status` →
    `when [you forward calls by hand] and status`)."""

    def said(match: re.Match[str]) -> str:
        names = [n.strip() for n in (match.group(1) or match.group(2)).split(",")]
        if not all(n in IN_WORDS for n in names):
            return match.group(0)
        return f"[{in_words(names)}]"

    return WRITTEN.sub(said, text)
