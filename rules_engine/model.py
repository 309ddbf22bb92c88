"""The compiled rule model: frozen pydantic nodes, each knowing where in its file it came from.

The builder (`build.py`) creates these nodes from the parse tree; the compiler
(`compiler.py`, with `assemble.py` and the `check_*` modules) validates them, checks every
reference and assembles the `Client`. Nothing here changes after compilation, so one
compiled `Client` can serve any number of threads.

Positions (`pos`) never take part in equality: two rules that say the same thing are equal
wherever they are written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import chain
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field


class Pos(BaseModel):
    """A place in a rule file (1-based line and column)."""

    model_config = ConfigDict(frozen=True)
    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class Node(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)
    pos: Pos | None = Field(default=None, exclude=True, repr=False)

    def __eq__(self, other: object) -> bool:
        if type(self) is not type(other):
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in type(self).model_fields if f != "pos")

    def __hash__(self) -> int:
        return hash(repr(self))  # repr leaves `pos` out, as equality does

    @property
    def line(self) -> int:
        """The 1-based line the node was written on; 0 for a node made without a position."""
        return self.pos.line if self.pos is not None else 0


class Name(Node):
    """A name or literal written in the file where its own position matters for diagnostics
    (list members, languages, phone numbers in a list)."""

    value: str


# ---- the language's fixed vocabularies (docs/language.md) ------------------------------------

# The week from Monday (weekday 0), as the acceptance scenarios spell it; rule files write the
# first three letters, and the grammar's `DAYS` terminal is filled in from those.
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_NAMES = tuple(day[:3] for day in WEEKDAYS)
# Why a call was forwarded, in the spec's short names: what `forwarded` may name and what a
# call's `forwarded` field is normalised to (RFC 5806 reasons are mapped in `decide/call.py`).
FORWARDING_REASONS = ("always", "scheduled", "manual", "busy", "no_answer", "unavailable", "direct", "unknown")


# An answer to a `number` question, as callers give it: digits, an optional sign and decimals
# (`106`, `-5`, `98.6`); no exponent, no thousands separator, no `NaN` or `Infinity`.
NUMBER_ANSWER = re.compile(r"[-+]?\d+(\.\d+)?")


def number_of(text: str) -> Decimal | None:
    """The number an answer gives, or None when it is not written as a number."""
    return Decimal(text) if NUMBER_ANSWER.fullmatch(text) else None


# ---- conditions --------------------------------------------------------------------------


class Cond(Node):
    """Base of every condition; the subclasses below are the atoms and connectives."""


class And(Cond):
    items: tuple[Cond, ...]


class Or(Cond):
    items: tuple[Cond, ...]


class Not(Cond):
    item: Cond


class Segment(Node):
    """One part of a schedule: on `days` (0 = Monday), from `start` to `end` minutes.

    `end <= start` means the range crosses midnight and belongs to the day it starts on.
    A whole day is 0..1440.
    """

    days: frozenset[int]
    start: int
    end: int


class Schedule(Cond):
    segments: tuple[Segment, ...]


class During(Cond):
    """`during nov 15 to mar 15`: every year from the first (month, day) to the second, both
    days included; when the first comes after the second, the span crosses the new year."""

    start: tuple[int, int]
    end: tuple[int, int]

    def holds(self, month: int, day: int) -> bool:
        on = (month, day)
        if self.start <= self.end:
            return self.start <= on <= self.end
        return on >= self.start or on <= self.end


class WindowRef(Cond):
    name: str


class Holiday(Cond):
    pass


class Closed(Cond):
    pass


class Status(Cond):
    pass


class Forwarded(Cond):
    reasons: tuple[str, ...]


class CallerIs(Cond):
    number: str


class CallerIn(Cond):
    list: str


class DialedIs(Cond):
    number: str


class DialedIn(Cond):
    list: str


class LanguageIs(Cond):
    language: str


class FieldSet(Cond):
    field: str


class FieldIs(Cond):
    field: str
    value: str


class FieldIn(Cond):
    field: str
    values: tuple[str, ...]


Comparison = Literal["<", "<=", ">", ">="]


class FieldCompare(Cond):
    """`FIELD < N`, `<=`, `>`, `>=` on a field asked as a `number`."""

    field: str
    op: Comparison
    value: Decimal


class Said(Cond):
    phrases: tuple[str, ...]


class UrgencyIs(Cond):
    level: str


T = TypeVar("T")


def fold(
    cond: Cond,
    atom: Callable[[Cond], T],
    all_of: Callable[[tuple[T, ...]], T],
    any_of: Callable[[tuple[T, ...]], T],
    negate: Callable[[T], T],
) -> T:
    """The one walk over a condition's connectives, bottom up: `atom` maps each atom, and the
    results of an `and`'s, an `or`'s or a `not`'s parts are combined by `all_of`, `any_of` or
    `negate`. Whatever is computed from one condition (its atoms, a time predicate, a
    compiled test, a static property) is a fold; only the builder, which makes the
    connectives, and `logic.implies`, which relates two conditions, look at them otherwise."""
    if isinstance(cond, And):
        return all_of(tuple(fold(item, atom, all_of, any_of, negate) for item in cond.items))
    if isinstance(cond, Or):
        return any_of(tuple(fold(item, atom, all_of, any_of, negate) for item in cond.items))
    if isinstance(cond, Not):
        return negate(fold(cond.item, atom, all_of, any_of, negate))
    return atom(cond)


def atoms(cond: Cond | None) -> tuple[Cond, ...]:
    """Every atom of a condition in the order written, connectives looked through; none for
    `None` (an unconditional rule)."""
    if cond is None:
        return ()
    return fold(cond, lambda found: (found,), concatenated, concatenated, lambda found: found)


def concatenated(parts: tuple[tuple[Cond, ...], ...]) -> tuple[Cond, ...]:
    return tuple(chain.from_iterable(parts))


# ---- texts ---------------------------------------------------------------------------------


class Placeholder(Node):
    """`{agent}`, `{client}`, `{caller}`, `{status.note}`, `{answer.X}` or `{oncall.TEAM}`."""

    name: str


class Template(Node):
    """A text with placeholders, split once at compile time into literal parts and holes."""

    source: str
    parts: tuple[str | Placeholder, ...] = ()


class Text(Node):
    """What the agent says: one template per language.

    The key `""` holds a single text written without a language, valid for every language.
    """

    by_language: dict[str, Template]


# ---- calendar and people -----------------------------------------------------------------


class DateTimeLit(Node):
    """A local wall-clock date-time from the file, in the client's time zone.

    It becomes an instant with `clock.to_instant` (fold=0) where it is evaluated.
    """

    local: datetime


class Window(Node):
    name: str
    cond: Cond


class Closure(Node):
    title: str | None
    start: DateTimeLit
    end: DateTimeLit


class HolidayDate(Node):
    title: str
    date: date


class HolidaySelection(Node):
    """`except "Name", …` or `only "Name", …` at the end of a `holidays` line: which of the
    line's public holidays count (names as the `holidays` package gives them in English)."""

    keep: Literal["except", "only"]
    names: tuple[Name, ...]


class Region(Node):
    """A public-holiday calendar of the `holidays` package: country and optional subdivision,
    with the selection its `holidays` line makes (the same for every region of the line)."""

    country: str
    subdivision: str | None = None
    selection: HolidaySelection | None = None


class Contact(Node):
    name: str
    title: str
    addresses: dict[str, Name]  # method (call, sms, email) -> address as written


class PhoneList(Node):
    name: str
    numbers: tuple[Name, ...]


class Rotation(Node):
    period_days: int
    start: DateTimeLit
    members: tuple[Name, ...]
    only: Cond | None = None


class Override(Node):
    start: DateTimeLit
    end: DateTimeLit
    member: Name


class Team(Node):
    name: str
    rotations: tuple[Rotation, ...]
    overrides: tuple[Override, ...]


# ---- actions and escalation ----------------------------------------------------------------


class Target(Node):
    """Who is reached: a contact, whoever is on call for a team, or a literal number."""


class ContactTarget(Target):
    contact: str


class TeamTarget(Target):
    team: str


class NumberTarget(Target):
    number: str


Method = Literal["call", "sms", "email"]  # how a contact is reached


class Notify(Node):
    method: Method
    target: Target


class Action(Node):
    """Base of what a route (or an escalation's `finally`) does. `say`: words the agent
    tells the caller before the action (`say "…" then escalate gas`)."""

    say: Text | None = None


class Patch(Action):
    target: Target


class Escalate(Action):
    policy: str


class Message(Action):
    priority: str = "normal"
    deliveries: tuple[Notify, ...] = ()


class Voicemail(Action):
    pass


class Callback(Action):
    within: timedelta


class Hangup(Action):
    say: Text


class Step(Node):
    notify: tuple[Notify, ...]
    wait: timedelta


class Escalation(Node):
    name: str
    steps: tuple[Step, ...]
    repeat: int = 1
    final: Action | None = None


# ---- what the agent says and asks, urgency and routes ---------------------------------------


class Greeting(Node):
    name: str
    title: str | None = None
    when: Cond | None = None
    texts: dict[str, Template]


class NumberRange(Node):
    """`number` or `number LO-HI`: the answer is a number (decimals allowed), within the
    bounds when they are given (both included)."""

    low: Decimal | None = None
    high: Decimal | None = None


class Ask(Node):
    field: str
    prompt: Text
    required: bool = False
    phone: bool = False
    choices: tuple[Name, ...] | None = None
    number: NumberRange | None = None
    when: Cond | None = None


class Say(Node):
    """A `say` step of a script; with `when`, present only while its condition is not false."""

    text: Text
    when: Cond | None = None


class Script(Node):
    name: str
    steps: tuple[Ask | Say, ...]


class ScriptChoice(Node):
    script: str
    when: Cond | None = None


class UrgencyRule(Node):
    level: str
    when: Cond | None = None


class RouteRule(Node):
    when: Cond | None = None
    actions: tuple[Action, ...]


class Client(Node):
    """One client's compiled rules."""

    id: str
    title: str | None = None
    path: str
    # The text compiled, so that diagnostics made after compiling (on-call coverage) quote the
    # lines that were compiled, not a file re-read later; out of dumps and reprs, as positions are.
    source: str = Field(default="", exclude=True, repr=False)
    timezone: str = ""
    languages: tuple[Name, ...] = ()
    numbers: tuple[Name, ...] = ()
    # `forwarding busy, no_answer`: the reasons the client's phones forward with. Deciding
    # never reads it; the matrix and the diff cover these reasons first.
    forwarding: tuple[Name, ...] = ()
    regions: tuple[Region, ...] = ()
    holiday_dates: tuple[HolidayDate, ...] = ()
    windows: dict[str, Window] = {}
    closures: tuple[Closure, ...] = ()
    contacts: dict[str, Contact] = {}
    lists: dict[str, PhoneList] = {}
    teams: dict[str, Team] = {}
    escalations: dict[str, Escalation] = {}
    greetings: tuple[Greeting, ...] = ()
    scripts: dict[str, Script] = {}
    script_choices: tuple[ScriptChoice, ...] = ()
    urgency: tuple[UrgencyRule, ...] = ()
    routes: tuple[RouteRule, ...] = ()
    rules_version: str = ""

    @property
    def default_language(self) -> str:
        return self.languages[0].value if self.languages else "en"
