"""Explore: clients + an instant → every class of call with its decisions, one representative each.

The decision for a class is the engine's own (`decide.Decider` over the client's plan) on one
representative call: nothing here re-implements deciding. What is found here is *which* classes to try.

Start from the default call (every dimension at its default) and decide it. The decision's
trace says which rules the engine tried in each first-match section (greeting, script,
urgency, route; every conditional question of the chosen script): its result depends on
the atoms of those rules and on nothing else the call carries (texts aside: the caller's
language picks them, so with more than one language it is always read). If every
dimension those atoms read is fixed, every call that agrees on the fixed dimensions gets
the same decision: a leaf. Otherwise split on the first dimension read but not fixed, one
branch per class, and go on in each. For two clients (a diff) both decide each call, and a
branch is split until neither reads an unfixed dimension.

The leaves partition the calls exactly, and are usually far fewer than the product of the
dimensions: a rule that is never reached never splits anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .. import model as m
from ..decide.decider import Decider
from ..decide.decision import Decision
from ..decide.plan import ClientPlan
from ..live import EMPTY, LiveState, OwnerStatus
from .classes import Dims, Value
from .parts import PARTS
from .relevance import Relevance

STATUS_NOTE = "away from the phone"  # the note a representative call with a status carries
WITH_STATUS = LiveState(status=OwnerStatus(note=STATUS_NOTE))


@dataclass(frozen=True)
class Leaf:
    """A class of calls (`assignment`: the dimensions it fixes; the rest are any value) and
    the decision of each client for it."""

    assignment: dict[str, Value]
    decisions: tuple[Decision, ...]

    def holds_for(self, point: dict[str, Value]) -> bool:
        """True when a call whose classes are `point` belongs to this leaf."""
        return all(point[name] == value for name, value in self.assignment.items())


class Explorer:
    """Decides the classes of calls to one client, or to two side by side."""

    def __init__(self, clients: Sequence[m.Client], dims: Dims | None = None):
        self.clients = tuple(clients)
        self.dims = dims if dims is not None else Dims(clients)
        self.relevance = tuple(Relevance(client, i, self.dims) for i, client in enumerate(self.clients))
        self.plans = tuple(ClientPlan.of(client) for client in self.clients)
        self.by_language = {
            part: frozenset({"language"}) if any(multilingual(c, part) for c in self.clients) else frozenset()
            for part in PARTS
        }
        self.memo: dict = {}  # decisions and what they read, by time key and class (see `explore`)
        self.shapes: dict = {}  # the classes found, by the time keys without who is on call

    def decide(self, index: int, at: datetime, assignment: dict[str, Value]) -> Decision:
        client = self.clients[index]
        live = WITH_STATUS if self.dims.sample(assignment, "status") else EMPTY
        return Decider(self.plans[index], self.dims.call(client, at, assignment, trusted=True), live).decision()

    def explore(
        self,
        at: datetime,
        base: dict[str, Value] | None = None,
        order: Sequence[str] | None = None,
        parts: Sequence[str] = PARTS,
        texts: bool = True,
        keys: tuple | None = None,
    ) -> list[Leaf]:
        """The leaves under `base` (dimensions fixed from the start) at instant `at`, splitting
        only on the dimensions of `order` (default: all; the others keep their default) and only
        where the decision's `parts` may differ; without `texts`, the language a part is said
        in does not count as a difference.

        `keys` are the clients' time keys at `at` (`timeline.Clock.key`, or without who is on
        call when the parts do not name them): with them, a client's decision of a class at an
        equal key is reused, since equal keys mean equal decisions; and what a decision read is
        reused wherever the keys are equal but for who is on call (no condition reads that)."""
        order = tuple(order if order is not None else self.dims.order)
        wanted = frozenset(parts)
        always = frozenset().union(*(self.by_language[part] for part in wanted)) if texts else frozenset()
        base = dict(base or {})
        # Which classes there are depends on the rules that apply, never on who is on call:
        # where only that differs, the classes found before are decided again, not searched for.
        shape = (
            (tuple(key.without_holders() for key in keys), identity(base), order, wanted, texts)
            if keys is not None
            else None
        )
        if shape in self.shapes:
            return [Leaf(assignment, self.decisions(at, assignment, keys)) for assignment in self.shapes[shape]]
        facts = tuple(plan.calendar.facts(at) for plan in self.plans)
        leaves: list[Leaf] = []
        stack = [base]
        while stack:
            assignment = stack.pop()
            decisions = self.decisions(at, assignment, keys)
            free = frozenset(name for name in order if name not in assignment)
            read = always & free
            for i, (relevance, decision) in enumerate(zip(self.relevance, decisions, strict=True)):
                asked = (i, keys[i].without_holders(), identity(assignment), order, wanted) if keys else None
                unfixed = self.memo.get(asked) if asked else None
                if unfixed is None:
                    unfixed = relevance.unfixed(decision, assignment, free, facts[i], wanted)
                    if asked:
                        self.memo[asked] = unfixed
                read |= unfixed
            split = next((name for name in order if name in read), None)
            if split is None:
                leaves.append(Leaf(assignment, decisions))
                continue
            stack.extend({**assignment, split: value} for value in reversed(self.dims[split].values))
        if shape is not None:
            self.shapes[shape] = [leaf.assignment for leaf in leaves]
        return leaves

    def decisions(self, at: datetime, assignment: dict[str, Value], keys: tuple | None) -> tuple[Decision, ...]:
        """Each client's decision of the class `assignment`, reused at equal time keys."""
        out = []
        for i in range(len(self.clients)):
            memo = (i, keys[i], identity(assignment)) if keys is not None else None
            decision = self.memo.get(memo) if memo else None
            if decision is None:
                decision = self.decide(i, at, assignment)
                if memo:
                    self.memo[memo] = decision
            out.append(decision)
        return tuple(out)


def identity(assignment: dict[str, Value]) -> tuple:
    """A class's name for the memos: the dimensions' values are shared objects, named by identity."""
    return tuple(sorted((name, id(value)) for name, value in assignment.items()))


def multilingual(client: m.Client, part: str) -> bool:
    """True when some text of `part` is written in more than one language: then the caller's
    language changes that part of a decision even where no rule reads it."""
    if part == "greeting":
        return any(len(g.texts) > 1 for g in client.greetings)
    if part == "script":
        texts = [
            step.prompt if isinstance(step, m.Ask) else step.text
            for script in client.scripts.values()
            for step in script.steps
        ]
    elif part == "route":
        finals = [policy.final for policy in client.escalations.values()]
        texts = [
            action.say
            for rule in client.routes
            for action in (*rule.actions, *finals)
            if action is not None and action.say is not None
        ]
    else:
        return False
    return any(len(text.by_language) > 1 for text in texts)
