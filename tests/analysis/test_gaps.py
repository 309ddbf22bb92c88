"""`check` warns when a route can reach an on-call team while nobody is on call — and only then."""

from __future__ import annotations

from datetime import date

import pytest

from rules_engine.analysis.gaps import gap_warnings
from rules_engine.analysis.survey import Survey
from rules_engine.compiler.compile import compile_file, compile_text
from tests.support import CONFIGS, EXAMPLE_FILES

PEOPLE = "".join(
    f'    contact {p} "{p.title()}" {{ call "+4420795501{i:02d}" email "{p}@tiny.example" }}\n'
    for i, p in enumerate(("ann", "ben"))
)


def tiny(oncall: str, route: str = "otherwise -> patch oncall desk") -> str:
    fallback = "        otherwise -> voicemail\n" if route.startswith("when") else ""
    return (
        f'client tiny "Tiny" {{\n    timezone "Europe/London"\n    window office = mon-fri 09:00-17:00\n{PEOPLE}'
        f"    oncall desk {{\n        {oncall}\n    }}\n"
        '    greeting default { en "Hello" }\n'
        f"    route {{\n        {route}\n{fallback}    }}\n}}\n"
    )


def warnings(text: str, start: date) -> list[str]:
    compiled, _ = compile_text(text, "tiny.rules")
    return [d.render() for d in gap_warnings(Survey(compiled, start, 28))]


def first_lines(text: str, start: date) -> list[str]:
    return [w.splitlines()[0] for w in warnings(text, start)]


NIGHT = """client hvac "Hot & Cold" {
    timezone "America/Chicago"
    window night = daily 22:00-06:00
    contact desk "Desk" { call "+13125550100" email "desk@hvac.example" }
    contact ann "Ann" { call "+13125550111" }
    contact ben "Ben" { call "+13125550112" }
    oncall techs {
        rotation weekly from 2026-01-05 07:00 { ann, ben } only mon-fri 07:00-16:30
    }
    escalation gas {
        step call oncall techs, wait 5m
        finally take message priority high deliver email desk
    }
    greeting default { en "Hot & Cold, how can I help?" }
    script intake { ask problem "What is the problem?" choice (gas_smell, other) required }
    choose script intake otherwise
    route {
        when problem is gas_smell and night -> escalate gas
        otherwise -> take message deliver email desk
    }
}
"""


def test_a_night_escalation_to_a_weekday_only_rotation_reaches_nobody():
    compiled, _ = compile_text(NIGHT, "hvac.rules")
    assert [d.render() for d in gap_warnings(Survey(compiled, date(2026, 12, 1), 28))] == [
        "hvac.rules:18:9: warning: route rule 1 (line 18) can reach team `techs` through escalation `gas` while "
        "nobody is on call: first Tue 2026-12-01 00:00 CST, 224 hours in the 28 days checked (56 hours a week)\n"
        "            when problem is gas_smell and night -> escalate gas\n"
        "            ^\n"
        "  hint: add a rotation or an override for `techs` that covers those hours (an `only` window that "
        "leaves them out leaves nobody), or route those calls elsewhere"
    ]


def test_time_with_nobody_on_call_that_no_route_reaches_is_not_a_gap():
    oncall = "rotation weekly from 2026-01-05 09:00 { ann, ben } only mon-fri 09:00-17:00"
    assert warnings(tiny(oncall, "when office -> patch oncall desk"), date(2026, 3, 2)) == []
    # The same rotation behind an unconditional route: every evening and weekend.
    assert first_lines(tiny(oncall), date(2026, 3, 2)) == [
        "tiny.rules:11:9: warning: route rule 1 (line 11) can reach team `desk` while nobody is on call: "
        "first Mon 2026-03-02 00:00 GMT, 512 hours in the 28 days checked (128 hours a week)"
    ]


def test_a_gap_before_the_first_rotation_starts_without_only():
    assert first_lines(tiny("rotation weekly from 2026-03-02 09:00 { ann, ben }"), date(2026, 3, 1)) == [
        "tiny.rules:11:9: warning: route rule 1 (line 11) can reach team `desk` while nobody is on call: "
        "first Sun 2026-03-01 00:00 GMT, 33 hours in the 28 days checked (8.2 hours a week)"
    ]
    assert warnings(tiny("rotation weekly from 2026-03-02 09:00 { ann, ben }"), date(2026, 3, 3)) == []


def test_a_message_delivered_to_the_team_counts_and_local_time_follows_daylight_saving():
    # London springs forward on 2026-03-29: the gap from Sat 09:00 GMT ends Sun 09:00 BST (23 hours).
    oncall = (
        "override 2026-03-20 00:00 to 2026-03-28 09:00 ann\n        override 2026-03-29 09:00 to 2026-05-01 00:00 ben"
    )
    route = "otherwise -> take message deliver email oncall desk"
    assert first_lines(tiny(oncall, route), date(2026, 3, 20)) == [
        "tiny.rules:12:9: warning: route rule 1 (line 12) can reach team `desk` while nobody is on call: "
        "first Sat 2026-03-28 09:00 GMT, 23 hours in the 28 days checked (5.8 hours a week)"
    ]


def test_a_handoff_skipped_by_spring_forward_is_not_a_gap():
    # 01:30 does not exist on 2026-03-29 in London: the handoff happens at 02:30 BST, cover stays whole.
    assert warnings(tiny("rotation daily from 2026-03-20 01:30 { ann, ben }"), date(2026, 3, 21)) == []


def test_check_reports_gaps_from_the_pinned_date(tmp_path, cli):
    path = tmp_path / "hvac.rules"
    path.write_text(NIGHT, encoding="utf-8")
    code, _, err = cli("check", path, "--from", "2026-12-01")
    assert code == 0 and f"{path}:18:9: warning: route rule 1 (line 18) can reach team `techs`" in err
    assert "first Tue 2026-12-01 00:00 CST" in err


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_the_example_clients_have_no_gap_that_matters_over_four_start_dates(path):
    compiled, _ = compile_file(path)
    for start in (date(2026, 12, 1), date(2027, 3, 5), date(2027, 6, 20), date(2027, 10, 30)):
        assert gap_warnings(Survey(compiled, start, 28)) == [], f"{path.name} from {start}"


def test_the_issues_night_gap_in_an_example_client_a_weekday_only_rotation_used_at_night():
    # Comfort Air with its weekday rotation limited to office hours and no weekend layer: the
    # gas-smell escalation reaches nobody at night or at weekends.
    text = (CONFIGS / "comfort_air.rules").read_text(encoding="utf-8")
    planted = text.replace(
        "rotation weekly from 2025-12-29 07:00 { luis, marco, dana }",
        "rotation weekly from 2025-12-29 07:00 { luis, marco, dana } only mon-fri 07:00-16:30",
    ).replace("        rotation weekly from 2025-12-27 07:00 { luis, ana } only sat-sun    # weekend layer\n", "")
    assert planted.count("only mon-fri 07:00-16:30") == 1 and "{ luis, ana }" not in planted
    compiled, _ = compile_text(planted, "comfort_air.rules")
    found = [d.message for d in gap_warnings(Survey(compiled, date(2026, 12, 1), 28))]
    assert found[0] == (
        "route rule 1 (line 95) can reach team `techs` through escalation `emergency` while nobody is on call: "
        "first Tue 2026-12-01 00:00 PST, 482 hours in the 28 days checked (120.5 hours a week)"
    )
    assert all("can reach team `techs`" in message for message in found)
