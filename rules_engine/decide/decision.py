"""The decision: what the engine answers for one call — the contract with the routing daemon.

Every part is a frozen, slotted dataclass; `Decision.to_json()` writes exactly the JSON of
docs/language.md ("The decision") and `Decision.to_dict()` gives the same as Python values. Optional
keys the contract marks as such (a greeting's title, a target's contact and name, an
action's or target's team, the status, a trace note) are left out when they have no
value; every other key is always written, null when empty.

One serializer, `part_json`, writes a part from its fields, in declaration order, under
their JSON names. Most parts are made once per client by its plan (`plan.ClientPlan`) and
shared by every decision: the plan keeps them `finished`, their JSON written once, so the
JSON of a decision is mostly the joining of texts already written. Parts made for one
call are written when the decision is.

The same classes describe the JSON Schema daemon authors read (`schema.decision_schema`):
pydantic reads the field types (the `Annotated` metadata names `finally` and makes the
actions a union discriminated by `kind`).
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from json.encoder import encode_basestring  # a str as JSON, non-ASCII kept: what `ensure_ascii=False` writes
from typing import TYPE_CHECKING, Annotated, Any, Literal, Protocol, TypeVar, dataclass_transform, get_type_hints

from pydantic import Field

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

OMITTED_WHEN_NONE = {"omit_none": True}  # `field` metadata: the key is left out rather than written as null


@dataclass(frozen=True, slots=True, kw_only=True)
class Part:
    """Base of the decision's parts. `json_text` is the part's JSON when it is `finished`
    (written once, for a part the plan shares), None for a part made for one call."""

    json_text: Annotated[str | None, Field(exclude=True)] = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The part as it stands in the decision's JSON, as Python values."""
        values: dict[str, Any] = json.loads(part_json(self))
        return values


# class → ((attribute, JSON key, '"key":', omitted when None), …) in declaration order; see `part`.
SHAPES: dict[type, tuple[tuple[str, str, str, bool], ...]] = {}
P = TypeVar("P", bound=Part)


def finished(value: P) -> P:
    """The part with its JSON written: for the parts a plan keeps and every decision shares."""
    cls = type(value)
    return cls(**{name: getattr(value, name) for name, _, _, _ in SHAPES[cls]}, json_text=part_json(value))


@dataclass_transform(frozen_default=True, kw_only_default=True, field_specifiers=(field,))
def part(cls: type[P]) -> type[P]:
    """Make `cls` a decision part: a frozen, slotted, keyword-only dataclass with a JSON shape.
    (`dataclass_transform` tells type checkers so: a daemon's `Target(method=…)` type-checks.)"""
    made = dataclass(frozen=True, slots=True, kw_only=True)(cls)
    SHAPES[made] = shape_of(made)
    return made


def shape_of(cls: type[DataclassInstance]) -> tuple[tuple[str, str, str, bool], ...]:
    """The JSON keys of a part class: its fields' names, or their pydantic alias (`finally`)."""
    hints = get_type_hints(cls, include_extras=True)
    shape = []
    for item in fields(cls):
        if item.name == "json_text":
            continue
        key = next(
            (m.alias for m in getattr(hints[item.name], "__metadata__", ()) if getattr(m, "alias", None)), item.name
        )
        shape.append((item.name, key, encode_basestring(key) + ":", bool(item.metadata.get("omit_none"))))
    return tuple(shape)


def part_json(value: Any) -> str:
    """A part (or the decision) as compact JSON text: its keys in declaration order."""
    items = []
    for name, _, head, omit_none in SHAPES[type(value)]:
        item = getattr(value, name)
        if item is None:
            if not omit_none:
                items.append(head + "null")
        else:
            items.append(head + value_json(item))
    return "{" + ",".join(items) + "}"


def json_items(value: Any) -> list[tuple[str, str]]:
    """A part's (or the decision's) members as written in its JSON, in order: (field name,
    `"key":value`), omitted keys left out. The decision log builds its record from the
    decision's members as they are written for the answer (`runtime.decision_record`)."""
    items = []
    for name, _, head, omit_none in SHAPES[type(value)]:
        item = getattr(value, name)
        if item is None:
            if not omit_none:
                items.append((name, head + "null"))
        else:
            items.append((name, head + value_json(item)))
    return items


def value_json(value: Any) -> str:
    """A field's value as JSON: text, a list, a boolean, a number, null, or a part."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is tuple:
        return "[" + ",".join([value_json(item) for item in value]) + "]"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        return float.__repr__(value)  # finite and rounded (a live state's age): as pydantic writes it
    if value is None:
        return "null"
    text = value.json_text  # a part
    return text if text is not None else part_json(value)


def iso_duration(value: timedelta) -> str:
    """A duration in ISO 8601: 5 minutes → `PT5M`, a day and a half → `P1DT12H`."""
    seconds = int(value.total_seconds())
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    time = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
    text = "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")
    return text if text != "P" else "PT0S"


ISO_DURATION = re.compile(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
METHOD_WORDS = {"call": "call", "sms": "text", "email": "email"}  # a target's method, as people say it


def spoken_duration(iso: str) -> str:
    """`PT1H30M` → `1 h 30 min`: a decision's duration as the command line and the console write it."""
    match = ISO_DURATION.match(iso)
    if not match:
        return iso
    parts = [f"{n} {unit}" for n, unit in zip(match.groups(), ("d", "h", "min", "s"), strict=True) if n]
    return " ".join(parts) or "0 s"


@part
class Target(Part):
    """Who is reached, resolved at the call's time: a contact's address, or a literal number."""

    contact: str | None = field(default=None, metadata=OMITTED_WHEN_NONE)
    name: str | None = field(default=None, metadata=OMITTED_WHEN_NONE)
    team: str | None = field(default=None, metadata=OMITTED_WHEN_NONE)
    method: Literal["call", "sms", "email"]
    address: str


@part
class Patch(Part):
    kind: Literal["patch"] = "patch"
    say: str | None = field(default=None, metadata=OMITTED_WHEN_NONE)  # `say "…" then …`: told first
    team: str | None = field(default=None, metadata=OMITTED_WHEN_NONE)
    targets: tuple[Target, ...]


@part
class Message(Part):
    kind: Literal["message"] = "message"
    say: str | None = field(default=None, metadata=OMITTED_WHEN_NONE)  # `say "…" then …`: told first
    priority: str = "normal"
    targets: tuple[Target, ...] = ()


@part
class Voicemail(Part):
    kind: Literal["voicemail"] = "voicemail"
    say: str | None = field(default=None, metadata=OMITTED_WHEN_NONE)  # `say "…" then …`: told first


@part
class Callback(Part):
    kind: Literal["callback"] = "callback"
    say: str | None = field(default=None, metadata=OMITTED_WHEN_NONE)  # `say "…" then …`: told first
    within: str  # ISO 8601 duration


@part
class Hangup(Part):
    kind: Literal["hangup"] = "hangup"
    say: str


@part
class EscalationStep(Part):
    targets: tuple[Target, ...]
    wait: str  # ISO 8601 duration


FinalAction = Annotated[Patch | Message | Voicemail | Callback | Hangup, Field(discriminator="kind")]


@part
class Escalate(Part):
    kind: Literal["escalate"] = "escalate"
    say: str | None = field(default=None, metadata=OMITTED_WHEN_NONE)  # `say "…" then …`: told first
    policy: str
    steps: tuple[EscalationStep, ...]
    repeat: int = 1
    final: Annotated[FinalAction | None, Field(alias="finally")] = None


Action = Annotated[Patch | Escalate | Message | Voicemail | Callback | Hangup, Field(discriminator="kind")]


@part
class Greeting(Part):
    id: str
    title: str | None = field(default=None, metadata=OMITTED_WHEN_NONE)
    language: str
    text: str


@part
class NumberRange(Part):
    """A `number` question: its answer is a number, from `min` to `max` when the file bounds it."""

    min: int | float | None = field(default=None, metadata=OMITTED_WHEN_NONE)
    max: int | float | None = field(default=None, metadata=OMITTED_WHEN_NONE)


@part
class Ask(Part):
    """A question of the script, in the language it will be asked in.

    `answer` is what the call already carries; `waits_for` names the answers that decide
    whether the question applies at all (empty when it surely does).
    """

    kind: Literal["ask"] = "ask"
    field: str
    language: str
    text: str
    required: bool = False
    phone: bool = False
    choices: tuple[str, ...] | None = None
    number: NumberRange | None = dataclasses.field(default=None, metadata=OMITTED_WHEN_NONE)  # `field` is taken
    answer: str | None = None
    waits_for: tuple[str, ...] = ()


@part
class Say(Part):
    kind: Literal["say"] = "say"
    language: str
    text: str


ScriptStep = Annotated[Ask | Say, Field(discriminator="kind")]


@part
class Script(Part):
    id: str
    steps: tuple[ScriptStep, ...]


@part
class Route(Part):
    rule: int  # 1-based position in `route { … }`
    line: int
    actions: tuple[Action, ...]


@part
class Language(Part):
    """The language the call asked for (`asked`, as sent; null when it named none), the client's
    language its texts are in (`used`), and why that one (`es-MX` is a form of `es`; the
    client has no language close to `de`: the default)."""

    asked: str | None = None
    used: str
    why: str


@part
class Status(Part):
    note: str
    instructions: str | None = None
    until: str | None = None  # ISO 8601 with offset


@part
class TraceEntry(Part):
    """One rule tried: its section, name (or 1-based number), source line and result.

    `result` is null for a rule that waits for answers; `note` says what else happened
    (a target left out because nobody is on call, a step dropped).
    """

    section: str
    rule: str | int
    line: int
    result: bool | None
    note: str | None = field(default=None, metadata=OMITTED_WHEN_NONE)


class Stamped(Protocol):
    """What `LiveStateStamp.of` reads: the runtime's stamp of a live-state snapshot
    (`runtime.snapshot.Stamp`), described here so that deciding does not import the runtime."""

    @property
    def revision(self) -> int: ...
    @property
    def synced_at(self) -> datetime | None: ...
    @property
    def age(self) -> float | None: ...


@part
class LiveStateStamp(Part):
    """How current the live state a decision read was; only decisions read from a shared
    store (PostgreSQL) carry it. `revision` is the client's live-state revision (0 before
    any change), `as_of` when the snapshot was last known to match the store (ISO 8601,
    UTC), `age` the seconds from then to the decision."""

    revision: int
    as_of: str | None
    age: float | None

    @classmethod
    def of(cls, stamp: Stamped) -> LiveStateStamp:
        return cls(
            revision=stamp.revision,
            as_of=None if stamp.synced_at is None else stamp.synced_at.isoformat(timespec="milliseconds"),
            age=None if stamp.age is None else round(stamp.age, 3),
        )


def tried(
    section: str, rule: str | int, line: int, note: str | None, results: tuple[bool | None, ...]
) -> dict[bool | None, TraceEntry]:
    """The finished trace entries of a rule, by each result its condition can give (it
    holds, it does not, it waits for answers)."""
    return {
        result: finished(TraceEntry(section=section, rule=rule, line=line, result=result, note=note))
        for result in results
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    """The whole answer for one call: greeting, script, urgency, route, and the trace of why."""

    # Not a `Part`: a decision is made for one call, so it is written only when asked for.

    client: str
    at: str  # local time of the call, ISO 8601 with offset
    rules_version: str
    windows: tuple[str, ...]
    language: Language
    greeting: Greeting
    script: Script | None = None
    urgency: str | None = None
    needs: tuple[str, ...] = ()
    route: Route | None = None
    status: Status | None = field(default=None, metadata=OMITTED_WHEN_NONE)
    trace: tuple[TraceEntry, ...] = ()
    live_state: LiveStateStamp | None = field(default=None, metadata=OMITTED_WHEN_NONE)
    # The call id the decision was logged under (given to `decide`, or made up for the log).
    call_id: str | None = field(default=None, metadata=OMITTED_WHEN_NONE)
    # Its JSON, when the engine wrote it already (for the decision log: `written_as`). Not set
    # by the constructor, so that `replace(decision, …)` makes a decision written anew.
    json_text: Annotated[str | None, Field(exclude=True)] = field(default=None, init=False, repr=False, compare=False)

    def to_json(self, indent: int | None = None) -> str:
        """The decision as JSON: compact by default, as the daemon receives it."""
        text = self.json_text if self.json_text is not None else part_json(self)
        return text if indent is None else json.dumps(json.loads(text), indent=indent, ensure_ascii=False)

    def to_dict(self) -> dict[str, Any]:
        """The decision as the JSON's values (what the decision log stores and the CLI renders)."""
        values: dict[str, Any] = json.loads(part_json(self))
        return values

    @staticmethod
    def json_schema() -> dict[str, Any]:
        """The JSON Schema of `to_json()`'s output, for daemon authors (see `schema.py`)."""
        from .schema import decision_schema

        return decision_schema()


SHAPES[Decision] = shape_of(Decision)


def written_as(decision: Decision, items: list[tuple[str, str]]) -> None:
    """Keep the decision's JSON, made from `items`: its members as `json_items` wrote them before
    its call id was set (the engine writes the members once, for its log and its answer)."""
    written = dict(items)
    members = []
    for name, _, head, _ in SHAPES[Decision]:
        if name == "call_id":
            if decision.call_id is not None:
                members.append(head + encode_basestring(decision.call_id))
        elif name in written:
            members.append(written[name])
    object.__setattr__(decision, "json_text", "{" + ",".join(members) + "}")
