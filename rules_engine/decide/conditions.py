"""Conditions: a compiled rule condition → a closure over one call's `Facts`, three-valued.

Each condition is compiled once per client. Evaluating it gives True, False, or None for
*unknown*: it depends on an answer the chosen script asks but the call does not carry yet
(section 2, "Facts at arrival vs after intake"). A field the script never asks and the call
does not carry is *absent*, and conditions on it are false. `and`, `or` and `not` follow
Kleene's logic, so a rule that is false whatever the missing answers turn out to be is
false now, and only a rule that really waits for an answer is unknown.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from .. import model as m
from ..schedule.calendar import TimeFacts, schedule_predicate

Truth = bool | None


@dataclass(slots=True)
class Facts:
    """Everything a condition may read about one call, gathered once per decision.

    Not frozen: the decision that owns it fills in what the script and the urgency
    section settle (`pending`, `urgency…`) as it goes; nothing else holds it.
    """

    time: TimeFacts
    forwarded: str
    caller: str | None
    dialed: str | None
    language: str
    status: bool
    answers: Mapping[str, str]  # carried answers, non-empty
    pending: frozenset[str]  # asked by the chosen script, not carried yet
    said: str | None
    urgency: str | None = None
    urgency_known: bool = True
    urgency_waits: tuple[str, ...] = ()  # what the urgency waits for while it is unknown


PHONE_PUNCTUATION = re.compile(r"[\s().-]")


def phone_key(number: str | None) -> str | None:
    """A phone number as compared: without the spaces, dashes and brackets people type."""
    if number is None:
        return None
    if (number.startswith("+") and number[1:].isdigit()) or number.isdigit():
        return number  # as most numbers arrive ("+13125550100"): nothing to take out
    return PHONE_PUNCTUATION.sub("", number) or None


@dataclass(frozen=True, slots=True)
class Condition:
    """A compiled condition: `test` is the hot path; `waits_for` explains an unknown."""

    test: Callable[[Facts], Truth]
    parts: tuple[Condition, ...] = ()
    field: str | None = None
    on_urgency: bool = False

    def waits_for(self, facts: Facts) -> set[str]:
        """The unanswered fields that make this condition unknown (empty when it is decided)."""
        if self.test(facts) is not None:
            return set()
        if self.field is not None:
            return {self.field}
        if self.on_urgency:
            return set(facts.urgency_waits)
        waiting: set[str] = set()
        for part in self.parts:
            waiting |= part.waits_for(facts)
        return waiting


ALWAYS = Condition(lambda facts: True)


def kleene(tests: tuple, decisive: bool) -> Callable[[Facts], Truth]:
    """Three-valued `and` (decisive=False) or `or` (decisive=True): the first decisive
    value wins; otherwise any unknown makes the whole unknown."""

    def test(facts: Facts) -> Truth:
        result: Truth = not decisive
        for item in tests:
            value = item(facts)
            if value is decisive:
                return decisive
            if value is None:
                result = None
        return result

    return test


def negation(inner: Callable[[Facts], Truth]) -> Callable[[Facts], Truth]:
    def test(facts: Facts) -> Truth:
        value = inner(facts)
        return None if value is None else not value

    return test


def answer_test(field: str, holds: Callable[[str], bool]) -> Callable[[Facts], Truth]:
    """Known → `holds(answer)`; asked but not carried → unknown; absent → false."""

    def test(facts: Facts) -> Truth:
        answer = facts.answers.get(field)
        if answer is not None:
            return holds(answer)
        return None if field in facts.pending else False

    return test


def said_pattern(phrases: tuple[str, ...]) -> re.Pattern:
    """Each phrase at a word start, any case, words separated by any white space."""
    alternatives = ("\\s+".join(re.escape(word) for word in phrase.split()) for phrase in phrases)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + ")", re.IGNORECASE)


def compile_condition(cond: m.Cond | None, lists: Mapping[str, frozenset[str]]) -> Condition:
    """Compile a condition of the model; `None` (an unconditional rule) always holds.

    `lists` maps each phone list to its numbers (as `phone_key` compares them).
    """
    if cond is None:
        return ALWAYS
    return m.fold(
        cond,
        lambda atom: compile_atom(atom, lists),
        lambda parts: Condition(kleene(tuple(p.test for p in parts), decisive=False), parts),
        lambda parts: Condition(kleene(tuple(p.test for p in parts), decisive=True), parts),
        lambda part: Condition(negation(part.test), (part,)),
    )


ANSWER_ATOMS = (m.FieldIs, m.FieldIn, m.FieldSet, m.FieldCompare)  # the atoms that read an answer
COMPARISONS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def compile_atom(cond: m.Cond, lists: Mapping[str, frozenset[str]]) -> Condition:
    if isinstance(cond, ANSWER_ATOMS):
        return Condition(answer_test(cond.field, answer_predicate(cond)), field=cond.field)
    if isinstance(cond, m.UrgencyIs):
        level = cond.level
        return Condition(lambda f: (f.urgency == level) if f.urgency_known else None, on_urgency=True)
    return Condition(arrival_test(cond, lists))


def possible_results(cond: m.Cond | None) -> tuple[Truth, ...]:
    """What the compiled `cond` can give: an unconditional rule only holds; a condition on
    arrival facts holds or not; only one on an answer or the urgency can also be unknown."""
    if cond is None:
        return (True,)
    if any(isinstance(atom, (*ANSWER_ATOMS, m.UrgencyIs)) for atom in m.atoms(cond)):
        return (True, False, None)
    return (True, False)


def answer_predicate(cond: m.Cond) -> Callable[[str], bool]:
    """Answers are compared without regard to case; they are never interpreted. A value
    written as a number (`outside is 104`) equals an answer giving the same number
    (`104.0`); `<`, `<=`, `>`, `>=` hold only for an answer that is a number."""
    if isinstance(cond, m.FieldCompare):
        compare, bound = COMPARISONS[cond.op], cond.value

        def compared(answer: str) -> bool:
            number = m.number_of(answer)
            return number is not None and compare(number, bound)

        return compared
    if isinstance(cond, (m.FieldIs, m.FieldIn)):
        wanted = (cond.value,) if isinstance(cond, m.FieldIs) else cond.values
        values = frozenset(v.casefold() for v in wanted)
        numbers = frozenset(n for n in map(m.number_of, wanted) if n is not None)
        if not numbers:
            return lambda answer: answer.casefold() in values

        def equal(answer: str) -> bool:
            number = m.number_of(answer)
            return number in numbers if number is not None else answer.casefold() in values

        return equal
    return lambda answer: True  # `FIELD is set`: carried answers are never empty


def arrival_test(cond: m.Cond, lists: Mapping[str, frozenset[str]]) -> Callable[[Facts], bool]:
    """Atoms that are always known: time, forwarding, numbers, language, status, `said`."""
    if isinstance(cond, m.WindowRef):
        name = cond.name
        return lambda f: name in f.time.windows
    if isinstance(cond, m.Schedule):
        predicate = schedule_predicate(cond)
        return lambda f: predicate(f.time)
    if isinstance(cond, m.During):
        during = cond
        return lambda f: during.holds(*f.time.month_day)
    if isinstance(cond, m.Holiday):
        return lambda f: f.time.holiday is not None
    if isinstance(cond, m.Closed):
        return lambda f: f.time.closed is not None
    if isinstance(cond, m.Status):
        return lambda f: f.status
    if isinstance(cond, m.Forwarded):
        reasons = frozenset(cond.reasons)
        return lambda f: f.forwarded in reasons
    if isinstance(cond, m.CallerIs):
        number = phone_key(cond.number)
        return lambda f: f.caller == number
    if isinstance(cond, m.CallerIn):
        members = lists[cond.list]
        return lambda f: f.caller is not None and f.caller in members
    if isinstance(cond, m.DialedIs):
        number = phone_key(cond.number)
        return lambda f: f.dialed == number
    if isinstance(cond, m.DialedIn):
        members = lists[cond.list]
        return lambda f: f.dialed is not None and f.dialed in members
    if isinstance(cond, m.LanguageIs):
        language = cond.language
        return lambda f: f.language == language
    if isinstance(cond, m.Said):
        pattern = said_pattern(cond.phrases)
        return lambda f: f.said is not None and pattern.search(f.said) is not None
    raise TypeError(f"not a condition: {type(cond).__name__}")  # the model has no other kind


def phone_lists(client: m.Client) -> dict[str, frozenset[str]]:
    return {
        name: frozenset(filter(None, (phone_key(n.value) for n in lst.numbers))) for name, lst in client.lists.items()
    }
