"""Resolve: a route's actions, on-call teams and texts at a call's instant → decision parts.

`Resolver` is the part of `evaluate.Decider` that turns model actions into people and
addresses (who holds each on-call team, traced once per decision) and texts into the
call's language with their placeholders filled.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from .. import model as m
from ..language.templates import render
from ..serve.state import LiveState, OwnerStatus
from . import decision as d
from .call import Call
from .conditions import Facts
from .plan import Prepared, fixed, pos_line


class Resolver:
    """Actions, targets and texts resolved for one decision: mixed into `evaluate.Decider`,
    which holds (in its slots, set by its `__init__`) the attributes declared here."""

    __slots__ = ()

    prepared: Prepared
    client: m.Client
    call: Call
    live: LiveState
    instant: datetime
    status: Optional[OwnerStatus]
    default_language: str
    language: str
    answers: dict[str, str]
    trace: list[d.TraceEntry]
    on_call: dict[str, Optional[str]]
    held: dict[str, Optional[tuple[str, str, int]]]
    facts: Facts

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
