"""The call: what the routing daemon (or `rules-engine decide`) asks the engine to decide.

A `Call` is validated once, at construction; every problem is raised as a `CallError`
naming the field (never a pydantic error). The forwarding reason is normalised here, so
the rest of the engine sees only the short names of the spec.
"""

from __future__ import annotations

from datetime import datetime
from types import MappingProxyType
from typing import Any, Mapping, Optional

from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    field_validator,
    model_validator,
)

from ..errors import CallError
from ..model import FORWARDING_REASONS

AT_YEARS = (1970, 2199)

# RFC 5806 Diversion reasons (and the short names, hyphenated) → the short names of the spec.
# Written with hyphens; `normalise_reason` turns underscores into hyphens before the look-up.
REASONS: Mapping[str, str] = MappingProxyType({
    **{name.replace("_", "-"): name for name in FORWARDING_REASONS},
    "unconditional": "always",
    "follow-me": "always",         # forwarding the user set up to follow them everywhere
    "time-of-day": "scheduled",
    "deflection": "manual",        # the user sent the ringing call on by hand
    "do-not-disturb": "manual",    # the user switched on do-not-disturb
    "away": "manual",              # the user said they are away
    "user-busy": "busy",
    "no-answer": "no_answer",
    "out-of-service": "unavailable",
})


def normalise_reason(value: Optional[str]) -> str:
    """A short name or an RFC 5806 reason (any case, `-` or `_`) → the spec's short name."""
    if value is None:
        return "unknown"
    key = value.strip().lower().replace("_", "-")
    if not key:
        return "unknown"
    try:
        return REASONS[key]
    except KeyError:
        raise ValueError(
            f"unknown forwarding reason `{value}`; use one of {', '.join(FORWARDING_REASONS)} "
            f"or an RFC 5806 reason such as user-busy, no-answer, unconditional"
        ) from None


class Call(BaseModel):
    """One forwarded call. Give `client` (its id) or `number` (the number dialled), or both."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    client: Optional[str] = None
    number: Optional[str] = None
    at: datetime
    forwarded: str = "unknown"
    caller: Optional[str] = None
    language: Optional[str] = None
    agent: Optional[str] = None
    answers: dict[str, str] = {}
    said: Optional[str] = None

    def __init__(self, **data: Any):
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise call_error(exc) from None

    @field_validator("at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.utcoffset() is None:
            raise ValueError(
                f"{value.isoformat()} has no time zone offset; give an aware date-time "
                "(e.g. 2026-11-28T23:15:00-06:00)"
            )
        # Far from the present, a local time can leave datetime's range (year 1 to 9999)
        # in the client's zone; the files' own dates are limited to the same years.
        if not AT_YEARS[0] <= value.year <= AT_YEARS[1]:
            raise ValueError(f"{value.isoformat()} is out of range: calls are decided for the years "
                             f"{AT_YEARS[0]} to {AT_YEARS[1]}")
        return value

    @field_validator("forwarded", mode="before")
    @classmethod
    def _reason(cls, value: Any) -> str:
        if value is not None and not isinstance(value, str):
            raise ValueError("the forwarding reason must be text")
        return normalise_reason(value)

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
            answers[name.strip()] = answer.strip()
        return answers

    @model_validator(mode="after")
    def _addressed(self) -> "Call":
        if not self.client and not self.number:
            raise ValueError("a call needs a client id or the dialled number")
        return self


def call_error(exc: ValidationError) -> CallError:
    """The first problem of a pydantic validation error, in the engine's words."""
    error = exc.errors(include_url=False)[0]
    field = ".".join(str(part) for part in error["loc"]) or None
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    elif error["type"] == "extra_forbidden":
        message = "is not a field of a call (client, number, at, forwarded, caller, language, agent, answers, said)"
    elif error["type"].startswith("datetime"):
        message = f"`{error['input']}` is not an ISO 8601 date-time (e.g. 2026-11-28T23:15:00-06:00)"
    elif error["type"] == "missing":
        message = "is required"
    if field is None and "client id" in message:
        field = "client"
    return CallError(message, field=field)
