"""`holidays CODE except "Name", …` and `holidays CODE only "Name", …`: which public holidays count.

Names are the `holidays` package's own in English, matched without case or an "(observed)"
suffix, so an observed day follows its holiday; a name the calendar does not have is an
error naming file, line and column, with what to write instead. The calendar (`holiday` in
a decision), the analysis and the `holidays` command all follow the selection.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from rules_engine.analysis.diff import diff_clients
from rules_engine.analysis.matrix import matrix
from rules_engine.compiler.compile import compile_text
from rules_engine.errors import RulesError
from rules_engine.schedule.calendar import Calendar


def client(holidays: str) -> str:
    return f"""client az "Desert Cooling" {{
    timezone "America/Phoenix"
    languages en
    {holidays}
    contact desk "Front desk" {{ call "+16025550100" }}
    greeting shut when holiday {{ en "Our office is closed today." }}
    greeting open {{ en "Desert Cooling, how can I help?" }}
    route {{ otherwise -> patch desk }}
}}
"""


def calendar(holidays: str) -> Calendar:
    compiled, _ = compile_text(client(holidays), "az.rules")
    return Calendar(compiled)


def errors(holidays: str) -> list[str]:
    with pytest.raises(RulesError) as caught:
        compile_text(client(holidays), "az.rules")
    return [d.render() for d in caught.value.errors]


def test_except_drops_the_named_holidays_and_their_observed_days():
    everything = calendar("holidays US-AZ")
    worked = calendar('holidays US-AZ except "Columbus Day", "veterans day", "JUNETEENTH National Independence Day"')
    assert everything.holiday(date(2026, 10, 12)) == "Columbus Day"
    assert everything.holiday(date(2027, 6, 18)) == "Juneteenth National Independence Day (observed)"
    for day in (date(2026, 10, 12), date(2026, 11, 11), date(2027, 6, 18), date(2027, 6, 19)):
        assert worked.holiday(day) is None, day
    assert worked.holiday(date(2026, 12, 25)) == "Christmas Day"
    assert worked.holiday(date(2027, 7, 5)) == "Independence Day (observed)"


def test_only_keeps_just_the_named_holidays_with_their_observed_days():
    only = calendar('holidays US-AZ only "New Year\'s Day", "Independence Day", "Christmas Day"')
    found = {day: name for day, name in only.holidays_of(2027).items()}
    assert found == {
        date(2027, 1, 1): "New Year's Day",
        date(2027, 7, 4): "Independence Day",
        date(2027, 7, 5): "Independence Day (observed)",
        date(2027, 12, 24): "Christmas Day (observed)",
        date(2027, 12, 25): "Christmas Day",
        date(2027, 12, 31): "New Year's Day (observed)",
    }


def test_a_name_the_calendar_lacks_is_an_error_with_did_you_mean():
    line = '    holidays US-AZ except "Columbus Day", "Veteran Day", "Juneteenth", "Boxing Day"'
    assert (line.index('"Veteran'), line.index('"Juneteenth'), line.index('"Boxing')) == (42, 57, 71)
    assert errors(line.strip()) == [
        'az.rules:4:43: error: US-AZ has no holiday named "Veteran Day"\n'
        f"    {line}\n"
        f"    {' ' * 42}^\n"
        "  hint: did you mean `Veterans Day`?",
        'az.rules:4:58: error: US-AZ has no holiday named "Juneteenth"\n'
        f"    {line}\n"
        f"    {' ' * 57}^\n"
        "  hint: did you mean `Juneteenth National Independence Day`?",
        'az.rules:4:72: error: US-AZ has no holiday named "Boxing Day"\n'
        f"    {line}\n"
        f"    {' ' * 71}^\n"
        "  hint: write a name as `rules-engine holidays az.rules --client az` lists it",
    ]


@pytest.mark.parametrize(
    ("line", "greetings"), [("holidays US-AZ", {"shut"}), ('holidays US-AZ except "columbus day"', {"open"})]
)
def test_the_matrix_follows_the_selection(line, greetings):
    """The analysis partition reads the same calendar: a holiday left out is an ordinary day."""
    compiled, _ = compile_text(client(line), "az.rules")
    found = matrix(compiled, date(2026, 10, 12), 1)  # Columbus Day
    assert {row.greeting for rows in found.reasons.values() for row in rows} == greetings
    assert found.holidays() == ({date(2026, 10, 12): "Columbus Day"} if greetings == {"shut"} else {})


def test_the_diff_of_leaving_a_holiday_out_is_that_day_alone():
    old, _ = compile_text(client("holidays US-AZ"), "az.rules")
    new, _ = compile_text(client('holidays US-AZ except "Columbus Day"'), "az.rules")
    changes = diff_clients(old, new, date(2026, 10, 1), 31)
    assert changes and {c.part for c in changes} == {"greeting"}
    phoenix = ZoneInfo("America/Phoenix")
    for change in changes:
        assert change.start.astimezone(phoenix).date() == date(2026, 10, 12)
        assert change.end - change.start == timedelta(days=1)
        assert "shut" in str(change.old) and "open" in str(change.new)


def test_names_are_english_whatever_the_country_speaks():
    berlin = client('holidays DE-BE except "German Unity Day"').replace("America/Phoenix", "Europe/Berlin")
    compiled, _ = compile_text(berlin, "az.rules")
    found = Calendar(compiled).holidays_of(2026)
    assert found[date(2026, 12, 25)] == "Christmas Day"
    assert date(2026, 10, 3) not in found  # Tag der Deutschen Einheit, left out by its English name


def test_a_name_without_quotes_is_told_to_be_quoted_whole():
    line = '    holidays US-AZ except "Columbus Day", Veterans Day'
    assert errors(line.strip()) == [
        "az.rules:4:43: error: a holiday name must be in double quotes\n"
        f"    {line}\n"
        f"    {' ' * 42}^\n"
        '  hint: write "Veterans Day"'
    ]
