"""Where live state is kept: the `Store` protocol, its health, and the in-process stores.

The values (`OwnerStatus`, `LiveOverride`, `LiveState`) are in `rules_engine.live`. A `Store`
keeps them; `MemoryStore` is the in-process one. Decisions read a `LiveState` snapshot, so one
decision sees one consistent state even while another thread changes it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from ..live import EMPTY, LiveOverride, LiveState, OwnerStatus


@dataclass(frozen=True)
class LiveStateHealth:
    """How current the live state that decisions read is (`Engine.live_state_health()`).

    `age` is the seconds since the snapshot was last known to match the store (0 for a
    store in memory); `synced_at` is that moment; `reachable` says whether the store
    answered its last check, `error` why not; `read_errors` counts the checks and refreshes it
    did not answer since it was opened. `shared` stores (PostgreSQL) are written by
    other hosts, and their decisions carry the age of the state they read.
    """

    store: str
    shared: bool
    reachable: bool
    age: float | None
    synced_at: datetime | None
    error: str | None = None
    read_errors: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "shared": self.shared,
            "reachable": self.reachable,
            "age": None if self.age is None else round(self.age, 3),
            "synced_at": None if self.synced_at is None else self.synced_at.isoformat(),
            "error": self.error,
        }


@dataclass(frozen=True)
class Stamp:
    """The revision of one client's state and when the snapshot holding it was last confirmed.

    `revision` counts the changes to the client's state in its store (0 before any), `synced_at`
    is when the snapshot was last known to match the store (None for a store in memory, which
    is its own snapshot), `age` the seconds since then (0 in memory; None before a first sync).
    Decisions from a `shared` store carry it (`decide.decision.LiveStateStamp`).
    """

    revision: int
    synced_at: datetime | None
    age: float | None


IN_MEMORY = LiveStateHealth(store="memory", shared=False, reachable=True, age=0.0, synced_at=None)


class Store(Protocol):
    """Where live state is kept. A durable store (SQLite, PostgreSQL) implements the same calls.

    `shared` stores are written by other hosts too; the engine then reads `stamped(client)`,
    the state with its revision and age, which its decisions carry (`runtime/snapshot.py`).
    """

    @property
    def shared(self) -> bool: ...

    def snapshot(self, client: str) -> LiveState: ...

    def stamped(self, client: str) -> tuple[LiveState, Stamp]: ...

    def set_status(self, client: str, status: OwnerStatus) -> None: ...

    def clear_status(self, client: str) -> None: ...

    def add_override(self, client: str, override: LiveOverride) -> None: ...

    def clear_overrides(self, client: str, team: str | None = None) -> None: ...

    def remove_override(self, client: str, override: LiveOverride) -> None: ...

    def health(self) -> LiveStateHealth: ...

    def close(self) -> None: ...


class MemoryStore:
    """Live state in this process only; lost on restart.

    Each client's state is kept with its revision (how many changes it has had here), so
    that `stamped` says what a durable store says; the state is its own snapshot, never old.
    """

    shared = False

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._states: dict[str, tuple[LiveState, int]] = {}  # client → (state, revision)

    def _current(self, client: str) -> LiveState:
        held = self._states.get(client)
        return held[0] if held is not None else EMPTY

    def snapshot(self, client: str) -> LiveState:
        return self._current(client)

    def stamped(self, client: str) -> tuple[LiveState, Stamp]:
        state, revision = self._states.get(client, (EMPTY, 0))
        return state, Stamp(revision, synced_at=None, age=0.0)

    def _change(self, client: str, change: Callable[[LiveState], LiveState]) -> None:
        """Replace the client's state by `change` of it, one revision on."""
        with self._lock:
            held = self._states.get(client)
            self._states[client] = (change(self._current(client)), (held[1] if held is not None else 0) + 1)

    def set_status(self, client: str, status: OwnerStatus) -> None:
        self._change(client, lambda state: state.model_copy(update={"status": status}))

    def clear_status(self, client: str) -> None:
        self._change(client, lambda state: state.model_copy(update={"status": None}))

    def add_override(self, client: str, override: LiveOverride) -> None:
        self._change(client, lambda state: state.model_copy(update={"overrides": (*state.overrides, override)}))

    def clear_overrides(self, client: str, team: str | None = None) -> None:
        def cleared(state: LiveState) -> LiveState:
            kept = tuple(o for o in state.overrides if team is not None and o.team != team)
            return state.model_copy(update={"overrides": kept})

        self._change(client, cleared)

    def remove_override(self, client: str, override: LiveOverride) -> None:
        def removed(state: LiveState) -> LiveState:
            kept = list(state.overrides)
            if override in kept:
                kept.remove(override)  # the first equal one, as the durable stores do
            return state.model_copy(update={"overrides": tuple(kept)})

        self._change(client, removed)

    def health(self) -> LiveStateHealth:
        return IN_MEMORY

    def close(self) -> None:
        """Nothing to release: the state lives and dies with this object."""


class OverlayStore(MemoryStore):
    """Reads through to another store and keeps its own changes in memory.

    `rules-engine decide/oncall --store FILE` use it to try calls against the daemon's live
    state (statuses, overrides) without ever writing to that state. A client changed here
    reads as this overlay has it, with this overlay's revision; any other as the store below
    has it, stamped by that store.
    """

    def __init__(self, below: Store) -> None:
        super().__init__()
        self._below = below

    def _current(self, client: str) -> LiveState:
        held = self._states.get(client)
        return held[0] if held is not None else self._below.snapshot(client)

    def stamped(self, client: str) -> tuple[LiveState, Stamp]:
        return super().stamped(client) if client in self._states else self._below.stamped(client)

    def health(self) -> LiveStateHealth:
        return self._below.health()

    def close(self) -> None:
        self._below.close()
