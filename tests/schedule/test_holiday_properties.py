"""Holidays: each example client's `holiday` fact follows the `holidays` package, observed days included.

For every example client, the countries and subdivisions of its `holidays` line (with the
names it leaves out or keeps) and its own `holiday` dates are read from the file with a
regular expression (not by the compiler),
and every day of several years is compared with `holidays.country_holidays` directly.
A few observed days are also pinned by hand, from the countries' rules: a holiday that
falls on a weekend is observed on a weekday.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import holidays
import pytest

from rules_engine.compiler.compile import compile_file
from rules_engine.schedule.calendar import Calendar
from tests.support import EXAMPLE_FILES

YEARS = range(2024, 2032)


def regions_of(text: str) -> list[tuple[str, str | None]]:
    codes = [code.strip().strip('"') for code in holidays_line(text)[0].split(",")]
    return [(code.split("-", 1)[0], code.split("-", 1)[1] if "-" in code else None) for code in codes]


def holidays_line(text: str) -> tuple[str, str | None, set[str]]:
    """The `holidays` line's codes, `except` or `only` (or None), and the names it lists, folded."""
    line = re.search(r"^\s*holidays\s+([^#\n]+)", text, re.M).group(1).strip()
    found = re.fullmatch(r"(?P<codes>.*?)(?:\s+(?P<how>except|only)\s+(?P<names>.*))?", line)
    names = {name.casefold() for name in re.findall(r'"([^"]*)"', found["names"] or "")}
    return found["codes"], found["how"], names


def selected(text: str, name: str) -> bool:
    """Whether the line keeps a day of the package named `name` (names joined by "; ", each
    matched without case or its "(observed)" suffix, as the spec says)."""
    _, how, names = holidays_line(text)
    if how is None:
        return True
    bases = [re.sub(r"\s*\(observed\)$", "", part.strip(), flags=re.I).casefold() for part in name.split(";")]
    return any((base in names) == (how == "only") for base in bases)


def own_dates(text: str) -> set[date]:
    return {date.fromisoformat(d) for d in re.findall(r'^\s*holiday\s+"[^"]*"\s+(\d{4}-\d\d-\d\d)', text, re.M)}


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_holidays_follow_the_holidays_package_day_by_day(path):
    text = path.read_text("utf-8")
    client, _ = compile_file(path)
    calendar = Calendar(client)
    expected: set[date] = set(own_dates(text))
    for country, subdivision in regions_of(text):
        found = holidays.country_holidays(country, subdiv=subdivision, years=list(YEARS))
        expected |= {day for day, name in found.items() if selected(text, name)}
    day, wrong = date(YEARS[0], 1, 1), []
    while day.year in YEARS:
        if (calendar.holiday(day) is not None) != (day in expected):
            wrong.append(day.isoformat())
        day += timedelta(days=1)
    assert not wrong, f"{path.stem}: holiday facts differ on {wrong[:10]}"
    observed = [d for d in expected if "observed" in (calendar.holiday(d) or "").lower()]
    assert observed, "the comparison covers observed days"


@pytest.mark.parametrize(
    "stem, day",
    [
        ("acme_plumbing", date(2026, 7, 3)),  # US: 4 July 2026 is a Saturday, observed on Friday
        ("acme_plumbing", date(2027, 12, 31)),  # US: 1 January 2028 is a Saturday, observed the Friday before
        ("riverside_medical", date(2026, 7, 3)),
        ("hale_law", date(2027, 12, 27)),  # England: Christmas 2027 is a Saturday, substitute Monday
        ("hale_law", date(2027, 12, 28)),  # … and Boxing Day a Sunday, substitute Tuesday
        ("harbour_vets", date(2027, 12, 27)),  # New South Wales: the same two substitute days
        ("harbour_vets", date(2027, 12, 28)),
    ],
)
def test_a_weekend_holiday_is_observed_on_a_weekday(stem, day):
    calendar = Calendar(compile_file(next(p for p in EXAMPLE_FILES if p.stem == stem))[0])
    assert calendar.holiday(day) is not None
    assert day.weekday() < 5


@pytest.mark.parametrize(
    "stem, day",
    [
        ("hale_law", date(2027, 12, 25)),  # the Saturday itself stays a holiday in England
        ("acme_plumbing", date(2026, 7, 4)),
    ],
)
def test_the_holiday_itself_still_holds_on_its_weekend_day(stem, day):
    calendar = Calendar(compile_file(next(p for p in EXAMPLE_FILES if p.stem == stem))[0])
    assert calendar.holiday(day) is not None
