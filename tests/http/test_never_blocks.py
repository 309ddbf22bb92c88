"""Finding 17: a live-state store that stalls holds up the request that writes to it, never
`/v1/decide` — the handlers hand store writes to worker threads."""

from __future__ import annotations

import http.client
import json
import threading
import time

import uvicorn

from rules_engine.engine import Engine
from rules_engine.http import create_app
from rules_engine.http.access_log import AccessLog
from rules_engine.live import LiveOverride, OwnerStatus
from rules_engine.runtime.state import MemoryStore
from tests.support import wait_for

CALL = {"client": "acme_plumbing", "at": "2026-11-28T23:15:00-06:00", "forwarded": "busy"}
STALL_SECONDS = 2.0


class StalledStore(MemoryStore):
    """A store whose database takes `STALL_SECONDS` to commit each write (a lock held elsewhere)."""

    def __init__(self) -> None:
        super().__init__()
        self.writing = threading.Event()

    def _stall(self) -> None:
        self.writing.set()
        time.sleep(STALL_SECONDS)

    def set_status(self, client: str, status: OwnerStatus) -> None:
        self._stall()
        super().set_status(client, status)

    def add_override(self, client: str, override: LiveOverride) -> None:
        self._stall()
        super().add_override(client, override)


class Served:
    """The app under a real uvicorn server in a thread of this process, on a free port."""

    def __init__(self, app):
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_config=None))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        wait_for(lambda: self.server.started, what="the server")
        self.port = self.server.servers[0].sockets[0].getsockname()[1]

    def request(self, method: str, path: str, body: dict) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, body=json.dumps(body), headers={"Content-Type": "application/json"})
            return connection.getresponse().status
        finally:
            connection.close()

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def test_a_stalled_store_write_does_not_hold_up_decisions(tmp_path, rules):
    store = StalledStore()
    with Engine(rules, store=store) as engine:
        served = Served(create_app(engine, log=AccessLog(tmp_path / "requests.log")))
        try:
            for method, path, body in (
                ("PUT", "/v1/clients/acme_plumbing/status", {"note": "In court"}),
                (
                    "POST",
                    "/v1/clients/acme_plumbing/overrides",
                    {
                        "team": "plumbers",
                        "person": "bob",
                        "start": "2026-11-28T00:00:00-06:00",
                        "end": "2026-11-29T00:00:00-06:00",
                    },
                ),
            ):
                store.writing.clear()
                statuses: list[int] = []
                writer = threading.Thread(
                    target=lambda m=method, p=path, b=body, out=statuses: out.append(served.request(m, p, b))
                )
                writer.start()
                assert store.writing.wait(10), "the write never reached the store"
                started = time.perf_counter()
                assert served.request("POST", "/v1/decide", CALL) == 200
                waited = time.perf_counter() - started
                writer.join(10)
                assert statuses and statuses[0] in (200, 201)
                assert waited < STALL_SECONDS / 2, f"/v1/decide waited {waited:.2f} s behind {method} {path}"
        finally:
            served.close()
