"""`rules-engine serve --workers N`: N processes answering on one listening socket.

The parent binds the socket, then forks each worker before it has opened anything (no engine,
no store, no thread), and each worker builds its own engine, snapshot and logs and serves the
shared socket (the kernel hands each new connection to one of them). Live state stays the
same in all of them through the store they share (the settings must name one). The parent
only supervises: SIGTERM, SIGINT and SIGHUP are passed to every worker (each drains, or
reopens its logs and reloads, on its own), and a worker that dies while the service is not
stopping is replaced. The parent exits 0 once every worker has stopped after a signal; a
worker whose parent is gone stops by itself.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .access_log import AccessLog
from .runner import DRAIN_SECONDS, bound_socket, check_bind, write_atomically

# Builds worker K's (1, 2, …) application and its request log in the worker itself; the
# callable returned closes what it opened.
Build = Callable[[int], tuple[Any, AccessLog, Callable[[], None]]]
FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def serve_workers(
    build: Build,
    workers: int,
    host: str,
    port: int,
    tokens,
    log: AccessLog,
    drain_seconds: float = DRAIN_SECONDS,
    port_file: str | None = None,
    pid_file: str | None = None,
) -> int:
    """Serve with `workers` processes until a SIGTERM; the exit status (0 after a clean stop)."""
    check_bind(host, tokens)
    sock = bound_socket(host, port)
    children: dict[int, int] = {}  # pid → worker number
    stopping = False

    def forward(sig: int, frame: object) -> None:
        nonlocal stopping
        if sig != signal.SIGHUP:
            stopping = True
        log.event("signal", signal=signal.Signals(sig).name, workers=sorted(children))
        for pid in children:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass

    for sig in FORWARDED:
        signal.signal(sig, forward)
    try:
        if pid_file:
            write_atomically(pid_file, f"{os.getpid()}\n")
        for number in range(1, workers + 1):
            children[start_worker(build, number, sock, drain_seconds)] = number
        log.event("listening", host=host, port=sock.getsockname()[1], pid=os.getpid(), workers=workers)
        if port_file:
            write_atomically(port_file, f"{sock.getsockname()[1]}\n")
        failed = False
        while children:
            pid, status = os.wait()
            number = children.pop(pid, 0)
            if not number:
                continue
            code = os.waitstatus_to_exitcode(status)
            failed |= code != 0
            log.event("worker_exited", worker=number, pid=pid, status=code)
            if not stopping:
                children[start_worker(build, number, sock, drain_seconds)] = number
        return 1 if failed else 0
    finally:
        sock.close()
        log.event("stopped", pid=os.getpid())
        if pid_file:
            Path(pid_file).unlink(missing_ok=True)


def start_worker(build: Build, number: int, sock: socket.socket, drain_seconds: float) -> int:
    """Fork worker `number`; in the parent, its pid. The worker never returns."""
    pid = os.fork()
    if pid:
        return pid
    for sig in FORWARDED:
        signal.signal(sig, signal.SIG_DFL)
    code = 1
    try:
        code = run_worker(build, number, sock, drain_seconds)
    except BaseException:  # the worker ends here whatever happened; the parent logs its status
        traceback.print_exc()
    finally:
        os._exit(code)


def run_worker(build: Build, number: int, sock: socket.socket, drain_seconds: float) -> int:
    from .events import route_logging, unroute_logging
    from .runner import run_server

    app, log, close = build(number)
    handler = route_logging(log)
    threading.Thread(target=stop_when_orphaned, args=(os.getppid(),), name="orphan watch", daemon=True).start()
    try:
        log.event("worker_started", worker=number, pid=os.getpid())
        try:
            run_server(app, sock, log, drain_seconds)
        except SystemExit as done:
            return int(done.code or 0)
        return 0
    finally:
        log.event("worker_stopped", worker=number, pid=os.getpid())
        unroute_logging(handler)
        close()


def stop_when_orphaned(parent: int) -> None:
    """A worker whose parent died (killed with SIGKILL, say) drains and stops like on SIGTERM,
    rather than holding the port on its own."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os.kill(os.getpid(), signal.SIGTERM)
