"""Public holidays of a `holidays` line: the package's calendars in English, less what the line leaves out.

`holidays US-AZ except "Columbus Day"` names holidays as the `holidays` package gives them in
English. A name is matched without regard to case or an "(observed)" suffix, so an observed
day follows its holiday; a date the package gives two holidays ("A; B") holds while either
is kept. The compiler checks the names against `names_over` (a span of years), and the
calendar, `check` and the `holidays` command read the dates through `dates_of`, so all of
them agree on which days are holidays.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import cache
from typing import NamedTuple

import holidays as holiday_calendars

from .. import model as m

OBSERVED = re.compile(r"\s*\(observed(, estimated)?\)\s*$", re.IGNORECASE)


@cache
def english(country: str) -> str | None:
    """The language in which the package names `country`'s holidays in English: its own
    language when that is English, else English if the package translates it (else None,
    the country's own language)."""
    calendar = holiday_calendars.country_holidays(country)
    if calendar.default_language and calendar.default_language.startswith("en"):
        return calendar.default_language
    languages = sorted(calendar.supported_languages)
    return next((code for code in ("en_US", "en_GB", *languages) if code in languages and code.startswith("en")), None)


def key(name: str) -> str:
    """How a holiday name is matched: without case and without an "(observed)" suffix."""
    return OBSERVED.sub("", name).strip().casefold()


def names_of(title: str) -> list[str]:
    """The holidays of one date as the package lists them ("Christmas Day; Hanukkah")."""
    return [part.strip() for part in title.split(";") if part.strip()]


def calendar_of(region: m.Region, years: Iterable[int]) -> dict[date, str]:
    """Every public holiday of a region in `years`, named in English, before any selection."""
    found = holiday_calendars.country_holidays(
        region.country, subdiv=region.subdivision, years=list(years), language=english(region.country)
    )
    return dict(found.items())


def kept(title: str, selection: m.HolidaySelection | None) -> str | None:
    """The part of a date's title that the selection keeps (None: the date is not a holiday)."""
    if selection is None:
        return title
    chosen = {key(name.value) for name in selection.names}
    names = [name for name in names_of(title) if (key(name) in chosen) == (selection.keep == "only")]
    return "; ".join(names) or None


def dates_of(region: m.Region, years: Iterable[int]) -> dict[date, str]:
    """The region's public holidays in `years` that its `holidays` line keeps, by date."""
    out = {}
    for day, title in calendar_of(region, years).items():
        name = kept(title, region.selection)
        if name is not None:
            out[day] = name
    return out


def names_over(regions: Iterable[m.Region], years: Iterable[int]) -> dict[str, str]:
    """Every holiday name the regions' calendars give over `years`: matching key → the name
    as the package writes it (without "(observed)")."""
    out: dict[str, str] = {}
    spans = list(years)
    for region in regions:
        for title in calendar_of(region, spans).values():
            for name in names_of(title):
                out.setdefault(key(name), OBSERVED.sub("", name).strip())
    return out


class Listed(NamedTuple):
    """A date on which `holiday` holds: its name, and the line it comes from."""

    day: date
    name: str
    line: int
    source: str  # `holidays US-IL` for a public holiday, `holiday` for one of the file's own lines

    @property
    def public(self) -> bool:
        return self.source != "holiday"


def code(region: m.Region) -> str:
    return f"{region.country}-{region.subdivision}" if region.subdivision else region.country


def listed(client: m.Client, first: date, last: date) -> list[Listed]:
    """Every date from `first` to `last` (both included) on which `holiday` holds, by date: the
    file's own `holiday` line where there is one, else the first region of the `holidays` line
    that has the date (as the calendar reads them)."""
    found: dict[date, Listed] = {}
    years = range(first.year, last.year + 1)
    for region in client.regions:
        for day, name in dates_of(region, years).items():
            if first <= day <= last:
                found.setdefault(day, Listed(day, name, region.line, f"holidays {code(region)}"))
    for own in client.holiday_dates:
        if first <= own.date <= last:
            found[own.date] = Listed(own.date, own.title, own.line, "holiday")
    return sorted(found.values())


def left_out(client: m.Client, first: date, last: date) -> list[Listed]:
    """The public holidays from `first` to `last` that the `holidays` line's `except` or `only`
    drops and on which `holiday` therefore does not hold (a date the file or another region
    makes a holiday is not listed): what the client works."""
    holding = {h.day for h in listed(client, first, last)}
    found: dict[date, Listed] = {}
    years = range(first.year, last.year + 1)
    for region in client.regions:
        if region.selection is None:
            continue
        for day, title in calendar_of(region, years).items():
            if first <= day <= last and day not in holding and kept(title, region.selection) is None:
                found.setdefault(day, Listed(day, title, region.selection.line, f"holidays {code(region)}"))
    return sorted(found.values())
