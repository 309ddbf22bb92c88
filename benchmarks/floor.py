"""The floor: Acme Plumbing's rules (client_configs/acme_plumbing.rules) written by hand in plain Python.

This is what a programmer would write for this one client with no rule language at all:
the same greeting, script, urgency and route, time-zone conversion included, on-call
resolved by arithmetic, holidays looked up in a table built at start-up (from the same
`holidays` package). It returns the parts of the decision the routing daemon acts on, in
the shape of the engine's JSON, so the benchmark can check that both agree on every call
before timing either. No trace is kept: explaining itself is what the engine adds.

`decide` is the floor of `Engine.decide`; `route_only` the floor of the route-only work
(time facts, urgency and route for a call that carries its answers).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays

TZ = ZoneInfo("America/Chicago")
LINE_2 = "+13125550101"


def _instant(year, month, day, hour, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ).astimezone(UTC)


def _holiday_table(years: range) -> dict[date, str]:
    table = dict(holidays.country_holidays("US", subdiv="IL", years=years).items())
    table.setdefault(date(2026, 7, 17), "Company picnic")
    return table


HOLIDAYS = _holiday_table(range(2024, 2029))
CLOSED_FROM, CLOSED_TO = _instant(2026, 12, 24, 12), _instant(2026, 12, 26, 8)
OVERRIDE_FROM, OVERRIDE_TO = CLOSED_FROM, CLOSED_TO  # carol covers Christmas
WEEKLY_FROM, WEEKLY = datetime(2026, 1, 5, 8), ("alice", "bob", "carol")
WEEKEND_FROM, WEEKEND = datetime(2026, 1, 3, 12), ("carol", "bob")
WEEKLY_START, WEEKEND_START = WEEKLY_FROM.replace(tzinfo=TZ), WEEKEND_FROM.replace(tzinfo=TZ)
WEEK, DAY = timedelta(days=7), timedelta(days=1)
VIP = frozenset(("+17735550199", "+17735550123"))
SAID_EMERGENCY = re.compile(r"(?<!\w)(?:flood|gas\s+leak)", re.IGNORECASE)

CONTACTS = {
    "alice": ("Alice Ng", {"call": "+13125550111", "sms": "+13125550111"}),
    "bob": ("Bob Ortiz", {"call": "+13125550112", "sms": "+13125550112", "email": "bob@acme.example"}),
    "carol": ("Carol Diaz", {"call": "+13125550113", "sms": "+13125550113"}),
    "office": ("Front desk", {"call": "+13125550100", "email": "office@acme.example"}),
}

GREETINGS = {
    "busy": {
        "en": ("Acme Plumbing, this is ", ". The team is with another customer; how can I help?"),
        "es": ("Acme Plumbing, le atiende ", ". El equipo está ocupado; ¿en qué puedo ayudarle?"),
    },
    "after_hours": {
        "en": (
            "Thank you for calling Acme Plumbing. Our office is closed; I can take a message "
            "or reach the plumber on call for emergencies.",
            None,
        )
    },
    "default": {"en": ("Thank you for calling Acme Plumbing, this is ", ". How may I help you?")},
}
NAME_PROMPT = {"en": "May I have your name?", "es": "¿Cuál es su nombre?"}
TYPES = ("burst_pipe", "no_heat", "gas_smell", "estimate", "billing", "other")


def contact(name: str, method: str, team: str | None = None) -> dict:
    title, addresses = CONTACTS[name]
    target = {"contact": name, "name": title, "method": method, "address": addresses[method]}
    if team is not None:
        target["team"] = team
    return target


def plumber_on_call(instant: datetime, local: datetime) -> str | None:
    """Override, then the weekend layer (sat-sun only), then the weekly layer."""
    if OVERRIDE_FROM <= instant < OVERRIDE_TO:
        return "carol"
    wall = local.replace(tzinfo=None)
    if local.weekday() >= 5 and instant >= WEEKEND_START:
        return WEEKEND[((wall - WEEKEND_FROM) // DAY) % 2]
    if instant >= WEEKLY_START:
        return WEEKLY[((wall - WEEKLY_FROM) // WEEK) % 3]
    return None


def time_facts(instant: datetime) -> tuple:
    local = instant.astimezone(TZ)
    weekday, minute = local.weekday(), local.hour * 60 + local.minute
    is_open = (weekday < 5 and 480 <= minute < 1020) or (weekday == 5 and 540 <= minute < 720)
    lunch = weekday < 5 and 720 <= minute < 780
    holiday = local.date() in HOLIDAYS
    closed = CLOSED_FROM <= instant < CLOSED_TO
    return local, weekday, minute, is_open, lunch, holiday, closed


def urgency_of(answers: dict, type_pending: bool, caller: str | None, said: str | None) -> str | None:
    """Three-valued like the engine: None while the emergency rule waits for `type`."""
    kind = answers.get("type")
    kind = kind.lower() if kind else None
    if kind in ("burst_pipe", "gas_smell") or (said and SAID_EMERGENCY.search(said)):
        return "emergency"
    if kind is None and type_pending:
        return None
    if kind == "no_heat" or caller in VIP:
        return "urgent"
    return "routine"


def escalate_emergency(instant: datetime, local: datetime) -> dict:
    person = plumber_on_call(instant, local)
    steps = []
    if person is not None:
        steps.append({"targets": [contact(person, "call", "plumbers")], "wait": "PT5M"})
    second = [contact(person, "sms", "plumbers")] if person is not None else []
    second.append(contact("bob", "call"))
    steps.append({"targets": second, "wait": "PT10M"})
    final = {"kind": "message", "priority": "high", "targets": [contact("office", "email"), contact("bob", "sms")]}
    return {"kind": "escalate", "policy": "emergency", "steps": steps, "repeat": 2, "finally": final}


def route_of(urgency, facts, instant, answers, forwarded, status) -> dict | None:
    local, _, _, is_open, lunch, holiday, closed = facts
    message_office = {"kind": "message", "priority": "normal", "targets": [contact("office", "email")]}
    if urgency is None:
        return None  # rules 1 and 2 wait for the urgency
    if urgency == "emergency" and (not is_open or holiday or closed):
        return {"rule": 1, "actions": [escalate_emergency(instant, local)]}
    if urgency == "emergency":
        patch = {"kind": "patch", "targets": [contact("office", "call")]}
        return {"rule": 2, "actions": [patch, escalate_emergency(instant, local)]}
    if forwarded == "manual" and status:
        return {"rule": 3, "actions": [{"kind": "message", "priority": "normal", "targets": [contact("alice", "sms")]}]}
    if lunch:
        return {"rule": 4, "actions": [message_office]}
    if (answers.get("type") or "").lower() == "billing":
        return {"rule": 5, "actions": [message_office]}
    return {"rule": 6, "actions": [message_office]}


def route_only(
    instant: datetime, forwarded: str, caller: str | None, answers: dict, said: str | None, status: bool = False
) -> tuple[str | None, dict | None]:
    """Time facts, urgency and route of a call that carries its answers."""
    facts = time_facts(instant)
    urgency = urgency_of(answers, False, caller, said)
    return urgency, route_of(urgency, facts, instant, answers, forwarded, status)


def decide(
    instant: datetime,
    forwarded: str,
    caller: str | None,
    dialed: str | None,
    language: str | None,
    agent: str | None,
    answers: dict,
    said: str | None,
    status: bool = False,
) -> dict:
    facts = time_facts(instant)
    local, _, minute, is_open, lunch, holiday, closed = facts
    language = language or "en"
    answers = {k: v for k, v in answers.items() if v}

    if is_open and forwarded in ("busy", "no_answer"):
        greeting_id = "busy"
    elif not is_open or holiday or closed:
        greeting_id = "after_hours"
    else:
        greeting_id = "default"  # `away` needs a status; the benchmark's calls carry none
    texts = GREETINGS[greeting_id]
    greeting_language = language if language in texts else "en"
    head, tail = texts[greeting_language]
    text = head if tail is None else head + (agent or "{agent}") + tail

    if lunch and dialed != LINE_2:
        script_id = "lunch"
        steps = [
            {"kind": "ask", "field": "name", "text": "May I have your name?", "answer": answers.get("name")},
            {"kind": "ask", "field": "message", "text": "What is your message?", "answer": answers.get("message")},
        ]
    else:
        script_id = "intake"
        prompt = NAME_PROMPT[language if language in NAME_PROMPT else "en"]
        steps = [
            {"kind": "ask", "field": "name", "text": prompt, "answer": answers.get("name")},
            {
                "kind": "ask",
                "field": "callback",
                "text": "What is the best number to reach you?",
                "answer": answers.get("callback"),
            },
        ]
        if not is_open:
            steps.append(
                {
                    "kind": "ask",
                    "field": "address",
                    "text": "What is the service address?",
                    "answer": answers.get("address"),
                }
            )
        steps.append(
            {
                "kind": "ask",
                "field": "type",
                "text": "What is the problem?",
                "choices": TYPES,
                "answer": answers.get("type"),
            }
        )
        steps.append(
            {
                "kind": "say",
                "text": f"Thank you, {answers.get('name', '{answer.name}')}. I will pass this on right away.",
            }
        )

    type_pending = script_id == "intake" and "type" not in answers
    urgency = urgency_of(answers, type_pending, caller, said)
    route = route_of(urgency, facts, instant, answers, forwarded, status)
    windows = (
        [
            name
            for name, holds in (
                ("open", is_open),
                ("lunch", lunch),
                ("night", minute >= 1320 or minute < 360),
                ("split", local.weekday() < 5 and (480 <= minute < 720 or 780 <= minute < 1020)),
            )
            if holds
        ]
        + ["holiday"] * holiday
        + ["closed"] * closed
    )
    return {
        "at": local.isoformat(),
        "windows": windows,
        "greeting": {"id": greeting_id, "language": greeting_language, "text": text},
        "script": {"id": script_id, "steps": steps},
        "urgency": urgency,
        "needs": ["type"] if urgency is None else [],
        "route": route,
    }
