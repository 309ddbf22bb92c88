"""The call: what the routing daemon (or `rules-engine decide`) asks the engine to decide.

A `Call` is validated once, at construction (or by `model_validate`/`model_validate_json`);
every problem is raised as a `CallError` naming the field (never a pydantic error). The
forwarding reason and the phone numbers are normalised here, so the rest of the engine sees
only the short names of the spec and E.164 numbers. Free text is bounded (`LIMITS`), so no
call can turn into a log line of megabytes.

What depends on the client (which fields its scripts ask, their choices) is checked by
`checked_answers` once the client is known.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .. import model as m
from .. import phones
from ..errors import CallError, did_you_mean
from ..forwarding import normalise_reason

AT_YEARS = (1970, 2199)
# The most characters each free-text input may have (docs/robustness.md lists them).
LIMITS: Mapping[str, int] = MappingProxyType(
    {
        "said": 20_000,  # a transcript of a long call
        "answer": 1_000,  # one answer: a name, an address, a description
        "agent": 200,
        "client": 200,
        "language": 64,
        "call_id": 200,
        "note": 1_000,  # an owner's status note
        "instructions": 2_000,
        "reason": 1_000,  # why a live on-call override was set
    }
)


# Text that reads as a number, in any of the forms Python or JSON write one: a count of seconds
# (or milliseconds) since 1970 that must not pass for an instant.
NUMBER = re.compile(r"^[+-]?(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(e[+-]?\d+)?$", re.IGNORECASE)
BYTES = (bytes, bytearray, memoryview)


def checked_call_id(call_id: object) -> str | None:
    """`call_id` as given when it is one the daemon may log a call under: text of 1 to 200
    printable characters (so it fits one line of the log and a search box); else a `CallError`
    naming `call_id`. None asks for one to be made up."""
    if call_id is None:
        return None
    if not isinstance(call_id, str):
        raise CallError(f"must be text, not {type(call_id).__name__}", field="call_id")
    if not call_id:
        raise CallError("is empty; leave it out to have one made up", field="call_id")
    bounded(call_id, "call_id")
    if not call_id.isprintable():
        raise CallError("has a character that cannot be printed (a line end, a tab, a control)", field="call_id")
    return call_id


def bounded(value: str | None, field: str, limit: int | None = None) -> None:
    """A `CallError` naming the field and the limit when `value` is longer than it."""
    limit = limit if limit is not None else LIMITS[field]
    if value is not None and len(value) > limit:
        raise CallError(f"is {len(value):,} characters long; the limit is {limit:,}", field=field)


class Call(BaseModel):
    """One forwarded call. Give `client` (its id) or `number` (the number dialled), or both."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    client: str | None = None
    number: str | None = None
    at: datetime
    forwarded: str = "unknown"
    caller: str | None = None
    language: str | None = None
    agent: str | None = None
    answers: dict[str, str] = {}
    said: str | None = None

    if TYPE_CHECKING:
        # What a type checker sees: each field by name, with the types a call may be given in
        # (`at` also as ISO 8601 text, `answers` as any mapping), so `Call(clinet=…)` or an
        # answer that is not text fails type checking. At run time the fields go to pydantic
        # as given, so that a missing, unknown or malformed one is a `CallError` naming it,
        # in the same words whether the call came from Python, JSON or a mapping.
        def __init__(
            self,
            *,
            client: str | None = None,
            number: str | None = None,
            at: datetime | str,
            forwarded: str | None = "unknown",
            caller: str | None = None,
            language: str | None = None,
            agent: str | None = None,
            answers: Mapping[str, str] | None = None,
            said: str | None = None,
        ) -> None: ...

    else:

        def __init__(self, **data: Any) -> None:
            try:
                super().__init__(**data)
            except ValidationError as exc:
                raise call_error(exc) from None

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Call:
        if not isinstance(obj, (Mapping, Call)):
            raise CallError(f"a call is a mapping of its fields (client, number, at, …), not {type(obj).__name__}")
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as exc:
            raise call_error(exc) from None

    @classmethod
    def model_validate_json(cls, json_data: Any, *args: Any, **kwargs: Any) -> Call:
        try:
            return super().model_validate_json(json_data, *args, **kwargs)
        except ValidationError as exc:
            raise call_error(exc) from None

    @field_validator("*", mode="before")
    @classmethod
    def _not_bytes(cls, value: Any) -> Any:
        # pydantic would decode bytes as UTF-8 text: a daemon that sends bytes has not decided
        # their encoding, so the engine does not guess it for them.
        if isinstance(value, BYTES):
            raise ValueError(f"is {type(value).__name__}; decode it to text first")
        return value

    @field_validator("at", mode="before")
    @classmethod
    def _not_a_count(cls, value: Any) -> Any:
        # pydantic reads a number as seconds since 1970: a daemon sending one almost always
        # meant something else (milliseconds, a local time), so it must say which instant.
        if (isinstance(value, (int, float)) and not isinstance(value, bool)) or (
            isinstance(value, str) and NUMBER.match(value.strip())
        ):
            raise ValueError(
                f"`{value!s}` is a bare number; send an ISO 8601 date-time with an offset "
                "(e.g. 2026-11-28T23:15:00-06:00)"
            )
        if not isinstance(value, (str, datetime)):
            raise ValueError(
                f"must be an ISO 8601 date-time (text) or a datetime, not {type(value).__name__} "
                "(e.g. 2026-11-28T23:15:00-06:00)"
            )
        return value

    @field_validator("at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.utcoffset() is None:
            raise ValueError(
                f"{value.isoformat()} has no time zone offset; give an aware date-time (e.g. 2026-11-28T23:15:00-06:00)"
            )
        # Far from the present, a local time can leave datetime's range (year 1 to 9999)
        # in the client's zone; the files' own dates are limited to the same years.
        if not AT_YEARS[0] <= value.year <= AT_YEARS[1]:
            raise ValueError(
                f"{value.isoformat()} is out of range: calls are decided for the years {AT_YEARS[0]} to {AT_YEARS[1]}"
            )
        if type(value) is not datetime:  # a subclass (pendulum's DateTime…) has arithmetic of its own
            value = datetime(*value.timetuple()[:6], value.microsecond, tzinfo=value.tzinfo, fold=value.fold)
        return value

    @field_validator("forwarded", mode="before")
    @classmethod
    def _reason(cls, value: Any) -> str:
        if value is not None and not isinstance(value, str):
            raise ValueError("the forwarding reason must be text")
        return normalise_reason(value)

    @field_validator("caller")
    @classmethod
    def _caller(cls, value: str | None) -> str | None:
        if value is not None and phones.withheld(value):
            return None  # `anonymous`, `Private`…: a call without a caller id, as the SIP path reads it
        return cls._phone(value)

    @field_validator("number")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return phones.e164(value)
        except phones.PhoneError as exc:
            raise ValueError(f"{exc.message}; {exc.hint}") from None

    @field_validator("said", "agent", "client", "language")
    @classmethod
    def _bounded(cls, value: str | None, info: ValidationInfo) -> str | None:
        assert info.field_name is not None  # pydantic names the field a field validator checks
        limit = LIMITS[info.field_name]
        if value is not None and len(value) > limit:
            raise ValueError(f"is {len(value):,} characters long; the limit is {limit:,}")
        return value

    @field_validator("answers", mode="before")
    @classmethod
    def _answers(cls, value: Any) -> Mapping[str, str]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise ValueError("answers must be a mapping of field name to answer")
        answers = {}
        for name, answer in value.items():
            if not isinstance(name, str) or not isinstance(answer, str):
                raise ValueError(f"the answer `{name}` must be text, and so must its field name")
            if len(answer) > LIMITS["answer"]:
                raise ValueError(
                    f"the answer `{name[:40]}` is {len(answer):,} characters long; the limit is {LIMITS['answer']:,}"
                )
            answers[name.strip()] = answer.strip()
        return answers

    @model_validator(mode="after")
    def _addressed(self) -> Call:
        if not self.client and not self.number:
            raise ValueError("a call needs a client id or the dialled number")
        return self


class AnswerRule(NamedTuple):
    """What the client's scripts allow as the answer to one field (`answer_rules`)."""

    choices: tuple[str, ...]  # the choices of its `choice` questions, as written; empty: any text
    folded: frozenset[str]  # the same, without case, as conditions compare them
    phone: bool  # a `phone` question asks it
    number: m.NumberRange | None = None  # a `number` question asks it: the bounds its answer must keep


def answer_rules(client: m.Client) -> dict[str, AnswerRule]:
    """Each field the client's scripts ask (any script: the daemon's IVR may collect a field
    another script asks), with what its answer may be; made once per client, with its plan."""
    asks: dict[str, list[m.Ask]] = {}
    for script in client.scripts.values():
        for step in script.steps:
            if isinstance(step, m.Ask):
                asks.setdefault(step.field, []).append(step)
    rules = {}
    for field, questions in asks.items():
        choices = tuple(c.value for ask in questions if ask.choices for c in ask.choices)
        number = next((ask.number for ask in questions if ask.number is not None), None)
        rules[field] = AnswerRule(
            choices, frozenset(c.casefold() for c in choices), any(a.phone for a in questions), number
        )
    return rules


def checked_answers(client: m.Client, rules: Mapping[str, AnswerRule], call: Call) -> Call:
    """`call`, its answers checked against what `client`'s scripts ask (`rules`).

    An answer to a field no script asks, or a value outside a `choice` question's choices,
    would make conditions on it quietly false (a burst pipe treated as routine): both are a
    `CallError` naming the field, the value and what is allowed. A `phone` answer must be
    a possible number (a national form is read in the country of the client's first
    number); it is kept as the caller gave it. Choices compare without regard to case, as
    conditions do; an empty answer is no answer.
    """
    for field, value in call.answers.items():
        rule = rules.get(field)
        if rule is None:
            hint = did_you_mean(field, rules)
            known = f" (its scripts ask for {', '.join(rules)})" if rules else " (it has no script)"
            raise CallError(
                f"no script of client `{client.id}` asks for `{field}`{known}" + (f"; {hint}" if hint else ""),
                field=f"answers.{field}",
            )
        if not value:
            continue
        if rule.choices and value.casefold() not in rule.folded:
            hint = did_you_mean(value, rule.choices)
            raise CallError(
                f"`{value}` is not one of the choices for `{field}` ({', '.join(rule.choices)})"
                + (f"; {hint}" if hint else ""),
                field=f"answers.{field}",
            )
        if rule.number is not None:
            wanted = refused_number(value, rule.number)
            if wanted is not None:
                raise CallError(
                    f"`{value}` is not an answer for `{field}` ({wanted}; decimals allowed, e.g. 98.6)",
                    field=f"answers.{field}",
                )
        if rule.phone:
            region = phones.region_of(client.numbers[0].value) if client.numbers else None
            try:
                phones.e164(value, region)
            except phones.PhoneError as exc:
                raise CallError(f"{exc.message}; {exc.hint}", field=f"answers.{field}") from None
    return call


def refused_number(value: str, bounds: m.NumberRange) -> str | None:
    """What a `number` question wants ("a number from 0 to 150"), when `value` is not that; else None."""
    number = m.number_of(value)
    if bounds.low is None or bounds.high is None:
        return "a number" if number is None else None
    if number is not None and bounds.low <= number <= bounds.high:
        return None
    return f"a number from {bounds.low} to {bounds.high}"


def call_error(exc: ValidationError) -> CallError:
    """The first problem of a pydantic validation error, in the engine's words."""
    error = exc.errors(include_url=False)[0]
    field = ".".join(str(part) for part in error["loc"]) or None
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    elif error["type"] == "extra_forbidden":
        message = "is not a field of a call (client, number, at, forwarded, caller, language, agent, answers, said)"
    elif error["type"].startswith("datetime"):
        message = f"`{error['input']}` is not an ISO 8601 date-time (e.g. 2026-11-28T23:15:00-06:00)"
    elif error["type"] == "missing":
        message = "is required"
    elif error["type"].startswith("json"):
        message = f"the call is not valid JSON ({message})"
    elif error["type"] == "string_type":
        message = "must be text"
    elif error["type"] in ("model_type", "dict_type") and not error["loc"]:
        message = "a call is a mapping of its fields (client, number, at, …)"
    if field is None and "client id" in message:
        field = "client"
    return CallError(message, field=field)
