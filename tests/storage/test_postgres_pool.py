"""One way to hold PostgreSQL connections (`storage.postgres`): the live-state store, the outcome
store and the decision log of a process share one pool when they name the same database; the
pool's messages go through the `rules_engine` loggers, and the library never writes to stderr
on its own (issue 22, finding 9)."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys

import psycopg

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.runtime.decision_log_pg import PostgresDecisionLog
from rules_engine.storage import postgres
from tests.support import ROOT, wait_for

CALL = Call(client="acme_plumbing", at="2026-11-28T23:15:00-06:00", forwarded="busy")


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"postgresql://postgres@127.0.0.1:{port}/nothing"


def connections_of_this_process(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as db:
        row = db.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (f"rules-engine (pid {os.getpid()})",)
        ).fetchone()
    return row[0] if row else 0


def pools_of(url: str) -> list[postgres.Database]:
    return [database for database in postgres._databases.values() if database.url == url]


def test_the_stores_and_the_log_of_an_engine_share_one_pool(postgres_url, acme_dir):
    with Engine.from_settings(rules=acme_dir, store=postgres_url, decision_log=postgres_url) as engine:
        [database] = pools_of(postgres_url)
        assert database._users == 3  # the live-state store, the outcome store, the decision log
        for n in range(50):
            engine.decide(CALL, call_id=f"shared-{n}")
            engine.set_status("acme_plumbing", f"note {n}")
        assert engine.decision_log.flush(10)
        assert engine.outcomes.writer.flush(10)
        # the pool's connections and the live-state listener's own, and no more
        assert 1 < connections_of_this_process(postgres_url) <= postgres.MAX_CONNECTIONS + 1
    assert pools_of(postgres_url) == []  # the last one out closed it
    wait_for(lambda: connections_of_this_process(postgres_url) == 0, "the pool's connections to close")


def test_the_pools_messages_go_to_the_rules_engine_logger(caplog):
    with caplog.at_level(logging.INFO):
        log = PostgresDecisionLog(closed_port_url(), connect_timeout=1, close_seconds=0.1)
        wait_for(lambda: any(r.name == "rules_engine.storage.postgres" for r in caplog.records), "a pool message")
        log.close()
    assert not [r for r in caplog.records if r.name.startswith("psycopg")]
    routed = [r.getMessage() for r in caplog.records if r.name == "rules_engine.storage.postgres"]
    assert any(message.startswith("connection pool: error connecting in 'rules-engine ") for message in routed)


def test_a_daemon_without_logging_set_up_gets_nothing_on_stderr():
    """A pool that cannot connect, and a decision log that cannot write, say so through logging
    only: a daemon that has not set logging up sees nothing on its stderr."""
    script = (
        "import time, sys\n"
        "from rules_engine.engine import Engine\n"
        "from rules_engine.decide.call import Call\n"
        "from rules_engine.runtime.decision_log_pg import PostgresDecisionLog\n"
        "log = PostgresDecisionLog(sys.argv[1], connect_timeout=1, close_seconds=0.2)\n"
        "engine = Engine(sys.argv[2], decision_log=log)\n"
        "engine.decide(Call(client='acme_plumbing', at='2026-11-28T23:15:00-06:00', forwarded='busy'))\n"
        "time.sleep(1.5)\n"
        "log.close()\n"
        "print(log.health().dropped)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, closed_port_url(), str(ROOT / "client_configs" / "acme_plumbing.rules")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "1\n", "")
