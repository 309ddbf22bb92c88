"""Every action kind of section 3, resolved to people and addresses, and safe templates."""

from datetime import UTC, datetime

import pytest

from rules_engine.compiler.compile import compile_text
from rules_engine.decide.call import Call
from rules_engine.decide.decider import decide
from rules_engine.live import EMPTY, LiveOverride, LiveState

VETS = """
client vets "Riverside Vets" {
    timezone "America/New_York"
    languages en, fr
    contact raj  "Raj Patel"  { call "+12125550101" sms "+12125550101" }
    contact kim  "Kim Lee"    { call "+12125550102" }
    contact desk "Front desk" { call "+12125550100" email "desk@vets.example" }
    oncall vets  { rotation weekly from 2026-01-05 08:00 { raj, kim } }
    oncall later { rotation weekly from 2030-01-07 08:00 { raj } }

    escalation critical {
        step call oncall vets, wait 2m
        step sms oncall vets, email desk, wait 90m
        repeat 3
        finally voicemail
    }
    escalation nobody_home {
        step call oncall later, wait 5m
        step call desk, wait 1d
    }

    greeting away when status { en "{client}: {status.note}" }
    greeting default {
        en "Riverside Vets, {agent} speaking. Is that {caller}?"
        fr "Riverside Vets, {agent} à l'appareil."
    }
    script intake {
        ask name { en "Your name?" fr "Votre nom ?" }
        ask pick "Which?" choice (p1, p2, p3, esc, msg, vm, cb, bye, none, plain)
        say "Thanks {answer.name}, {oncall.vets} will help."
    }
    choose script intake otherwise
    route {
        when pick is p1   -> patch desk
        when pick is p2   -> patch oncall vets, else voicemail
        when pick is p3   -> patch "+12125550199", else take message, else voicemail
        when pick is esc  -> escalate critical
        when pick is msg  -> take message priority high deliver sms oncall vets, email desk
        when pick is vm   -> voicemail
        when pick is cb   -> callback within 30m
        when pick is bye  -> say "Goodbye from {client}, {answer.name}" then hangup
        when pick is none -> escalate nobody_home
        otherwise         -> take message
    }
}
"""
CLIENT, _ = compile_text(VETS)
# Raj's week: from Monday 2026-01-05 08:00; Tuesday 2026-01-06 10:00 EST is 15:00 UTC.
RAJ_WEEK = datetime(2026, 1, 6, 15, 0, tzinfo=UTC)
KIM_WEEK = datetime(2026, 1, 13, 15, 0, tzinfo=UTC)  # the second week: Kim, who has no sms


def run(pick=None, at=RAJ_WEEK, live=EMPTY, **call):
    answers = call.pop("answers", {})
    if pick is not None:
        answers["pick"] = pick
    return decide(CLIENT, Call(client="vets", at=at, answers=answers, **call), live)


def actions(pick, **kwargs):
    return run(pick, **kwargs).to_dict()["route"]["actions"]


RAJ_CALL = {"contact": "raj", "name": "Raj Patel", "team": "vets", "method": "call", "address": "+12125550101"}
DESK_EMAIL = {"contact": "desk", "name": "Front desk", "method": "email", "address": "desk@vets.example"}


def test_patch_contact():
    assert actions("p1") == [
        {
            "kind": "patch",
            "targets": [{"contact": "desk", "name": "Front desk", "method": "call", "address": "+12125550100"}],
        }
    ]


def test_patch_oncall_then_else():
    assert actions("p2") == [{"kind": "patch", "team": "vets", "targets": [RAJ_CALL]}, {"kind": "voicemail"}]


def test_patch_number_with_two_fallbacks_in_order():
    assert actions("p3") == [
        {"kind": "patch", "targets": [{"method": "call", "address": "+12125550199"}]},
        {"kind": "message", "priority": "normal", "targets": []},
        {"kind": "voicemail"},
    ]


def test_escalation_plan():
    assert actions("esc") == [
        {
            "kind": "escalate",
            "policy": "critical",
            "steps": [
                {"targets": [RAJ_CALL], "wait": "PT2M"},
                {"targets": [{**RAJ_CALL, "method": "sms"}, DESK_EMAIL], "wait": "PT1H30M"},
            ],
            "repeat": 3,
            "finally": {"kind": "voicemail"},
        }
    ]


def test_oncall_member_without_the_method_is_left_out_and_traced():
    plan = actions("esc", at=KIM_WEEK)[0]
    kim_call = {"contact": "kim", "name": "Kim Lee", "team": "vets", "method": "call", "address": "+12125550102"}
    assert plan["steps"] == [{"targets": [kim_call], "wait": "PT2M"}, {"targets": [DESK_EMAIL], "wait": "PT1H30M"}]
    notes = [e.note for e in run("esc", at=KIM_WEEK).trace if e.section == "oncall" and e.result is False]
    assert notes == [
        "Kim Lee is on call for `vets` but has no sms address: left out of step 2 of escalation `critical`"
    ]


def test_nobody_on_call_empties_a_step_which_is_dropped():
    decision = run("none")
    plan = decision.to_dict()["route"]["actions"][0]
    assert plan["steps"] == [
        {
            "targets": [{"contact": "desk", "name": "Front desk", "method": "call", "address": "+12125550100"}],
            "wait": "P1D",
        }
    ]
    assert plan["repeat"] == 1 and plan["finally"] is None
    notes = [(e.section, e.rule, e.note) for e in decision.trace if e.result is False and e.note]
    assert ("oncall", "later", "nobody is on call") in notes
    assert (
        "escalation",
        "nobody_home",
        "step 1 of escalation `nobody_home` dropped: nobody in it can be reached",
    ) in notes


def test_message_with_priority_and_deliveries():
    assert actions("msg") == [
        {
            "kind": "message",
            "priority": "high",
            "targets": [
                {"contact": "raj", "name": "Raj Patel", "team": "vets", "method": "sms", "address": "+12125550101"},
                DESK_EMAIL,
            ],
        }
    ]


def test_message_priority_defaults_to_normal():
    assert actions("plain") == [{"kind": "message", "priority": "normal", "targets": []}]


def test_voicemail_callback_hangup():
    assert actions("vm") == [{"kind": "voicemail"}]
    assert actions("cb") == [{"kind": "callback", "within": "PT30M"}]
    assert actions("bye", answers={"name": "Ann"}) == [{"kind": "hangup", "say": "Goodbye from Riverside Vets, Ann"}]


def test_live_override_changes_who_is_called():
    live = LiveState(
        overrides=(
            LiveOverride(team="vets", person="kim", start=RAJ_WEEK.replace(hour=0), end=RAJ_WEEK.replace(hour=23)),
        )
    )
    assert actions("p2", live=live)[0]["targets"][0]["contact"] == "kim"


def test_route_json_names_rule_and_line():
    route = run("vm").route
    assert route.rule == 6
    assert VETS.splitlines()[route.line - 1].strip().startswith("when pick is vm")


# ---- greetings, languages and templates ---------------------------------------------------------


def test_greeting_renders_agent_and_caller():
    greeting = run(agent="Sam", caller="+12125559876").greeting
    assert (greeting.id, greeting.language) == ("default", "en")
    assert greeting.text == "Riverside Vets, Sam speaking. Is that +12125559876?"


def test_greeting_in_the_callers_language():
    greeting = run(agent="Sam", language="fr").greeting
    assert (greeting.language, greeting.text) == ("fr", "Riverside Vets, Sam à l'appareil.")


def test_language_without_a_text_falls_back_to_the_default_and_says_so():
    from rules_engine.live import OwnerStatus

    live = LiveState(status=OwnerStatus(note="Back at 3pm"))
    greeting = run(language="fr", live=live).greeting
    assert (greeting.id, greeting.language, greeting.text) == ("away", "en", "Riverside Vets: Back at 3pm")


def test_language_the_client_does_not_speak_falls_back():
    assert run(language="de", agent="Sam").greeting.language == "en"


def test_missing_values_leave_placeholders_for_the_console():
    assert run().greeting.text == "Riverside Vets, {agent} speaking. Is that {caller}?"


def test_script_steps_resolved_in_the_callers_language():
    steps = run(language="fr", answers={"name": "Zoé"}).to_dict()["script"]["steps"]
    assert [(s["kind"], s.get("field"), s["language"], s["text"]) for s in steps] == [
        ("ask", "name", "fr", "Votre nom ?"),
        ("ask", "pick", "en", "Which?"),  # one text, in the default language
        ("say", None, "en", "Thanks Zoé, Raj Patel will help."),
    ]
    assert steps[0]["answer"] == "Zoé" and steps[1]["answer"] is None


@pytest.mark.parametrize("value", ["{caller}", "{0.__class__}", "{{agent}}", "%(x)s", "}{"])
def test_values_are_inserted_as_plain_text(value):
    decision = run("bye", agent=value, caller="+12125559876", answers={"name": value})
    assert decision.greeting.text == f"Riverside Vets, {value} speaking. Is that +12125559876?"
    assert decision.route.actions[0].say == f"Goodbye from Riverside Vets, {value}"
