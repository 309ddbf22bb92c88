"""`check` warns about closures and holidays that change nothing, and about an empty office."""

from __future__ import annotations

from datetime import date

import pytest

from rules_engine.analysis.no_effect import no_effect_warnings
from rules_engine.compiler.compile import compile_file, compile_text
from tests.support import CLIENTS, CONFIGS, EXAMPLE_FILES

FROM = date(2026, 12, 1)


def client(calendar: str, greeting: str = "not open", route: str = "when open -> patch desk") -> str:
    return f"""client shop "Shop" {{
    timezone "America/Chicago"
{calendar}
    contact desk "Desk" {{ call "+13125550999" }}
    greeting closed_now when {greeting} {{ en "We are closed." }}
    greeting default {{ en "Hello." }}
    route {{
        {route}
        otherwise -> voicemail
    }}
}}
"""


def warnings(text: str, start: date = FROM) -> list[str]:
    compiled, _ = compile_text(text, "shop.rules")
    return [d.render() for d in no_effect_warnings(compiled, start)]


def test_a_closure_no_rule_reads_changes_nothing():
    text = client('    window open = mon-fri 09:00-17:00\n    closed "Christmas" 2026-12-24 12:00 to 2026-12-26 08:00')
    assert warnings(text) == [
        "shop.rules:4:5: warning: closure `Christmas` (line 4) changes nothing: does `open` need `and not closed`?\n"
        '        closed "Christmas" 2026-12-24 12:00 to 2026-12-26 08:00\n'
        "        ^\n"
        "  hint: over the 365 days checked, no call is greeted, asked, rated or routed differently with it than "
        "without it"
    ]


def test_a_closure_the_rules_read_is_not_warned_about():
    text = client(
        "    window open = mon-fri 09:00-17:00 and not closed\n"
        '    closed "Christmas" 2026-12-24 12:00 to 2026-12-26 08:00'
    )
    assert warnings(text) == []


def test_a_closure_outside_the_year_checked_is_not_judged():
    text = client('    window open = mon-fri 09:00-17:00\n    closed "Old" 2025-12-24 12:00 to 2025-12-26 08:00')
    assert warnings(text) == []
    assert warnings(text, date(2025, 12, 1)) != []


def test_a_holiday_calendar_none_of_whose_days_changes_anything():
    text = client("    holidays US-IL\n    window open = mon-fri 09:00-17:00")
    assert warnings(text) == [
        "shop.rules:3:14: warning: holiday calendar `US-IL` (line 3) changes nothing: does `open` need "
        "`and not holiday`?\n"
        "        holidays US-IL\n"
        "                 ^\n"
        "  hint: over the 365 days checked, no call is greeted, asked, rated or routed differently with it than "
        "without it"
    ]


def test_a_single_holiday_line_that_changes_nothing():
    # The office is closed on Sundays anyway: a holiday on a Sunday changes no call.
    text = client(
        '    holidays US-IL\n    holiday "Sunday picnic" 2027-06-20\n'
        "    window open = mon-fri 09:00-17:00 and not holiday"
    )
    assert warnings(text) == [
        "shop.rules:4:5: warning: holiday `Sunday picnic` (line 4) changes nothing: does `open` need "
        "`and not holiday`?\n"
        '        holiday "Sunday picnic" 2027-06-20\n'
        "        ^\n"
        "  hint: over the 365 days checked, no call is greeted, asked, rated or routed differently with it than "
        "without it"
    ]


def test_an_empty_office_the_greeting_says_closed_but_a_route_still_patches():
    text = client(
        '    window open = mon-fri 09:00-17:00\n    closed "Stocktake" 2026-12-14 00:00 to 2026-12-15 00:00',
        greeting="not open or closed",
        route="when mon-fri 09:00-17:00 -> patch desk",
    )
    assert warnings(text) == [
        "shop.rules:4:5: warning: during closure `Stocktake` (line 4) callers hear `closed_now`, but route rule 1 "
        "(line 9) still puts calls through to Desk (desk): an empty office?\n"
        '        closed "Stocktake" 2026-12-14 00:00 to 2026-12-15 00:00\n'
        "        ^\n"
        "  hint: add `and not closed` to that rule's condition, or to `open`"
    ]


def test_a_route_to_someone_else_during_a_holiday_is_no_empty_office():
    # Like the vets' emergency hospital: the holiday changes where the call goes.
    text = client(
        "    holidays US-IL\n    window open = mon-fri 09:00-17:00 and not holiday",
        route='when open -> patch desk\n        when holiday -> patch "+13125550777"',
    )
    assert warnings(text) == []


@pytest.mark.parametrize("start", [date(2026, 1, 1), date(2026, 7, 1), date(2026, 12, 1), date(2027, 6, 1)])
@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_the_example_clients_get_no_false_warning(path, start):
    compiled, _ = compile_file(path)
    assert [d.render() for d in no_effect_warnings(compiled, start)] == []


def test_check_reports_the_warning_from_the_pinned_date(tmp_path, cli):
    path = tmp_path / "shop.rules"
    path.write_text(
        client('    window open = mon-fri 09:00-17:00\n    closed "Christmas" 2026-12-24 12:00 to 2026-12-26 08:00'),
        encoding="utf-8",
    )
    code, out, err = cli("check", path, "--from", "2026-12-01")
    assert code == 0 and out == "checked 1 file: no errors, 1 warning\n"
    assert f"{path}:4:5: warning: closure `Christmas` (line 4) changes nothing" in err
    assert cli("check", path, "--from", "2027-01-01") == (0, "checked 1 file: no errors, no warnings\n", "")
    # the example clients: no closure or holiday without effect, and no other warning either
    checked = cli("check", CONFIGS, "--from", "2026-12-01")
    assert checked.out.endswith(f"\nchecked {len(CLIENTS)} files: no errors, no warnings\n") and checked.err == ""
    # one line per client: see tests/cli/test_cli_holidays.py
    assert checked.out.count("make `holiday` hold on") == len(CLIENTS)
