"""Coverage analysis in `rules-engine check`: gaps and restricted-rotation members never on call.

Expected gaps are read off each small client by hand.
"""

from __future__ import annotations

from datetime import date

import pytest

from rules_engine.compiler.compile import compile_file, compile_text
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


def test_gap_before_the_first_rotation_starts() -> None:
    assert messages("rotation weekly from 2026-03-02 09:00 { ann, ben }", date(2026, 3, 1)) == [
        "team `desk` has nobody on call from Sun 2026-03-01 00:00 GMT to Mon 2026-03-02 09:00 GMT"
    ]


def test_no_gap_when_a_rotation_covers_everything() -> None:
    assert messages("rotation weekly from 2026-03-02 09:00 { ann, ben }", date(2026, 3, 3)) == []


def test_gap_between_overrides_of_a_team_without_rotation_is_named_in_local_time() -> None:
    # London springs forward on 2026-03-29: the gap ends at 09:00 BST.
    oncall = "override 2026-03-20 00:00 to 2026-03-28 09:00 ann\noverride 2026-03-29 09:00 to 2026-05-01 00:00 ben"
    assert messages(oncall, date(2026, 3, 20)) == [
        "team `desk` has nobody on call from Sat 2026-03-28 09:00 GMT to Sun 2026-03-29 09:00 BST"
    ]


def test_time_outside_every_only_window_is_by_design() -> None:
    assert (
        messages("rotation daily from 2026-01-01 09:00 { ann, ben } only mon-fri 09:00-17:00", date(2026, 3, 2)) == []
    )


def test_restricted_rotation_starting_late_leaves_gaps_inside_its_window() -> None:
    found = messages("rotation daily from 2026-03-10 09:00 { ann, ben } only mon-fri 09:00-17:00", date(2026, 3, 2))
    days = ["Mon 2026-03-02", "Tue 2026-03-03", "Wed 2026-03-04", "Thu 2026-03-05", "Fri 2026-03-06", "Mon 2026-03-09"]
    assert found == [f"team `desk` has nobody on call from {d} 09:00 GMT to {d} 17:00 GMT" for d in days]


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


def test_handoff_skipped_by_spring_forward_is_not_a_gap() -> None:
    # 01:30 does not exist on 2026-03-29 in London: the handoff happens at 02:30 BST, cover stays whole.
    assert messages("rotation daily from 2026-03-20 01:30 { ann, ben }", date(2026, 3, 21)) == []


def test_override_naming_someone_who_is_not_a_contact_is_an_error() -> None:
    with pytest.raises(RulesError) as caught:
        client("rotation weekly from 2026-03-02 09:00 { ann }\noverride 2026-03-03 00:00 to 2026-03-04 00:00 zed")
    assert [d.message for d in caught.value.errors] == ["unknown contact `zed`"]


def test_check_reports_gaps_from_the_pinned_date(tmp_path, cli) -> None:
    path = tmp_path / "tiny.rules"
    path.write_text(rules("rotation weekly from 2026-03-02 09:00 { ann, ben }"))
    code, _, err = cli("check", path, "--from", "2026-03-01")
    assert code == 0
    assert f"{path}:" in err and "nobody on call from Sun 2026-03-01 00:00 GMT to Mon 2026-03-02 09:00 GMT" in err
    code, _, err = cli("check", path, "--from", "2026-03-03")
    assert code == 0 and "nobody on call" not in err


def test_a_warning_quotes_the_compiled_text_even_when_the_file_has_changed_since(tmp_path) -> None:
    path = tmp_path / "tiny.rules"
    path.write_text(rules("rotation weekly from 2026-03-02 09:00 { ann, ben }"), encoding="utf-8")
    compiled, _ = compile_file(path)
    path.write_text("# rewritten after the compile\n" * 20, encoding="utf-8")
    [warning] = coverage_warnings(compiled, date(2026, 3, 1))
    assert warning.render() == (
        f"{path}:10:10: warning: team `desk` has nobody on call from Sun 2026-03-01 00:00 GMT to Mon 2026-03-02 09:00 GMT\n"
        "      oncall desk {\n"
        "             ^\n"
        "  hint: add a rotation or an override that covers this time"
    )


def test_a_warning_about_a_text_that_was_never_a_file_quotes_its_line() -> None:
    oncall = "rotation weekly from 2026-01-05 00:00 { ann }\nrotation daily from 2026-03-02 00:00 { ben } only closed"
    [warning] = coverage_warnings(client(oncall), date(2026, 3, 2))
    assert warning.render() == (
        "tiny.rules:12:1: warning: nobody in this restricted rotation is on call in the 28 days from Mon 2026-03-02 00:00 GMT\n"
        "    rotation daily from 2026-03-02 00:00 { ben } only closed\n"
        "    ^\n"
        "  hint: its `only` window never holds while it runs"
    )
