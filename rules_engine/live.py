"""Live state, as values: an owner's status and on-call overrides, and one client's snapshot.

Set through the API while serving, never part of a rule file. These are the values the pure
stages read (`schedule` and `decide` take a `LiveState`), so they live below them; where live
state is kept and how it is shared between daemons is the runtime's business
(`runtime/state.py`, `runtime/snapshot.py`, the stores).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator


def require_aware(value: datetime | None) -> datetime | None:
    if value is not None and value.utcoffset() is None:
        raise ValueError("needs a time zone offset (an aware date-time)")
    return value


class OwnerStatus(BaseModel):
    """A client owner's temporary status: "In court until 3pm".

    `note` is what every caller hears; `notes` (language tag → note) what callers in that
    language hear instead ("En el juzgado hasta las 3"). `starts`: a status scheduled ahead,
    active from then (until `until`, or until cleared)."""

    model_config = ConfigDict(frozen=True)
    note: str
    instructions: str | None = None
    until: datetime | None = None
    notes: Mapping[str, str] = {}
    starts: datetime | None = None

    _aware = field_validator("until", "starts")(require_aware)

    def active(self, instant: datetime) -> bool:
        return (self.starts is None or self.starts <= instant) and (self.until is None or instant < self.until)

    def note_in(self, language: str | None) -> str:
        """The note written for callers in `language` (a tag as written in `notes`), else the
        default note. Decisions first match the call's language to the tags written
        (decide/decider.py), as greetings' languages are matched."""
        return self.notes.get(language, self.note) if language is not None else self.note

    def as_json(self) -> dict[str, Any]:
        """The status as the HTTP API and the console show it; `notes` and `starts` only when
        set, so a status without them reads as it always has."""
        body = self.model_dump(mode="json")
        if not self.notes:
            del body["notes"]
        if self.starts is None:
            del body["starts"]
        return body


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
