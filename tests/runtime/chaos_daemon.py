"""The processes of the chaos test (`test_chaos.py`): a routing daemon and a portal writing statuses.

    python -m tests.runtime.chaos_daemon daemon --rules R --cache C --store S --log L --journal J --generation G --clients a,b
    python -m tests.runtime.chaos_daemon writer --store S --journal J --client a

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
import threading
import time
from collections.abc import Callable

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.errors import UnknownClientError
from rules_engine.live import OwnerStatus
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
    parser.add_argument("role", choices=("daemon", "writer"))
    for option in ("--rules", "--cache", "--store", "--log", "--journal", "--clients", "--client", "--status-client"):
        parser.add_argument(option)
    parser.add_argument("--generation", type=int, default=0)
    args = parser.parse_args()
    (daemon if args.role == "daemon" else writer)(args)


if __name__ == "__main__":
    main()
