"""The account manager's words for a call's inputs, mapped to the engine's values."""

from __future__ import annotations

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

LANGUAGES = {
    "english": "en",
    "spanish": "es",
    "french": "fr",
    "german": "de",
    "welsh": "cy",
    "italian": "it",
    "portuguese": "pt",
    "chinese": "zh",
    "vietnamese": "vi",
    "polish": "pl",
}

DURATION_WORDS = {"second": "S", "seconds": "S", "minute": "M", "minutes": "M", "hour": "H", "hours": "H"}


def language_code(words: str) -> str:
    """'Spanish' → 'es'; a code ('es') is taken as it is."""
    key = words.strip().strip('"').lower()
    return LANGUAGES.get(key, key)


def language_name(code: str) -> str:
    for name, value in LANGUAGES.items():
        if value == code:
            return name.capitalize()
    return code
