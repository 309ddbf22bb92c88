"""Survey: a client + a span of days → every class of call it decides, at every distinct time, once.

The span is cut by `timeline.segments`; segments whose time facts agree but for who is on
call choose the same rules for every call, so each distinct key (without who is on call)
is explored once, with the engine itself (`explore`). Reachability and the gaps that matter
read the same survey: the rule each section chose for each class, and when.
"""

from __future__ import annotations

from datetime import date, datetime

from .. import model as m
from ..decide.decision import Decision
from ..schedule.calendar import TimeFacts
from .explore import Explorer, Leaf
from .timeline import Clock, Segment, TimeKey, day_span, segments


class Survey:
    """The classes of calls to `client` over `days` local days from `start`, at each distinct time."""

    def __init__(self, client: m.Client, start: date, days: int):
        self.client = client
        self.days = days
        self.clock = Clock(client, holders=False)
        self.explorer = Explorer([client])
        self.start, self.end = day_span(self.clock, start, days)
        self.segments: list[Segment] = segments([self.clock], self.start, self.end)
        self.leaves: dict[TimeKey, list[Leaf]] = {}
        self.facts: dict[TimeKey, TimeFacts] = {}
        for segment in self.segments:
            key = segment.keys[0].without_holders()
            self.classes(key, segment.start)

    def classes(self, key: TimeKey, at: datetime) -> list[Leaf]:
        """The classes of calls at a time whose key (without who is on call) is `key`, `at` one
        instant of it: surveyed already when it falls in the span, explored now otherwise."""
        if key not in self.leaves:
            self.facts[key] = self.explorer.plans[0].calendar.facts(at)
            self.leaves[key] = self.explorer.explore(at.astimezone(self.clock.tz), texts=False, keys=(key,))
        return self.leaves[key]

    def routes_chosen(self, key: TimeKey, at: datetime) -> set[int]:
        """The 0-based route rules the engine chooses for some class of calls at such a time."""
        return {index for leaf in self.classes(key, at) if (index := chosen(leaf.decisions[0], "route")) is not None}

    def visits(self) -> list[tuple[TimeFacts, Leaf]]:
        """Every (time facts, class) pair found, once per distinct time."""
        return [(self.facts[key], leaf) for key, leaves in self.leaves.items() for leaf in leaves]


def chosen(decision: Decision, section: str) -> int | None:
    """The 0-based index of the rule that decided `section` (None while it waits for answers):
    the engine tries a first-match section's rules in order, and the trace lists those tried."""
    tried = [entry for entry in decision.trace if entry.section == section]
    if tried and tried[-1].result is True:
        return len(tried) - 1
    return None
