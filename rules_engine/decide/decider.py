"""Decide: a client's `ClientPlan` + a `Call` + its live state → the `Decision`.

`Decider` computes the call's facts once (time facts from the plan's calendar), runs the
first-match sections in order — greeting, script, urgency, route — over the plan's rules,
and takes each section's part from the plan: finished, or made by the plan's function for
what depends on the call (a text's placeholders, who is on call). It only reads the plan.
A decision is a pure function of its inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from .. import model as m
from ..caller_languages import match
from ..compiler.templates import render
from ..live import LiveState
from . import decision as d
from .call import Call
from .conditions import Facts, phone_key
from .plan import ClientPlan, LanguagePlan, N, Rule, holder_note
from .resolve import resolved
from .script_plan import SayStep
from .texts import person_title
from .why import calendar_notes, language_part


def decide(client: m.Client, call: Call, live: LiveState = LiveState()) -> d.Decision:
    """Decide one call for a client planned just for it (a one-off: tests, tools). A server
    plans each client once and decides with `Decider(plan, call, live).decision()`."""
    return Decider(ClientPlan.of(client), call, live).decision()


def route_only(plan: ClientPlan, call: Call, live: LiveState = LiveState()) -> tuple[str | None, d.Route | None]:
    """The urgency and the route of a call that carries every answer it will get, without
    greeting, script or `Decision` (each `None` while it waits for answers). No script is
    chosen, so a field the call does not carry counts as never asked: conditions on it are
    false. The route-only work the benchmark times (docs/benchmarks.md)."""
    decider = Decider(plan, call, live)
    urgency, _ = decider.urgency()
    route, _ = decider.route()
    return urgency, route


class Decider:
    """The work of one decision: the call's facts, the trace, and the on-call teams looked up."""

    __slots__ = (
        "answers",
        "asked",
        "call",
        "client",
        "facts",
        "instant",
        "language",
        "language_part",
        "language_plan",
        "live",
        "on_call",
        "plan",
        "status",
        "trace",
    )

    def __init__(self, plan: ClientPlan, call: Call, live: LiveState, default_language: str | None = None):
        """`default_language`: the engine's setting, for a call that names no language."""
        self.plan = plan
        self.client = plan.client
        # The call's tag read as one of the client's languages (`es-MX` → `es`), or the default.
        self.language_part = part = language_part(plan.language_tags, call.language, default_language)
        self.language_plan: LanguagePlan = plan.in_language(part.used)  # its texts in that language
        self.call = call
        self.live = live
        self.instant: datetime = call.at
        status = live.status
        self.status = status if status is not None and status.active(self.instant) else None
        self.language = language = part.used
        self.answers = {name: value for name, value in call.answers.items() if value}
        self.trace: list[d.TraceEntry] = []
        self.asked: list[str] = []  # the chosen script's questions that apply, in its order
        self.on_call: dict[str, str | None] = {}  # teams looked up (and noted in the trace): who holds them
        self.facts = Facts(
            time=plan.calendar.facts(self.instant),
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
        time = self.facts.time
        if time.closed is not None or time.holiday is not None:  # the trace names which closure, which holiday
            self.trace.extend(
                d.TraceEntry(section="calendar", rule=note.rule, line=note.line, result=True, note=note.note)
                for note in calendar_notes(self.client, time, self.instant, self.plan.calendar.tz)
            )
        greeting = self.greeting()
        script = self.script()
        urgency, urgency_waits = self.urgency()
        route, route_waits = self.route()
        return d.Decision(
            client=self.client.id,
            at=time.local.isoformat(),
            rules_version=self.client.rules_version,
            windows=time.windows,
            language=self.language_part,
            greeting=greeting,
            script=script,
            urgency=urgency,
            needs=self.in_script_order(urgency_waits | route_waits) if urgency_waits or route_waits else (),
            route=route,
            status=self.status_part(),
            trace=tuple(self.trace),
        )

    def first_match(self, rules: tuple[Rule[N], ...]) -> tuple[Rule[N] | None, bool | None]:
        """The first rule that is not false, and its truth; each rule tried is traced."""
        facts, trace = self.facts, self.trace
        for rule in rules:
            result = rule.condition.test(facts)
            trace.append(rule.entries[result])
            if result is not False:
                return rule, result
        return None, False

    def greeting(self) -> d.Greeting:
        # Greetings use arrival facts only (the compiler makes sure), so they are never unknown.
        rule, _ = self.first_match(self.plan.greetings)
        assert rule is not None  # the compiler makes the last greeting unconditional
        return resolved(self.language_plan.greetings[rule.index - 1], self)

    def script(self) -> d.Script | None:
        """The chosen script, its questions in the call's language; sets which fields are pending."""
        choice, _ = self.first_match(self.plan.choices)
        if choice is None:
            return None
        script_plan = self.language_plan.scripts[choice.node.script]
        answers, facts, trace = self.answers, self.facts, self.trace
        # An `ask … when` may depend on answers: while deciding whether a question applies,
        # every question of the script that the call has not answered counts as pending.
        facts.pending = (
            frozenset(f for f in script_plan.fields if f not in answers) if answers else script_plan.all_fields
        )
        steps: list[d.Ask | d.Say] = []
        asked: list[str] = []
        for step in script_plan.steps:
            if isinstance(step, SayStep):
                if step.condition is not None:
                    said = step.condition.test(facts)
                    trace.append(step.entries[said])
                    if said is not True:  # unknown: left out until the answers it waits for are given
                        continue
                worded = step.wording
                steps.append(step.part or d.Say(language=worded.language, text=self.render(worded.parts)))
                continue
            waits_for: tuple[str, ...] = ()
            if step.condition is not None:
                result = step.condition.test(facts)
                trace.append(step.entries[result])
                if result is False:
                    continue
                if result is None:
                    waits_for = self.in_script_order(step.condition.waits_for(facts), script_plan.fields)
            asked.append(step.field)
            answer = answers.get(step.field)
            if answer is None and not waits_for and step.unanswered is not None:
                steps.append(step.unanswered)
            else:
                prompt = step.prompt
                steps.append(
                    step.question(
                        prompt.text if prompt.text is not None else self.render(prompt.parts), answer, waits_for
                    )
                )
        self.asked = asked
        facts.pending = frozenset(f for f in asked if f not in answers)
        return d.Script(id=script_plan.name, steps=tuple(steps))

    def urgency(self) -> tuple[str | None, set[str]]:
        if not self.plan.urgency:
            return None, set()
        rule, result = self.first_match(self.plan.urgency)
        assert rule is not None  # the compiler makes the last urgency rule unconditional
        facts = self.facts
        if result is None:
            waits = rule.condition.waits_for(facts)
            facts.urgency, facts.urgency_known, facts.urgency_waits = None, False, tuple(waits)
            return None, waits
        facts.urgency = rule.node.level
        return rule.node.level, set()

    def route(self) -> tuple[d.Route | None, set[str]]:
        rule, result = self.first_match(self.plan.routes)
        if rule is None:
            return None, set()
        if result is None:
            return None, rule.condition.waits_for(self.facts)
        return resolved(self.language_plan.routes[rule.index - 1], self), set()

    def in_script_order(self, fields: Iterable[str], order: Sequence[str] | None = None) -> tuple[str, ...]:
        """`needs` lists unanswered fields of the chosen script, in the order it asks them."""
        wanted = set(fields)
        if not wanted:
            return ()
        order = order if order is not None else self.asked
        return tuple(f for f in order if f in wanted and f not in self.answers)

    def status_part(self) -> d.Status | None:
        status = self.status
        if status is None:
            return None
        return d.Status(
            note=self.status_note() or status.note,
            instructions=status.instructions,
            until=status.until.isoformat() if status.until else None,
        )

    def status_note(self) -> str | None:
        """The status note in the call's language (the owner's note in it), else the default note."""
        status = self.status
        if status is None:
            return None
        if not status.notes or self.language in status.notes:
            return status.note_in(self.language)
        return status.note_in(match(self.language, tuple(status.notes)).language)  # `es-MX` written, `es` called

    # ---- who is on call, and texts --------------------------------------------------------------
    def who(self, team: str) -> str | None:
        """Who is on call for `team` at the call's instant; noted in the trace with why, once per decision."""
        if team in self.on_call:
            return self.on_call[team]
        found = self.plan.oncall.holder(team, self.instant, self.live.overrides, self.facts.time)
        if found is None:
            person = None
            self.trace.append(self.plan.nobody_on_call[team])
        else:
            person, source = found
            origin = getattr(source, "rotation", None) or getattr(source, "override", None)
            how = "live override" if origin is None else ("override" if isinstance(origin, m.Override) else "rotation")
            key = (team, person, how, origin.line if origin is not None else 0)
            note = self.plan.holder_notes.get(key)  # None for a live override
            self.trace.append(note if note is not None else holder_note(self.client, *key))
        self.on_call[team] = person
        return person

    def render(self, parts: tuple[str | m.Placeholder, ...]) -> str:
        return render(parts, self.lookup)

    def lookup(self, name: str) -> str | None:
        """A placeholder's value, or None to leave it as written for the agent console."""
        if name == "agent":
            return self.call.agent or None
        if name == "client":
            return self.client.title or self.client.id
        if name == "caller":
            return self.call.caller or None
        if name == "status.note":
            return self.status_note()
        kind, _, rest = name.partition(".")
        if kind == "answer":
            return self.answers.get(rest)
        if kind == "oncall":
            person = self.who(rest)
            return person_title(self.client, person) if person is not None else None
        return None
