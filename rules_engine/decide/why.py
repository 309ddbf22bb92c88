"""Why: what a decision says about itself beyond the rules tried — the language and the calendar.

- `language_choice`: which language the call asked for, which the texts are in, and why
  (an exact match, a BCP 47 match such as `es-MX` → `es`, or the default and the reason).
- `calendar_notes`: when `closed` or `holiday` holds, which closure (its title and line) or
  which holiday (its name, and the file's `holiday` line or its `holidays` line).
- `condition_line`: the line where a rule's condition is written (what the trace names), which
  is not the rule's own line when a greeting's name and title stand on the line before its `when`.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import NamedTuple

from .. import caller_languages
from .. import model as m
from ..schedule import clock
from ..schedule.calendar import TimeFacts
from . import decision as d


class LanguageChoice(NamedTuple):
    asked: str | None  # the tag the call carried, as sent (None: none)
    used: str  # the client's language its texts are looked up in
    why: str


def language_choice(languages: tuple[str, ...], asked: str | None, engine_default: str | None = None) -> LanguageChoice:
    """Which of a client's `languages` (its default first) a call asking for `asked` is
    answered in, and why. `engine_default` is the engine's `default_language` setting, used
    for a call that names no language."""
    default = languages[0]
    if asked is None:
        if engine_default is None:
            return LanguageChoice(None, default, "the call names no language: the client's default")
        found = caller_languages.match(engine_default, languages)
        if found.language is not None:
            return LanguageChoice(None, found.language, "the call names no language: the engine's default language")
        return LanguageChoice(
            None,
            default,
            f"the call names no language, and the client has no text in the "
            f"engine's default `{engine_default}`: the client's default",
        )
    found = caller_languages.match(asked, languages)
    if found.language is not None:
        return LanguageChoice(asked, found.language, found.why)
    return LanguageChoice(asked, default, f"{found.why}: the client's default")


@functools.lru_cache(maxsize=1024)
def language_part(languages: tuple[str, ...], asked: str | None, engine_default: str | None) -> d.Language:
    """`language_choice` as the decision's part, its JSON written once: the same few tags
    recur, call after call (bounded all the same)."""
    choice = language_choice(languages, asked, engine_default)
    return d.finished(d.Language(asked=choice.asked, used=choice.used, why=choice.why))


class CalendarNote(NamedTuple):
    rule: str  # `closed` or `holiday`
    line: int
    note: str


def calendar_notes(client: m.Client, time: TimeFacts, instant: datetime, tz) -> list[CalendarNote]:
    """The closure and the holiday that hold at `instant` (empty when neither does)."""
    notes = []
    if time.closed is not None:
        closure = next((c for c in client.closures if covers(c, instant, tz)), None)
        title = f'closure "{closure.title}"' if closure is not None and closure.title else "an untitled closure"
        notes.append(CalendarNote("closed", line_of(closure), f"{title} holds"))
    if time.holiday is not None:
        own = next((h for h in client.holiday_dates if h.date == time.local.date()), None)
        if own is not None:
            notes.append(CalendarNote("holiday", line_of(own), f'the file\'s holiday "{own.title}"'))
        else:
            region = client.regions[0] if client.regions else None
            codes = ", ".join(r.country + (f"-{r.subdivision}" if r.subdivision else "") for r in client.regions)
            notes.append(CalendarNote("holiday", line_of(region), f'"{time.holiday}", a public holiday of {codes}'))
    return notes


def covers(closure: m.Closure, instant: datetime, tz) -> bool:
    return clock.to_instant(closure.start.local, tz) <= instant < clock.to_instant(closure.end.local, tz)


def condition_line(rule: m.Node) -> int:
    """The line of a rule's (or a question's) condition; its own line when it has none. The trace
    names this line: a greeting's name and title may stand on the line before its `when`."""
    when = getattr(rule, "when", None)
    return line_of(when) if when is not None and when.pos is not None else line_of(rule)


def line_of(node: m.Node | None) -> int:
    return node.pos.line if node is not None and node.pos is not None else 0
