"""The decision log in PostgreSQL: a fleet's decisions in one place, partitioned by day,
explained from any host; writing never holds up a decision, even with the database down."""

from __future__ import annotations

import socket
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from psycopg import sql

from rules_engine.cli import main
from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.runtime.decision_log import DecisionLogError
from rules_engine.runtime.decision_log_pg import PostgresDecisionLog, find
from rules_engine.storage.postgres import describe
from tests.postgres import ADMIN_URL, admin_connection, replace_database
from tests.support import DESK_ONLY, wait_for

CALL = dict(client="desk_only", at="2026-07-07T09:30:00+01:00", forwarded="busy")


@pytest.fixture
def rules(tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "desk_only.rules").write_text(DESK_ONLY, encoding="utf-8")
    return tmp_path / "rules"


def closed_port_url() -> str:
    """A PostgreSQL URL at a port of this machine where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"postgresql://postgres@127.0.0.1:{port}/nothing"


def test_decisions_of_an_engine_are_logged_by_day_and_explained_from_the_database(rules, postgres_url, capsys):
    with Engine.from_settings(rules=rules, decision_log=postgres_url) as engine:
        assert isinstance(engine.decision_log, PostgresDecisionLog)
        for n in range(3):
            engine.decide(Call(**CALL), call_id=f"sip-{n}@pbx")
        version = engine.client("desk_only").rules_version
    # close() wrote what was queued
    with psycopg.connect(postgres_url) as connection:
        partitions = [
            row[0]
            for row in connection.execute(
                "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'decision_log'::regclass"
            )
        ]
        rows = connection.execute("SELECT call_id, client, rules_version FROM decision_log ORDER BY call_id").fetchall()
    assert partitions == [f"decision_log_{time.strftime('%Y%m%d', time.gmtime())}"]
    assert rows == [(f"sip-{n}@pbx", "desk_only", version) for n in range(3)]

    assert main(["explain", "--log", postgres_url, "--call-id", "sip-1@pbx"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Call sip-1@pbx, decided ")
    assert out.splitlines()[1:3] == [
        f"Rules:     as written in {rules / 'desk_only.rules'} when the call came",
        f"Desk Only (desk_only), rules version {version}",
    ]
    assert "  decided by line 7: route { otherwise -> patch desk }\n" in out


def test_a_scripts_steps_are_kept_once_in_the_database_and_explained(postgres_url, acme_dir, capsys):
    call = dict(client="acme_plumbing", at="2026-11-28T23:15:00-06:00", forwarded="busy")
    with Engine.from_settings(rules=acme_dir, decision_log=postgres_url) as engine:
        for n in range(3):
            engine.decide(Call(**call), call_id=f"night-{n}")
    with psycopg.connect(postgres_url) as connection:
        assert connection.execute("SELECT count(*) FROM decision_log_script").fetchone()[0] == 1
    assert main(["explain", "--log", postgres_url, "--call-id", "night-2"]) == 0
    assert '  1. ask name (required): "May I have your name?"\n' in capsys.readouterr().out


def test_any_call_id_and_any_text_are_copied_in_as_they_are(rules, postgres_url):
    call_id = 'sip\\4711 @pbx \\n "quoted" ünïcode'  # printable (a line end is refused), COPY's escapes
    said = 'a "quoted" \\ back\tslash\nnew line'
    with Engine.from_settings(rules=rules, decision_log=postgres_url) as engine:
        engine.decide(Call(**CALL, said=said), call_id=call_id)
    record = find(postgres_url, call_id)
    assert (record["call_id"], record["call"]["said"]) == (call_id, said)


def test_explain_of_an_unknown_call_id_in_the_database_says_so(rules, postgres_url, capsys):
    with Engine.from_settings(rules=rules, decision_log=postgres_url) as engine:
        engine.decide(Call(**CALL), call_id="known")
    assert main(["explain", "--log", postgres_url, "--call-id", "unknown"]) == 1
    assert capsys.readouterr().err.startswith(f"{postgres_url}: error: no decision is logged under call id `unknown`\n")


def test_explain_of_a_database_without_a_log_says_so(postgres_url, capsys):
    assert main(["explain", "--log", postgres_url, "--call-id", "x"]) == 1
    assert (
        capsys.readouterr().err
        == f"{postgres_url}: error: {postgres_url} holds no decision log (no table decision_log)\n"
    )


def test_explain_of_an_unreachable_database_says_so_without_its_password(capsys):
    url = closed_port_url().replace("postgres@", "postgres:secret@")
    assert main(["explain", "--log", url, "--call-id", "x"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{describe(url)}: error: cannot read the decision log {describe(url)}: ")
    assert "secret" not in err


@contextmanager
def unanswering_server():
    """A PostgreSQL URL at a port of this machine that takes connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield f"postgresql://postgres@127.0.0.1:{listener.getsockname()[1]}/hanging"


def test_with_the_database_not_answering_writes_return_at_once_and_every_record_is_counted(rules):
    decision = Engine(rules).decide(Call(**CALL))
    with unanswering_server() as url:
        log = PostgresDecisionLog(url, queue_size=5, close_seconds=0.2, connect_timeout=2)
        started = time.monotonic()
        for n in range(2000):
            log.write(Call(**CALL), decision, call_id=f"c{n}")
        assert time.monotonic() - started < 2  # less than one connection attempt: no write waited for it
        health = log.health()
        assert (health.written, health.queued + health.dropped) == (0, 2000)
        assert health.queued <= 5 + 5 and health.failing_since is not None and not health.writable
        log.close()
    assert log.health().dropped == 2000  # closing with the database still silent: none written, all counted
    with pytest.raises(DecisionLogError):
        log.write(Call(**CALL), decision)


def test_decisions_queued_while_the_database_was_away_are_written_when_it_is_back(rules):
    name = f"rules_engine_test_{uuid.uuid4().hex[:12]}"
    url = replace_database(ADMIN_URL, name)
    with admin_connection() as admin:  # skips (or fails under CI) without a server
        pass
    engine = Engine(rules)
    decision = engine.decide(Call(**CALL))
    log = PostgresDecisionLog(url)  # the database does not exist yet: as if it were down
    try:
        for n in range(20):
            log.write(Call(**CALL), decision, call_id=f"queued-{n}")
        assert log.health().written == 0
        with admin_connection() as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        wait_for(lambda: log.health().written == 20, "20 rows written", seconds=10.0)
        health = log.health()
        assert health.dropped == 0 and health.failing_since is None and health.writable
        log.close()
        with psycopg.connect(url) as connection:
            assert connection.execute("SELECT count(*) FROM decision_log").fetchone()[0] == 20
    finally:
        log.close()
        with admin_connection() as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_a_log_schema_newer_than_the_engine_is_refused(postgres_url):
    PostgresDecisionLog(postgres_url).close()
    with psycopg.connect(postgres_url) as connection:
        connection.execute("UPDATE decision_log_schema SET version = 99")
    with pytest.raises(DecisionLogError) as caught:
        PostgresDecisionLog(postgres_url)
    assert str(caught.value) == (
        f"the decision log in {postgres_url} has schema version 99, newer than this "
        "engine knows (1); upgrade the engine"
    )


def test_several_daemons_share_one_log(rules, postgres_url):
    logs = [PostgresDecisionLog(postgres_url) for _ in range(3)]
    decision = Engine(rules).decide(Call(**CALL))
    for number, log in enumerate(logs):
        for n in range(50):
            log.write(Call(**CALL), decision, call_id=f"daemon{number}-{n}")
    for log in logs:
        log.close()
    with psycopg.connect(postgres_url) as connection:
        assert connection.execute("SELECT count(DISTINCT call_id) FROM decision_log").fetchone()[0] == 150


def test_a_url_in_a_settings_file_is_not_taken_for_a_path(rules, postgres_url, tmp_path):
    (tmp_path / "engine.yaml").write_text(f"rules: rules\ndecision_log: {postgres_url}\n")
    with Engine.from_settings(tmp_path / "engine.yaml") as engine:
        assert engine.decision_log.url == postgres_url


def test_engine_explain_and_logged_read_the_database_as_they_read_a_file(rules, postgres_url):
    before = datetime.now(UTC) - timedelta(seconds=1)
    with Engine.from_settings(rules=rules, decision_log=postgres_url) as engine:
        made_up = engine.decide(Call(**CALL)).call_id  # none given: the id it was logged under comes back
        given = engine.decide(Call(**CALL), call_id="sip-9@pbx").call_id
        assert engine.decision_log.flush(10)
        explained = engine.explain(made_up)
        assert explained is not None and explained.record["call_id"] == made_up and explained.source is not None
        assert engine.explain("never-logged") is None
        after = datetime.now(UTC) + timedelta(seconds=1)
        assert [r["call_id"] for r in engine.logged("desk_only", before, after)] == [made_up, given]
