"""The processes of the chaos test (`test_chaos.py`): a routing daemon and a portal writing statuses.

    python -m tests.runtime.chaos_daemon daemon --rules R --cache C --store S --log L --journal J --generation G --clients a,b
    python -m tests.runtime.chaos_daemon writer --store S --journal J --client a
    python -m tests.runtime.chaos_daemon blind --rules R --log L --control F --clients a,b   (journal on stdout)

Each appends what it did to its journal, one line at a time with one unbuffered write, only
after the engine has returned, so that whatever a `kill -9` leaves in the journal did happen:

    R <count of problems>            the daemon is serving
    P <severity> <file>              one of its start-up problems
    D <call id> <client> <version>   a decision, logged under that call id
    U <client>                       a call for a client that was not served
    E <what>                         anything else that went wrong
    S <client> <generation> <n>      status note number n set (and acknowledged) for the client
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import threading
import time
from collections.abc import Callable

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.errors import UnknownClientError
from rules_engine.live import OwnerStatus
from rules_engine.runtime.decision_log_file import FileDecisionLog
from rules_engine.runtime.store_sqlite import SQLiteStore

DECIDERS = 8
AT = "2026-11-27T10:00:00-06:00"


def journal(path: str) -> Callable[[str], None]:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    return lambda line: os.write(fd, (line + "\n").encode())


def daemon(args) -> None:
    note = journal(args.journal)
    engine = Engine.from_settings(
        rules=args.rules,
        store=args.store,
        cache_dir=args.cache,
        decision_log=args.log,
        decision_log_max_bytes=512 * 1024,
        decision_log_keep_files=1000,
    )
    engine.watch(debounce=0.05)
    for problem in engine.problems:
        note(f"P {problem.severity} {problem.file}")
    note(f"R {len(engine.problems)}")
    clients = args.clients.split(",")

    def decide(thread: int) -> None:
        for n in range(10**9):
            client = clients[(n + thread) % len(clients)]
            call_id = f"g{args.generation}-t{thread}-{n}"
            try:
                decision = engine.decide(Call(client=client, at=AT, forwarded="busy"), call_id=call_id)
            except UnknownClientError:
                note(f"U {client}")
            except Exception as exc:
                note(f"E {type(exc).__name__}: {exc}")
            else:
                note(f"D {call_id} {client} {decision.rules_version}")
            time.sleep(0.01)

    def statuses() -> None:
        for n in range(10**9):
            try:
                engine.set_status(args.status_client, f"d {args.generation} {n}")
            except Exception as exc:
                note(f"E {type(exc).__name__}: {exc}")
            else:
                note(f"S {args.status_client} {args.generation} {n}")
            time.sleep(0.02)

    threads = [threading.Thread(target=decide, args=(t,), daemon=True) for t in range(DECIDERS)]
    threads.append(threading.Thread(target=statuses, daemon=True))
    for thread in threads:
        thread.start()
    time.sleep(60)  # the test kills the daemon long before
    note("E the daemon was not killed")


def blind(args) -> None:
    """A daemon for the watch's chaos (`test_chaos.py`): its journal goes to stdout (a pipe is
    not limited by RLIMIT_FSIZE), with the monotonic time of each decision; while the file
    `--control` exists its file size limit is a little above the log's size (a full disk)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
    note = journal_to(1)
    log = FileDecisionLog(args.log)
    engine = Engine(args.rules, decision_log=log)
    engine.watch(debounce=0.05, rescan=0.5)
    note("R 0")
    clients = args.clients.split(",")
    hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]

    def decide(thread: int) -> None:
        for n in range(10**9):
            client = clients[(n + thread) % len(clients)]
            call_id = f"t{thread}-{n}"
            try:
                decision = engine.decide(Call(client=client, at=AT, forwarded="busy"), call_id=call_id)
            except Exception as exc:
                note(f"E {type(exc).__name__}: {exc}")
            else:
                note(f"D {call_id} {client} {decision.rules_version} {time.monotonic()}")
            time.sleep(0.005)

    for thread in range(4):
        threading.Thread(target=decide, args=(thread,), daemon=True).start()
    limited = False
    while True:  # the test kills the daemon
        full = os.path.exists(args.control)
        if full and not limited:
            resource.setrlimit(resource.RLIMIT_FSIZE, (os.path.getsize(args.log) + 20_000, hard))
        elif limited and not full:
            resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
            health = log.health()
            note(f"H {health.failed} {health.dropped}")  # what the full disk did to the log
        limited = full
        time.sleep(0.02)


def journal_to(fd: int) -> Callable[[str], None]:
    return lambda line: os.write(fd, (line + "\n").encode())


def writer(args) -> None:
    note = journal(args.journal)
    store = SQLiteStore(args.store)
    for n in range(10**9):
        try:
            store.set_status(args.client, OwnerStatus(note=f"w 0 {n}"))
        except Exception as exc:
            note(f"E {type(exc).__name__}: {exc}")
        else:
            note(f"S {args.client} 0 {n}")
        time.sleep(0.01)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=("daemon", "writer", "blind"))
    for option in (
        "--rules",
        "--cache",
        "--store",
        "--log",
        "--journal",
        "--clients",
        "--client",
        "--status-client",
        "--control",
    ):
        parser.add_argument(option)
    parser.add_argument("--generation", type=int, default=0)
    args = parser.parse_args()
    {"daemon": daemon, "writer": writer, "blind": blind}[args.role](args)


if __name__ == "__main__":
    main()
