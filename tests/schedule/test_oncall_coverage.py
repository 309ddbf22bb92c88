"""Coverage analysis in `rules-engine check`: restricted-rotation members never on call.

Time with nobody on call is checked against the routes that can reach the team then:
tests/analysis/test_gaps.py.
"""

from __future__ import annotations

from datetime import date

import pytest

from rules_engine.compiler.compile import compile_text
from rules_engine.errors import RulesError
from rules_engine.schedule.shifts import coverage_warnings

PEOPLE = "".join(
    f'  contact {p} "{p.title()}" {{ call "+4420795501{i:02d}" }}\n'
    for i, p in enumerate(("ann", "ben", "cat", "dan", "eve", "fay", "gus"))
)


def rules(oncall: str, zone: str = "Europe/London") -> str:
    return (
        f'client tiny "Tiny" {{\n  timezone "{zone}"\n{PEOPLE}  oncall desk {{\n{oncall}\n  }}\n'
        '  greeting default { en "Hello" }\n  route { otherwise -> patch oncall desk }\n}\n'
    )


def client(oncall: str, zone: str = "Europe/London"):
    compiled, _ = compile_text(rules(oncall, zone), "tiny.rules")
    return compiled


def messages(oncall: str, start: date, zone: str = "Europe/London") -> list[str]:
    return [d.message for d in coverage_warnings(client(oncall, zone), start)]


def test_member_who_never_gets_a_shift_inside_the_window_is_named() -> None:
    # Seven members handing over daily from a Monday: member k always has weekday k.
    oncall = (
        "rotation weekly from 2026-01-05 00:00 { ann }\n"
        "rotation daily from 2026-03-02 00:00 { ann, ben, cat, dan, eve, fay, gus } only sat-sun"
    )
    found = messages(oncall, date(2026, 3, 2))
    assert found == [
        f"`{p}` is never on call in this restricted rotation in the 28 days from Mon 2026-03-02 00:00 GMT"
        for p in ("ann", "ben", "cat", "dan", "eve")
    ]


def test_restricted_rotation_whose_window_never_holds() -> None:
    oncall = "rotation weekly from 2026-01-05 00:00 { ann }\nrotation daily from 2026-03-02 00:00 { ben } only closed"
    assert messages(oncall, date(2026, 3, 2)) == [
        "nobody in this restricted rotation is on call in the 28 days from Mon 2026-03-02 00:00 GMT"
    ]


def test_override_naming_someone_who_is_not_a_contact_is_an_error() -> None:
    with pytest.raises(RulesError) as caught:
        client("rotation weekly from 2026-03-02 09:00 { ann }\noverride 2026-03-03 00:00 to 2026-03-04 00:00 zed")
    assert [d.message for d in caught.value.errors] == ["unknown contact `zed`"]


def test_a_warning_about_a_text_that_was_never_a_file_quotes_its_line() -> None:
    oncall = "rotation weekly from 2026-01-05 00:00 { ann }\nrotation daily from 2026-03-02 00:00 { ben } only closed"
    [warning] = coverage_warnings(client(oncall), date(2026, 3, 2))
    assert warning.render() == (
        "tiny.rules:12:1: warning: nobody in this restricted rotation is on call in the 28 days from Mon 2026-03-02 00:00 GMT\n"
        "    rotation daily from 2026-03-02 00:00 { ben } only closed\n"
        "    ^\n"
        "  hint: its `only` window never holds while it runs"
    )
