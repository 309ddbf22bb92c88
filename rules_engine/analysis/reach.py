"""Reach: a client's survey → warnings for every rule that no call can reach, and why.

Which rules are reached is read off the engine's own decisions for every class of call at
every distinct time of the span (`survey.Survey`): each first-match section's trace says
which rule decided, a chosen script's steps list the conditional questions it asks, and its
trace says which `say … when` steps it said.
So a rule is reported only when no call at any time in the span gets it: exact, never a
guess.

What the warning says is worked out afterwards, for the rules found unreached:

- *taken*: some class of calls decided by earlier rules would meet the rule's condition
  (its free facts tried one class at a time): those earlier rules take its calls, named
  with their lines;
- *impossible*: its condition holds for no call at any time of the span; the parts of an
  `and` are tried alone, then in pairs, to name the fact that makes it empty ("`open`
  holds only inside `office`");
- otherwise its condition holds only for calls that never reach it (an urgency no rule
  before it decides, an answer its calls' script never asks).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from itertools import combinations, product

from .. import model as m
from ..decide.decision import Ask
from ..errors import Diagnostic, SourceText
from ..schedule.calendar import TimeFacts
from .classes import Value, dimensions
from .explore import Leaf
from .relevance import NO_LEVEL, ONE, Scope
from .survey import Survey, chosen
from .timeline import Clock
from .written import written

HORIZON = 365  # days from the start that `check` proves reachability over
MAX_TRIED = 4096  # classes of free facts tried per condition and time before assuming it can hold


@dataclass(frozen=True)
class Section:
    """A first-match section: its rules, and how a warning names one of them."""

    name: str  # as the decision's trace names it
    rules: tuple
    what: str  # "greeting `lunch`": {rule} is formatted with the rule and its 1-based number
    verb: str


def sections(client: m.Client) -> tuple[Section, ...]:
    return (
        Section("greeting", client.greetings, "greeting `{rule.name}`", "is never heard"),
        Section("script", client.script_choices, "`choose script {rule.script}`", "never applies"),
        Section("urgency", client.urgency, "urgency `{rule.level}`", "is never decided"),
        Section("route", client.routes, "route rule {number}", "is never chosen"),
    )


def named(section: Section, index: int) -> str:
    rule = section.rules[index]
    return section.what.format(rule=rule, number=index + 1) + f" (line {rule.line})"


def reach_warnings(
    client: m.Client, start: date | datetime | None = None, days: int = HORIZON, survey: Survey | None = None
) -> list[Diagnostic]:
    """Warnings for the rules of `client` that no call reaches in the `days` from `start` (a
    local date, default today), each naming what takes its calls or why it cannot hold."""
    survey = survey or Survey(client, local_date(client, start), days)
    return Reach(survey).warnings()


def local_date(client: m.Client, start: date | datetime | None) -> date:
    tz = Clock(client).tz
    if start is None:
        return datetime.now(tz).date()
    if isinstance(start, datetime):
        return start.astimezone(tz).date()
    return start


class Reach:
    def __init__(self, survey: Survey):
        self.survey = survey
        self.client = survey.client
        self.dims = survey.explorer.dims
        self.relevance = survey.explorer.relevance[0]
        self.visits = survey.visits()
        self.source = SourceText.of(self.client.path, self.client.source)
        self.levels = tuple(dict.fromkeys(rule.level for rule in self.client.urgency))
        self.ever_memo: dict[m.Cond, bool] = {}

    def warnings(self) -> list[Diagnostic]:
        out: list[Diagnostic] = []
        for section in sections(self.client):
            reached = {chosen(leaf.decisions[0], section.name) for _, leaf in self.visits}
            for index, rule in enumerate(section.rules):
                # The unconditional last rule is required even where earlier rules cover every call.
                if index not in reached and rule.when is not None:
                    out.append(self.unreached(section, index, rule))
        out += self.unasked()
        return sorted(out, key=lambda d: (d.line, d.column))

    # ---- first-match rules ----------------------------------------------------------------------
    def unreached(self, section: Section, index: int, rule) -> Diagnostic:
        what = f"{named(section, index)} {section.verb}"
        takers = sorted(self.takers(section, index, rule.when))
        if takers:
            names = [named(section, j) for j in takers]
            who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
            verb = "takes" if len(names) == 1 else "take"
            return self.source.at(
                "warning",
                rule.pos,
                f"{what}: {who} {verb} every call it could",
                f"move it above line {section.rules[takers[0]].line}, narrow "
                + ("that rule" if len(names) == 1 else "those rules")
                + ", or delete it",
            )
        return self.source.at(
            "warning", rule.pos, f"{what}: {self.why(rule.when)}", "change its condition, or delete it"
        )

    def takers(self, section: Section, index: int, cond: m.Cond) -> set[int]:
        """The earlier rules that decide some call for which `cond` holds."""
        found: set[int] = set()
        for facts, leaf in self.visits:
            decision = leaf.decisions[0]
            j = chosen(decision, section.name)
            if j is None or j >= index or j in found:
                continue
            if self.holds_in(cond, facts, leaf):
                found.add(j)
        return found

    def why(self, cond: m.Cond) -> str:
        if self.ever(cond):
            return "no call that reaches it meets its condition"
        text = f"`{written(cond)}` cannot hold"
        items = cond.items if isinstance(cond, m.And) else (cond,)
        for item in items:
            if not self.ever(item):
                return f"{text}: {self.never(item)}"
        for a, b in combinations(items, 2):
            if not self.ever(m.And(items=(a, b))):
                return f"{text}: {never_together(a, b)}"
        return text

    def never(self, item: m.Cond) -> str:
        """Why a part of a condition never holds: the file has nothing that makes it, or not in the span."""
        if isinstance(item, m.Holiday) and not (self.client.regions or self.client.holiday_dates):
            return 'the file names no holidays (`holidays CODE` or `holiday "Name" DATE`)'
        if isinstance(item, m.Closed) and not self.client.closures:
            return "the file has no `closed` dates"
        return f"`{written(item)}` never holds in the {self.survey.days} days checked"

    # ---- conditional steps of scripts -------------------------------------------------------------
    def unasked(self) -> Iterator[Diagnostic]:
        """`ask … when` steps no decision lists, and `say … when` steps no decision says."""
        heard: dict[str, set] = {}  # script → the fields its decisions ask and the places of the `say`s they say
        for _, leaf in self.visits:
            decision = leaf.decisions[0]
            if decision.script is not None:
                found = heard.setdefault(decision.script.id, set())
                found.update(step.field for step in decision.script.steps if isinstance(step, Ask))
                found.update(
                    ("say", entry.rule) for entry in decision.trace if entry.section == "say" and entry.result is True
                )
        for name, script in self.client.scripts.items():
            if name not in heard:  # never chosen: its `choose script` rules are warned about
                continue
            for place, step in enumerate(script.steps, start=1):
                if step.when is None:
                    continue
                if isinstance(step, m.Ask) and step.field not in heard[name]:
                    what = f"question `{step.field}` (line {step.line}) of script `{name}` is never asked"
                    hint = "change its `when`, or ask it without one"
                elif isinstance(step, m.Say) and ("say", place) not in heard[name]:
                    what = f"the `say` on line {step.line} of script `{name}` is never said"
                    hint = "change its `when`, or delete it"
                else:
                    continue
                reason = (
                    f"`{written(step.when)}` is false for every call that gets script `{name}`"
                    if self.ever(step.when)
                    else self.why(step.when)
                )
                yield self.source.at("warning", step.pos, f"{what}: {reason}", hint)

    # ---- conditions over classes of calls ---------------------------------------------------------
    def holds_in(self, cond: m.Cond, facts: TimeFacts, leaf: Leaf) -> bool:
        """True when `cond` holds for some call of the class `leaf` (decided as the leaf says)."""
        decision = leaf.decisions[0]
        asked = self.relevance.fields.get(decision.script.id, frozenset()) if decision.script else frozenset()
        urgency = (
            ONE[None]
            if decision.urgency is None and chosen(decision, "urgency") is None and self.client.urgency
            else frozenset({decision.urgency or NO_LEVEL})
        )
        return self.true_somewhere(cond, facts, leaf.assignment, asked, [urgency])

    def ever(self, cond: m.Cond) -> bool:
        """True when `cond` holds for some call at some time of the span, whatever the rules before it."""
        if cond not in self.ever_memo:
            fields = frozenset(name.partition(".")[2] for name in self.dims.order if name.startswith("answers."))
            urgencies = [frozenset({level}) for level in self.levels] + [frozenset({NO_LEVEL})]
            self.ever_memo[cond] = any(
                self.true_somewhere(cond, facts, {}, fields, urgencies) for facts in self.survey.facts.values()
            )
        return self.ever_memo[cond]

    def true_somewhere(
        self,
        cond: m.Cond,
        facts: TimeFacts,
        fixed: dict[str, Value],
        asked: frozenset[str],
        urgencies: list[frozenset],
    ) -> bool:
        """Some class of the facts `cond` reads (beyond `fixed`) makes it true; an answer is
        tried only for a field the call's script asks (the engine refuses any other)."""
        relevance = self.relevance  # `relevance.compile`: the outcome test of a condition, no Python compiled
        test = relevance.compile(cond)
        free = sorted(dimensions([cond]) - fixed.keys())
        choices = []
        for name in free:
            values = self.dims[name].values
            if name.startswith("answers.") and name.partition(".")[2] not in asked:
                values = values[:1]  # not given
            choices.append(values)
        for tried, combo in enumerate(product(*choices)):
            if tried >= MAX_TRIED:
                return True  # too many to try: assume it can (a warning may only be missed)
            assignment = {**fixed, **dict(zip(free, combo, strict=True))}
            scope = Scope(0, assignment, frozenset(), facts)
            scope.pending = frozenset(f for f in asked if self.dims.answer(assignment, f) is None)
            for urgency in urgencies:
                scope.urgency = urgency
                if True in test(scope)[0]:
                    return True
        return False


def never_together(a: m.Cond, b: m.Cond) -> str:
    """Why `a and b` is empty when each part alone is not: said from the side of a negation."""
    for first, second in ((a, b), (b, a)):
        if isinstance(second, m.Not):
            inner = second.item
            where = f"inside `{inner.name}`" if isinstance(inner, m.WindowRef) else f"when `{written(inner)}` does"
            return f"`{written(first)}` holds only {where}"
    return f"`{written(a)}` and `{written(b)}` never hold at the same time"
