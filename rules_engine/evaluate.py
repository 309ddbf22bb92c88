"""Evaluate: a compiled client + a call + its live state → the `Decision`.

`prepare(client)` compiles everything a decision needs once per client (the calendar, the
on-call calendars, every condition as a closure) and caches it beside the client object.
`decide` then computes the time facts once, runs the first-match sections in order —
greeting, script, urgency, route — and resolves the route's actions to people and
addresses at the call's instant. It is a pure function of its inputs.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
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
    routes_by_on_call: dict = field(default_factory=dict)  # see `Decider.route_by_on_call`

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


def decide(client: m.Client, call: Call, live: LiveState) -> d.Decision:
    return Decider(prepare(client), call, live).decision()


def pos_line(node: Optional[m.Node]) -> int:
    return node.pos.line if node is not None and node.pos is not None else 0


def fixed(parts: tuple) -> bool:
    """True when a template has no placeholder: its text is the same for every call."""
    return all(isinstance(part, str) for part in parts)


VARIES = object()  # in `Prepared.parts`: this greeting's text has a placeholder, made per call
ROUTE_MEMO = 128  # routes a client remembers by who is on call (see `Decider.route_by_on_call`)
ANSWERED_MEMO = 64  # questions with their answer that a script plan remembers (see `ScriptPlan.asked`)


class ScriptPlan:
    """One script as asked in one text language, with what is the same for every call done once.

    `steps` holds one (is_say, step, condition, part, prompt) per step of the script:
    - a `say`: its `Say` part when its text has no placeholder (else None: rendered per call);
    - a question: the compiled condition of its `ask … when` (or None), its prompt as
      (language, text) when it has no placeholder (else None: rendered per call),
      and the `Ask` part a call without its answer gets (None when the prompt varies);
      a question with a condition also has its trace entries, by result, in `entries`.

    Made by the first decision that chooses the script in that language, kept in the
    client's `Prepared.parts`; the parts are frozen, so decisions on other threads share
    them. Its two memos (`scripts`, `answered`) are dicts read and written whole, which is
    atomic; a race only makes the same part twice.
    """

    __slots__ = ("name", "fields", "all_fields", "steps", "choices", "entries", "scripts", "answered")

    def __init__(self, decider: "Decider", script: m.Script):
        self.name = script.name
        self.fields = tuple(step.field for step in script.steps if isinstance(step, m.Ask))
        self.all_fields = frozenset(self.fields)
        steps, choices = [], []
        entries: dict[int, dict[Optional[bool], d.TraceEntry]] = {}  # position → trace entry by result
        for index, step in enumerate(script.steps):
            if isinstance(step, m.Say):
                language, text = decider.fixed_text(step.text)
                say = d.Say.trusted(language=language, text=text) if text is not None else None
                steps.append((True, step, None, say, None))
                choices.append(None)
                continue
            choices.append(tuple(c.value for c in step.choices) if step.choices else None)
            language, text = decider.fixed_text(step.prompt)
            prompt = (language, text) if text is not None else None
            unanswered = d.Ask.trusted(field=step.field, language=language, text=text, required=step.required,
                                       phone=step.phone, choices=choices[-1], answer=None,
                                       waits_for=()) if prompt else None
            condition = decider.prepared.asks.get((script.name, index))
            steps.append((False, step, condition, unanswered, prompt))
            if condition is not None:
                entries[len(steps) - 1] = {result: decider.prepared.entry("ask", step.field, pos_line(step), result, None)
                                           for result in (True, False, None)}
        self.steps = tuple(steps)
        self.entries = entries
        self.choices = tuple(choices)
        self.scripts: dict[tuple[str, ...], d.Script] = {}  # which questions apply → the shared script
        self.answered: dict[tuple[int, Optional[str], tuple[str, ...]], d.Ask] = {}

    def asked(self, position: int, answer: Optional[str], waits_for: tuple[str, ...]) -> d.Ask:
        """The question at `position` (its prompt without placeholder) carrying `answer` (one
        of its choices), or waiting for the answers `waits_for` names to know whether it applies.

        Remembered by (position, answer, waits_for): a choice comes from a short list, and
        what a question waits for from the script's few fields, so they recur call after call.
        Free-text answers (a name, a number) seldom do: `script` never asks for those here.
        Bounded all the same (answers are compared without case, so `Fever` and `fever` are
        two entries): at `ANSWERED_MEMO` entries the memo is emptied and fills again.
        """
        key = (position, answer, waits_for)
        part = self.answered.get(key)
        if part is None:
            if len(self.answered) >= ANSWERED_MEMO:
                self.answered.clear()
            _, step, _, _, (language, text) = self.steps[position]
            part = self.answered[key] = d.Ask.trusted(
                field=step.field, language=language, text=text, required=step.required, phone=step.phone,
                choices=self.choices[position], answer=answer, waits_for=waits_for)
        return part


class Decider:
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

    # ---- actions, resolved to people and addresses ------------------------------------------------
    def action(self, action: m.Action, owner: m.Node) -> d.Action:
        if isinstance(action, m.Patch):
            team = action.target.team if isinstance(action.target, m.TeamTarget) else None
            return d.Patch.trusted(team=team, targets=self.targets(action.target, "call", action.pos, "patch"))
        if isinstance(action, m.Escalate):
            return self.escalation(self.client.escalations[action.policy])
        if isinstance(action, m.Message):
            targets = tuple(t for notify in action.deliveries
                            for t in self.targets(notify.target, notify.method, notify.pos, "message"))
            return d.Message.trusted(priority=action.priority, targets=targets)
        if isinstance(action, m.Voicemail):
            return d.Voicemail.trusted()
        if isinstance(action, m.Callback):
            return d.Callback.trusted(within=d.iso_duration(action.within))
        if isinstance(action, m.Hangup):
            return d.Hangup.trusted(say=self.text(action.say)[1])
        raise TypeError(f"not an action: {type(action).__name__}")  # the model has no other kind

    def escalation(self, policy: m.Escalation) -> d.Escalate:
        steps = []
        for number, step in enumerate(policy.steps, start=1):
            where = f"step {number} of escalation `{policy.name}`"
            targets = tuple(t for notify in step.notify for t in self.targets(notify.target, notify.method, notify.pos, where))
            if not targets:
                self.note("escalation", policy.name, pos_line(step), False,
                          f"{where} dropped: nobody in it can be reached")
                continue
            steps.append(d.EscalationStep.trusted(targets=targets, wait=d.iso_duration(step.wait)))
        final = self.action(policy.final, policy) if policy.final is not None else None
        return d.Escalate.trusted(policy=policy.name, steps=tuple(steps), repeat=policy.repeat, final=final)

    def targets(self, target: m.Target, method: str, pos: Optional[m.Pos], where: str) -> tuple[d.Target, ...]:
        """The target of one notification at the call's time; empty when it reaches nobody."""
        if isinstance(target, m.NumberTarget):
            return (d.Target.trusted(method=method, address=target.number),)
        if isinstance(target, m.ContactTarget):
            return (self.contact_target(target.contact, method, None),)
        line = pos.line if pos is not None else 0
        person = self.who(target.team)
        if person is None:
            self.note("oncall", target.team, line, False, f"nobody is on call for `{target.team}`: left out of {where}")
            return ()
        contact = self.client.contacts[person]
        if method not in contact.addresses:
            self.note("oncall", target.team, line, False,
                      f"{contact.title} is on call for `{target.team}` but has no {method} address: left out of {where}")
            return ()
        return (self.contact_target(person, method, target.team),)

    def contact_target(self, name: str, method: str, team: Optional[str]) -> d.Target:
        key = ("target", name, method, team)
        target = self.prepared.parts.get(key)
        if target is None:
            contact = self.client.contacts[name]
            target = self.prepared.parts[key] = d.Target.trusted(
                contact=name, name=contact.title, team=team, method=method, address=contact.addresses[method].value)
        return target

    def holder(self, team: str) -> Optional[tuple[str, str, int]]:
        """Who is on call for `team` at the call's instant, how (rotation, override, live
        override) and the source line of what put them there; None when nobody is.
        Looked up once per decision; not traced (`who` is)."""
        if team in self.held:
            return self.held[team]
        found = self.prepared.oncall.holder(team, self.instant, self.live.overrides, self.facts.time)
        if found is not None:
            origin = getattr(found[1], "rotation", None) or getattr(found[1], "override", None)
            how = "live override" if origin is None else ("override" if isinstance(origin, m.Override) else "rotation")
            found = (found[0], how, pos_line(origin))
        self.held[team] = found
        return found

    def who(self, team: str) -> Optional[str]:
        """Who is on call for `team` at the call's instant; traced once per decision, with why."""
        if team in self.on_call:
            return self.on_call[team]
        found = self.holder(team)
        person = found[0] if found else None
        self.on_call[team] = person
        if found is None:
            self.note("oncall", team, pos_line(self.client.teams.get(team)), False, "nobody is on call")
        else:
            _, how, line = found
            title = self.client.contacts[person].title if person in self.client.contacts else person
            self.note("oncall", team, line, True, f"{title} ({person}) is on call, by {how}")
        return person

    # ---- texts ----------------------------------------------------------------------------------------
    def text(self, text: m.Text) -> tuple[str, str]:
        """(language, rendered text): the call's language if the text has it, else the default."""
        language, parts = self.text_parts(text)
        return language, self.render(parts)

    def fixed_text(self, text: m.Text) -> tuple[str, Optional[str]]:
        """(language, text) as `text` gives them, the text None when it has a placeholder
        (so nothing is looked up, and nothing noted in the trace, to find out)."""
        language, parts = self.text_parts(text)
        return language, "".join(parts) if fixed(parts) else None

    def text_parts(self, text: m.Text) -> tuple[str, tuple]:
        by_language = text.by_language
        if "" in by_language:
            return self.default_language, by_language[""].parts
        language = self.language if self.language in by_language else self.default_language
        return language, by_language[language].parts

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
        self.trace.append(self.prepared.entry(section, rule, line, result, note))
