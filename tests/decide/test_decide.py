"""Acme Plumbing (section 1 of the spec) through `Engine.decide`: a week of calls, status, JSON shape."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from rules_engine.decide.call import Call
from rules_engine.errors import CallError, UnknownClientError

CHICAGO = ZoneInfo("America/Chicago")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CHICAGO)


def call(engine, when, **kwargs):
    return engine.decide(Call(client="acme_plumbing", at=at(when), **kwargs))


def weekday_plumber(day: date) -> str:
    """The weekly rotation by hand: alice, bob, carol, handing over Mondays 08:00 from 2026-01-05."""
    return ("alice", "bob", "carol")[((day - date(2026, 1, 5)).days // 7) % 3]


def weekend_plumber(day: date) -> str:
    """The weekend layer by hand: carol, bob, handing over daily at 12:00 from 2026-01-03."""
    return ("carol", "bob")[(day - date(2026, 1, 3)).days % 2]


def test_the_spec_example_saturday_night_burst_pipe(engine):
    decision = call(engine, "2026-11-28 23:15", forwarded="busy", answers={"type": "burst_pipe"})
    data = decision.to_dict()
    assert list(data) == [
        "client",
        "at",
        "rules_version",
        "windows",
        "language",
        "greeting",
        "script",
        "urgency",
        "needs",
        "route",
        "trace",
    ]
    assert data["at"] == "2026-11-28T23:15:00-06:00"
    assert data["windows"] == ["night"]
    assert data["greeting"]["id"] == "after_hours"
    assert data["urgency"] == "emergency" and data["needs"] == []
    assert data["route"]["rule"] == 1 and data["route"]["line"] == 75
    plumber = weekend_plumber(date(2026, 11, 28))
    plan = data["route"]["actions"][0]
    assert plan["kind"] == "escalate" and plan["repeat"] == 2
    assert [t["contact"] for t in plan["steps"][0]["targets"]] == [plumber]
    assert plan["steps"][0]["wait"] == "PT5M" and plan["steps"][1]["wait"] == "PT10M"
    assert [(t["method"], t["contact"]) for t in plan["steps"][1]["targets"]] == [("sms", plumber), ("call", "bob")]
    assert plan["finally"]["priority"] == "high"
    assert [(t["method"], t["address"]) for t in plan["finally"]["targets"]] == [
        ("email", "office@acme.example"),
        ("sms", "+13125550112"),
    ]
    assert ("greeting", "after_hours", 43, True) in [
        (e["section"], e["rule"], e["line"], e["result"]) for e in data["trace"]
    ]


# (local time, forwarded, answers, greeting, script, urgency, route rule or None, needs)
WEEK = [
    ("2026-11-23 10:00", "busy", {}, "busy", "intake", None, None, ("type",)),  # Monday, open
    ("2026-11-23 10:00", "always", {"type": "estimate"}, "default", "intake", "routine", 6, ()),
    ("2026-11-23 10:00", "no_answer", {"type": "billing"}, "busy", "intake", "routine", 5, ()),
    ("2026-11-24 12:30", "busy", {}, "busy", "lunch", "routine", 4, ()),  # lunch script never asks `type`
    ("2026-11-25 16:59", "busy", {"type": "gas_smell"}, "busy", "intake", "emergency", 2, ()),
    ("2026-11-25 17:00", "busy", {"type": "no_heat"}, "after_hours", "intake", "urgent", 6, ()),
    ("2026-11-26 10:00", "always", {"type": "burst_pipe"}, "after_hours", "intake", "emergency", 1, ()),  # Thanksgiving
    # `open` still holds on a holiday, but `busy` is kept off holidays: the office sounds closed.
    ("2026-11-26 10:00", "busy", {"type": "burst_pipe"}, "after_hours", "intake", "emergency", 1, ()),
    ("2026-11-27 03:00", "unconditional", {}, "after_hours", "intake", None, None, ("type",)),
    ("2026-11-28 09:30", "busy", {"type": "estimate"}, "busy", "intake", "routine", 6, ()),  # Saturday, open
    ("2026-11-29 14:00", "busy", {"type": "other"}, "after_hours", "intake", "routine", 6, ()),  # Sunday
]


@pytest.mark.parametrize("when, reason, answers, greeting, script, urgency, rule, needs", WEEK)
def test_a_week_of_calls(engine, when, reason, answers, greeting, script, urgency, rule, needs):
    decision = call(engine, when, forwarded=reason, answers=answers)
    assert decision.greeting.id == greeting
    assert decision.script.id == script
    assert decision.urgency == urgency
    assert (decision.route.rule if decision.route else None) == rule
    assert decision.needs == needs


def test_said_makes_an_emergency_without_answers(engine):
    decision = call(engine, "2026-11-27 03:00", said="Water is flooding the basement")
    assert decision.urgency == "emergency" and decision.route.rule == 1 and decision.needs == ()


def test_vip_caller_is_urgent_without_answers_when_no_emergency_is_possible(engine):
    # `type` unknown: the emergency rule waits, so the urgency waits too, even for a VIP.
    assert call(engine, "2026-11-23 10:00", caller="+17735550199").urgency is None
    assert call(engine, "2026-11-23 10:00", caller="+17735550199", answers={"type": "estimate"}).urgency == "urgent"


def test_weekday_night_plumber_and_the_christmas_override(engine):
    tuesday = call(engine, "2026-11-24 22:00", answers={"type": "burst_pipe"})
    assert tuesday.route.actions[0].steps[0].targets[0].contact == weekday_plumber(date(2026, 11, 24))
    christmas = call(engine, "2026-12-24 15:00", answers={"type": "burst_pipe"})
    assert christmas.windows == ("open", "split", "closed")
    assert christmas.greeting.id == "after_hours"
    assert christmas.route.actions[0].steps[0].targets[0].contact == "carol"


def test_address_is_asked_only_when_closed(engine):
    open_steps = [s.field for s in call(engine, "2026-11-23 10:00").script.steps if s.kind == "ask"]
    night_steps = [s.field for s in call(engine, "2026-11-23 23:00").script.steps if s.kind == "ask"]
    assert open_steps == ["name", "callback", "type"]
    assert night_steps == ["name", "callback", "address", "type"]


def test_needs_follow_the_script_order(engine):
    # Open on Monday, forwarded manually with a status: route 3 would hold, but routes 1-2 wait for `type`.
    engine.set_status("acme_plumbing", note="At a job site")
    decision = call(engine, "2026-11-23 10:00", forwarded="manual", agent="Dana")
    assert decision.route is None and decision.needs == ("type",)
    assert (
        decision.greeting.text
        == "Acme Plumbing, this is Dana. Acme Plumbing & Heating is unavailable right now: At a job site"
    )


def test_status_expires_and_can_be_cleared(engine):
    until = at("2026-11-23 15:00")
    engine.set_status(
        "acme_plumbing", note="In court", until=until, instructions="urgent: text Bob", now=at("2026-11-23 09:00")
    )
    before = call(engine, "2026-11-23 14:59", forwarded="manual", answers={"type": "estimate"})
    assert before.greeting.id == "away" and before.route.rule == 3
    assert before.to_dict()["status"] == {
        "note": "In court",
        "instructions": "urgent: text Bob",
        "until": until.isoformat(),
    }
    after = call(engine, "2026-11-23 15:00", forwarded="manual", answers={"type": "estimate"})
    assert after.greeting.id == "default" and after.route.rule == 6 and after.status is None
    assert "status" not in after.to_dict()
    engine.set_status("acme_plumbing", note="Out")
    assert call(engine, "2026-11-23 16:00", forwarded="manual").greeting.id == "away"
    engine.clear_status("acme_plumbing")
    assert call(engine, "2026-11-23 16:00", forwarded="manual").greeting.id == "default"


def test_set_status_errors(engine):
    with pytest.raises(UnknownClientError):
        engine.set_status("acme", note="x")
    with pytest.raises(CallError) as caught:
        engine.set_status("acme_plumbing", note="x", until=datetime(2026, 11, 23, 15, 0))
    assert caught.value.field == "until"
    with pytest.raises(CallError) as caught:
        engine.set_status("acme_plumbing", note="  ")
    assert caught.value.field == "note"


def test_the_same_call_gets_the_same_answer(engine):
    first = call(engine, "2026-11-28 23:15", forwarded="busy", answers={"type": "burst_pipe"})
    second = call(engine, "2026-11-28 23:15", forwarded="busy", answers={"type": "burst_pipe"})
    assert first.to_json() == second.to_json()


def test_an_instant_given_in_another_zone_is_the_same_call(engine):
    local = call(engine, "2026-11-28 23:15")
    utc = engine.decide(Call(client="acme_plumbing", at=at("2026-11-28 23:15").astimezone(ZoneInfo("UTC"))))
    assert utc.at == local.at == "2026-11-28T23:15:00-06:00"
    assert utc.at == (datetime(2026, 11, 29, 5, 15) - timedelta(hours=6)).isoformat() + "-06:00"
