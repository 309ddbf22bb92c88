"""`during MON D to MON D`: part of the year in a window, yearly, both days included.

A day the month lacks is an error naming its line and column and the month's length; the
calendar holds the window on the dates written every year, across the new year when the
first date comes after the second, and on `feb 29` only in leap years.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rules_engine.compiler.compile import compile_text
from rules_engine.decide import ClientPlan, Decider
from rules_engine.decide.call import Call
from rules_engine.errors import RulesError
from rules_engine.live import EMPTY
from rules_engine.schedule.calendar import Calendar


def client(windows: str) -> str:
    return f"""client shop "Shop" {{
    timezone "Europe/London"
    {windows}
    contact desk "Front desk" {{ call "+442071234999" }}
    greeting winter when winter {{ en "Shop, winter hours." }}
    greeting default {{ en "Shop, good day." }}
    route {{ otherwise -> patch desk }}
}}
"""


def errors(windows: str) -> list[str]:
    with pytest.raises(RulesError) as caught:
        compile_text(client(windows), "shop.rules")
    return [d.render() for d in caught.value.errors]


def test_a_day_the_month_lacks_or_an_unknown_month_is_an_error_naming_line_and_column():
    line = "window winter = during feb 30 to apr 31 or during nov 31 to dez 1"
    assert errors(line) == [
        "shop.rules:3:32: error: February has 28 days, 29 in a leap year\n"
        f"        {line}\n"
        f"    {' ' * 31}^\n"
        "  hint: write a day from 1 to 29",
        f"shop.rules:3:42: error: April has 30 days\n        {line}\n    {' ' * 41}^\n  hint: write a day from 1 to 30",
        "shop.rules:3:59: error: November has 30 days\n"
        f"        {line}\n"
        f"    {' ' * 58}^\n"
        "  hint: write a day from 1 to 30",
        f"shop.rules:3:65: error: `dez` is not a month\n        {line}\n    {' ' * 64}^\n  hint: did you mean `dec`?",
    ]


def test_dates_written_the_other_way_round_say_how_during_is_written():
    line = "window winter = during 15 nov to 15 mar"
    assert errors(line) == [
        "shop.rules:3:28: error: `during` takes two dates, each a month and a day, joined by `to`\n"
        f"        {line}\n"
        f"    {' ' * 27}^\n"
        "  hint: write for example `during nov 15 to mar 15` (months jan, feb, … dec)"
    ]


def holding(windows: str, first: str, days: int) -> list[str]:
    """The dates from `first` on which `winter` holds at noon, local time."""
    compiled, _ = compile_text(client(windows), "shop.rules")
    calendar = Calendar(compiled)
    start = datetime.fromisoformat(first).replace(hour=12, tzinfo=UTC)
    instants = (start + timedelta(days=i) for i in range(days))
    return [at.date().isoformat() for at in instants if "winter" in calendar.facts(at).windows]


def test_a_span_crossing_the_new_year_holds_from_its_first_to_its_last_day():
    found = holding("window winter = during dec 30 to jan 2", "2026-12-28", 8)
    assert found == ["2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02"]


def test_a_span_within_a_year_holds_both_days_every_year():
    assert holding("window winter = during mar 14 to mar 16", "2026-03-12", 7) == [
        "2026-03-14",
        "2026-03-15",
        "2026-03-16",
    ]
    assert holding("window winter = during mar 14 to mar 16", "2031-03-12", 7) == [
        "2031-03-14",
        "2031-03-15",
        "2031-03-16",
    ]


def test_feb_29_holds_only_in_leap_years():
    assert holding("window winter = during feb 29 to feb 29", "2027-02-27", 4) == []
    assert holding("window winter = during feb 29 to feb 29", "2028-02-27", 4) == ["2028-02-29"]


def test_during_combines_with_days_and_times_and_in_a_rule_condition():
    line = "window winter = mon-fri 07:00-15:00 and during jun 1 to aug 31"
    assert holding(line, "2026-05-29", 5) == ["2026-06-01", "2026-06-02"]  # Fri 29 May, Sat, Sun: no
    text = client("window winter = sat-sun").replace("when winter", "when during jul 3 to jul 4 and not winter")
    compiled, _ = compile_text(text, "shop.rules")
    plan = ClientPlan.of(compiled)
    greeted = [
        Decider(plan, Call(client="shop", at=datetime(2026, 7, day, 11, tzinfo=UTC)), EMPTY).decision().greeting.id
        for day in (3, 4, 5)
    ]
    assert greeted == ["winter", "default", "default"]  # Fri 3 Jul; Sat 4 Jul is in `winter` (sat-sun)


def test_check_says_a_leap_day_greeting_is_never_heard_in_a_year_without_one(tmp_path, cli):
    path = tmp_path / "leap.rules"
    path.write_text(
        client("window winter = sat-sun").replace(
            "greeting winter when winter", "greeting leap when during feb 29 to feb 29"
        ),
        encoding="utf-8",
    )
    line = '    greeting leap when during feb 29 to feb 29 { en "Shop, winter hours." }'
    assert cli("check", path, "--from", "2026-12-01") == (
        0,
        "checked 1 file: no errors, 1 warning\n",
        f"{path}:5:14: warning: greeting `leap` (line 5) is never heard: `during feb 29 to feb 29` cannot hold: "
        "`during feb 29 to feb 29` never holds in the 365 days checked\n"
        f"    {line}\n"
        f"    {' ' * 13}^\n"
        "  hint: change its condition, or delete it\n",
    )
    assert cli("check", path, "--from", "2027-12-01") == (0, "checked 1 file: no errors, no warnings\n", "")
