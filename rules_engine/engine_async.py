"""The engine's face for an asyncio daemon (`AsyncEngine`): nothing it awaits blocks the loop.

Deciding a call reads memory only (the compiled plan and a snapshot of live state), so
`decide` stays a plain call: awaiting it would only add a hop. Everything that waits for a disk
or a database (setting a status or an override, recording an outcome, reading the decision log
back, a reload) runs in a bounded pool of threads of its own (`max_workers`), so a store that
takes its `write_timeout` to answer holds one of those threads, never the event loop:

    async with AsyncEngine(Engine.from_settings("engine.yaml")) as engine:
        decision = engine.decide(call)                       # direct
        await engine.set_status("acme_plumbing", "In court")  # in the pool

The engine handed in is closed with the `AsyncEngine` (`aclose`, or leaving `async with`),
after the pool has finished what it was given.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from .engine import Engine

if TYPE_CHECKING:
    from .decide import Call, Decision
    from .live import LiveOverride, LiveState
    from .outcomes.records import Escalation, Outcome
    from .runtime.catalog import ReloadReport
    from .runtime.log_reading import Explained
    from .runtime.rules import RulesHealth
    from .runtime.state import LiveStateHealth

P = ParamSpec("P")
R = TypeVar("R")
WORKERS = 4  # threads for writes and look-ups: a slow store holds one of them, not the loop


class AsyncEngine:
    """An `Engine` for asyncio: `decide` and the health checks direct, writes and log look-ups
    awaited in a pool of `max_workers` threads."""

    def __init__(self, engine: Engine, max_workers: int = WORKERS) -> None:
        if not isinstance(engine, Engine):
            raise TypeError(f"AsyncEngine wraps an Engine, not {type(engine).__name__}")
        self.engine = engine
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="rules-engine-io")

    async def _in_pool(self, function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(function, *args, **kwargs))

    # ---- direct: memory only ---------------------------------------------------------------------

    def decide(self, call: Call, call_id: str | None = None) -> Decision:
        """`Engine.decide`: memory only, so it is called, not awaited."""
        return self.engine.decide(call, call_id)

    def live_state(self, client: str) -> LiveState:
        return self.engine.live_state(client)

    def live_state_health(self) -> LiveStateHealth:
        return self.engine.live_state_health()

    def rules_health(self) -> RulesHealth:
        return self.engine.rules_health()

    # ---- awaited: a disk or a database -----------------------------------------------------------

    async def set_status(
        self,
        client: str,
        note: str,
        until: datetime | None = None,
        instructions: str | None = None,
        *,
        now: datetime | None = None,
        notes: Mapping[str, str] | None = None,
        starts: datetime | None = None,
    ) -> None:
        await self._in_pool(
            self.engine.set_status, client, note, until, instructions, now=now, notes=notes, starts=starts
        )

    async def clear_status(self, client: str) -> None:
        await self._in_pool(self.engine.clear_status, client)

    async def set_override(
        self, client: str, team: str, person: str, start: datetime, end: datetime, reason: str | None = None
    ) -> LiveOverride:
        return await self._in_pool(self.engine.set_override, client, team, person, start, end, reason)

    async def clear_overrides(self, client: str, team: str | None = None) -> None:
        await self._in_pool(self.engine.clear_overrides, client, team)

    async def remove_override(self, client: str, override: LiveOverride) -> None:
        await self._in_pool(self.engine.remove_override, client, override)

    async def record_outcome(self, call_id: str, outcome: str, **facts: Any) -> Outcome:
        """`Engine.record_outcome` (its keywords: `at`, `waited_seconds`, … `client`)."""
        return await self._in_pool(self.engine.record_outcome, call_id, outcome, **facts)

    async def record_escalation(
        self,
        call_id: str,
        *,
        step: int,
        contact: str,
        method: str,
        result: str,
        at: datetime,
        client: str | None = None,
    ) -> Escalation:
        return await self._in_pool(
            self.engine.record_escalation,
            call_id,
            step=step,
            contact=contact,
            method=method,
            result=result,
            at=at,
            client=client,
        )

    async def explain(self, call_id: str) -> Explained | None:
        return await self._in_pool(self.engine.explain, call_id)

    async def logged(self, client: str, start: datetime, end: datetime, limit: int = 1000) -> list[dict[str, Any]]:
        return await self._in_pool(self.engine.logged, client, start, end, limit)

    async def reload(self) -> ReloadReport:
        return await self._in_pool(self.engine.reload)

    # ---- closing -------------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Let the pool finish what it was given, then close the engine (in the pool's place)."""
        await asyncio.get_running_loop().run_in_executor(None, self._close)

    def _close(self) -> None:
        self._pool.shutdown(wait=True)
        self.engine.close()

    async def __aenter__(self) -> AsyncEngine:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
