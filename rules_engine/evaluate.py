"""Evaluate: a compiled client + a call + its live state → the `Decision`.

`prepare(client)` compiles everything a decision needs once per client (the calendar, the
on-call calendars, every condition as a closure) and caches it beside the client object.
`decide` then computes the time facts once, runs the first-match sections in order —
greeting, script, urgency, route — and resolves the route's actions to people and
addresses at the call's instant. It is a pure function of its inputs.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Iterable, Optional, Union

from . import decision as d
from . import model as m
from .calendar import Calendar
from .call import Call
from .conditions import Condition, Facts, compile_condition, phone_key, phone_lists
from .oncall import OnCall
from .state import LiveState
from .templates import render


@dataclass(frozen=True)
class Prepared:
    """One client, compiled for deciding: conditions are closures, time facts a calendar."""

    client: m.Client
    calendar: Calendar
    oncall: OnCall
    greetings: tuple[tuple[m.Greeting, Condition], ...]
    choices: tuple[tuple[m.ScriptChoice, Condition], ...]
    asks: dict[tuple[str, int], Condition]  # (script, step index) → condition of an `ask … when`
    urgency: tuple[tuple[m.UrgencyRule, Condition], ...]
    routes: tuple[tuple[m.RouteRule, Condition], ...]

    @classmethod
    def of(cls, client: m.Client) -> "Prepared":
        lists = phone_lists(client)
        calendar = Calendar(client)

        def compiled(rules):
            return tuple((rule, compile_condition(rule.when, lists)) for rule in rules)

        return cls(
            client=client,
            calendar=calendar,
            oncall=OnCall(client, calendar),
            greetings=compiled(client.greetings),
            choices=compiled(client.script_choices),
            asks={(script.name, i): compile_condition(step.when, lists)
                  for script in client.scripts.values()
                  for i, step in enumerate(script.steps) if isinstance(step, m.Ask) and step.when is not None},
            urgency=compiled(client.urgency),
            routes=compiled(client.routes),
        )


# id(client) → (a weak reference to it, its preparation). A client's entry goes when the
# client does (a reloaded catalog drops its old clients), so the cache never grows stale.
_prepared: dict[int, tuple[weakref.ref, Prepared]] = {}
_prepared_lock = threading.Lock()


def prepare(client: m.Client) -> Prepared:
    """The preparation of `client`, compiled on first use and then reused."""
    key = id(client)
    entry = _prepared.get(key)
    if entry is not None and entry[0]() is client:
        return entry[1]
    prepared = Prepared.of(client)
    with _prepared_lock:
        _prepared[key] = (weakref.ref(client, _forgetter(key)), prepared)
    return prepared


def _forgetter(key: int, cache: dict = _prepared):
    """Drop a dead client's entry, unless its id was reused by a newer client meanwhile."""

    def forget(ref: weakref.ref) -> None:
        entry = cache.get(key)
        if entry is not None and entry[0] is ref:
            cache.pop(key, None)

    return forget


def decide(client: m.Client, call: Call, live: LiveState) -> d.Decision:
    return Decider(prepare(client), call, live).decision()


def pos_line(node: Optional[m.Node]) -> int:
    return node.pos.line if node is not None and node.pos is not None else 0


class Decider:
    """The work of one decision; holds what its sections share (facts, trace, on-call answers)."""

    def __init__(self, prepared: Prepared, call: Call, live: LiveState):
        self.prepared = prepared
        self.client = client = prepared.client
        self.call = call
        self.live = live
        self.instant: datetime = call.at
        status = live.status
        self.status = status if status is not None and status.active(self.instant) else None
        self.language = call.language or client.default_language
        self.answers = {name: value for name, value in call.answers.items() if value}
        self.trace: list[d.TraceEntry] = []
        self.asked: list[str] = []  # the chosen script's questions that apply, in its order
        self.on_call: dict[str, Optional[str]] = {}
        self.facts = Facts(
            time=prepared.calendar.facts(self.instant),
            forwarded=call.forwarded,
            caller=phone_key(call.caller),
            dialed=phone_key(call.number),
            language=self.language,
            status=self.status is not None,
            answers=self.answers,
            pending=frozenset(),
            said=call.said or None,
        )

    # ---- the sections, in order ----------------------------------------------------------------
    def decision(self) -> d.Decision:
        greeting = self.greeting()
        script = self.script()
        urgency, urgency_waits = self.urgency()
        route, route_waits = self.route()
        return d.Decision.model_construct(
            client=self.client.id,
            at=self.facts.time.local.isoformat(),
            rules_version=self.client.rules_version,
            windows=self.windows(),
            greeting=greeting,
            script=script,
            urgency=urgency,
            needs=self.in_script_order(urgency_waits | route_waits),
            route=route,
            status=self.status_part(),
            trace=tuple(self.trace),
        )

    def windows(self) -> tuple[str, ...]:
        time = self.facts.time
        names = [name for name in self.client.windows if name in time.windows]
        return tuple(names + ["holiday"] * (time.holiday is not None) + ["closed"] * (time.closed is not None))

    def first_match(self, section: str, rules, label) -> tuple[Optional[object], Optional[bool], int]:
        """First rule that is not false: (rule, its truth, 1-based index); traced as tried."""
        for index, (rule, condition) in enumerate(rules, start=1):
            result = condition.test(self.facts)
            # Only greetings have titles; `getattr` with a default on a pydantic model that lacks
            # the attribute goes through its slow __getattr__ miss, dearer than the rule's test.
            title = rule.title if isinstance(rule, m.Greeting) else None
            self.note(section, label(rule, index), pos_line(rule), result, title)
            if result is not False:
                return rule, result, index
        return None, False, 0

    def greeting(self) -> d.Greeting:
        # Greetings use arrival facts only (the compiler makes sure), so they are never unknown.
        rule, _, _ = self.first_match("greeting", self.prepared.greetings, lambda rule, _: rule.name)
        language = self.language if self.language in rule.texts else self.client.default_language
        return d.Greeting.model_construct(id=rule.name, title=rule.title, language=language,
                                          text=self.render(rule.texts[language].parts))

    def script(self) -> Optional[d.Script]:
        """The chosen script, its questions in the call's language; sets which fields are pending."""
        choice, _, _ = self.first_match("script", self.prepared.choices, lambda rule, _: rule.script)
        if choice is None:
            return None
        script = self.client.scripts[choice.script]
        # An `ask … when` may depend on answers: while deciding whether a question applies,
        # every question of the script that the call has not answered counts as pending.
        fields = [step.field for step in script.steps if isinstance(step, m.Ask)]
        self.facts = replace(self.facts, pending=frozenset(f for f in fields if f not in self.answers))
        steps: list[Union[d.Ask, d.Say]] = []
        asked: list[str] = []
        for index, step in enumerate(script.steps):
            if isinstance(step, m.Say):
                language, text = self.text(step.text)
                steps.append(d.Say.model_construct(language=language, text=text))
                continue
            condition = self.prepared.asks.get((script.name, index))
            waits_for: tuple[str, ...] = ()
            if condition is not None:
                result = condition.test(self.facts)
                self.note("ask", step.field, pos_line(step), result)
                if result is False:
                    continue
                if result is None:
                    waits_for = self.in_script_order(condition.waits_for(self.facts), fields)
            asked.append(step.field)
            language, text = self.text(step.prompt)
            steps.append(d.Ask.model_construct(
                field=step.field, language=language, text=text, required=step.required, phone=step.phone,
                choices=tuple(c.value for c in step.choices) if step.choices else None,
                answer=self.answers.get(step.field), waits_for=waits_for,
            ))
        self.asked = asked
        self.facts = replace(self.facts, pending=frozenset(f for f in asked if f not in self.answers))
        return d.Script.model_construct(id=script.name, steps=tuple(steps))

    def urgency(self) -> tuple[Optional[str], set[str]]:
        if not self.prepared.urgency:
            return None, set()
        rule, result, index = self.first_match("urgency", self.prepared.urgency, lambda rule, _: rule.level)
        if result is None:
            waits = self.prepared.urgency[index - 1][1].waits_for(self.facts)
            self.facts = replace(self.facts, urgency=None, urgency_known=False, urgency_waits=tuple(waits))
            return None, waits
        self.facts = replace(self.facts, urgency=rule.level)
        return rule.level, set()

    def route(self) -> tuple[Optional[d.Route], set[str]]:
        rule, result, index = self.first_match("route", self.prepared.routes, lambda _, index: index)
        if rule is None:
            return None, set()
        if result is None:
            return None, self.prepared.routes[index - 1][1].waits_for(self.facts)
        actions = tuple(self.action(action, rule) for action in rule.actions)
        return d.Route.model_construct(rule=index, line=pos_line(rule), actions=actions), set()

    def in_script_order(self, fields: Iterable[str], order: Optional[list[str]] = None) -> tuple[str, ...]:
        """`needs` lists unanswered fields of the chosen script, in the order it asks them."""
        wanted = set(fields)
        order = order if order is not None else self.asked
        return tuple(f for f in order if f in wanted and f not in self.answers)

    def status_part(self) -> Optional[d.Status]:
        status = self.status
        if status is None:
            return None
        return d.Status.model_construct(note=status.note, instructions=status.instructions,
                                        until=status.until.isoformat() if status.until else None)

    # ---- actions, resolved to people and addresses ------------------------------------------------
    def action(self, action: m.Action, owner: m.Node) -> d.Action:
        if isinstance(action, m.Patch):
            team = action.target.team if isinstance(action.target, m.TeamTarget) else None
            targets = self.targets(m.Notify(method="call", target=action.target, pos=action.pos), "patch")
            return d.Patch.model_construct(team=team, targets=targets)
        if isinstance(action, m.Escalate):
            return self.escalation(self.client.escalations[action.policy])
        if isinstance(action, m.Message):
            targets = tuple(t for notify in action.deliveries for t in self.targets(notify, "message"))
            return d.Message.model_construct(priority=action.priority, targets=targets)
        if isinstance(action, m.Voicemail):
            return d.Voicemail.model_construct()
        if isinstance(action, m.Callback):
            return d.Callback.model_construct(within=d.iso_duration(action.within))
        if isinstance(action, m.Hangup):
            return d.Hangup.model_construct(say=self.text(action.say)[1])
        raise TypeError(f"not an action: {type(action).__name__}")  # the model has no other kind

    def escalation(self, policy: m.Escalation) -> d.Escalate:
        steps = []
        for number, step in enumerate(policy.steps, start=1):
            where = f"step {number} of escalation `{policy.name}`"
            targets = tuple(t for notify in step.notify for t in self.targets(notify, where))
            if not targets:
                self.note("escalation", policy.name, pos_line(step), False,
                          f"{where} dropped: nobody in it can be reached")
                continue
            steps.append(d.EscalationStep.model_construct(targets=targets, wait=d.iso_duration(step.wait)))
        final = self.action(policy.final, policy) if policy.final is not None else None
        return d.Escalate.model_construct(policy=policy.name, steps=tuple(steps), repeat=policy.repeat, final=final)

    def targets(self, notify: m.Notify, where: str) -> tuple[d.Target, ...]:
        """The target of one notification at the call's time; empty when it reaches nobody."""
        target, method = notify.target, notify.method
        if isinstance(target, m.NumberTarget):
            return (d.Target.model_construct(method=method, address=target.number),)
        if isinstance(target, m.ContactTarget):
            return (self.contact_target(target.contact, method, None),)
        person = self.who(target.team)
        if person is None:
            self.note("oncall", target.team, pos_line(notify), False,
                      f"nobody is on call for `{target.team}`: left out of {where}")
            return ()
        contact = self.client.contacts[person]
        if method not in contact.addresses:
            self.note("oncall", target.team, pos_line(notify), False,
                      f"{contact.title} is on call for `{target.team}` but has no {method} address: left out of {where}")
            return ()
        return (self.contact_target(person, method, target.team),)

    def contact_target(self, name: str, method: str, team: Optional[str]) -> d.Target:
        contact = self.client.contacts[name]
        return d.Target.model_construct(contact=name, name=contact.title, team=team, method=method,
                                        address=contact.addresses[method].value)

    def who(self, team: str) -> Optional[str]:
        """Who is on call for `team` at the call's instant; traced once per decision, with why."""
        if team in self.on_call:
            return self.on_call[team]
        found = self.prepared.oncall.holder(team, self.instant, self.live.overrides, self.facts.time)
        person = found[0] if found else None
        self.on_call[team] = person
        if found is None:
            self.note("oncall", team, pos_line(self.client.teams.get(team)), False, "nobody is on call")
        else:
            source = found[1]
            origin = getattr(source, "rotation", None) or getattr(source, "override", None)
            how = "live override" if origin is None else ("override" if isinstance(origin, m.Override) else "rotation")
            title = self.client.contacts[person].title if person in self.client.contacts else person
            self.note("oncall", team, pos_line(origin), True, f"{title} ({person}) is on call, by {how}")
        return person

    # ---- texts ----------------------------------------------------------------------------------------
    def text(self, text: m.Text) -> tuple[str, str]:
        """(language, rendered text): the call's language if the text has it, else the default."""
        by_language = text.by_language
        if "" in by_language:
            return self.client.default_language, self.render(by_language[""].parts)
        language = self.language if self.language in by_language else self.client.default_language
        return language, self.render(by_language[language].parts)

    def render(self, parts) -> str:
        return render(parts, self.lookup)

    def lookup(self, name: str) -> Optional[str]:
        """A placeholder's value, or None to leave it as written for the agent console."""
        if name == "agent":
            return self.call.agent or None
        if name == "client":
            return self.client.title or self.client.id
        if name == "caller":
            return self.call.caller or None
        if name == "status.note":
            return self.status.note if self.status is not None else None
        kind, _, rest = name.partition(".")
        if kind == "answer":
            return self.answers.get(rest)
        if kind == "oncall":
            person = self.who(rest)
            return self.client.contacts[person].title if person in self.client.contacts else person
        return None

    def note(self, section: str, rule, line: int, result: Optional[bool], note: Optional[str] = None) -> None:
        self.trace.append(d.TraceEntry.model_construct(section=section, rule=rule, line=line, result=result, note=note))
