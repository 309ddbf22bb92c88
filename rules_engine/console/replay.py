"""The replay: a client's logged calls decided again under a draft, and compared with what
they were told then (the preview page, `benchmarks/console_preview.py`).

Each call is decided at its own time (`at`, as logged), with the owner's status it had (a
logged decision keeps the status it read). On-call swaps are not kept in the log: a call is
decided again with the rotations alone, so a call that reached a swapped-in person shows as
a route change; the page says so. The draft is compiled and planned once.

What is compared is what a caller and the agent notice: the greeting (which, and its text),
the questions (the script), the urgency and the route (the rule's line left out: an edit
above it moves it). Differences are grouped by kind, in words, with one example call each.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .. import model as m
from ..analysis.diff_text import route_kind
from ..analysis.digest import targets
from ..decide import Call, ClientPlan, Decider
from ..errors import RulesEngineError
from ..live import LiveState, OwnerStatus
from ..runtime.decision_record import record_of

MAX_CALLS = 20_000
PARTS = ("greeting", "script", "urgency", "route")


@dataclass(frozen=True)
class Example:
    at: str  # local time of the call
    forwarded: str
    caller: str | None
    before: str
    after: str
    call_id: str


@dataclass
class Kind:
    label: str
    count: int
    example: Example


@dataclass
class Replay:
    calls: int  # replayed
    different: int
    kinds: list[Kind] = field(default_factory=list)
    with_status: int = 0  # calls decided again with the owner's status they had
    other_version: int = 0  # calls that an older version of the rules decided
    unreadable: int = 0  # records that are not calls of this client as it is now (skipped)
    capped: bool = False  # more calls were logged than MAX_CALLS: the oldest are replayed
    seconds: float = 0.0


def status_of(decision: dict[str, Any]) -> OwnerStatus | None:
    found = decision.get("status")
    if not isinstance(found, dict) or not found.get("note"):
        return None
    until = datetime.fromisoformat(found["until"]) if found.get("until") else None
    return OwnerStatus(note=found["note"], instructions=found.get("instructions"), until=until)


def compared(decision: dict[str, Any]) -> dict[str, Any]:
    out = {part: decision.get(part) for part in PARTS}
    if isinstance(out["route"], dict):
        out["route"] = {k: v for k, v in out["route"].items() if k != "line"}
    return out


def said(part: str, value: Any) -> str:
    """A part's value in a few words."""
    if value is None:
        return "none"
    if part == "greeting":
        return f"“{value.get('text', '')}” ({value.get('id')})"
    if part == "script":
        return str(value.get("id"))
    if part == "route":
        kinds = route_kind({**value, "line": 0}).split(" (route rule")[0]
        reached = list(dict.fromkeys(targets(value.get("actions"))))
        return kinds + (f" to {', '.join(reached[:3])}" if reached else "")
    return str(value)


def kind_of(before: dict[str, Any], after: dict[str, Any]) -> tuple[str, str, str]:
    """The kind of a difference (its words, which group calls), and before → after in words."""
    labels, old, new = [], [], []
    for part in PARTS:
        a, b = before[part], after[part]
        if a == b:
            continue
        if part == "greeting" and a and b and a.get("id") == b.get("id"):
            labels.append(f"greeting `{a.get('id')}` changed")
        elif part in ("greeting", "script") and (a or {}).get("id") == (b or {}).get("id"):
            labels.append(f"{part} `{(a or {}).get('id')}` changed")
        elif part == "route":
            labels.append(f"route changed from {said(part, a)} to {said(part, b)}")
        else:
            labels.append(f"{part} changed from {said(part, a)} to {said(part, b)}")
        old.append(f"{part}: {said(part, a)}")
        new.append(f"{part}: {said(part, b)}")
    return "; ".join(labels), "; ".join(old), "; ".join(new)


def replay(
    draft: m.Client, records: Sequence[dict[str, Any]], published: str, default_language: str | None = None
) -> Replay:
    """`records` (a client's logged calls, oldest first) decided again under `draft`;
    `published` is the rules version served now (calls an older one decided are counted)."""
    started = time.perf_counter()
    plan = ClientPlan.of(draft)
    found = Replay(calls=0, different=0)
    kinds: dict[str, Kind] = {}
    written: dict[tuple, dict[str, Any]] = {}
    for record in records[:MAX_CALLS]:
        logged = record.get("decision")
        try:
            call = Call.model_validate(record["call"])
            status = status_of(logged) if isinstance(logged, dict) else None
            decision = Decider(plan, call, LiveState(status=status), default_language).decision()
        except (RulesEngineError, KeyError, TypeError, ValueError):
            found.unreadable += 1
            continue
        found.calls += 1
        found.with_status += status is not None
        found.other_version += record.get("rules_version") != published
        # Decisions repeat: each distinct one is written in the log's form once.
        key = (decision.greeting, decision.script, decision.urgency, decision.route)
        after = written.get(key)
        if after is None:
            after = written[key] = compared(record_of(call, decision)[0]["decision"])
        before = compared(logged or {})
        if before == after:
            continue
        found.different += 1
        label, old, new = kind_of(before, after)
        if label in kinds:
            kinds[label].count += 1
            continue
        example = Example(
            decision.at[:16].replace("T", " "),
            call.forwarded,
            call.caller,
            old,
            new,
            str(record.get("call_id", "")),
        )
        kinds[label] = Kind(label, 1, example)
    found.kinds = sorted(kinds.values(), key=lambda k: -k.count)
    found.capped = len(records) > MAX_CALLS
    found.seconds = time.perf_counter() - started
    return found
