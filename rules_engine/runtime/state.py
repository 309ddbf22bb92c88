"""Where live state is kept: the `Store` protocol, its health, and the in-process stores.

The values (`OwnerStatus`, `LiveOverride`, `LiveState`) are in `rules_engine.live`. A `Store`
keeps them; `MemoryStore` is the in-process one. Decisions read a `LiveState` snapshot, so one
decision sees one consistent state even while another thread changes it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ..live import EMPTY, LiveOverride, LiveState, OwnerStatus


@dataclass(frozen=True)
class LiveStateHealth:
    """How current the live state that decisions read is (`Engine.live_state_health()`).

    `age` is the seconds since the snapshot was last known to match the store (0 for a
    store in memory); `synced_at` is that moment; `reachable` says whether the store
    answered its last check, `error` why not. `shared` stores (PostgreSQL) are written by
    other hosts, and their decisions carry the age of the state they read.
    """

    store: str
    shared: bool
    reachable: bool
    age: float | None
    synced_at: datetime | None
    error: str | None = None

    def as_dict(self) -> dict:
        return {
            "store": self.store,
            "shared": self.shared,
            "reachable": self.reachable,
            "age": None if self.age is None else round(self.age, 3),
            "synced_at": None if self.synced_at is None else self.synced_at.isoformat(),
            "error": self.error,
        }


IN_MEMORY = LiveStateHealth(store="memory", shared=False, reachable=True, age=0.0, synced_at=None)


class Store(Protocol):
    """Where live state is kept. A durable store (SQLite, PostgreSQL) implements the same calls.

    `shared` stores are written by other hosts too: they also offer `stamped(client)`, the
    state with its revision and age, which decisions then carry (`runtime/snapshot.py`).
    """

    shared: bool

    def snapshot(self, client: str) -> LiveState: ...

    def set_status(self, client: str, status: OwnerStatus) -> None: ...

    def clear_status(self, client: str) -> None: ...

    def add_override(self, client: str, override: LiveOverride) -> None: ...

    def clear_overrides(self, client: str, team: str | None = None) -> None: ...

    def health(self) -> LiveStateHealth: ...

    def close(self) -> None: ...


class MemoryStore:
    """Live state in this process only; lost on restart."""

    shared = False

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._states: dict[str, LiveState] = {}

    def _current(self, client: str) -> LiveState:
        return self._states.get(client, EMPTY)

    def snapshot(self, client: str) -> LiveState:
        return self._current(client)

    def _update(self, client: str, **changes) -> None:
        with self._lock:
            current = self._current(client)
            self._states[client] = current.model_copy(update=changes)

    def set_status(self, client: str, status: OwnerStatus) -> None:
        self._update(client, status=status)

    def clear_status(self, client: str) -> None:
        self._update(client, status=None)

    def add_override(self, client: str, override: LiveOverride) -> None:
        with self._lock:
            current = self._current(client)
            self._states[client] = current.model_copy(update={"overrides": (*current.overrides, override)})

    def clear_overrides(self, client: str, team: str | None = None) -> None:
        with self._lock:
            current = self._current(client)
            kept = tuple(o for o in current.overrides if team is not None and o.team != team)
            self._states[client] = current.model_copy(update={"overrides": kept})

    def health(self) -> LiveStateHealth:
        return IN_MEMORY

    def close(self) -> None:
        """Nothing to release: the state lives and dies with this object."""


class OverlayStore(MemoryStore):
    """Reads through to another store and keeps its own changes in memory.

    `rules-engine decide/oncall --store FILE` use it to try calls against the daemon's live
    state (statuses, overrides) without ever writing to that state.
    """

    def __init__(self, below: Store) -> None:
        super().__init__()
        self._below = below

    def _current(self, client: str) -> LiveState:
        state = self._states.get(client)
        return state if state is not None else self._below.snapshot(client)

    def health(self) -> LiveStateHealth:
        return self._below.health()

    def close(self) -> None:
        self._below.close()
