"""One JSON line per request: what was asked, for which call and client, and how it went; and
one JSON line per event of the service (`event()`: listening, reload, store down, …).

Lines go to a file (`rules-engine serve --log FILE`) or to standard error. Every line has a
`ts` (UTC, milliseconds). `reopen()` (on SIGHUP) closes the file and opens the path again,
so logrotate can move the old one away without losing lines or restarting the service.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RECORD_KEY = "rules_engine.log"  # where handlers leave call id, client, rules version for the line


class AccessLog:
    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else None
        self._lock = threading.Lock()
        self._file = self._open()

    def _open(self):
        if self.path is None:
            return sys.stderr
        return open(self.path, "a", encoding="utf-8", buffering=1)

    def write(self, record: dict) -> None:
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str) + "\n"
        with self._lock:
            self._file.write(line)

    def event(self, event: str, **fields: Any) -> None:
        """One line saying what happened to the service (docs/service.md, Logs)."""
        self.write({"ts": now(), "event": event, **fields})

    def reopen(self) -> None:
        if self.path is None:
            return
        with self._lock:
            old, self._file = self._file, self._open()
            old.close()

    def close(self) -> None:
        if self.path is not None:
            with self._lock:
                self._file.close()


class AccessLogMiddleware:
    """ASGI middleware: times each request and writes its line once the response is sent."""

    def __init__(self, app, log: AccessLog):
        self.app, self.log = app, log

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        record: dict[str, Any] = {}
        scope[RECORD_KEY] = record
        status = 500

        async def send_with_status(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            self.log.write(
                {
                    "ts": now(),
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "ms": round((time.perf_counter() - started) * 1000, 3),
                    **record,
                }
            )


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
