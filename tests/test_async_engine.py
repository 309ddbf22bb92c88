"""`AsyncEngine` (issue 22, finding 10): a write that waits for its store never blocks the
event loop, `decide` stays a plain call, and the pool is bounded."""

from __future__ import annotations

import asyncio
import threading
import time

from rules_engine import AsyncEngine, Call, Engine
from rules_engine.live import OwnerStatus
from rules_engine.runtime.state import MemoryStore
from tests.support import ACME

CALL = Call(client="acme_plumbing", at="2026-11-28T23:15:00-06:00", forwarded="busy")


class SlowStore(MemoryStore):
    """A store whose writes wait until released, as one waits for a database that is slow."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.writing = threading.Event()

    def set_status(self, client: str, status: OwnerStatus) -> None:
        self.writing.set()
        assert self.release.wait(10), "the test never released the write"
        super().set_status(client, status)


def test_a_slow_write_leaves_the_loop_and_decisions_free():
    store = SlowStore()

    async def daemon() -> tuple[int, float]:
        async with AsyncEngine(Engine(ACME, store=store), max_workers=2) as engine:
            write = asyncio.create_task(engine.set_status("acme_plumbing", "In court"))
            assert await asyncio.to_thread(store.writing.wait, 10), "the write never reached the store"
            ticks, started = 0, time.monotonic()
            while time.monotonic() - started < 0.3:  # the loop runs while the write waits
                assert engine.decide(CALL).greeting.id != "away"
                ticks += 1
                await asyncio.sleep(0.01)
            assert not write.done()
            store.release.set()
            await asyncio.wait_for(write, 10)
            return ticks, time.monotonic() - started

    ticks, _ = asyncio.run(daemon())
    assert ticks >= 5


def test_writes_run_in_a_bounded_pool_of_their_own():
    names: set[str] = set()

    class Recording(MemoryStore):
        def clear_status(self, client: str) -> None:
            names.add(threading.current_thread().name)
            time.sleep(0.05)
            super().clear_status(client)

    async def daemon() -> None:
        async with AsyncEngine(Engine(ACME, store=Recording()), max_workers=2) as engine:
            await asyncio.gather(*(engine.clear_status("acme_plumbing") for _ in range(8)))

    asyncio.run(daemon())
    assert 1 <= len(names) <= 2 and all(name.startswith("rules-engine-io") for name in names)
