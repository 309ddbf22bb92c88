"""Resolve: a client's route rules, in one text language → each a function of the decision that gives its route.

An action resolves the same way for every call unless it reaches an on-call team (who
holds it depends on the call's instant and the live overrides) or says a text with
placeholders. `RoutePlanner` makes each action, escalation step and route a finished part
when nothing in it depends on the call; otherwise a function of the decision in progress
(`decider.Decider`) that builds it from the finished pieces made here, asking
`Decider.who` who is on call (which notes the holder in the trace, once per team and
decision) and `Decider.render` for texts. Targets and actions resolve in the order the
rule lists them, so the trace notes come in that order too. A route that depends on who
holds one team and on nothing else is also made here, finished, for each person the file
can put on call there (`RoutePlanner.by_holder`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from typing import Any, Protocol, TypeVar

from .. import model as m
from . import decision as d
from .texts import person_title, wording


class Deciding(Protocol):
    """What a plan's functions ask of the decision in progress: the `decider.Decider` of a
    call, or a `Probe` while routes are planned."""

    @property
    def trace(self) -> list[d.TraceEntry]: ...

    def who(self, team: str) -> str | None: ...

    def render(self, parts: tuple[str | m.Placeholder, ...]) -> str: ...


T = TypeVar("T")
Maker = Callable[[Deciding], T]  # a function of the decision in progress
Targets = tuple[d.Target, ...] | Maker[tuple[d.Target, ...]]
ContactTargets = dict[tuple[str, m.Method, str | None], d.Target]  # finished, by (contact, method, team)


def resolved(value: T | Maker[T], decider: Deciding) -> T:
    """What a plan holds for a part, made for one decision: the finished part (or None) as
    it is, a function of the decision called. (Parts are never callable.)"""
    return value(decider) if callable(value) else value


class RoutePlanner:
    """Plans the routes of one client in one text language.

    `contact_targets` holds the finished target of each (contact, method, team) made so
    far; the planners of a client's languages share it, as targets have no language.
    """

    def __init__(self, client: m.Client, language: str, contact_targets: ContactTargets):
        self.client = client
        self.language = language
        self.contact_targets = contact_targets

    def route(self, rule: m.RouteRule, index: int) -> d.Route | Maker[d.Route]:
        """The finished route of a rule that resolves the same way for every call; else a
        function of the decision that gives it (see `resolved`)."""
        actions = tuple(self.action(action) for action in rule.actions)
        line = rule.line
        made = tuple(action for action in actions if not callable(action))
        if len(made) == len(actions):
            return d.finished(d.Route(rule=index, line=line, actions=made))
        return self.by_holder(
            lambda decider: d.Route(
                rule=index, line=line, actions=tuple([a(decider) if callable(a) else a for a in actions])
            )
        )

    def by_holder(self, route: Maker[d.Route]) -> Maker[d.Route]:
        """`route`, for a rule whose route depends on who holds one on-call team and nothing
        else, with its result made now for each person the file can put on call there.

        Each is made by `route` itself, for a stand-in decision in which that person holds
        the team; a person it reaches without a note in the trace gets that route, finished,
        once the call's lookup (`Decider.who`, which notes the holder) names them. For
        anyone else (nobody; someone only a live override puts on call; someone without
        the address a step needs) the call goes through `route`, which notes why.
        """
        probe = Probe(None)
        try:
            route(probe)
        except CallDependent:  # it says a text with placeholders
            return route
        if len(probe.teams) != 1:
            return route
        (team,) = probe.teams
        table: dict[str | None, d.Route] = {}  # by holder (never None: nobody goes through `route`)
        for person in holders_of(self.client.teams[team]):
            probe = Probe(person)
            made = route(probe)
            if not probe.trace:
                table[person] = d.finished(made)

        def by_holder(decider: Deciding) -> d.Route:
            found = table.get(decider.who(team))
            return found if found is not None else route(decider)

        return by_holder

    def action(self, action: m.Action) -> d.Action | Maker[d.Action]:
        if isinstance(action, m.Escalate):
            return self.told(action, self.escalation(self.client.escalations[action.policy]))
        return self.final_action(action)

    def told(self, action: m.Action, made: Any) -> Any:
        """The action's part with the words of its `say "…" then` in the planned language
        (`hangup` carries its own); the part unchanged when there are none."""
        if action.say is None or isinstance(action, m.Hangup):
            return made
        worded = wording(action.say.by_language, self.language, self.client.default_language)
        text, parts = worded.text, worded.parts
        if text is not None and not callable(made):
            return d.finished(replace(made, say=text))

        def with_words(decider: Deciding) -> Any:
            return replace(
                resolved(made, decider), say=text if text is not None else decider.render(parts), json_text=None
            )

        return with_words

    def final_action(self, action: m.Action) -> d.FinalAction | Maker[d.FinalAction]:
        """Any action but an escalation: what an escalation's `finally` may do too (the
        compiler refuses a `finally` that escalates)."""
        return self.told(action, self.bare_action(action))

    def bare_action(self, action: m.Action) -> d.FinalAction | Maker[d.FinalAction]:
        """An action but an escalation, without the words of a `say … then`."""
        if isinstance(action, m.Patch):
            team = action.target.team if isinstance(action.target, m.TeamTarget) else None
            patched = self.targets(action.target, "call", action.line, "patch")
            if isinstance(patched, tuple):
                return d.finished(d.Patch(team=team, targets=patched))
            return lambda decider: d.Patch(team=team, targets=patched(decider))
        if isinstance(action, m.Message):
            priority = action.priority
            targets = gathered([self.targets(n.target, n.method, n.line, "message") for n in action.deliveries])
            if isinstance(targets, tuple):
                return d.finished(d.Message(priority=priority, targets=targets))
            return lambda decider: d.Message(priority=priority, targets=targets(decider))
        if isinstance(action, m.Voicemail):
            return d.finished(d.Voicemail())
        if isinstance(action, m.Callback):
            return d.finished(d.Callback(within=d.iso_duration(action.within)))
        if isinstance(action, m.Hangup):
            worded = wording(action.say.by_language, self.language, self.client.default_language)
            if worded.text is not None:
                return d.finished(d.Hangup(say=worded.text))
            parts = worded.parts
            return lambda decider: d.Hangup(say=decider.render(parts))
        raise TypeError(f"not an action: {type(action).__name__}")  # the model has no other kind

    def escalation(self, policy: m.Escalation) -> d.Escalate | Maker[d.Escalate]:
        steps = tuple(self.step(policy, number, step) for number, step in enumerate(policy.steps, start=1))
        final = self.final_action(policy.final) if policy.final is not None else None
        name, repeat = policy.name, policy.repeat
        made = tuple(step for step in steps if not callable(step))
        if len(made) == len(steps) and not callable(final):
            return d.finished(d.Escalate(policy=name, steps=made, repeat=repeat, final=final))

        def escalate(decider: Deciding) -> d.Escalate:
            reached = [step(decider) if callable(step) else step for step in steps]
            return d.Escalate(
                policy=name,
                steps=tuple([step for step in reached if step is not None]),
                repeat=repeat,
                final=final(decider) if callable(final) else final,
            )

        return escalate

    def step(
        self, policy: m.Escalation, number: int, step: m.Step
    ) -> d.EscalationStep | Maker[d.EscalationStep | None]:
        """A step of an escalation; made per call (None when it is dropped) if it reaches a team."""
        where = f"step {number} of escalation `{policy.name}`"
        targets = gathered([self.targets(n.target, n.method, n.line, where) for n in step.notify])
        wait = d.iso_duration(step.wait)
        if isinstance(targets, tuple) and targets:
            return d.finished(d.EscalationStep(targets=targets, wait=wait))
        dropped = d.finished(
            d.TraceEntry(
                section="escalation",
                rule=policy.name,
                line=step.line,
                result=False,
                note=f"{where} dropped: nobody in it can be reached",
            )
        )
        return StepOnCall(targets, wait, dropped)

    def targets(self, target: m.Target, method: m.Method, line: int, where: str) -> Targets:
        """Whom one notification reaches: finished targets, or, for an on-call team, a function
        of the decision that gives its holder's target (none, noted in the trace, when
        nobody holds the team or the holder has no address for `method`)."""
        if isinstance(target, m.NumberTarget):
            return (d.finished(d.Target(method=method, address=target.number)),)
        if isinstance(target, m.ContactTarget):
            return (self.contact_target(target.contact, method, None),)
        if not isinstance(target, m.TeamTarget):
            raise TypeError(f"not a target: {type(target).__name__}")  # the model has no other kind
        team = target.team
        reachable = {
            person: (self.contact_target(person, method, team),)
            for person, contact in self.client.contacts.items()
            if method in contact.addresses
        }
        nobody = d.finished(
            d.TraceEntry(
                section="oncall",
                rule=team,
                line=line,
                result=False,
                note=f"nobody is on call for `{team}`: left out of {where}",
            )
        )
        return OnCallTargets(self.client, team, method, line, where, reachable, nobody)

    def contact_target(self, name: str, method: m.Method, team: str | None) -> d.Target:
        key = (name, method, team)
        target = self.contact_targets.get(key)
        if target is None:
            contact = self.client.contacts[name]
            target = self.contact_targets[key] = d.finished(
                d.Target(
                    contact=name, name=contact.title, team=team, method=method, address=contact.addresses[method].value
                )
            )
        return target


class OnCallTargets:
    """Whom a notification of an on-call team reaches in one decision: its holder's target,
    made with the plan (`reachable`); none, noted in the trace, when nobody holds the team
    (`nobody`) or the holder has no address for the method."""

    __slots__ = ("client", "line", "method", "nobody", "reachable", "team", "where")

    def __init__(
        self,
        client: m.Client,
        team: str,
        method: str,
        line: int,
        where: str,
        reachable: Mapping[str, tuple[d.Target]],
        nobody: d.TraceEntry,
    ):
        self.client, self.team, self.method, self.line, self.where = client, team, method, line, where
        self.reachable, self.nobody = reachable, nobody

    def __call__(self, decider: Deciding) -> tuple[d.Target, ...]:
        person = decider.who(self.team)
        if person is None:
            decider.trace.append(self.nobody)
            return ()
        found = self.reachable.get(person)
        if found is None:
            decider.trace.append(
                d.TraceEntry(
                    section="oncall",
                    rule=self.team,
                    line=self.line,
                    result=False,
                    note=f"{person_title(self.client, person)} is on call for `{self.team}` but has no {self.method} "
                    f"address: left out of {self.where}",
                )
            )
            return ()
        return found


class StepOnCall:
    """An escalation step that reaches an on-call team, for one decision: None (the step
    dropped, noted in the trace) when nobody in it can be reached."""

    __slots__ = ("dropped", "targets", "wait")

    def __init__(self, targets: Targets, wait: str, dropped: d.TraceEntry):
        self.targets, self.wait, self.dropped = targets, wait, dropped

    def __call__(self, decider: Deciding) -> d.EscalationStep | None:
        reached = resolved(self.targets, decider)
        if not reached:
            decider.trace.append(self.dropped)
            return None
        return d.EscalationStep(targets=reached, wait=self.wait)


class CallDependent(Exception):
    """Raised by `Probe.render`: what is being planned says a text only a call can fill."""


class Probe:
    """A stand-in for a decision while planning routes: `person` (or nobody) holds every
    on-call team; `teams` gathers the teams asked about, `trace` the notes made."""

    def __init__(self, person: str | None):
        self.person = person
        self.teams: set[str] = set()
        self.trace: list[d.TraceEntry] = []

    def who(self, team: str) -> str | None:
        self.teams.add(team)
        return self.person

    def render(self, parts: tuple[str | m.Placeholder, ...]) -> str:
        raise CallDependent


def holders_of(team: m.Team) -> list[str]:
    """The people the file can put on call for `team`: its rotations' members and its overrides'."""
    people = [member.value for rotation in team.rotations for member in rotation.members]
    people += [override.member.value for override in team.overrides]
    return list(dict.fromkeys(people))


def route_texts(client: m.Client, rule: m.RouteRule) -> Iterator[Mapping[str, m.Template]]:
    """The texts a route rule may say (`say … then ACTION`, directly or as an escalation's `finally`)."""
    for action in rule.actions:
        if action.say is not None:
            yield action.say.by_language
        ending = client.escalations[action.policy].final if isinstance(action, m.Escalate) else None
        if ending is not None and ending.say is not None:
            yield ending.say.by_language


def gathered(pieces: list[Targets]) -> Targets:
    """Several notifications' targets, in order: a tuple when all are finished, else a function."""
    made = [piece for piece in pieces if not callable(piece)]
    if len(made) == len(pieces):
        return tuple(target for piece in made for target in piece)
    if len(pieces) == 1:
        return pieces[0]
    kept = tuple(pieces)
    return lambda decider: tuple([target for piece in kept for target in resolved(piece, decider)])
