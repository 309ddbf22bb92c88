"""Forwarding reasons: the spec's short names, and the RFC 5806 Diversion reasons switches send.

Calls are read with `normalise_reason`; rule files are written with the short names only,
and a file that uses an RFC name is told which short name to write (`no-answer` → `no_answer`).
"""

from __future__ import annotations

from collections.abc import Mapping
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
