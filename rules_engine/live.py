"""Live state, as values: an owner's status and on-call overrides, and one client's snapshot.

Set through the API while serving, never part of a rule file. These are the values the pure
stages read (`schedule` and `decide` take a `LiveState`), so they live below them; where live
state is kept and how it is shared between daemons is the runtime's business
(`runtime/state.py`, `runtime/snapshot.py`, the stores).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, field_validator


def require_aware(value: datetime | None) -> datetime | None:
    if value is not None and value.utcoffset() is None:
        raise ValueError("needs a time zone offset (an aware date-time)")
    return value


class OwnerStatus(BaseModel):
    """A client owner's temporary status: "In court until 3pm"."""

    model_config = ConfigDict(frozen=True)
    note: str
    instructions: str | None = None
    until: datetime | None = None

    _aware = field_validator("until")(require_aware)

    def active(self, instant: datetime) -> bool:
        return self.until is None or instant < self.until


class LiveOverride(BaseModel):
    """Someone covers a team from `start` to `end`, set live (beats every rotation layer)."""

    model_config = ConfigDict(frozen=True)
    team: str
    person: str
    start: datetime
    end: datetime
    reason: str | None = None

    _aware = field_validator("start", "end")(require_aware)

    def covers(self, instant: datetime) -> bool:
        return self.start <= instant < self.end


class LiveState(BaseModel):
    """One client's live state at one moment: what a decision reads."""

    model_config = ConfigDict(frozen=True)
    status: OwnerStatus | None = None
    overrides: tuple[LiveOverride, ...] = ()


EMPTY = LiveState()
