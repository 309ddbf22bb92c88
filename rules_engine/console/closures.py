"""A closure an owner asks for, as an edit of the rule file: the `closed "LABEL" FROM to TO` line
(docs/language.md, "Windows and closures") added to the text, its unified diff, and what it
changes for a caller at the start of the closure (the greeting and the route under each text).

The line is placed by text position only: after the file's last `closed` line, else after its
last `window` line, else after its `timezone` line, with that line's indentation. Nothing of the
file is executed; the new text is then checked as `rules-engine check` checks a file.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime

from ..compiler.compile import compile_text
from ..decide import Call, decide
from ..errors import RulesEngineError, RulesError
from ..schedule.clock import to_instant, zone

LABEL_MAX = 60
ACTIONS = {
    "patch": "put through",
    "escalate": "escalate",
    "message": "take a message",
    "voicemail": "voicemail",
    "callback": "promise a callback",
    "hangup": "hang up",
}
ANCHORS = (re.compile(r"^(\s*)closed\b"), re.compile(r"^(\s*)window\b"), re.compile(r"^(\s*)timezone\b"))


@dataclass(frozen=True)
class Closure:
    label: str
    start: datetime  # local wall-clock times, naive, to the minute
    end: datetime

    @property
    def line(self) -> str:
        return f'closed "{self.label}" {self.start:%Y-%m-%d %H:%M} to {self.end:%Y-%m-%d %H:%M}'

    @property
    def words(self) -> str:
        return f"Closed “{self.label}” from {self.start:%a %d %b %Y %H:%M} to {self.end:%a %d %b %Y %H:%M}"


def read_closure(label: str, start: str, end: str) -> Closure:
    """The form's closure, or a RulesEngineError saying what is wrong."""
    label = " ".join(label.split())
    if not label:
        raise RulesEngineError("Give the closure a label, such as “Christmas Eve”.")
    if len(label) > LABEL_MAX:
        raise RulesEngineError(f"A label has at most {LABEL_MAX} characters.")
    if any(c in label for c in '"\\{}#') or not label.isprintable():
        raise RulesEngineError("A label cannot hold quotes, backslashes, braces or “#”.")
    try:
        begins, ends = (datetime.fromisoformat(t.strip()).replace(second=0, microsecond=0) for t in (start, end))
    except ValueError:
        raise RulesEngineError("Give the start and the end as a date and a time (2026-12-24 12:00).") from None
    if begins.tzinfo is not None or ends.tzinfo is not None:
        raise RulesEngineError("Give local times, without a time zone: the client's zone is used.")
    if ends <= begins:
        raise RulesEngineError("The closure must end after it starts.")
    return Closure(label, begins, ends)


def with_closure(text: str, closure: Closure) -> str:
    """`text` with the closure's line added at its place (see the module's docstring)."""
    lines = text.splitlines(keepends=True)
    for anchor in ANCHORS:
        found = [(i, m.group(1)) for i, line in enumerate(lines) if (m := anchor.match(line))]
        if found:
            index, indent = found[-1]
            break
    else:
        raise RulesEngineError("The rule file has no `timezone` line to place the closure after.")
    if not lines[index].endswith("\n"):
        lines[index] += "\n"
    lines.insert(index + 1, f"{indent}{closure.line}\n")
    return "".join(lines)


def closure_of(summary: str) -> Closure | None:
    """The closure a proposal's summary (its first line is the closure's line) asks for."""
    found = re.match(r'closed "([^"]*)" (\S+ \S+) to (\S+ \S+)', summary)
    if found is None:
        return None
    return Closure(found[1], datetime.fromisoformat(found[2]), datetime.fromisoformat(found[3]))


def unified_diff(before: str, after: str, name: str) -> list[str]:
    return list(
        difflib.unified_diff(
            before.splitlines(), after.splitlines(), f"{name} (published)", f"{name} (proposed)", n=2, lineterm=""
        )
    )


@dataclass(frozen=True)
class Heard:
    """What a caller at the closure's start gets under one text."""

    greeting: str
    route: str


def heard(text: str, client: str, closure: Closure) -> Heard | None:
    """The decision for a call at the start of the closure under `text` (None: it does not compile)."""
    try:
        compiled, _ = compile_text(text, f"{client}.rules")
    except RulesError:
        return None
    instant = to_instant(closure.start, zone(compiled.timezone))
    decision = decide(compiled, Call(client=compiled.id, at=instant))
    greeting = decision.greeting.text if decision.greeting is not None else "(no greeting)"
    route = (
        ", then ".join(action.kind for action in decision.route.actions)
        if decision.route is not None
        else "the agent asks the script's questions before the call is routed"
    )
    return Heard(greeting, route)
