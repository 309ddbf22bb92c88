"""Diff: two versions of a client + a span of days → every class of call the edit decides differently.

Both versions are cut into time segments together (`timeline`, on both files' change
points) and, once per distinct pair of time keys, their classes of calls are explored
together (`explore`): a class is split until neither version's decision can turn on a fact
the class leaves open. Every leaf where a part differs (`parts`) is a change: its interval,
the forwarding reasons and other facts of the class, old and new, and one call that
reproduces it. Changes of the same class, part and values in adjacent segments are one.

Exact both ways, within what `classes` distinguishes: every example decides differently
under the two versions (it is the representative that was decided), and a call in the
span that decides differently falls in a reported change (the leaves cover every call).
A file only reformatted, re-commented or reordered compiles to equal rules: no change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .. import model as m
from ..decide.call import Call
from .explore import STATUS_NOTE, Explorer, Leaf
from .parts import PARTS, same, shown
from .timeline import Clock, day_span, segments

IGNORED = ("pos", "path", "rules_version")  # what a reformatted file changes in a compiled client


@dataclass(frozen=True)
class Change:
    """From `start` to `end`, calls of one class decide `part` differently: `old` then `new`."""

    client: str
    start: datetime
    end: datetime
    forwarded: tuple[str, ...]
    when: dict
    part: str
    old: Any
    new: Any
    example: Call
    status: bool  # whether the example needs the owner's status set (`when` says so too)

    def as_json(self) -> dict:
        out = {
            "client": self.client,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "forwarded": list(self.forwarded),
            "when": self.when,
            "part": self.part,
            "old": self.old,
            "new": self.new,
            "example": self.example.model_dump(mode="json", exclude_none=True, exclude_defaults=True),
        }
        out["example"]["at"] = self.example.at.isoformat()
        out["example"]["forwarded"] = self.example.forwarded
        if self.status:
            out["status"] = STATUS_NOTE
        return out


def edited(client: m.Client, **changes: Any) -> m.Client:
    """A copy of `client` with some fields changed (a closure taken out…)."""
    return client.model_copy(update=changes)


def same_rules(old: m.Client, new: m.Client) -> bool:
    """True when two compiled clients say the same (positions, path and file hash aside)."""
    return all(getattr(old, name) == getattr(new, name) for name in m.Client.model_fields if name not in IGNORED)


def span_of(client: m.Client, first: date, days: int) -> tuple[datetime, datetime]:
    return day_span(Clock(client), first, days)


def diff_clients(old: m.Client, new: m.Client, first: date, days: int) -> list[Change]:
    """Every change between two versions of a client over `days` local days (of `new`'s zone) from `first`."""
    if same_rules(old, new):
        return []
    start, end = span_of(new, first, days)
    return changes_between(old, new, start, end)


def changes_between(
    old: m.Client, new: m.Client, start: datetime, end: datetime, explorer: Explorer | None = None
) -> list[Change]:
    """Every change between `old` and `new` from instant `start` to `end`."""
    clocks = (Clock(old), Clock(new))
    explorer = explorer or Explorer([old, new])
    tz = clocks[1].tz
    found: dict[tuple, list[tuple]] = {}  # time keys → the differences there, as (identity, leaf, part, old, new)
    by_part: dict[tuple, list[tuple]] = {}  # (part, the keys that part reads) → its differences
    changes: list[Change] = []
    open_: dict[tuple, int] = {}  # a change's identity → its index in `changes`, while it may grow
    for segment in segments(clocks, start, end):
        at = segment.start.astimezone(tz)
        if segment.keys not in found:
            found[segment.keys] = []
            for part in PARTS:
                keys = tuple(
                    key if part in clock.holder_parts else key.without_holders()
                    for key, clock in zip(segment.keys, clocks, strict=True)
                )
                if (part, keys) not in by_part:
                    by_part[(part, keys)] = differences(explorer, at, part, keys)
                found[segment.keys] += by_part[(part, keys)]
        for identity, leaf, part, old_value, new_value in found[segment.keys]:
            index = open_.get(identity)
            if index is not None and changes[index].end == segment.start:
                grown = changes[index]
                changes[index] = Change(
                    grown.client,
                    grown.start,
                    segment.end.astimezone(tz),
                    grown.forwarded,
                    grown.when,
                    part,
                    grown.old,
                    grown.new,
                    grown.example,
                    grown.status,
                )
                continue
            open_[identity] = len(changes)
            status = bool(explorer.dims.sample(leaf.assignment, "status"))
            changes.append(
                Change(
                    new.id,
                    at,
                    segment.end.astimezone(tz),
                    identity[0],
                    leaf_when(explorer, leaf),
                    part,
                    old_value,
                    new_value,
                    explorer.dims.call(new, at, leaf.assignment, trusted=True),
                    status,
                )
            )
    return changes


def differences(explorer: Explorer, at: datetime, part: str, keys: tuple) -> list[tuple]:
    """The classes of calls whose decisions differ in `part` at `at`. Each part is explored on
    its own, so a class is as wide as that part allows."""
    out = []
    for leaf in explorer.explore(at, parts=(part,), keys=keys):
        old, new = leaf.decisions
        if not same(old, new, part):
            old_value, new_value = shown(old, part), shown(new, part)
            forwarded = tuple(explorer.dims.reasons(leaf.assignment))
            identity = (forwarded, repr(leaf_when(explorer, leaf)), part, repr(old_value), repr(new_value))
            out.append((identity, leaf, part, old_value, new_value))
    return out


def leaf_when(explorer: Explorer, leaf: Leaf) -> dict:
    return explorer.dims.when(leaf.assignment)


@dataclass
class Comparison:
    """Two sets of clients compared: those added and removed, and each kept one's changes."""

    added: list[str]
    removed: list[str]
    changes: list[Change]
    pairs: list[tuple[m.Client, m.Client]]


def compare(
    old: dict[str, m.Client], new: dict[str, m.Client], first: date, days: int, pair_alone: bool = False
) -> Comparison:
    """Compare clients by id; with `pair_alone`, a lone client on each side is paired whatever its id."""
    if pair_alone and len(old) == 1 and len(new) == 1:
        pairs = [(next(iter(old.values())), next(iter(new.values())))]
        added, removed = [], []
    else:
        pairs = [(old[name], new[name]) for name in new if name in old]
        added = [name for name in new if name not in old]
        removed = [name for name in old if name not in new]
    changes = [change for a, b in pairs for change in diff_clients(a, b, first, days)]
    return Comparison(added, removed, changes, pairs)
