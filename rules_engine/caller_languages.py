"""Language tags: what callers and switches send (`es-MX`, `ES`, `fr-CA`, `spa`) → one of a client's languages.

Matching follows BCP 47 and CLDR's language distances through `langcodes`: a regional or
three-letter tag finds the client's language it is a form of, and a tag no language of the
client is close to finds none (the caller then hears the default language, and the decision
says so). Language names (`english`, `Spanish`) are read and written with its data too.

`langcodes` is imported on first use: loading its data takes a tenth of a second, and most
calls carry one of the client's own tags, or none, which need no matching.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from types import ModuleType


def _langcodes() -> ModuleType:
    import langcodes

    return langcodes


def _tag_errors() -> tuple[type[Exception], ...]:
    from langcodes.tag_parser import LanguageTagError

    return (LanguageTagError, ValueError)


class Match(NamedTuple):
    """The client's language a tag was matched to (None: none), and why, in words."""

    language: str | None
    why: str


def match(tag: str, languages: Iterable[str]) -> Match:
    """The client's language for `tag` (exact, or the closest by BCP 47 rules), and why."""
    languages = tuple(languages)
    return Match(tag, "the caller's language") if tag in languages else closest(tag, languages)


@functools.lru_cache(maxsize=1024)
def closest(tag: str, languages: tuple[str, ...]) -> Match:
    """`match` for a tag that is not one of `languages` itself. Remembered: the tags switches
    send are few and recur, and langcodes takes tens of microseconds to match one."""
    langcodes = _langcodes()
    try:
        standard = langcodes.standardize_tag(tag)
        found = langcodes.closest_supported_match(standard, list(languages)) if languages else None
    except _tag_errors():
        return Match(None, f"`{tag}` is not a language tag")
    if found is None:
        name = name_of(tag)
        return Match(
            None,
            f"the client has no language close to `{tag}` ({name})"
            if name != tag
            else f"`{tag}` is not a language the engine knows",
        )
    return Match(found, f"`{tag}` ({name_of(tag)}) is a form of `{found}`")


def name_of(tag: str) -> str:
    """`es` → `Spanish`, `es-MX` → `Spanish (Mexico)`; the tag itself when it names no language."""
    try:
        language = _langcodes().Language.get(tag)
    except _tag_errors():
        return tag
    return language.display_name() if language.is_valid() and language.language else tag


def code_for_name(words: str) -> str | None:
    """`english` → `en`, `Mandarin` → `zh`: the code of a language named in English, or None."""
    langcodes = _langcodes()
    errors: tuple[type[Exception], ...] = (LookupError, *_tag_errors())
    try:
        return langcodes.standardize_tag(str(langcodes.find(words.strip())), macro=True)
    except errors:
        return None


def is_code(word: str) -> bool:
    """True for a language code without region or script (`en`, `es`, `haw`)."""
    try:
        language = _langcodes().Language.get(word)
    except _tag_errors():
        return False
    return language.is_valid() and language.language == word and str(language) == word
