"""Edits: two versions of a file + a diff's changes → the edits (lines changed), and which edit causes each change.

An *edit* is one run of changed lines between the two texts (`difflib`), with the statements
it touches (the statement each changed line belongs to: window `lunch`, `route rule 3`)
and the facts of a call those statements read (`answers.type`, `forwarded`…).

A change is *caused* by the first edit (in file order) that, applied alone to the old text,
already decides the change's example call differently in the change's part. The example is
the change's own representative, so the attribution is exact for it; edits that only act
together (none changes the call alone, or one does not compile alone) are named together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from .. import model as m
from ..compiler.compile import compile_text
from ..decide.decider import Decider
from ..decide.decision import Decision
from ..decide.plan import ClientPlan
from ..errors import RulesError
from ..live import EMPTY
from .classes import dimensions
from .diff import Change
from .explore import WITH_STATUS
from .parts import same


@dataclass(frozen=True)
class Edit:
    """Lines `first`..`last` of the new text (1-based; `last < first` for lines only deleted,
    then `first` is the line after them) replace lines `old_first`..`old_last` of the old one."""

    first: int
    last: int
    old_first: int
    old_last: int
    text: tuple[str, ...]
    old_text: tuple[str, ...]
    statements: tuple[str, ...]  # what the changed lines belong to, as people name it
    reads: frozenset[str]  # the dimensions of a call the touched statements read

    @property
    def line(self) -> int:
        """The line to name: the first new line, or where deleted lines were."""
        return self.first

    def label(self) -> str:
        what = " and ".join(self.statements) if self.statements else "the file"
        where = f"line {self.first}" if self.last <= self.first else f"lines {self.first}-{self.last}"
        if self.last < self.first:
            where = f"deleted at line {self.first}"
        return f"{what} ({where})"

    def as_json(self) -> dict:
        return {
            "lines": [self.first, self.last],
            "old_lines": [self.old_first, self.old_last],
            "statements": list(self.statements),
            "text": list(self.text),
            "old_text": list(self.old_text),
            "reads": sorted(self.reads),
        }


# ---- the statements of a file, by line --------------------------------------------------------


Statement = tuple[int, str, tuple[m.Cond | None, ...], frozenset[str]]  # line, name, conditions, other facts read


def statements(client: m.Client) -> list[Statement]:
    """(line, name, conditions, dimensions read besides those conditions) for every statement,
    sorted by line: a changed line belongs to the last statement that starts at or before it."""
    found: list[tuple[int, str, tuple[m.Cond | None, ...], frozenset[str]]] = [
        (client.line, "the client", (), frozenset())
    ]
    texts = frozenset({"language"})

    def add(node: m.Node, name: str, conds: tuple[m.Cond | None, ...] = (), reads: frozenset[str] = frozenset()):
        if node.line:
            found.append((node.line, name, conds, reads))

    for name in client.languages:
        add(name, "languages", reads=texts)
    for name in client.numbers:
        add(name, "numbers", reads=frozenset({"dialed"}))
    for name in client.forwarding:
        add(name, "forwarding")
    for region in client.regions:
        add(region, "holidays " + region.country + (f"-{region.subdivision}" if region.subdivision else ""))
    for day in client.holiday_dates:
        add(day, f'holiday "{day.title}"')
    for window in client.windows.values():
        add(window, f"window `{window.name}`", (window.cond,))
    for closure in client.closures:
        add(closure, f'closure "{closure.title}"' if closure.title else "a closure")
    for contact in client.contacts.values():
        add(contact, f"contact `{contact.name}`")
    for phones in client.lists.values():
        add(phones, f"list `{phones.name}`", reads=frozenset({"caller", "dialed"}))
    for team in client.teams.values():
        add(team, f"on-call team `{team.name}`")
        for rotation in team.rotations:
            add(rotation, f"a rotation of `{team.name}`", (rotation.only,))
        for override in team.overrides:
            add(override, f"an override of `{team.name}`")
    for escalation in client.escalations.values():
        add(escalation, f"escalation `{escalation.name}`")
        for number, step in enumerate(escalation.steps, 1):
            add(step, f"step {number} of escalation `{escalation.name}`")
    for greeting in client.greetings:
        add(greeting, f"greeting `{greeting.name}`", (greeting.when,), texts)
    for script in client.scripts.values():
        add(script, f"script `{script.name}`", reads=texts)
        for asked in script.steps:
            if isinstance(asked, m.Ask):
                add(asked, f"question `{asked.field}` of script `{script.name}`", (asked.when,), texts)
            else:
                add(asked, f"a `say` of script `{script.name}`", (asked.when,), texts)
    for choice in client.script_choices:
        add(choice, f"choose script `{choice.script}`", (choice.when,))
    for rule in client.urgency:
        add(rule, f"urgency `{rule.level}` rule", (rule.when,))
    for number, route in enumerate(client.routes, 1):
        add(route, f"route rule {number}", (route.when,))
    return sorted(found, key=lambda entry: entry[0])


def touched(client: m.Client, lines: Sequence[int]) -> tuple[tuple[str, ...], frozenset[str]]:
    """The statements lines of `client`'s text belong to, and the call's dimensions they read."""
    index = statements(client)
    names: dict[str, None] = {}
    reads: set[str] = set()
    for line in lines:
        owner = None
        for entry in index:
            if entry[0] > line:
                break
            owner = entry
        if owner is not None:
            names[owner[1]] = None
            reads |= dimensions(owner[2]) | owner[3]
    return tuple(names), frozenset(reads)


# ---- the edits between two texts ---------------------------------------------------------------


def edits_between(old: m.Client, new: m.Client) -> list[Edit]:
    """Each run of changed lines between the texts the two versions were compiled from."""
    old_lines, new_lines = old.source.splitlines(), new.source.splitlines()
    out = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        new_names, new_reads = touched(new, [j + 1 for j in range(j1, j2) if not remark(new_lines[j])])
        old_names, old_reads = touched(old, [i + 1 for i in range(i1, i2) if not remark(old_lines[i])])
        out.append(
            Edit(
                j1 + 1,
                j2,
                i1 + 1,
                i2,
                tuple(new_lines[j1:j2]),
                tuple(old_lines[i1:i2]),
                tuple(dict.fromkeys(new_names + old_names)) or ("comments or blank lines",),
                new_reads | old_reads,
            )
        )
    return out


def remark(line: str) -> bool:
    """A line with nothing but a comment, or nothing at all."""
    return not line.strip() or line.lstrip().startswith("#")


def alone(old: m.Client, edit: Edit) -> m.Client | None:
    """The old version with only `edit` applied; None when that does not compile."""
    lines = old.source.splitlines()
    text = "\n".join(lines[: edit.old_first - 1] + list(edit.text) + lines[edit.old_last :]) + "\n"
    try:
        client, _ = compile_text(text, old.path)
    except RulesError:
        return None
    return client


# ---- which edit causes each change ---------------------------------------------------------------


class Causes:
    """Decides changes' examples under the old version with one edit applied."""

    def __init__(self, old: m.Client, edits: Sequence[Edit]):
        self.edits = tuple(edits)
        self.plans = [None if (c := alone(old, e)) is None else ClientPlan.of(c) for e in self.edits]
        self.old_plan = ClientPlan.of(old)

    def of(self, change: Change) -> tuple[tuple[int, ...], Decision]:
        """The first edit (its index) that alone changes the example's part, or (when none does)
        all the edits that could not be tried alone, or else every edit; and the example
        decided under that edit alone (under the old version when there is none)."""
        live = WITH_STATUS if change.status else EMPTY
        before = Decider(self.old_plan, change.example, live).decision()
        for i, plan in enumerate(self.plans):
            if plan is None:
                continue
            after = Decider(plan, change.example, live).decision()
            if not same(before, after, change.part):
                return (i,), after
        untried = tuple(i for i, plan in enumerate(self.plans) if plan is None)
        return untried or tuple(range(len(self.edits))), before
