"""Rule coverage: which greeting, script, urgency and route rules the scenarios exercised.

A rule is exercised when it decided its section for at least one scenario's call. The
registry lives for one test session (one process), like pytest's own.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import model as m
from ..decide.why import condition_line

SECTIONS = ("greeting", "script", "urgency", "route")

_clients: dict[str, m.Client] = {}
_exercised: dict[str, set[tuple[str, int]]] = {}


@dataclass(frozen=True)
class UncoveredRule:
    client: str
    section: str
    line: int
    label: str


def section_of(name: str) -> str | None:
    for section in SECTIONS:
        if section in str(name):
            return section
    return None


def record(client: m.Client, decision: dict) -> None:
    """Note the rule that decided each section of one decision."""
    _clients[client.id] = client
    seen = _exercised.setdefault(client.id, set())
    decided: set[str] = set()
    for entry in decision.get("trace", []):
        section = section_of(entry.get("section", ""))
        if section and section not in decided and entry.get("result") is True:
            decided.add(section)
            seen.add((section, entry.get("line")))


def rules_of(client: m.Client) -> list[tuple[str, int, str]]:
    rules: list[tuple[str, int, str]] = []
    for g in client.greetings:
        rules.append(("greeting", condition_line(g), f"greeting {g.name}"))
    for c in client.script_choices:
        rules.append(
            ("script", condition_line(c), f"choose script {c.script}" + (" otherwise" if c.when is None else ""))
        )
    for u in client.urgency:
        rules.append(("urgency", condition_line(u), f"urgency {u.level}" + (" otherwise" if u.when is None else "")))
    for i, r in enumerate(client.routes, 1):
        rules.append(("route", condition_line(r), f"route rule {i}" + (" (otherwise)" if r.when is None else "")))
    return rules


def uncovered() -> list[UncoveredRule]:
    result = []
    for client_id, client in sorted(_clients.items()):
        seen = _exercised.get(client_id, set())
        for section, line, label in rules_of(client):
            if (section, line) not in seen:
                result.append(UncoveredRule(client_id, section, line, label))
    return result


@dataclass(frozen=True)
class ClientCoverage:
    """One client's rules: how many the scenarios exercised, of how many, and those they did not."""

    client: str
    path: str | None
    exercised: int
    total: int
    missing: list[UncoveredRule]


def by_client() -> list[ClientCoverage]:
    """The coverage of each client a scenario decided a call for, by client id."""
    missing = uncovered()
    result = []
    for client_id, client in sorted(_clients.items()):
        total = len(rules_of(client))
        mine = [u for u in missing if u.client == client_id]
        result.append(ClientCoverage(client_id, client.path, total - len(mine), total, mine))
    return result


def report() -> str:
    lines = ["Rule coverage:"]
    for c in by_client():
        lines.append(f"  {c.client} ({c.path}): {c.exercised} of {c.total} rules exercised")
        for u in c.missing:
            lines.append(f"    not exercised: line {u.line}: {u.label}")
    if len(lines) == 1:
        lines.append("  no scenario decided a call")
    return "\n".join(lines)


def reset() -> None:
    _clients.clear()
    _exercised.clear()
