"""Evaluate: a compiled client + a call + its live state → the `Decision`.

`decide` takes the client's preparation (`prepared.prepare`: compiled once per client),
computes the time facts once, runs the first-match sections in order — greeting, script,
urgency, route — and resolves the route's actions to people and addresses at the call's
instant (`resolve.Resolver`). It is a pure function of its inputs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterable, Optional, Union

from .. import model as m
from ..serve.state import LiveState
from . import decision as d
from .call import Call
from .conditions import Facts, phone_key
from .plan import Prepared, Tried, fixed, pos_line, prepare
from .resolve import Resolver
from .script_plan import ScriptPlan

VARIES = object()  # in `Prepared.parts`: this greeting's text has a placeholder, made per call
ROUTE_MEMO = 128  # routes a client remembers by who is on call (see `Decider.route_by_on_call`)


def decide(client: m.Client, call: Call, live: LiveState) -> d.Decision:
    return Decider(prepare(client), call, live).decision()


class Decider(Resolver):
    """The work of one decision; holds what its sections share (facts, trace, on-call answers)."""

    __slots__ = ("prepared", "client", "call", "live", "instant", "status", "default_language", "language",
                 "text_language", "answers", "trace", "asked", "on_call", "held", "facts")

    def __init__(self, prepared: Prepared, call: Call, live: LiveState):
        self.prepared = prepared
        self.client = client = prepared.client
        self.call = call
        self.live = live
        self.instant: datetime = call.at
        status = live.status
        self.status = status if status is not None and status.active(self.instant) else None
        self.default_language = default = client.default_language
        self.language = language = call.language or default
        # The language texts are looked up in: one no text has means the default, as in `text`.
        self.text_language = language if language in prepared.languages else default
        self.answers = {name: value for name, value in call.answers.items() if value}
        self.trace: list[d.TraceEntry] = []
        self.asked: list[str] = []  # the chosen script's questions that apply, in its order
        self.on_call: dict[str, Optional[str]] = {}  # teams looked up and traced: who holds them
        self.held: dict[str, Optional[tuple[str, str, int]]] = {}  # see `holder`
        self.facts = Facts(
            time=prepared.calendar.facts(self.instant),
            forwarded=call.forwarded,
            caller=phone_key(call.caller),
            dialed=phone_key(call.number),
            language=language,
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
        return d.Decision.trusted(
            client=self.client.id,
            at=self.facts.time.local.isoformat(),
            rules_version=self.client.rules_version,
            windows=self.windows(),
            greeting=greeting,
            script=script,
            urgency=urgency,
            needs=self.in_script_order(urgency_waits | route_waits) if urgency_waits or route_waits else (),
            route=route,
            status=self.status_part(),
            trace=tuple(self.trace),
        )

    def windows(self) -> tuple[str, ...]:
        time = self.facts.time
        key = ("windows", time.windows, time.holiday is not None, time.closed is not None)
        names = self.prepared.parts.get(key)
        if names is None:
            names = [name for name in self.client.windows if name in time.windows]
            names = self.prepared.parts[key] = tuple(names + ["holiday"] * key[2] + ["closed"] * key[3])
        return names

    def first_match(self, rules: tuple[Tried, ...]) -> tuple[Optional[object], Optional[bool], int]:
        """First rule that is not false: (rule, its truth, 1-based index); traced as tried."""
        facts, trace = self.facts, self.trace
        for index, tried in enumerate(rules, start=1):
            result = tried.condition.test(facts)
            trace.append(tried.entries[result])
            if result is not False:
                return tried.rule, result, index
        return None, False, 0

    def greeting(self) -> d.Greeting:
        # Greetings use arrival facts only (the compiler makes sure), so they are never unknown.
        rule, _, index = self.first_match(self.prepared.greetings)
        language = self.language if self.language in rule.texts else self.default_language
        parts = rule.texts[language].parts
        key = ("greeting", index, language)
        shared = self.prepared.parts.get(key)  # the greeting, or VARIES when its text has a placeholder
        if shared is not None and shared is not VARIES:
            return shared
        greeting = d.Greeting.trusted(id=rule.name, title=rule.title, language=language, text=self.render(parts))
        if shared is None:
            self.prepared.parts[key] = greeting if fixed(parts) else VARIES
        return greeting

    def script(self) -> Optional[d.Script]:
        """The chosen script, its questions in the call's language; sets which fields are pending."""
        choice, _, _ = self.first_match(self.prepared.choices)
        if choice is None:
            return None
        plan = self.plan(choice.script)
        answers, facts = self.answers, self.facts
        # An `ask … when` may depend on answers: while deciding whether a question applies,
        # every question of the script that the call has not answered counts as pending.
        facts.pending = frozenset(f for f in plan.fields if f not in answers) if answers else plan.all_fields
        steps: list[Union[d.Ask, d.Say]] = []
        asked: list[str] = []
        shared = True  # every step so far is the part shared by all calls in this language
        for position, (is_say, step, condition, part, prompt) in enumerate(plan.steps):
            if is_say:
                if part is None:  # a text with a placeholder
                    language, text = self.text(step.text)
                    part, shared = d.Say.trusted(language=language, text=text), False
            else:
                field = step.field
                waits_for: tuple[str, ...] = ()
                if condition is not None:
                    result = condition.test(facts)
                    self.trace.append(plan.entries[position][result])
                    if result is False:
                        continue
                    if result is None:
                        waits_for = self.in_script_order(condition.waits_for(facts), plan.fields)
                asked.append(field)
                answer = answers.get(field)
                if answer is not None or waits_for or part is None:
                    shared = False
                    part = plan.asked(position, answer, waits_for) \
                        if part is not None and (answer is None or plan.choices[position]) else None
                    if part is None:
                        language, text = prompt or self.text(step.prompt)
                        part = d.Ask.trusted(field=field, language=language, text=text, required=step.required,
                                             phone=step.phone, choices=plan.choices[position], answer=answer,
                                             waits_for=waits_for)
            steps.append(part)
        self.asked = asked
        facts.pending = frozenset(f for f in asked if f not in answers)
        if not shared:
            return d.Script.trusted(id=plan.name, steps=tuple(steps))
        # Every step the same for all calls like this one: so is the script, given which steps it has.
        key = tuple(asked)
        found = plan.scripts.get(key)
        if found is None:
            found = plan.scripts[key] = d.Script.trusted(id=plan.name, steps=tuple(steps))
        return found

    def plan(self, name: str) -> "ScriptPlan":
        """The script `name` as asked in this call's text language, made once per client."""
        key = ("plan", name, self.text_language)
        plan = self.prepared.parts.get(key)
        if plan is None:
            plan = self.prepared.parts[key] = ScriptPlan(self, self.client.scripts[name])
        return plan

    def urgency(self) -> tuple[Optional[str], set[str]]:
        if not self.prepared.urgency:
            return None, set()
        rule, result, index = self.first_match(self.prepared.urgency)
        facts = self.facts
        if result is None:
            waits = self.prepared.urgency[index - 1].condition.waits_for(facts)
            facts.urgency, facts.urgency_known, facts.urgency_waits = None, False, tuple(waits)
            return None, waits
        facts.urgency = rule.level
        return rule.level, set()

    def route(self) -> tuple[Optional[d.Route], set[str]]:
        rule, result, index = self.first_match(self.prepared.routes)
        if rule is None:
            return None, set()
        if result is None:
            return None, self.prepared.routes[index - 1].condition.waits_for(self.facts)
        if index not in self.prepared.fixed_routes:
            teams = self.prepared.route_teams.get(index)
            if teams is not None:
                return self.route_by_on_call(index, rule, teams), set()
            actions = tuple(self.action(action, rule) for action in rule.actions)
            return d.Route.trusted(rule=index, line=pos_line(rule), actions=actions), set()
        key = ("route", index, self.text_language)
        route = self.prepared.parts.get(key)
        if route is None:
            actions = tuple(self.action(action, rule) for action in rule.actions)
            route = self.prepared.parts[key] = d.Route.trusted(rule=index, line=pos_line(rule), actions=actions)
        return route, set()

    def route_by_on_call(self, index: int, rule: m.RouteRule, teams: tuple[str, ...]) -> d.Route:
        """The route of a rule whose actions depend only on who is on call in `teams`.

        Remembered per client with the trace notes its resolving added, keyed by the rule,
        the text language, who holds each team and why (person, how, source line: all an
        on-call note says) and which teams this decision had already looked up (their notes
        are not repeated). A hit replays those notes, so decision and trace are the same as
        resolving again. The key has few values (contacts × sources per team); still bounded
        by `ROUTE_MEMO`, past which the memo is emptied and fills again. Values are frozen
        tuples, written and read whole: safe to share between threads.
        """
        held = tuple(self.holder(team) for team in teams)
        seen = tuple(team in self.on_call for team in teams)
        memo = self.prepared.routes_by_on_call
        key = (index, self.text_language, held, seen)
        found = memo.get(key)
        if found is None:
            before = len(self.trace)
            actions = tuple(self.action(action, rule) for action in rule.actions)
            found = (d.Route.trusted(rule=index, line=pos_line(rule), actions=actions), tuple(self.trace[before:]))
            if len(memo) >= ROUTE_MEMO:
                memo.clear()
            memo[key] = found
            return found[0]
        self.trace.extend(found[1])
        for team, holder in zip(teams, held):
            self.on_call[team] = holder[0] if holder is not None else None
        return found[0]

    def in_script_order(self, fields: Iterable[str], order: Optional[list[str]] = None) -> tuple[str, ...]:
        """`needs` lists unanswered fields of the chosen script, in the order it asks them."""
        wanted = set(fields)
        if not wanted:
            return ()
        order = order if order is not None else self.asked
        return tuple(f for f in order if f in wanted and f not in self.answers)

    def status_part(self) -> Optional[d.Status]:
        status = self.status
        if status is None:
            return None
        return d.Status.trusted(note=status.note, instructions=status.instructions,
                                until=status.until.isoformat() if status.until else None)
