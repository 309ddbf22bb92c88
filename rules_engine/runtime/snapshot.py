"""The in-memory snapshot of live state that decisions read, kept current by a durable store.

A decision never waits for the database: `snapshot(client)` is one lookup in a dictionary
that is replaced, never changed, so it takes no lock. The store replaces the dictionary
after each of its own writes (before the write returns, so a process reads what it wrote)
and whenever it learns that another process wrote: the SQLite store polls the file's
`data_version`, the PostgreSQL store listens for notifications and resynchronises
periodically. Each client's state carries the revision it was read at, and a refresh never
replaces a newer revision with an older one, so reads that finish out of order cannot undo
a change.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from ..live import EMPTY, LiveOverride, LiveState, OwnerStatus
from .state import LiveStateHealth, Stamp


class SnapshotStore:
    """Base of the durable stores: lock-free reads of a snapshot that refreshes replace.

    Subclasses read the database and call `_install` with what they read, and call
    `_confirmed` / `_unreachable` as their checks of the database succeed or fail.
    """

    kind = "store"
    shared = False

    def __init__(self) -> None:
        self._states: dict[str, tuple[LiveState, int]] = {}
        self._install_lock = threading.Lock()
        self._synced_mono: float | None = None
        self._synced_at: datetime | None = None
        self._error: str | None = None
        self._read_errors = 0
        self._stop = threading.Event()

    # ---- what decisions read ----------------------------------------------------------------

    def snapshot(self, client: str) -> LiveState:
        found = self._states.get(client)
        return found[0] if found is not None else EMPTY

    def stamped(self, client: str) -> tuple[LiveState, Stamp]:
        """The client's state with its revision and the age of the snapshot it came from."""
        state, revision = self._states.get(client, (EMPTY, 0))
        synced = self._synced_mono
        age = None if synced is None else max(0.0, time.monotonic() - synced)
        return state, Stamp(revision, self._synced_at, age)

    def health(self) -> LiveStateHealth:
        synced = self._synced_mono
        return LiveStateHealth(
            store=self.kind,
            shared=self.shared,
            reachable=self._error is None,
            age=None if synced is None else max(0.0, time.monotonic() - synced),
            synced_at=self._synced_at,
            error=self._error,
            read_errors=self._read_errors,
        )

    # ---- writing: each subclass's `WRITES` holds its SQL, `_write` runs one in a transaction ----

    WRITES: ClassVar[Mapping[str, str]] = {}

    def set_status(self, client: str, status: OwnerStatus) -> None:
        self._write(
            client,
            f"set the status of `{client}`",
            self.WRITES["set_status"],
            (
                client,
                status.note,
                status.instructions,
                format_time(status.until),
                json.dumps(dict(status.notes), ensure_ascii=False) if status.notes else None,
                format_time(status.starts),
            ),
        )

    def clear_status(self, client: str) -> None:
        self._write(client, f"clear the status of `{client}`", self.WRITES["clear_status"], (client,))

    def add_override(self, client: str, override: LiveOverride) -> None:
        self._write(
            client,
            f"add an on-call override for `{client}`",
            self.WRITES["add_override"],
            override_row(client, override),
        )

    def clear_overrides(self, client: str, team: str | None = None) -> None:
        what = f"clear the on-call overrides of `{client}`"
        if team is None:
            self._write(client, what, self.WRITES["clear_overrides"], (client,))
        else:
            self._write(client, what, self.WRITES["clear_team_overrides"], (client, team))

    def remove_override(self, client: str, override: LiveOverride) -> None:
        """Remove one override equal to `override` (the oldest such), leaving the team's others."""
        self._write(
            client,
            f"remove an on-call override of `{client}`",
            self.WRITES["remove_override"],
            override_row(client, override),
        )

    def _write(self, client: str, what: str, statement: str, params: tuple) -> None:
        raise NotImplementedError

    # ---- what refreshes call ------------------------------------------------------------------

    def _install(self, read: Mapping[str, tuple[LiveState, int]], others_empty_at: int | None = None) -> None:
        """Put what was read (client → state, revision) into a new snapshot, keeping any
        client's newer revision. A complete read passes `others_empty_at`, its own revision:
        clients it did not find have no live state any more."""
        with self._install_lock:
            states = dict(self._states)
            if others_empty_at is not None:
                for client, (_, revision) in self._states.items():
                    if client not in read and others_empty_at >= revision:
                        states[client] = (EMPTY, others_empty_at)
            for client, (state, revision) in read.items():
                held = states.get(client)
                if held is None or revision >= held[1]:
                    states[client] = (state, revision)
            self._states = states

    def _confirmed(self, since: float) -> None:
        """The snapshot holds every change committed before the monotonic instant `since`."""
        if self._synced_mono is None or since > self._synced_mono:
            self._synced_mono = since
            self._synced_at = datetime.now(UTC) - timedelta(seconds=time.monotonic() - since)
        self._error = None

    def _unreachable(self, error: str) -> None:
        self._read_errors += 1
        self._error = error

    def _sleep(self, seconds: float) -> bool:
        """Wait between checks; True once the store is closing."""
        return self._stop.wait(seconds)


# ---- rows ↔ values, the same in every database (times as ISO 8601 text keep their offsets) ----


def states_from_rows(statuses: Iterable[tuple], overrides: Iterable[tuple]) -> dict[str, LiveState]:
    """Live states from rows `(client, note, instructions, until, notes, starts)` (`notes`:
    JSON) and, in the order they were set, `(client, team, person, start, end, reason)`."""
    found: dict[str, tuple[OwnerStatus | None, list[LiveOverride]]] = {}
    for client, note, instructions, until, notes, starts in statuses:
        status = OwnerStatus(
            note=note,
            instructions=instructions,
            until=parse_time(until),
            notes=json.loads(notes) if notes else {},
            starts=parse_time(starts),
        )
        found[client] = (status, [])
    for client, team, person, start, end, reason in overrides:
        found.setdefault(client, (None, []))[1].append(
            LiveOverride(
                team=team,
                person=person,
                start=datetime.fromisoformat(start),
                end=datetime.fromisoformat(end),
                reason=reason,
            )
        )
    return {client: LiveState(status=status, overrides=tuple(listed)) for client, (status, listed) in found.items()}


def override_row(client: str, override: LiveOverride) -> tuple:
    """An override's columns as the stores keep them (client, team, person, start, end, reason)."""
    return (
        client,
        override.team,
        override.person,
        format_time(override.start),
        format_time(override.end),
        override.reason,
    )


def format_time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def parse_time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text is not None else None
