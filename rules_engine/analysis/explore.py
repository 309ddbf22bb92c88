"""Explore: clients + an instant → every class of call with its decisions, one representative each.

The decision for a class is the engine's own (`decide.decider.decide`) on one representative
call: nothing here re-implements deciding. What is found here is *which* classes to try.

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

from dataclasses import dataclass
from datetime import datetime
from typing import Optional, Sequence

from .. import model as m
from ..decide.decider import decide
from ..decide.decision import Decision
from ..serve.state import EMPTY, LiveState, OwnerStatus
from ..schedule.calendar import Calendar
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

    def __init__(self, clients: Sequence[m.Client], dims: Optional[Dims] = None):
        self.clients = tuple(clients)
        self.dims = dims if dims is not None else Dims(clients)
        self.relevance = tuple(Relevance(client, i, self.dims) for i, client in enumerate(self.clients))
        self.calendars = tuple(Calendar(client) for client in self.clients)
        self.always = frozenset({"language"}) if self.dims.multilingual else frozenset()

    def decide(self, index: int, at: datetime, assignment: dict[str, Value]) -> Decision:
        client = self.clients[index]
        live = WITH_STATUS if self.dims.sample(assignment, "status") else EMPTY
        return decide(client, self.dims.call(client, at, assignment), live)

    def explore(self, at: datetime, base: Optional[dict[str, Value]] = None,
                order: Optional[Sequence[str]] = None, parts: Sequence[str] = PARTS,
                texts: bool = True) -> list[Leaf]:
        """The leaves under `base` (dimensions fixed from the start) at instant `at`, splitting
        only on the dimensions of `order` (default: all; the others keep their default) and only
        where the decision's `parts` may differ; without `texts`, the language a part is said
        in does not count as a difference."""
        order = tuple(order if order is not None else self.dims.order)
        parts = frozenset(parts)
        always = self.always if texts else frozenset()
        facts = tuple(calendar.facts(at) for calendar in self.calendars)
        leaves: list[Leaf] = []
        stack: list[tuple[dict[str, Value], Optional[tuple[Decision, ...]]]] = [(dict(base or {}), None)]
        while stack:
            assignment, decisions = stack.pop()
            if decisions is None:
                decisions = tuple(self.decide(i, at, assignment) for i in range(len(self.clients)))
            free = frozenset(name for name in order if name not in assignment)
            read = (always & free).union(*(relevance.unfixed(decision, assignment, free, time, parts)
                                                for relevance, decision, time in zip(self.relevance, decisions, facts)))
            split = next((name for name in order if name in read), None)
            if split is None:
                leaves.append(Leaf(assignment, decisions))
                continue
            values = self.dims[split].values
            # The default branch is the call just decided: its decisions are reused.
            stack.extend(({**assignment, split: value}, decisions if value is values[0] else None)
                         for value in reversed(values))
        return leaves
