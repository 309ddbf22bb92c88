"""Run the service under uvicorn, with the signals an operator expects.

- SIGTERM (and SIGINT): stop accepting connections, finish the requests in flight (up to
  `drain_seconds`), then exit 0; `/readyz` answers 503 while draining, so a load balancer
  stops sending calls.
- SIGHUP: reload the rule files that changed (in a thread; decisions go on) and reopen the
  log file (after logrotate moved it).

A non-loopback address without tokens is refused before anything is bound: an open
decision service must not be reachable from the network by accident.
"""

from __future__ import annotations

import asyncio
import ipaddress
import signal
import socket

import uvicorn

from ..errors import RulesEngineError
from .access_log import AccessLog

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
    """uvicorn's server, which also marks the service draining on SIGTERM and reloads on SIGHUP."""

    def __init__(self, config: uvicorn.Config, service, log: AccessLog):
        super().__init__(config)
        self.service, self.log = service, log
        self._reloads: set[asyncio.Task] = set()

    def handle_exit(self, sig, frame) -> None:
        self.service.draining = True
        super().handle_exit(sig, frame)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self._hangup)

    def _hangup(self) -> None:
        self.log.reopen()
        task = asyncio.ensure_future(self._reload())
        self._reloads.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(self._reloaded)

    async def _reload(self) -> None:
        report = await self.service.reload()
        self.log.write({"event": "reload", "signal": "SIGHUP", "report": str(report), "ok": report.ok})

    def _reloaded(self, task: asyncio.Task) -> None:
        """A reload that raised is logged, not lost with its task."""
        self._reloads.discard(task)
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            self.log.write(
                {"event": "reload", "signal": "SIGHUP", "ok": False, "error": f"{type(error).__name__}: {error}"}
            )


def exit_cleanly(signum, frame) -> None:
    raise SystemExit(0)


def serve(
    app, host: str, port: int, tokens, log: AccessLog, drain_seconds: int = 10, port_file: str | None = None
) -> None:
    """Serve `app` until SIGTERM; with port 0 the system picks a free port (printed, and written
    to `port_file` when given, once the service accepts connections)."""
    check_bind(host, tokens)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        lifespan="off",
        access_log=False,
        log_level="warning",
        timeout_graceful_shutdown=drain_seconds,
        timeout_keep_alive=30,
        server_header=False,
    )
    server = Server(config, app.state.service, log)
    # uvicorn re-raises SIGTERM once it has drained; this makes that a clean exit (status 0).
    signal.signal(signal.SIGTERM, exit_cleanly)
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host.strip("[]"), port))
    bound = sock.getsockname()[1]
    log.write({"event": "listening", "host": host, "port": bound})
    if port_file:
        with open(port_file, "w") as out:
            out.write(f"{bound}\n")
    server.run(sockets=[sock])
