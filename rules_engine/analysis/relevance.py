"""Relevance: a decision + the class of calls it was made for → the unfixed facts that could change it.

The decision's trace says which rules the engine tried in each first-match section
(greeting, script, urgency, route) and, for the chosen script, that every conditional
question was tried. Each tried rule's condition is evaluated here over *sets* of outcomes:
an atom on a fixed dimension (or on time, at the instant) has one outcome, an atom on an
unfixed dimension may have any (true, false, or unknown for an answer). With `and`, `or`
and `not` taken in the engine's three-valued (Kleene) logic, a condition with one outcome
holds the same way for every call of the class. When every tried rule has one outcome, every
call of the class follows the same path through the rules: the decision is the class's.
Otherwise the dimensions read by the first rule still open are returned, for the explorer to
split on (following the engine's own order, so a rule the split settles out of reach never
splits anything).

This never decides a call (the engine does): it only tells which facts a decision could
not have looked at. Outcome sets over-approximate (two atoms on one dimension are taken as
independent), which can only split more than needed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from .. import model as m
from ..decide.decision import Ask, Decision
from ..schedule.calendar import TimeFacts, schedule_predicate
from .classes import Dims, Value, atom_dimension
from .parts import PARTS

Outcomes = frozenset  # of True, False and None (unknown)
ANY: Outcomes = frozenset({True, False, None})
# The sections each part of a decision depends on: a route reads the urgency and, through the
# questions the script leaves unanswered, the script.
READS = {
    "greeting": {"greeting"},
    "script": {"script"},
    "urgency": {"script", "urgency"},
    "route": {"script", "urgency", "route"},
}
NO_LEVEL = ""  # the urgency of a client without an `urgency` section: known, and no level
SECTIONS = (("greeting", "greetings"), ("script", "script_choices"), ("urgency", "urgency"), ("route", "routes"))


def kleene_and(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def kleene_or(a: bool | None, b: bool | None) -> bool | None:
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


class Scope:
    """What one decision's class fixes: the dimensions, the time facts, the pending answers."""

    def __init__(self, index: int, assignment: dict[str, Value], free: frozenset[str], facts: TimeFacts):
        self.index = index
        self.assignment = assignment
        self.free = free
        self.facts = facts
        self.pending: frozenset[str] = frozenset()
        self.urgency: Outcomes = ANY


Test = Callable[[Scope], tuple[Outcomes, frozenset]]
NONE: frozenset = frozenset()
ONE = {True: frozenset({True}), False: frozenset({False}), None: frozenset({None})}


class Relevance:
    """One client's rules, compiled once into outcome tests, read for which facts a tried rule depends on."""

    def __init__(self, client: m.Client, index: int, dims: Dims):
        self.client = client
        self.index = index
        self.dims = dims
        self.sections = tuple(
            (section, tuple(self.compile(rule.when) for rule in getattr(client, attribute)))
            for section, attribute in SECTIONS
        )
        self.fields = {
            name: frozenset(step.field for step in script.steps if isinstance(step, m.Ask))
            for name, script in client.scripts.items()
        }
        self.asks = {
            name: tuple(
                self.compile(step.when)
                for step in script.steps
                if step.when is not None  # `ask`/`say … when`
            )
            for name, script in client.scripts.items()
        }

    def unfixed(
        self,
        decision: Decision,
        assignment: dict[str, Value],
        free: frozenset[str],
        facts: TimeFacts,
        parts: frozenset[str] = frozenset(PARTS),
    ) -> frozenset[str]:
        """The dimensions in `free` read by the first rule, in the order the engine tried them
        for `parts`, whose outcome they leave open; none when every tried rule is settled.

        Splitting on the first open rule first follows the engine's own path: a later rule
        that the split settles out of reach never splits anything."""
        scope = Scope(self.index, assignment, free, facts)
        tried = Counter(entry.section for entry in decision.trace)
        wanted = set().union(*(READS[part] for part in parts))
        for section, tests in self.sections:
            if section not in wanted:
                continue
            if section == "urgency":
                scope.pending = asked_unanswered(decision)
            found = first_open(tests[: tried[section]], scope)
            if section == "urgency" and not found:  # settled: a level, None while unknown, NO_LEVEL without rules
                scope.urgency = (
                    ONE[None]
                    if decision.urgency is None and tried[section]
                    else frozenset({decision.urgency or NO_LEVEL})
                )
            if section == "script" and decision.script is not None and not found:
                name = decision.script.id
                scope.pending = frozenset(f for f in self.fields[name] if self.dims.answer(assignment, f) is None)
                found = first_open(self.asks[name], scope)
            if found:
                return found
        return NONE

    # ---- conditions → outcome tests ---------------------------------------------------------------
    def compile(self, cond: m.Cond | None) -> Test:
        """`cond` as a test of the outcomes it may have over a class, with the free dimensions it read."""
        if cond is None:
            return lambda scope: (ONE[True], NONE)
        return m.fold(
            cond,
            self.compile_atom,
            lambda items: combined(items, kleene_and),
            lambda items: combined(items, kleene_or),
            negated,
        )

    def compile_atom(self, atom: m.Cond) -> Test:
        if isinstance(atom, m.WindowRef):
            name = atom.name
            return lambda scope: (ONE[name in scope.facts.windows], NONE)
        if isinstance(atom, m.Schedule):
            predicate = schedule_predicate(atom)
            return lambda scope: (ONE[predicate(scope.facts)], NONE)
        if isinstance(atom, m.During):
            during = atom
            return lambda scope: (ONE[during.holds(*scope.facts.month_day)], NONE)
        if isinstance(atom, m.Holiday):
            return lambda scope: (ONE[scope.facts.holiday is not None], NONE)
        if isinstance(atom, m.Closed):
            return lambda scope: (ONE[scope.facts.closed is not None], NONE)
        if isinstance(atom, m.UrgencyIs):
            level = atom.level

            def urgency(scope: Scope) -> tuple[Outcomes, frozenset]:
                if scope.urgency is ANY:  # not reached: an open urgency section is split on first
                    return ANY, NONE
                return frozenset(None if v is None else v == level for v in scope.urgency), NONE

            return urgency
        dimension = atom_dimension(atom)
        if dimension is None:  # every atom on time or urgency is handled above
            raise TypeError(f"not a condition on a call's facts: {type(atom).__name__}")
        truth = self.dims.truth[(self.index, atom)]
        field = getattr(atom, "field", None)
        free = frozenset({dimension})
        sample = self.dims.sample

        def fact(scope: Scope) -> tuple[Outcomes, frozenset]:
            if dimension in scope.free:
                return ANY, free
            value = truth(sample(scope.assignment, dimension))
            if value is None:  # an answer not given: unknown while the script asks it, else absent
                return (ONE[None] if field in scope.pending else ONE[False]), NONE
            return ONE[value], NONE

        return fact


def combined(items: tuple[Test, ...], combine: Callable[[bool | None, bool | None], bool | None]) -> Test:
    """`and` or `or` over outcome sets: every pairing of the parts' outcomes."""

    def test(scope: Scope) -> tuple[Outcomes, frozenset]:
        result, dims = items[0](scope)
        for item in items[1:]:
            more, more_dims = item(scope)
            result = frozenset(combine(a, b) for a in result for b in more)
            dims = dims | more_dims
        return result, dims

    return test


def negated(inner: Test) -> Test:
    def test(scope: Scope) -> tuple[Outcomes, frozenset]:
        outcomes, dims = inner(scope)
        return frozenset(None if v is None else not v for v in outcomes), dims

    return test


def first_open(tests, scope: Scope) -> frozenset[str]:
    """The free dimensions read by the first test with more than one outcome over the class."""
    for test in tests:
        outcomes, dims = test(scope)
        if len(outcomes) > 1:
            return dims
    return NONE


def asked_unanswered(decision: Decision) -> frozenset[str]:
    """The questions the chosen script asks that the call does not answer: unknown for urgency and route."""
    if decision.script is None:
        return frozenset()
    return frozenset(step.field for step in decision.script.steps if isinstance(step, Ask) and step.answer is None)
