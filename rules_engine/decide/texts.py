"""Texts: what a rule says, in its languages → the `Wording` a call in one language hears.

A text gives one template per language, or one for every language (the key `""`). The
call's language is used where the text has it, else the client's default language, and
the decision says which. A template with no placeholder is the same for every call and
is joined once, by the plan; one with placeholders is filled per call (`Decider.render`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .. import model as m


@dataclass(frozen=True, slots=True)
class Wording:
    """A text as said in one language: `text` when it is the same for every call, else
    None and the `parts` (literal text and placeholders) a call fills."""

    language: str
    text: str | None
    parts: tuple[str | m.Placeholder, ...]


def wording(by_language: Mapping[str, m.Template], language: str, default: str) -> Wording:
    """The wording of a text (`Text.by_language`, or a greeting's `texts`) for a call in `language`."""
    if "" in by_language:
        language, template = default, by_language[""]
    else:
        language = language if language in by_language else default
        template = by_language[language]
    parts = template.parts
    literal = [part for part in parts if isinstance(part, str)]
    same_for_every_call = len(literal) == len(parts)  # no placeholder
    return Wording(language, "".join(literal) if same_for_every_call else None, parts)


def speaks(texts: Iterable[Mapping[str, m.Template]], language: str) -> bool:
    """True when one of `texts` has a template in `language`: what says them differs from
    what the default language says (`wording` falls back to the default for the others)."""
    return any(language in by_language for by_language in texts)


def person_title(client: m.Client, person: str) -> str:
    """How texts and trace notes name someone: their contact's title, or the name as given
    when the file no longer lists them (a live override set before an edit)."""
    contact = client.contacts.get(person)
    return contact.title if contact is not None else person
