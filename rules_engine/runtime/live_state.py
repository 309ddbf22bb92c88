"""An engine's live state: the second of the `Engine`'s four collaborators.

`LiveStateKeeper` checks each change an owner or a portal makes (a status, an on-call
override) against the client's rules and the input limits before the store keeps it, and
gives each decision the snapshot it reads: with its stamp (revision and age) when the store
is shared by several hosts, so that the decision says how current its state was.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime

from .. import model as m
from ..decide.call import bounded
from ..decide.decision import LiveStateStamp
from ..errors import CallError, did_you_mean
from ..live import LiveOverride, LiveState, OwnerStatus
from .state import LiveStateHealth, Store

TAG = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")


def checked_notes(notes: Mapping[str, str] | None) -> dict[str, str]:
    """A status's notes per language tag, stripped (an empty one left out: the default is heard)."""
    if notes is None:
        return {}
    if not isinstance(notes, Mapping):
        raise CallError("must map language tags to notes", field="notes")
    written = {}
    for tag, text in notes.items():
        if not isinstance(tag, str) or not TAG.fullmatch(tag) or len(tag) > 35:
            raise CallError(f"`{str(tag)[:40]}` is not a language tag (`es`, `fr-CA`)", field="notes")
        if not isinstance(text, str):
            raise CallError(f"the note in `{tag}` must be text", field="notes")
        bounded(text, "note")
        if text.strip():
            written[tag] = text.strip()
    return written


class LiveStateKeeper:
    """Owners' statuses and on-call overrides in `store`, checked before they are kept.

    A store given to the engine stays its giver's to close; `owns_store` is set when the
    engine opened it (`Engine.from_settings`), and then `close()` closes it.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._shared = store.shared  # decisions from a shared store say how old their state is
        self.owns_store = False

    @property
    def store(self) -> Store:
        return self._store

    def read(self, client_id: str) -> tuple[LiveState, LiveStateStamp | None]:
        """What a decision for the client reads: its state, and from a shared store its stamp."""
        if not self._shared:
            return self._store.snapshot(client_id), None
        state, stamp = self._store.stamped(client_id)
        return state, LiveStateStamp.of(stamp)

    def snapshot(self, client_id: str) -> LiveState:
        return self._store.snapshot(client_id)

    def set_status(
        self,
        client: m.Client,
        note: str,
        until: datetime | None = None,
        instructions: str | None = None,
        now: datetime | None = None,
        *,
        notes: Mapping[str, str] | None = None,
        starts: datetime | None = None,
    ) -> None:
        if not isinstance(note, str) or not note.strip():
            raise CallError("a status needs a note", field="note")
        if instructions is not None and not isinstance(instructions, str):
            raise CallError("must be text", field="instructions")
        bounded(note, "note")
        bounded(instructions, "instructions")
        written = checked_notes(notes)
        for name, value, what in (("until", until, "end"), ("starts", starts, "start")):
            if value is not None and (not isinstance(value, datetime) or value.utcoffset() is None):
                raise CallError(f"the {what} of a status needs a date-time with a time zone offset", field=name)
        now = now if now is not None else datetime.now(UTC)
        if until is not None and until <= now:
            # A status that has ended before it is set would never show: almost always a wrong
            # date or zone, which the owner should hear about rather than a status that never appears.
            raise CallError(
                f"{until.isoformat()} has already passed (it is {now.astimezone(until.tzinfo).isoformat()}); "
                "a status must end after it is set",
                field="until",
            )
        if starts is not None and until is not None and until <= starts:
            raise CallError("a status must end after it starts", field="until")
        status = OwnerStatus(note=note.strip(), until=until, instructions=instructions, notes=written, starts=starts)
        self._store.set_status(client.id, status)

    def clear_status(self, client: m.Client) -> None:
        self._store.clear_status(client.id)

    def set_override(
        self,
        client: m.Client,
        team: str,
        person: str,
        start: datetime,
        end: datetime,
        reason: str | None = None,
    ) -> LiveOverride:
        for name, value in (("team", team), ("person", person)):
            if not isinstance(value, str):
                raise CallError("must be text", field=name)
        known_team(client, team)
        if person not in client.contacts:
            hint = did_you_mean(person, client.contacts)
            raise CallError(
                f"client `{client.id}` has no contact `{person}`" + (f"; {hint}" if hint else ""), field="person"
            )
        for name, moment in (("start", start), ("end", end)):
            if not isinstance(moment, datetime) or moment.utcoffset() is None:
                raise CallError("needs a date-time with a time zone offset", field=name)
        if end <= start:
            raise CallError("an override must end after it starts", field="end")
        if reason is not None and not isinstance(reason, str):
            raise CallError("must be text", field="reason")
        bounded(reason, "reason")
        override = LiveOverride(team=team, person=person, start=start, end=end, reason=reason)
        self._store.add_override(client.id, override)
        return override

    def clear_overrides(self, client: m.Client, team: str | None = None) -> None:
        if team is not None:
            known_team(client, team)
        self._store.clear_overrides(client.id, team)

    def remove_override(self, client: m.Client, override: LiveOverride) -> None:
        if not isinstance(override, LiveOverride):
            raise CallError("must be an override as `live_state(client).overrides` lists it", field="override")
        self._store.remove_override(client.id, override)

    def health(self) -> LiveStateHealth:
        return self._store.health()

    def close(self) -> None:
        """Close the store if the engine opened it (once)."""
        if self.owns_store:
            self.owns_store = False
            self._store.close()


def known_team(client: m.Client, team: str) -> None:
    """A `CallError` naming the field `team` unless `client` has that on-call team."""
    if team not in client.teams:
        hint = did_you_mean(team, client.teams)
        raise CallError(
            f"client `{client.id}` has no on-call team `{team}`" + (f"; {hint}" if hint else ""), field="team"
        )
