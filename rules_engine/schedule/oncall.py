"""Who is on call: a client's teams (rotation layers and overrides) → the contact on call at an instant.

A rotation's k-th handoff is at the local wall-clock time `from + k × period` (so a 08:00
handoff stays at 08:00 across DST), read with fold=0 like every date-time of a file. The
shift holding an instant is found by arithmetic on the local wall clock, corrected by at
most one step where a DST change makes the wall clock and elapsed time disagree: the cost
is the same for a rotation that started yesterday and one that started ten years ago.

Precedence, highest first: live overrides (set through the API; the latest added wins),
the file's overrides (the last written wins), then rotations (the last written is the
highest layer; a layer with `only` applies only while its window expression holds).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from .. import model as m
from ..live import LiveOverride
from . import clock
from .calendar import Calendar, TimeFacts, TimePredicate, time_predicate

# How many handoff instants a layer remembers (see `Layer.handoff`): calls arrive in time
# order, so a few current shifts are what is looked up; 128 covers four months of daily
# shifts and costs ~14 KB a layer when full.
HANDOFF_MEMO = 128


@dataclass(frozen=True, slots=True)
class Layer:
    """One compiled rotation: shift k starts at handoff(k) and belongs to members[k mod n]."""

    team: str
    index: int  # 1-based position among the team's rotations: the layer number
    tz: tzinfo
    start_local: datetime  # naive wall-clock time of the first handoff
    start: datetime  # the same, as an instant
    period: timedelta
    members: tuple[str, ...]
    mask: TimePredicate | None
    rotation: m.Rotation
    # k → the instant of the k-th handoff, filled by `handoff`; not part of the layer's value.
    handoffs: dict[int, datetime] = field(default_factory=dict, compare=False, repr=False)

    def handoff(self, k: int) -> datetime:
        """The instant of the k-th handoff (k = 0 is `from`).

        Converting a wall-clock time to an instant is the costly step of a lookup (a few µs),
        so each layer remembers the handoffs it has converted, keyed by k. The instant is a
        pure function of k, so sharing it between threads is safe: a race computes the same
        value twice, and dict reads and writes are atomic. Bounded: at `HANDOFF_MEMO` entries
        the memo is emptied and fills again with the shifts calls are landing in.
        """
        memo = self.handoffs
        at = memo.get(k)
        if at is None:
            if len(memo) >= HANDOFF_MEMO:
                memo.clear()
            at = memo[k] = clock.to_instant(self.start_local + k * self.period, self.tz)
        return at

    def shift_index(self, instant: datetime) -> int | None:
        """Which shift holds `instant`, or None before `from`. Never walks the shifts."""
        if instant < self.start:
            return None
        # Elapsed time is off from the wall clock by the difference of two UTC offsets
        # (hours; a day where a zone skipped one), the period is whole days: the guess is
        # at most a shift away, and the two loops settle it either way.
        k = (instant - self.start) // self.period
        while k > 0 and self.handoff(k) > instant:
            k -= 1
        while self.handoff(k + 1) <= instant:
            k += 1
        return k

    def member(self, k: int) -> str:
        return self.members[k % len(self.members)]


@dataclass(frozen=True, slots=True)
class FileOverride:
    team: str
    start: datetime
    end: datetime
    person: str
    override: m.Override


# What put someone on call: a rotation layer, a file override or a live override.
Source = Layer | FileOverride | LiveOverride


@dataclass(frozen=True, slots=True)
class TeamPlan:
    name: str
    layers: tuple[Layer, ...]  # lowest first
    overrides: tuple[FileOverride, ...]  # in file order


class OnCall:
    """The on-call calendars of one client, compiled once; immutable and thread-safe."""

    def __init__(self, client: m.Client, calendar: Calendar):
        self.client = client
        self.calendar = calendar
        self.tz = calendar.tz
        self.teams: dict[str, TeamPlan] = {name: self._plan(team) for name, team in client.teams.items()}

    def _plan(self, team: m.Team) -> TeamPlan:
        window = self.calendar.window_predicates.__getitem__
        layers = tuple(
            Layer(
                team=team.name,
                index=i,
                tz=self.tz,
                start_local=rot.start.local,
                start=clock.to_instant(rot.start.local, self.tz),
                period=timedelta(days=rot.period_days),
                members=tuple(n.value for n in rot.members),
                mask=time_predicate(rot.only, window) if rot.only is not None else None,
                rotation=rot,
            )
            for i, rot in enumerate(team.rotations, start=1)
            if rot.members
        )
        overrides = tuple(
            FileOverride(
                team=team.name,
                start=clock.to_instant(o.start.local, self.tz),
                end=clock.to_instant(o.end.local, self.tz),
                person=o.member.value,
                override=o,
            )
            for o in team.overrides
        )
        return TeamPlan(team.name, layers, overrides)

    def who(self, team: str, instant: datetime, live: Sequence[LiveOverride] = ()) -> str | None:
        """The contact on call for `team` at the aware `instant`, or None when nobody is."""
        found = self.holder(team, instant, live)
        return found[0] if found else None

    def holder(
        self, team: str, instant: datetime, live: Sequence[LiveOverride] = (), facts: TimeFacts | None = None
    ) -> tuple[str, Source] | None:
        """Who is on call and why (the layer or override that decided), or None.

        `facts` may be passed when the caller already has the time facts of `instant`.
        """
        for override in reversed(live):
            if override.team == team and override.start <= instant < override.end:
                return override.person, override
        plan = self.teams.get(team)
        if plan is None:
            return None
        for written in reversed(plan.overrides):
            if written.start <= instant < written.end:
                return written.person, written
        for layer in reversed(plan.layers):
            k = layer.shift_index(instant)
            if k is None:
                continue
            if layer.mask is not None:
                if facts is None:
                    facts = self.calendar.facts(instant)
                if not layer.mask(facts):
                    continue
            return layer.member(k), layer
        return None
