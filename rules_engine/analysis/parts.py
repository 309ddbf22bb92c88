"""Parts: a decision → what the caller hears and the daemon acts on, part by part, as the analysis compares it.

- `greeting`: its id, title, language and text;
- `script`: its id and steps (questions, texts, answers already given);
- `urgency`: the level, or none while it waits for answers;
- `route`: its actions with the people they reach, or none while it waits; and the answers
  the decision still needs.

Not compared: the instant, the rules version, the windows listed, the owner's status as
echoed, the trace, and a route's rule number and line (moving a rule or adding a line
changes those, not what happens to the call).
"""

from __future__ import annotations

from typing import Any

from ..decide.decision import Decision

PARTS = ("greeting", "script", "urgency", "route")


def same(a: Decision, b: Decision, part: str) -> bool:
    """True when two decisions agree on `part`."""
    if part == "greeting":
        return a.greeting == b.greeting
    if part == "script":
        return a.script == b.script
    if part == "urgency":
        return a.urgency == b.urgency
    return (a.route.actions if a.route else None) == (b.route.actions if b.route else None) and a.needs == b.needs


def differing(a: Decision, b: Decision) -> list[str]:
    return [part for part in PARTS if not same(a, b, part)]


def shown(decision: Decision, part: str) -> Any:
    """A part as JSON, for a report: what `same` compares (and where a route rule is)."""
    if part == "greeting":
        return decision.greeting.to_dict()
    if part == "script":
        return decision.script.to_dict() if decision.script is not None else None
    if part == "urgency":
        return decision.urgency
    route = decision.route
    out: dict[str, Any] = {}
    if route is not None:
        out = {"rule": route.rule, "line": route.line, "actions": [action.to_dict() for action in route.actions]}
    if decision.needs:
        out["needs"] = list(decision.needs)
    return out or None
