"""Several daemons, one live state in PostgreSQL: changes set through one are in the others'
decisions within a second; a daemon killed while it writes loses no acknowledged write; a
daemon cut off from the database goes on deciding; every decision is the one its reported
state gives.

The daemons are processes running `tests/serve/live_daemon.py`; each writes what it did to
a file of JSON lines, and the test checks those files afterwards. Each test takes a few seconds
and stops its processes itself (deciders stop at a file, or after 30 s at most).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.serve.state import OwnerStatus
from rules_engine.serve.store_postgres import PostgresStore
from tests.postgres import through_port
from tests.serve.live_daemon import CLIENT, COVER, NIGHT_BURST, digest
from tests.serve.tcp_proxy import TcpProxy
from tests.support import ROOT, eventually

STARTED: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def no_daemon_left():
    """Whatever happens in a test, none of its daemons outlives it."""
    yield
    while STARTED:
        process = STARTED.pop()
        if process.poll() is None:
            process.kill()
            process.wait()


def start(role: str, acme_dir: Path, url: str, out: Path, *amounts) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "tests.serve.live_daemon", role, str(acme_dir), url, str(out),
                                *map(str, amounts)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    STARTED.append(process)
    return process


def lines(path: Path) -> list[dict]:
    """The whole lines of a daemon's file (a killed process may leave a torn last one)."""
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    return [json.loads(line) for line in text.split("\n")[:-1]]


def finish(process: subprocess.Popen, out: Path | None = None) -> None:
    """Wait for a daemon to end (telling a decider to stop by its `OUT.stop` file)."""
    if out is not None:
        Path(f"{out}.stop").touch()
    _, errors = process.communicate(timeout=30)
    assert process.returncode == 0, errors


def state_digests(acme_dir: Path, states) -> dict[tuple, str]:
    """The digest of the decision each (note, alice covers) state should give."""
    found = {}
    for note, covered in set(states):
        with Engine(acme_dir) as engine:
            if note is not None:
                engine.set_status(CLIENT, note)
            if covered:
                engine.set_override(CLIENT, "plumbers", "alice", *COVER)
            found[(note, covered)] = digest(engine.decide(Call(**NIGHT_BURST)))
    return found


def check_consistent(decisions: list[dict], states: dict[int, tuple], digests: dict[tuple, str]) -> None:
    """Each decision is the one the state of the revision it reports gives, and a daemon's
    revisions never go back."""
    revisions = [d["revision"] for d in decisions]
    assert revisions == sorted(revisions)
    for decision in decisions:
        assert decision["revision"] in states, decision
        assert decision["digest"] == digests[states[decision["revision"]]], decision


def started_deciding(*paths: Path) -> bool:
    return eventually(lambda: all(lines(path) for path in paths), within=15.0, every=0.05)


def test_a_change_set_through_one_daemon_is_in_the_others_decisions_within_a_second(acme_dir, tmp_path, postgres_url):
    PostgresStore(postgres_url).close()  # the schema, before three daemons start
    seen = [tmp_path / "decider1.jsonl", tmp_path / "decider2.jsonl"]
    deciders = [start("decide", acme_dir, postgres_url, path, 30) for path in seen]
    assert started_deciding(*seen)
    acks_path = tmp_path / "writer.jsonl"
    finish(start("write", acme_dir, postgres_url, acks_path, 30, 0.05))
    time.sleep(1.0)
    for decider, path in zip(deciders, seen):
        finish(decider, path)

    acks = lines(acks_path)
    assert len(acks) == 30
    states = {0: (None, False)} | {ack["revision"]: (ack["note"], ack["covered"]) for ack in acks}
    digests = state_digests(acme_dir, states.values())
    for path in seen:
        decisions = lines(path)
        check_consistent(decisions, states, digests)
        for ack in acks:
            first = next(d for d in decisions if d["revision"] >= ack["revision"])
            assert first["wall"] - ack["wall"] < 1.0, f"step {ack['step']} seen after {first['wall'] - ack['wall']:.3f} s"


def test_three_daemons_survive_a_writer_killed_mid_write_and_a_cut_connection(acme_dir, tmp_path, postgres_url):
    PostgresStore(postgres_url).close()
    with TcpProxy(("127.0.0.1", 5432)) as proxy:
        direct, cut_off = tmp_path / "direct.jsonl", tmp_path / "cut_off.jsonl"
        deciders = [start("decide", acme_dir, postgres_url, direct, 30),
                    start("decide", acme_dir, through_port(postgres_url, proxy.port), cut_off, 30)]
        assert started_deciding(direct, cut_off)
        acks_path = tmp_path / "writer.jsonl"
        writer = start("write", acme_dir, postgres_url, acks_path, 10_000, 0.005)
        assert eventually(lambda: len(lines(acks_path)) >= 40, within=15.0, every=0.01)
        proxy.cut()
        os.kill(writer.pid, signal.SIGKILL)  # while it writes: it writes every 5 ms
        writer.wait(timeout=10)
        time.sleep(1.0)
        final = PostgresStore(postgres_url)  # the portal, through a daemon still connected
        acks = lines(acks_path)
        last = acks[-1]
        # No acknowledged write is lost: the state is the last acknowledged one, or the one
        # after it if the write the kill interrupted had committed.
        held, stamp = final.stamped(CLIENT)
        assert stamp.revision >= last["revision"]
        note = held.status.note if held.status else None
        covered = any(o.person == "alice" for o in held.overrides)
        step = last["step"] + 1
        after_next = (f"note {step}", last["covered"]) if step % 2 == 0 else (last["note"], not last["covered"])
        assert (note, covered) in ((last["note"], last["covered"]), after_next)
        states = {0: (None, False)} | {ack["revision"]: (ack["note"], ack["covered"]) for ack in acks}
        states[stamp.revision] = (note, covered)

        final.set_status(CLIENT, OwnerStatus(note="set by the portal at the end"))
        portal_revision = final.stamped(CLIENT)[1].revision
        states[portal_revision] = ("set by the portal at the end", covered)
        proxy.restore()
        assert eventually(lambda: all(lines(path)[-1]["revision"] == portal_revision for path in (direct, cut_off)),
                          within=5.0, every=0.05), "a daemon did not catch up"
        for decider, path in zip(deciders, (direct, cut_off)):
            finish(decider, path)
        final.close()

    digests = state_digests(acme_dir, states.values())
    for path in (direct, cut_off):
        decisions = lines(path)
        check_consistent(decisions, states, digests)
    assert max(d["age"] for d in lines(cut_off)) > 0.5  # it decided on while cut off, and said so
