"""Digest: a diff's changes → groups a person reads: by the edit that causes them, then by part and time.

The diff's changes are exact and many (each language, number and caller class apart). Here
changes of one client that have the same cause (`edits.Causes`), part and values are one
*group*, whatever facts of the call tell them apart — unless the edit reads that fact (a
changed `when forwarded busy` keeps `forwarded` apart): the group names the facts all its
classes share and how many classes it merges. Values are compared as a person reads them:
a greeting or script by its id (its text when the id stays), so that the Spanish and the
English caller of one change are one group.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .. import model as m
from .diff import Change
from .edits import Causes, Edit, edits_between

EVERY_REASON = len(m.FORWARDING_REASONS)


@dataclass
class Group:
    """Changes of one client with the same cause, part and values (as a person reads them)."""

    client: str
    edits: tuple[int, ...]  # indices into the client's edits
    part: str
    changes: list[Change] = field(default_factory=list)
    indices: list[int] = field(default_factory=list)  # of the changes, in the diff's list
    urgencies: set[str | None] = field(default_factory=set)  # of its route changes' examples, under the cause

    @property
    def old(self) -> Any:
        return self.changes[0].old

    @property
    def new(self) -> Any:
        return self.changes[0].new

    def spans(self) -> list[tuple[datetime, datetime]]:
        return merged((c.start, c.end) for c in self.changes)

    def kinds(self) -> int:
        """How many classes of call the group merges."""
        return len({(c.forwarded, repr(c.when)) for c in self.changes})

    def forwarded(self) -> tuple[str, ...]:
        """The forwarding reasons of its calls, in the diff's order."""
        return tuple(dict.fromkeys(r for c in self.changes for r in c.forwarded))

    def facts(self) -> dict:
        """The facts every class of the group shares, as a change's `when` says them."""
        first = self.changes[0].when
        out: dict = {}
        for name, value in first.items():
            if name == "answers":
                shared = {
                    f: v for f, v in value.items() if all(c.when.get("answers", {}).get(f) == v for c in self.changes)
                }
                if shared:
                    out["answers"] = shared
            elif all(c.when.get(name) == value for c in self.changes):
                out[name] = value
        return out

    def people(self) -> list[tuple[str, str]]:
        """For a route that reaches other people the same way: (who was reached, who is now)."""
        if (
            self.part != "route"
            or not self.old
            or not self.new
            or "actions" not in self.old
            or "actions" not in self.new
        ):
            return []
        if skeleton(self.old["actions"]) != skeleton(self.new["actions"]):
            return []
        pairs = zip(targets(self.old["actions"]), targets(self.new["actions"]), strict=True)
        return list(dict.fromkeys((a, b) for a, b in pairs if a != b))

    def example(self) -> Change:
        return self.changes[0]

    def as_json(self) -> dict:
        return {
            "client": self.client,
            "edits": list(self.edits),
            "part": self.part,
            "spans": [[a.isoformat(), b.isoformat()] for a, b in self.spans()],
            "forwarded": list(self.forwarded()),
            "when": self.facts(),
            "kinds": self.kinds(),
            "changes": self.indices,
        }


@dataclass
class Digest:
    """One client's edits and the groups of its changes, by edit, then part and time."""

    client: str
    edits: list[Edit]
    groups: list[Group]

    def by_edit(self) -> list[tuple[tuple[int, ...], list[Group]]]:
        out: dict[tuple[int, ...], list[Group]] = {}
        for group in self.groups:
            out.setdefault(group.edits, []).append(group)
        return sorted(out.items(), key=lambda item: item[0])

    def quiet(self) -> list[Edit]:
        """The edits that change no call by themselves."""
        causing = {i for group in self.groups for i in group.edits}
        return [edit for i, edit in enumerate(self.edits) if i not in causing]

    def as_json(self) -> dict:
        return {"client": self.client, "edits": [edit.as_json() for edit in self.edits]}


def digest(old: m.Client, new: m.Client, changes: Sequence[Change], offset: int = 0) -> Digest:
    """Group the changes between `old` and `new` (`offset`: the first one's index in the diff's list)."""
    edits = edits_between(old, new)
    causes = Causes(old, edits)
    groups: dict[tuple, Group] = {}
    for index, change in enumerate(changes, offset):
        cause, decided = causes.of(change)
        reads = frozenset().union(*(edits[i].reads for i in cause)) if edits else frozenset()
        key = (cause, change.part, gist(change.part, change.old, change.new), kept(change, reads))
        group = groups.get(key)
        if group is None:
            group = groups[key] = Group(change.client, cause, change.part)
        group.changes.append(change)
        group.indices.append(index)
        if change.part == "route":
            group.urgencies.add(decided.urgency)
    ordered = sorted(groups.values(), key=lambda g: (g.edits, g.spans()[0][0], PART_ORDER[g.part]))
    return Digest(new.id, edits, ordered)


PART_ORDER = {"greeting": 0, "script": 1, "urgency": 2, "route": 3}


def gist(part: str, old: Any, new: Any) -> str:
    """What a person compares of a change's values: a greeting's or a script's id when it
    changes (not the language the class hears it in), else the values themselves."""
    if part == "greeting" and old["id"] != new["id"]:
        return repr((old["id"], new["id"]))
    if part == "script" and (old or {}).get("id") != (new or {}).get("id"):
        return repr(((old or {}).get("id"), asked(old), (new or {}).get("id"), asked(new)))
    if part == "route":
        return repr((without_line(old), without_line(new)))
    return repr((old, new))


def asked(script: dict | None) -> list[str]:
    return [step["field"] for step in script["steps"] if step["kind"] == "ask"] if script else []


def without_line(route: dict | None) -> dict | None:
    """A route as compared: its rule number kept, its line (which any added line moves) left out."""
    return {k: v for k, v in route.items() if k != "line"} if route else route


def kept(change: Change, reads: frozenset[str]) -> str:
    """The facts of a change's class that its edit reads: classes apart in these stay apart."""
    facts: dict[str, Any] = {}
    if "forwarded" in reads:
        facts["forwarded"] = change.forwarded
    for name, value in change.when.items():
        if name == "answers":
            facts.update({f"answers.{f}": v for f, v in value.items() if f"answers.{f}" in reads})
        elif name in reads:
            facts[name] = value
    return repr(sorted(facts.items()))


def skeleton(actions: list) -> str:
    """Actions with each person reached left out (but how, and for which team)."""
    return repr(strip(actions))


def strip(value: Any) -> Any:
    if isinstance(value, dict):
        if "method" in value and ("address" in value or "contact" in value):
            return {"method": value["method"], "team": value.get("team")}
        return {k: strip(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value


def targets(value: Any) -> list[str]:
    """Everyone reached, in order, as people read them (`Carol Diaz (on call for plumbers)`)."""
    if isinstance(value, dict):
        if "method" in value and ("address" in value or "contact" in value):
            name = value.get("name") or value.get("address") or ""
            return [name + (f" (on call for {value['team']})" if value.get("team") else "")]
        return [t for v in value.values() for t in targets(v)]
    if isinstance(value, list):
        return [t for v in value for t in targets(v)]
    return []


def merged(spans) -> list[tuple[datetime, datetime]]:
    """Intervals joined where they meet or overlap, in order."""
    out: list[list[datetime]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(a, b) for a, b in out]
