"""The decision: what the engine answers for one call — the contract with the routing daemon.

Its JSON (`decision.model_dump(mode="json")` or `decision.to_json()`) is exactly the shape
of LANGUAGE.md section 3. The evaluator builds these models with `Part.trusted` (its
values are already checked), so no validation runs on the hot path. Optional keys the
contract marks as such (a greeting's title, a target's contact, an action's team, the
status, a trace note) are left out when they have no value, rather than written as null.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import Any, ClassVar, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, model_serializer

_new = object.__new__
_set = object.__setattr__


@lru_cache(maxsize=1024)
def iso_duration(value: timedelta) -> str:
    """A duration in ISO 8601: 5 minutes → `PT5M`, a day and a half → `P1DT12H`."""
    seconds = int(value.total_seconds())
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    time = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
    text = "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")
    return text if text != "P" else "PT0S"


class Part(BaseModel):
    """Base of the decision's parts: frozen, and `OMIT_NONE` keys dropped when empty."""

    model_config = ConfigDict(frozen=True, serialize_by_alias=True)
    OMIT_NONE: ClassVar[frozenset[str]] = frozenset()
    # Every field in declaration order with its default (`...` when it has none): set per class.
    FIELD_DEFAULTS: ClassVar[dict[str, Any]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.FIELD_DEFAULTS = {name: ... if field.is_required() else field.default
                              for name, field in cls.__pydantic_fields__.items()}

    @classmethod
    def trusted(cls, **values: Any):
        """The part as `model_construct(**values)` makes it, for values the evaluator has
        already checked, given by field name, every required field included.

        `model_construct` looks up aliases and defaults field by field (~3 µs a part); this
        sets the same instance state directly, fields in declaration order, defaults shared
        (they are all immutable). `tests/decide/test_golden_decisions.py` pins the equivalence.
        """
        part = _new(cls)
        _set(part, "__dict__", {**cls.FIELD_DEFAULTS, **values})
        _set(part, "__pydantic_fields_set__", set(values))
        _set(part, "__pydantic_extra__", None)
        _set(part, "__pydantic_private__", None)
        return part

    @model_serializer(mode="wrap")
    def _drop_empty_optionals(self, handler):
        data = handler(self)
        for key in self.OMIT_NONE:
            if data.get(key) is None:
                data.pop(key, None)
        return data


class Target(Part):
    """Who is reached, resolved at the call's time: a contact's address, or a literal number."""

    OMIT_NONE = frozenset({"contact", "name", "team"})
    contact: Optional[str] = None
    name: Optional[str] = None
    team: Optional[str] = None
    method: Literal["call", "sms", "email"]
    address: str


class Patch(Part):
    OMIT_NONE = frozenset({"team"})
    kind: Literal["patch"] = "patch"
    team: Optional[str] = None
    targets: tuple[Target, ...]


class Message(Part):
    kind: Literal["message"] = "message"
    priority: str = "normal"
    targets: tuple[Target, ...] = ()


class Voicemail(Part):
    kind: Literal["voicemail"] = "voicemail"


class Callback(Part):
    kind: Literal["callback"] = "callback"
    within: str  # ISO 8601 duration


class Hangup(Part):
    kind: Literal["hangup"] = "hangup"
    say: str


class EscalationStep(Part):
    targets: tuple[Target, ...]
    wait: str  # ISO 8601 duration


FinalAction = Union[Patch, Message, Voicemail, Callback, Hangup]


class Escalate(Part):
    kind: Literal["escalate"] = "escalate"
    policy: str
    steps: tuple[EscalationStep, ...]
    repeat: int = 1
    final: Optional[FinalAction] = Field(default=None, alias="finally")


Action = Union[Patch, Escalate, Message, Voicemail, Callback, Hangup]


class Greeting(Part):
    OMIT_NONE = frozenset({"title"})
    id: str
    title: Optional[str] = None
    language: str
    text: str


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
    choices: Optional[tuple[str, ...]] = None
    answer: Optional[str] = None
    waits_for: tuple[str, ...] = ()


class Say(Part):
    kind: Literal["say"] = "say"
    language: str
    text: str


class Script(Part):
    id: str
    steps: tuple[Union[Ask, Say], ...]


class Route(Part):
    rule: int  # 1-based position in `route { … }`
    line: int
    actions: tuple[Action, ...]


class Status(Part):
    note: str
    instructions: Optional[str] = None
    until: Optional[str] = None  # ISO 8601 with offset


class TraceEntry(Part):
    """One rule tried: its section, name (or 1-based number), source line and result.

    `result` is null for a rule that waits for answers; `note` says what else happened
    (a target left out because nobody is on call, a step dropped).
    """

    OMIT_NONE = frozenset({"note"})
    section: str
    rule: Union[str, int]
    line: int
    result: Optional[bool]
    note: Optional[str] = None


class LiveStateStamp(BaseModel):
    """How current the live state a decision read was; only decisions read from a shared
    store (PostgreSQL) carry it. `revision` is the client's live-state revision (0 before
    any change), `as_of` when the snapshot was last known to match the store (ISO 8601,
    UTC), `age` the seconds from then to the decision. (Validated as usual, not a `Part`:
    it is built by the engine, not the evaluator.)"""

    model_config = ConfigDict(frozen=True)
    revision: int
    as_of: Optional[str]
    age: Optional[float]

    @classmethod
    def of(cls, stamp) -> "LiveStateStamp":
        return cls(revision=stamp.revision,
                           as_of=None if stamp.synced_at is None else stamp.synced_at.isoformat(timespec="milliseconds"),
                           age=None if stamp.age is None else round(stamp.age, 3))


class Decision(Part):
    """The whole answer for one call."""

    OMIT_NONE = frozenset({"status", "live_state"})
    client: str
    at: str  # local time of the call, ISO 8601 with offset
    rules_version: str
    windows: tuple[str, ...]
    greeting: Greeting
    script: Optional[Script] = None
    urgency: Optional[str] = None
    needs: tuple[str, ...] = ()
    route: Optional[Route] = None
    status: Optional[Status] = None
    trace: tuple[TraceEntry, ...] = ()
    live_state: Optional[LiveStateStamp] = None

    def to_json(self, indent: Optional[int] = None) -> str:
        return self.model_dump_json(indent=indent)

    def to_dict(self) -> dict[str, Any]:
        """The decision as the JSON's values (what the decision log stores and the CLI renders)."""
        return self.model_dump(mode="json")
