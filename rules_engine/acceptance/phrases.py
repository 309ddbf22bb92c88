"""The account manager's words for a call's inputs, mapped to the engine's values."""

from __future__ import annotations

import re

from .. import caller_languages

# "Given the call was forwarded because …"
FORWARDING_PHRASES = {
    "the line was busy": "busy",
    "nobody answered": "no_answer",
    "there was no answer": "no_answer",
    "the owner forwarded it by hand": "manual",
    "the owner turned forwarding on": "manual",
    "the office forwards on a schedule": "scheduled",
    "of the schedule": "scheduled",
    "all calls are forwarded": "always",
    "the phone was unreachable": "unavailable",
    "the line was unavailable": "unavailable",
    "the caller dialled the service directly": "direct",
    "the caller dialed the service directly": "direct",
    "of an unknown reason": "unknown",
}


# Seconds in each unit a scenario may name (singular; a plural drops its `s`), largest first.
UNIT_SECONDS = {"day": 86_400, "hour": 3_600, "minute": 60, "second": 1}
ISO_DURATION = re.compile(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def seconds_of(amount: str, unit: str) -> int:
    """`90`, `minutes` → 5400."""
    return int(amount) * UNIT_SECONDS[unit.rstrip("s")]


def iso_seconds(iso: str | None) -> int | None:
    """A decision's ISO 8601 duration (`PT1H30M`) in seconds, or None if it is not one."""
    match = ISO_DURATION.match(iso or "")
    if match is None:
        return None
    return sum(int(n or 0) * size for n, size in zip(match.groups(), UNIT_SECONDS.values(), strict=True))


def in_words(seconds: int) -> str:
    """5400 → `1 hour 30 minutes`; 0 → `0 seconds`."""
    words = []
    for unit, size in UNIT_SECONDS.items():
        count, seconds = divmod(seconds, size)
        if count:
            words.append(f"{count} {unit}" + ("s" if count != 1 else ""))
    return " ".join(words) or "0 seconds"


def language_code(words: str) -> str:
    """'Spanish' → 'es'; a code or tag ('es', 'es-MX') is taken as it is."""
    key = words.strip().strip('"')
    return key if caller_languages.is_code(key) else (caller_languages.code_for_name(key) or key)


def language_name(code: str) -> str:
    """'es' → 'Spanish'."""
    return caller_languages.name_of(code)
