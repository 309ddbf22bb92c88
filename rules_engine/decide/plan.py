"""Prepare: a compiled client → its `Prepared` (conditions as closures, calendars, fixed parts).

`prepare(client)` compiles everything a decision needs once per client (the calendar, the
on-call calendars, every condition as a closure) and caches it beside the client object,
with the decision parts that are the same for every call as they are made.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Iterable, Optional

from .. import model as m
from ..schedule.calendar import Calendar
from ..schedule.oncall import OnCall
from . import decision as d
from .conditions import Condition, compile_condition, phone_key, phone_lists


class Tried:
    """A rule of a first-match section with its condition, and its trace entries made once:
    `entries[result]` for each result it can have (shared: entries are frozen)."""

    __slots__ = ("rule", "condition", "entries")

    def __init__(self, section: str, rule, condition: Condition, label, title: Optional[str] = None):
        self.rule, self.condition = rule, condition
        self.entries: dict[Optional[bool], d.TraceEntry] = {
            result: d.TraceEntry.trusted(section=section, rule=label, line=pos_line(rule), result=result, note=title)
            for result in (True, False, None)}


@dataclass(frozen=True)
class Prepared:
    """One client, compiled for deciding: conditions are closures, time facts a calendar.

    Besides the compiled rules it keeps the parts of decisions that do not depend on the
    call (trace entries, contact targets, texts without placeholders, routes that reach no
    team), made on first use and shared by later decisions: decision parts are frozen.
    """

    client: m.Client
    calendar: Calendar
    oncall: OnCall
    greetings: tuple[Tried, ...]
    choices: tuple[Tried, ...]
    asks: dict[tuple[str, int], Condition]  # (script, step index) → condition of an `ask … when`
    urgency: tuple[Tried, ...]
    routes: tuple[Tried, ...]
    number_keys: frozenset[str]  # the client's own numbers, as `phone_key` compares them
    languages: frozenset[str]  # the languages texts may have (the compiler allows no other)
    fixed_routes: frozenset[int]  # 1-based route rules whose actions are the same for every call
    # 1-based route rules whose actions depend on who is on call and nothing else → those teams
    route_teams: dict[int, tuple[str, ...]]
    parts: dict = field(default_factory=dict)  # call-independent decision parts, by what made them
    routes_by_on_call: dict = field(default_factory=dict)  # see `evaluate.Decider.route_by_on_call`

    @classmethod
    def of(cls, client: m.Client) -> "Prepared":
        lists = phone_lists(client)
        calendar = Calendar(client)

        def compiled(section, rules, label, title=lambda rule: None):
            return tuple(Tried(section, rule, compile_condition(rule.when, lists), label(rule, index), title(rule))
                         for index, rule in enumerate(rules, start=1))

        return cls(
            client=client,
            calendar=calendar,
            oncall=OnCall(client, calendar),
            greetings=compiled("greeting", client.greetings, lambda rule, _: rule.name, lambda rule: rule.title),
            choices=compiled("script", client.script_choices, lambda rule, _: rule.script),
            asks={(script.name, i): compile_condition(step.when, lists)
                  for script in client.scripts.values()
                  for i, step in enumerate(script.steps) if isinstance(step, m.Ask) and step.when is not None},
            urgency=compiled("urgency", client.urgency, lambda rule, _: rule.level),
            routes=compiled("route", client.routes, lambda _, index: index),
            number_keys=frozenset(phone_key(n.value) for n in client.numbers),
            languages=frozenset(n.value for n in client.languages) or frozenset({client.default_language}),
            fixed_routes=frozenset(index for index, rule in enumerate(client.routes, start=1)
                                   if all(fixed_action(client, action) for action in rule.actions)),
            route_teams={index: teams for index, rule in enumerate(client.routes, start=1)
                         if (teams := teams_reached(client, rule.actions))},
        )

    def __reduce__(self):
        """A preparation is never pickled (it is made of closures): a client pickled after
        deciding comes back unprepared, and prepares again on its next decision."""
        return unprepared, ()

    def entry(self, section: str, rule, line: int, result: Optional[bool], note: Optional[str]) -> d.TraceEntry:
        """A trace entry other than a rule tried (on-call notes); their texts come from the
        client's own names, so there are only so many."""
        key = ("entry", section, rule, line, result, note)
        entry = self.parts.get(key)
        if entry is None:
            entry = self.parts[key] = d.TraceEntry.trusted(section=section, rule=rule, line=line, result=result, note=note)
        return entry


def teams_reached(client: m.Client, actions: Iterable[m.Action]) -> Optional[tuple[str, ...]]:
    """The on-call teams `actions` reach, in order, when they and who is on call in them are
    all the actions depend on: None when a text they say has a placeholder."""
    teams: list[str] = []

    def visit(action: m.Action) -> bool:
        if isinstance(action, m.Hangup):
            return all(fixed(template.parts) for template in action.say.by_language.values())
        if isinstance(action, m.Escalate):
            policy = client.escalations[action.policy]
            targets = [n.target for step in policy.steps for n in step.notify]
            teams.extend(t.team for t in targets if isinstance(t, m.TeamTarget) and t.team not in teams)
            return policy.final is None or visit(policy.final)
        if isinstance(action, m.Patch):
            targets = [action.target]
        elif isinstance(action, m.Message):
            targets = [notify.target for notify in action.deliveries]
        else:
            targets = []
        teams.extend(t.team for t in targets if isinstance(t, m.TeamTarget) and t.team not in teams)
        return True

    return tuple(teams) if all(visit(action) for action in actions) else None


def unprepared() -> None:
    """What a pickled preparation reads back as: none yet (see `Prepared.__reduce__`)."""
    return None


def fixed_action(client: m.Client, action: m.Action) -> bool:
    """True when the action resolves the same way for every call: it reaches no on-call team
    (whose holder depends on the instant), and any text it says has no placeholder."""
    if isinstance(action, m.Patch):
        return not isinstance(action.target, m.TeamTarget)
    if isinstance(action, m.Message):
        return all(not isinstance(notify.target, m.TeamTarget) for notify in action.deliveries)
    if isinstance(action, m.Escalate):
        policy = client.escalations[action.policy]
        return all(step.notify and all(not isinstance(n.target, m.TeamTarget) for n in step.notify)
                   for step in policy.steps) and (policy.final is None or fixed_action(client, policy.final))
    if isinstance(action, m.Hangup):
        return all(isinstance(part, str) for template in action.say.by_language.values() for part in template.parts)
    return True


_prepare_lock = threading.Lock()


def prepare(client: m.Client) -> Prepared:
    """The preparation of `client`, compiled on first use and then reused.

    It is kept in the client's own cache slot, so it lives exactly as long as the client:
    a reloaded catalog's old clients take their preparations with them. Read straight from
    pydantic's private-attribute dict: `client._prepared` goes through the model's slow
    `__getattr__` (~1 µs a decision).
    """
    private = client.__pydantic_private__
    prepared = private.get("_prepared") if private else None
    if prepared is None:
        with _prepare_lock:
            prepared = client._prepared
            if prepared is None:
                prepared = client._prepared = Prepared.of(client)
    return prepared


def pos_line(node: Optional[m.Node]) -> int:
    return node.pos.line if node is not None and node.pos is not None else 0


def fixed(parts: tuple) -> bool:
    """True when a template has no placeholder: its text is the same for every call."""
    return all(isinstance(part, str) for part in parts)
