"""What happens to the service, as one JSON line each in its log (docs/service.md, Logs).

`JsonLines` sends Python's logging there: the engine's messages (a decision log that cannot be
written, a pool that lost its database), uvicorn's, and any traceback, each as one line whose
`traceback` field holds the whole text. `watch_store` writes a line when the live-state store
stops answering and when it answers again, so an outage is in the log with its start and end.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import traceback
from types import TracebackType

from ..engine import Engine
from .access_log import AccessLog

STORE_CHECK_SECONDS = 1.0


class JsonLines(logging.Handler):
    """A logging handler writing each record as one `{"event": "log", …}` line."""

    def __init__(self, log: AccessLog):
        super().__init__(logging.INFO)
        self.log = log

    def emit(self, record: logging.LogRecord) -> None:
        try:
            fields = {"level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
            if record.exc_info and record.exc_info[1] is not None:
                fields["traceback"] = "".join(traceback.format_exception(*record.exc_info))
            self.log.event("log", **fields)
        except Exception:
            self.handleError(record)


def route_logging(log: AccessLog) -> JsonLines:
    """Send every logger's records (INFO and up from the engine, warnings from the rest) and
    uncaught exceptions to `log` as JSON lines; returns the handler, for `unroute_logging`."""
    handler = JsonLines(log)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("rules_engine").setLevel(logging.INFO)

    def uncaught(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        log.event("crash", traceback="".join(traceback.format_exception(kind, error, trace)))

    def uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            trace = "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))
            log.event("thread_error", thread=args.thread.name if args.thread else None, traceback=trace)

    sys.excepthook = uncaught
    threading.excepthook = uncaught_in_thread
    return handler


def unroute_logging(handler: JsonLines) -> None:
    logging.getLogger().removeHandler(handler)
    sys.excepthook = sys.__excepthook__
    threading.excepthook = threading.__excepthook__


async def watch_store(engine: Engine, log: AccessLog, every: float = STORE_CHECK_SECONDS) -> None:
    """Log `store_down` (with the error) when the live-state store stops answering, and
    `store_up` (with how long it was down) when it answers again; until cancelled."""
    down_since: float | None = None
    loop = asyncio.get_running_loop()
    while True:
        health = engine.live_state_health()
        if not health.reachable and down_since is None:
            down_since = loop.time()
            log.event("store_down", store=health.store, error=health.error)
        elif health.reachable and down_since is not None:
            log.event("store_up", store=health.store, down_seconds=round(loop.time() - down_since, 1))
            down_since = None
        await asyncio.sleep(every)
