"""`check` proves which rules no call can reach, and says what takes their calls or why they cannot hold."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from rules_engine.analysis.classes import Dims
from rules_engine.analysis.explore import WITH_STATUS
from rules_engine.analysis.reach import reach_warnings
from rules_engine.compiler.compile import compile_file, compile_text
from rules_engine.decide import ClientPlan, Decider
from rules_engine.live import EMPTY
from tests.analysis.test_diff import random_call
from tests.support import EXAMPLE_FILES

FROM = date(2026, 12, 1)


def hvac(greetings: str = "", urgency: str = "", route: str = "", ask: str = "", choose: str = "") -> str:
    """A heating company's file, with the rules a test plants (each at a known line)."""
    return f"""client hvac "Hot & Cold" {{
    timezone "America/Chicago"
    holidays US-IL
    window office = mon-fri 07:00-17:00
    window open   = mon-fri 07:00-12:00, 12:45-17:00 and office
    window lunch  = mon-fri 12:00-12:45
    contact desk "Desk" {{ call "+13125550100" email "desk@hvac.example" }}
{greetings}    greeting default {{ en "Hot & Cold, how can I help?" }}
    script intake {{
        ask problem "What is the problem?" choice (no_heat, gas_smell, other) required
        ask cold "Is it cold inside?" choice (yes, no){ask}
    }}
    script short {{ ask name "Your name?" }}
{choose}    choose script intake otherwise
    urgency {{
{urgency}        routine otherwise
    }}
    route {{
{route}        otherwise -> take message deliver email desk
    }}
}}
"""


def warnings(text: str, start: date = FROM, days: int = 365) -> list[str]:
    compiled, found = compile_text(text, "hvac.rules")
    # What the compiler sees from the conditions alone does not find these.
    assert [d.message for d in found if "never applies" in d.message] == []
    return [d.render() for d in reach_warnings(compiled, start, days)]


def test_a_greeting_hidden_by_an_earlier_one_names_the_greeting_that_takes_its_calls():
    greetings = (
        '    greeting after_hours when not open or holiday { en "We are closed." }\n'
        '    greeting lunch when lunch { en "We are at lunch until 12:45." }\n'
    )
    assert warnings(hvac(greetings=greetings)) == [
        "hvac.rules:9:14: warning: greeting `lunch` (line 9) is never heard: greeting `after_hours` (line 8) "
        "takes every call it could\n"
        '        greeting lunch when lunch { en "We are at lunch until 12:45." }\n'
        "                 ^\n"
        "  hint: move it above line 8, narrow that rule, or delete it"
    ]


def test_the_same_greetings_in_the_right_order_are_all_heard():
    greetings = (
        '    greeting lunch when lunch and not holiday { en "We are at lunch until 12:45." }\n'
        '    greeting after_hours when not open or holiday { en "We are closed." }\n'
    )
    assert warnings(hvac(greetings=greetings)) == []


def test_the_required_last_greeting_is_not_warned_about_when_the_others_cover_every_call():
    greetings = (
        '    greeting day when office { en "Good day." }\n    greeting night when not office { en "Good night." }\n'
    )
    assert warnings(hvac(greetings=greetings)) == []


def test_an_impossible_condition_says_which_window_makes_it_empty():
    greetings = '    greeting odd when open and not office { en "Odd." }\n'
    assert warnings(hvac(greetings=greetings)) == [
        "hvac.rules:8:14: warning: greeting `odd` (line 8) is never heard: `open and not office` cannot hold: "
        "`open` holds only inside `office`\n"
        '        greeting odd when open and not office { en "Odd." }\n'
        "                 ^\n"
        "  hint: change its condition, or delete it"
    ]


def test_a_route_rule_whose_calls_an_earlier_rule_takes_at_every_time_it_could_hold():
    # Lunch (12:00-12:45) is never inside `open`: the first rule takes every lunch call.
    route = "        when not open -> patch desk\n        when lunch and problem is gas_smell -> voicemail\n"
    assert warnings(hvac(route=route)) == [
        "hvac.rules:20:9: warning: route rule 2 (line 20) is never chosen: route rule 1 (line 19) takes every call "
        "it could\n"
        "            when lunch and problem is gas_smell -> voicemail\n"
        "            ^\n"
        "  hint: move it above line 19, narrow that rule, or delete it"
    ]


def test_an_urgency_level_taken_by_an_earlier_level():
    urgency = "        emergency when not open\n        urgent when lunch and problem is no_heat\n"
    [warning] = warnings(hvac(urgency=urgency))
    assert warning.splitlines()[0] == (
        "hvac.rules:17:9: warning: urgency `urgent` (line 17) is never decided: urgency `emergency` (line 16) "
        "takes every call it could"
    )


def test_a_script_choice_on_closures_the_file_does_not_have():
    choose = "    choose script short when closed\n"
    [warning] = warnings(hvac(choose=choose))
    assert warning.splitlines()[0] == (
        "hvac.rules:14:5: warning: `choose script short` (line 14) never applies: `closed` cannot hold: "
        "the file has no `closed` dates"
    )


def test_a_conditional_question_whose_condition_is_false_for_every_call_of_its_script():
    [warning] = warnings(hvac(ask=" when forwarded busy and forwarded always"))
    assert warning.splitlines()[0] == (
        "hvac.rules:11:13: warning: question `cold` (line 11) of script `intake` is never asked: "
        "`forwarded busy and forwarded always` cannot hold: `forwarded busy` and `forwarded always` never "
        "hold at the same time"
    )


def test_a_rule_reached_only_on_some_dates_is_reached_when_the_span_includes_them():
    # Christmas Day is a holiday in Illinois: reached over the year, not over the first week.
    route = "        when holiday and problem is no_heat -> patch desk\n"
    assert warnings(hvac(route=route)) == []
    [warning] = warnings(hvac(route=route), days=7)
    assert warning.splitlines()[0] == (
        "hvac.rules:19:9: warning: route rule 1 (line 19) is never chosen: `holiday and problem is no_heat` cannot "
        "hold: `holiday` never holds in the 7 days checked"
    )


def test_random_calls_over_the_year_never_get_what_is_proven_unreachable():
    greetings = (
        '    greeting after_hours when not open or holiday { en "We are closed." }\n'
        '    greeting lunch when lunch { en "We are at lunch until 12:45." }\n'
    )
    route = "        when not open -> patch desk\n        when lunch and problem is gas_smell -> voicemail\n"
    compiled, _ = compile_text(
        hvac(greetings=greetings, route=route, ask=" when forwarded busy and forwarded always"), "hvac.rules"
    )
    warned = {d.line for d in reach_warnings(compiled, FROM)}
    assert warned == {9, 13, 22}  # the lunch greeting, the question `cold`, route rule 2
    plan, dims = ClientPlan.of(compiled), Dims([compiled])
    start = datetime(2026, 12, 1, 6, tzinfo=UTC)
    rng = random.Random("reach")
    for _ in range(1500):
        at = start + timedelta(minutes=rng.randrange(365 * 24 * 60))
        call, status = random_call(compiled, dims, at, rng)
        decision = Decider(plan, call, WITH_STATUS if status else EMPTY).decision()
        decided = {entry.line for entry in decision.trace if entry.result is True}
        assert not decided & warned, call
        assert decision.script is None or "cold" not in [getattr(step, "field", "") for step in decision.script.steps]


def test_check_proves_over_the_days_asked_for(tmp_path, cli):
    path = tmp_path / "hvac.rules"
    path.write_text(hvac(route="        when holiday and problem is no_heat -> patch desk\n"), encoding="utf-8")
    code, _, err = cli("check", path, "--from", "2026-12-01")
    assert code == 0 and "never chosen" not in err
    code, _, err = cli("check", path, "--from", "2026-12-01", "--days", "7")
    assert code == 0 and f"{path}:19:9: warning: route rule 1 (line 19) is never chosen" in err
    code, _, err = cli("check", path, "--days", "0")
    assert code == 2 and "argument --days: `0` is not a number of days from 1 to 3660" in err


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_the_example_clients_get_no_false_warning_over_four_start_dates(path):
    compiled, _ = compile_file(path)
    for start in (date(2026, 12, 1), date(2027, 3, 5), date(2027, 6, 20), date(2027, 10, 30)):
        assert reach_warnings(compiled, start) == [], f"{path.name} from {start}"


NUMBERS = """client hvac "Hot & Cold" {
    timezone "America/Chicago"
    contact desk "Desk" { call "+13125550100" email "desk@hvac.example" }
    greeting default { en "Hot & Cold, how can I help?" }
    script intake {
        ask problem "What is the problem?" choice (no_heat, no_cool, other) required
        ask outside "How hot is it outside (°F)?" number 0-150 when problem in (no_heat, no_cool)
        say "Please stay out of the sun and drink water." when outside > 104
        say "Stay warm." when outside > 104 and outside < 100
    }
    choose script intake otherwise
    urgency {
        emergency when problem is no_heat and (outside < 32 or said ("freezing"))
        routine otherwise
    }
    route { otherwise -> take message deliver email desk }
}
"""


def test_a_say_when_on_numbers_that_cannot_hold():
    assert warnings(NUMBERS) == [
        "hvac.rules:9:9: warning: the `say` on line 9 of script `intake` is never said: `outside > 104 and "
        "outside < 100` cannot hold: `outside > 104` and `outside < 100` never hold at the same time\n"
        '            say "Stay warm." when outside > 104 and outside < 100\n'
        "            ^\n"
        "  hint: change its `when`, or delete it"
    ]


def test_a_condition_is_quoted_as_written_schedules_and_parentheses_included():
    route = "        when (forwarded (busy, no_answer) or status) and mon 09:00-10:00 and sat-sun -> patch desk\n"
    [warning] = warnings(hvac(route=route))
    assert warning.splitlines()[0] == (
        "hvac.rules:19:9: warning: route rule 1 (line 19) is never chosen: `(forwarded (busy, no_answer) or status) "
        "and mon 09:00-10:00 and sat-sun` cannot hold: `mon 09:00-10:00` and `sat-sun` never hold at the same time"
    )
