"""Run the service under uvicorn, with the signals an operator expects.

- SIGTERM (and SIGINT): drain, then stop. For `drain_seconds` the listener stays open and
  decisions go on while `/readyz` answers 503, so a load balancer or a Kubernetes probe takes
  the instance out of rotation before it goes; then it stops accepting connections, finishes
  the requests in flight (up to `FINISH_SECONDS`) and exits 0. A second signal skips the drain.
- SIGHUP: reopen the request log and the decision log (after logrotate moved them), then
  reload the rule files that changed (in a thread; decisions go on).

Each of these is a JSON line in the log (`events.py`), as are Python's log records and any
traceback. A non-loopback address without tokens is refused before anything is bound: an
open decision service must not be reachable from the network by accident.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import signal
import socket
import time
from pathlib import Path

import uvicorn

from ..errors import RulesEngineError
from .access_log import AccessLog
from .events import route_logging, unroute_logging, watch_store
from .protocol import GuardedProtocol

DRAIN_SECONDS = 5  # the listener stays open after SIGTERM, answering /readyz 503
FINISH_SECONDS = 10  # then requests in flight have this long to finish
BACKLOG = 2048  # connections waiting to be accepted (uvicorn's default)
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


class ServeError(RulesEngineError):
    """The service cannot start as asked (e.g. a public address without tokens)."""


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, tokens) -> None:
    if not tokens and not is_loopback(host):
        raise ServeError(
            f"refusing to listen on {host} without tokens: anyone who reaches it could decide calls "
            "and change live state. Add `tokens:` to the settings file (docs/service.md), or listen "
            "on 127.0.0.1"
        )


class Server(uvicorn.Server):
    """uvicorn's server, which drains before it stops on SIGTERM, and reopens its logs and
    reloads on SIGHUP."""

    def __init__(self, config: uvicorn.Config, service, log: AccessLog, drain_seconds: float = DRAIN_SECONDS):
        super().__init__(config)
        self.service, self.log, self.drain_seconds = service, log, drain_seconds
        self._tasks: set[asyncio.Task] = set()
        self._drain_until: float | None = None
        self._stop_signal = signal.SIGTERM

    def handle_exit(self, sig, frame) -> None:
        name = signal.Signals(sig).name
        if self.service.draining or self.drain_seconds <= 0:  # a second signal: stop now
            self.service.draining = True
            self.log.event("stopping", signal=name)
            super().handle_exit(sig, frame)
            return
        self.service.draining = True
        self._stop_signal = sig
        self._drain_until = time.monotonic() + self.drain_seconds
        self.log.event("draining", signal=name, seconds=self.drain_seconds)

    async def on_tick(self, counter: int) -> bool:
        if self._drain_until is not None and time.monotonic() >= self._drain_until:
            self._drain_until = None
            self.log.event("stopping", signal=signal.Signals(self._stop_signal).name)
            super().handle_exit(self._stop_signal, None)
        return await super().on_tick(counter)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGHUP, self._hangup)
        # Through the loop too: a SIGTERM right after a SIGHUP could wait unseen in uvloop.
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.handle_exit, sig, None)
        self._keep(asyncio.ensure_future(watch_store(self.service.engine, self.log)))
        self.service.starting = False

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for task in list(self._tasks):
            task.cancel()
        await super().shutdown(sockets)

    def _keep(self, task: asyncio.Task) -> None:
        self._tasks.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(self._done)

    def _hangup(self) -> None:
        self.log.reopen()
        self.service.engine.reopen_logs()
        self.log.event("reopened", signal="SIGHUP")
        self._keep(asyncio.ensure_future(self._reload()))

    async def _reload(self) -> None:
        report = await self.service.reload()
        self.log.event("reload", signal="SIGHUP", ok=report.ok, report=str(report), problems=problems_of(report))

    def _done(self, task: asyncio.Task) -> None:
        """A task that raised is logged, not lost with it."""
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            self.log.event("error", task=task.get_name(), error=f"{type(error).__name__}: {error}")


def problems_of(report) -> list[dict]:
    """Each problem of a reload report or an engine: the file, line and column, and what is wrong."""
    return [
        {"file": str(p.file), "line": p.line, "column": p.column, "message": p.message, "severity": p.severity}
        for p in report.problems
    ]


def exit_cleanly(signum, frame) -> None:
    raise SystemExit(0)


def serve(
    app,
    host: str,
    port: int,
    tokens,
    log: AccessLog,
    drain_seconds: float = DRAIN_SECONDS,
    port_file: str | None = None,
    pid_file: str | None = None,
) -> None:
    """Serve `app` until SIGTERM; with port 0 the system picks a free port (printed, and written
    to `port_file` when given, once the service accepts connections). `pid_file` holds the
    process id while it runs (for logrotate's `postrotate`)."""
    check_bind(host, tokens)
    sock = bound_socket(host, port)
    handler = route_logging(log)
    try:
        if pid_file:
            write_atomically(pid_file, f"{os.getpid()}\n")
        log.event("listening", host=host, port=sock.getsockname()[1], pid=os.getpid())
        if port_file:
            write_atomically(port_file, f"{sock.getsockname()[1]}\n")
        run_server(app, sock, log, drain_seconds)
    finally:
        log.event("stopped", pid=os.getpid())
        unroute_logging(handler)
        if pid_file:
            Path(pid_file).unlink(missing_ok=True)


def bound_socket(host: str, port: int) -> socket.socket:
    """The listening socket: connections made from now on wait in its backlog until served."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host.strip("[]"), port))
    sock.listen(BACKLOG)
    return sock


def run_server(app, sock: socket.socket, log: AccessLog, drain_seconds: float) -> None:
    """Serve `app` on `sock` in this process until SIGTERM (drained) or SIGINT."""
    config = uvicorn.Config(
        app,
        loop="uvloop",
        http=GuardedProtocol,  # httptools, with a read deadline per request (protocol.py)
        lifespan="off",
        access_log=False,
        log_config=None,  # uvicorn's records go to the JSON log (events.route_logging)
        timeout_graceful_shutdown=FINISH_SECONDS,
        timeout_keep_alive=30,
        server_header=False,
    )
    server = Server(config, app.state.service, log, drain_seconds)
    # uvicorn re-raises SIGTERM once it has drained; this makes that a clean exit (status 0).
    signal.signal(signal.SIGTERM, exit_cleanly)
    server.run(sockets=[sock])


def write_atomically(path: str, text: str) -> None:
    """Write a small file whole or not at all: a reader never sees it half written."""
    partial = Path(f"{path}.partial")
    partial.write_text(text, encoding="ascii")
    partial.replace(path)
