"""`rules-engine serve --workers N`: N processes answering on one listening socket.

The parent reserves the port (bound with SO_REUSEPORT, never listening), then forks each
worker before it has opened anything (no engine, no store, no thread). Each worker listens
on the port with a socket of its own (SO_REUSEPORT: the kernel spreads new connections over
the workers evenly, where one shared socket lets the quickest worker take most of them),
then builds its own engine, snapshot and logs; connections wait in its backlog meanwhile. Live state stays the
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
from .runner import BACKLOG, DRAIN_SECONDS, check_bind, write_atomically

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
    sock = port_socket(host)
    sock.bind((host.strip("[]"), port))
    port = sock.getsockname()[1]
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
            children[start_worker(build, number, (host, port), drain_seconds)] = number
        log.event("listening", host=host, port=port, pid=os.getpid(), workers=workers)
        if port_file:
            write_atomically(port_file, f"{port}\n")
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
                children[start_worker(build, number, (host, port), drain_seconds)] = number
        return 1 if failed else 0
    finally:
        sock.close()
        log.event("stopped", pid=os.getpid())
        if pid_file:
            Path(pid_file).unlink(missing_ok=True)


def port_socket(host: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    return sock


def start_worker(build: Build, number: int, address: tuple[str, int], drain_seconds: float) -> int:
    """Fork worker `number`, listening once this returns; in the parent, its pid. The worker
    never returns."""
    ready, told = os.pipe()
    pid = os.fork()
    if pid:
        os.close(told)
        os.read(ready, 1)  # the worker listens (or has died: end of file)
        os.close(ready)
        return pid
    os.close(ready)
    for sig in FORWARDED:
        signal.signal(sig, signal.SIG_DFL)
    code = 1
    try:
        sock = port_socket(address[0])
        sock.bind((address[0].strip("[]"), address[1]))
        sock.listen(BACKLOG)
        os.write(told, b"1")
        os.close(told)
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
