"""Several daemons, one live state in PostgreSQL: changes set through one are in the others'
decisions within a second; a daemon killed while it writes loses no acknowledged write; a
daemon cut off from the database, or whose database restarts, goes on deciding and catches
up; every decision is the one its reported state gives.

The daemons are processes running `tests/runtime/live_daemon.py`; each writes what it did to
a file of JSON lines, and the test checks those files afterwards. Each test takes a few seconds
(the restart about 15) and stops its processes itself (deciders stop at a file, or after 60 s
at most). The restart is of a server of this module's own (`private_postgres`): the shared one
keeps running for everyone else.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.errors import StoreError
from rules_engine.live import OwnerStatus
from rules_engine.runtime.store_postgres import PostgresStore, describe
from tests.postgres import new_database, through_port
from tests.runtime.live_daemon import CLIENT, COVER, NIGHT_BURST, digest, state_of
from tests.runtime.tcp_proxy import TcpProxy
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
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.runtime.live_daemon", role, str(acme_dir), url, str(out), *map(str, amounts)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
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
    with Engine(acme_dir) as engine:
        for note, covered in set(states):
            engine.clear_status(CLIENT)
            engine.clear_overrides(CLIENT)
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
    """Every daemon has decided once. Starting is imports and compiling, not what is measured:
    on a loaded machine (the suite on several workers) it may take many seconds."""
    return eventually(lambda: all(lines(path) for path in paths), within=60.0, every=0.05)


def test_a_change_set_through_one_daemon_is_in_the_others_decisions_within_a_second(acme_dir, tmp_path, postgres_url):
    PostgresStore(postgres_url).close()  # the schema, before three daemons start
    seen = [tmp_path / "decider1.jsonl", tmp_path / "decider2.jsonl"]
    deciders = [start("decide", acme_dir, postgres_url, path, 30) for path in seen]
    assert started_deciding(*seen)
    acks_path = tmp_path / "writer.jsonl"
    finish(start("write", acme_dir, postgres_url, acks_path, 30, 0.05))
    time.sleep(1.0)
    for decider, path in zip(deciders, seen, strict=True):
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
            assert first["wall"] - ack["wall"] < 1.0, (
                f"step {ack['step']} seen after {first['wall'] - ack['wall']:.3f} s"
            )


def test_three_daemons_survive_a_writer_killed_mid_write_and_a_cut_connection(acme_dir, tmp_path, postgres_url):
    PostgresStore(postgres_url).close()
    with TcpProxy(("127.0.0.1", 5432)) as proxy:
        direct, cut_off = tmp_path / "direct.jsonl", tmp_path / "cut_off.jsonl"
        deciders = [
            start("decide", acme_dir, postgres_url, direct, 30),
            start("decide", acme_dir, through_port(postgres_url, proxy.port), cut_off, 30),
        ]
        assert started_deciding(direct, cut_off)
        acks_path = tmp_path / "writer.jsonl"
        writer = start("write", acme_dir, postgres_url, acks_path, 10_000, 0.005)
        assert eventually(lambda: len(lines(acks_path)) >= 40, within=60.0, every=0.01)  # the writer started
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
        note, covered = state_of(held)
        assert (note, covered) in ((last["note"], last["covered"]), after_step(last))
        states = {0: (None, False)} | {ack["revision"]: (ack["note"], ack["covered"]) for ack in acks}
        states[stamp.revision] = (note, covered)

        final.set_status(CLIENT, OwnerStatus(note="set by the portal at the end"))
        portal_revision = final.stamped(CLIENT)[1].revision
        states[portal_revision] = ("set by the portal at the end", covered)
        proxy.restore()
        assert eventually(
            lambda: all(lines(path)[-1]["revision"] == portal_revision for path in (direct, cut_off)),
            within=15.0,
            every=0.05,
        ), "a daemon did not catch up"
        for decider, path in zip(deciders, (direct, cut_off), strict=True):
            finish(decider, path)
        final.close()

    digests = state_digests(acme_dir, states.values())
    for path in (direct, cut_off):
        decisions = lines(path)
        check_consistent(decisions, states, digests)
    assert max(d["age"] for d in lines(cut_off)) > 0.5  # it decided on while cut off, and said so


def test_three_daemons_decide_through_a_database_restart_and_a_writer_killed_after_it(
    acme_dir, tmp_path, private_postgres
):
    """The database stops (fast: every session ended) for 2 s while three daemons decide and
    a fourth writes every 10 ms; it starts again; the writer is killed while it writes."""
    with new_database(private_postgres.url) as url:
        PostgresStore(url).close()
        seen = [tmp_path / f"decider{number}.jsonl" for number in (1, 2, 3)]
        writes = tmp_path / "writer.jsonl"
        deciders = [start("decide", acme_dir, url, path, 60) for path in seen]
        writer = start("keep-writing", acme_dir, url, writes, 100_000, 0.01)
        assert started_deciding(*seen)
        assert eventually(lambda: len(lines(writes)) >= 20, within=60.0, every=0.01)  # the writer started

        portal = PostgresStore(url, write_timeout=1.0)
        private_postgres.stop()
        stopped = time.time()
        with pytest.raises(StoreError) as refused:
            portal.set_status(CLIENT, OwnerStatus(note="set while the database is down"))
        assert str(refused.value).startswith(
            f"cannot set the status of `{CLIENT}`: the live-state store {describe(url)} is unreachable: "
        )
        assert str(refused.value).endswith("; nothing was changed")
        assert eventually(lambda: all(lines(path)[-1]["age"] > 2.0 for path in seen), within=10.0, every=0.05)
        starting = time.time()
        private_postgres.start()
        restarted = time.time()
        portal.close()

        assert eventually(
            lambda: len([a for a in acks_in(lines(writes)) if a["wall"] > restarted]) >= 30, within=15.0, every=0.01
        ), "the writer did not write again after the restart"
        os.kill(writer.pid, signal.SIGKILL)  # while it writes: every 10 ms
        writer.wait(timeout=10)
        final = PostgresStore(url)  # the portal
        written = lines(writes)
        acks = acks_in(written)
        held, stamp = final.stamped(CLIENT)
        last = acks[-1]
        assert stamp.revision >= last["revision"]  # no acknowledged write lost, the one cut off maybe made
        assert state_of(held) in ((last["note"], last["covered"]), after_step(last))
        states = {0: (None, False)} | {ack["revision"]: (ack["note"], ack["covered"]) for ack in acks}
        states[stamp.revision] = state_of(held)
        final.set_status(CLIENT, OwnerStatus(note="set by the portal at the end"))
        portal_revision = final.stamped(CLIENT)[1].revision
        states[portal_revision] = ("set by the portal at the end", state_of(held)[1])
        assert eventually(
            lambda: all(lines(path)[-1]["revision"] == portal_revision for path in seen), within=15.0, every=0.05
        ), "a daemon did not catch up"
        for decider, path in zip(deciders, seen, strict=True):
            finish(decider, path)
        final.close()

    errors = [line["error"] for line in written if "error" in line]
    assert errors  # the writer's write when the database stopped, at least
    for error in errors:  # refused, or cut off while committing (then found done, or done again)
        assert re.match(
            rf"cannot {WHAT_A_STEP_DOES}: the (connection to the )?live-state store "
            rf"{re.escape(describe(url))} ",
            error,
        ), error
        assert error.endswith(("; nothing was changed", "; the change may or may not have been made")), error
    digests = state_digests(acme_dir, states.values())
    for path in seen:
        decisions = lines(path)
        check_consistent(decisions, states, digests)
        while_down = [d for d in decisions if stopped < d["wall"] < starting]
        assert len({d["revision"] for d in while_down}) == 1  # decided on from the last snapshot
        assert max(d["age"] for d in while_down) > 2.0  # and said how old it was
        caught_up = next((d["wall"] for d in decisions if d["wall"] > restarted and d["age"] < 1.0), None)
        assert caught_up is not None, f"{path.name} never caught up after the restart"
        assert caught_up - restarted < 1.5, f"{path.name} caught up {caught_up - restarted:.3f} s after the restart"
        for ack in acks:
            if ack["wall"] > caught_up:
                first = next(d for d in decisions if d["revision"] >= ack["revision"])
                assert first["wall"] - ack["wall"] < 1.0, (
                    f"step {ack['step']} seen after {first['wall'] - ack['wall']:.3f} s, after the restart"
                )


WHAT_A_STEP_DOES = f"(set the status of|add an on-call override for|clear the on-call overrides of) `{CLIENT}`"


def acks_in(written: list[dict]) -> list[dict]:
    """The writer's acknowledged steps (and steps found done), without its failed attempts."""
    return [line for line in written if "error" not in line]


def after_step(ack: dict) -> tuple:
    """The state the step after the acknowledged one gives (see `live_daemon.write`)."""
    step = ack["step"] + 1
    return (f"note {step}", ack["covered"]) if step % 2 == 0 else (ack["note"], not ack["covered"])
