"""A decision log written in batches (`rules-engine serve`'s: `decision_log_batch_seconds`): the
same records as one written record by record, byte for byte but for the time logged; written by
a thread of its own, one `write` a batch; there when flushed, looked up, closed or reopened."""

from __future__ import annotations

import json
import os
from pathlib import Path
from unittest import mock

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.runtime.decision_log_file import FileDecisionLog, find, script_steps
from tests.support import ACME

CALLS = [
    Call(client="acme_plumbing", at=f"2026-11-{day:02d}T{hour:02d}:15:00-06:00", forwarded=reason, answers=answers)
    for day in (3, 28)
    for hour in (2, 11, 23)
    for reason in ("busy", "no_answer")
    for answers in ({}, {"type": "burst_pipe"}, {"type": "billing", "name": "Ann"})
]


def records(path: Path) -> list[dict]:
    found = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for record in found:
        del record["logged_at"]
    return found


def test_batched_records_are_those_written_one_by_one_and_there_once_flushed(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "batched").mkdir()
    one = FileDecisionLog(tmp_path / "one" / "decisions.jsonl")
    batched = FileDecisionLog(tmp_path / "batched" / "decisions.jsonl", batch_seconds=5.0)
    writes = []
    real_write = os.write

    def counted(fd, data):
        writes.append(len(data))
        return real_write(fd, data)

    with Engine(ACME, decision_log=one) as by_one, Engine(ACME, decision_log=batched) as by_batch:
        with mock.patch("rules_engine.runtime.decision_log_file.os.write", counted):
            answers = [by_batch.decide(call, f"call-{n}") for n, call in enumerate(CALLS)]
            assert not (tmp_path / "batched" / "decisions.jsonl").read_text()  # waiting for its batch
            assert batched.flush(10)
        assert len(writes) <= 4  # the records in one write (or two), their index entries in one more
        for n, call in enumerate(CALLS):
            assert by_one.decide(call, f"call-{n}").to_json() == answers[n].to_json()
        one.flush()
        assert records(tmp_path / "batched" / "decisions.jsonl") == records(tmp_path / "one" / "decisions.jsonl")
        last = by_batch.decide(CALLS[-1], "looked-up")
        assert batched.logged("looked-up")["decision"]["script"]["steps"]  # a lookup writes what waits
        assert script_steps(
            tmp_path / "batched" / "decisions.jsonl",
            find(tmp_path / "batched" / "decisions.jsonl", "looked-up")["decision"]["script"]["steps"],
        )
        assert json.loads(last.to_json())["call_id"] == "looked-up"
        by_batch.decide(CALLS[0], "at-close")
    batched.close()
    one.close()
    assert find(tmp_path / "batched" / "decisions.jsonl", "at-close") is not None  # closing wrote it


def test_a_reopen_writes_what_waits_to_the_file_moved_away(tmp_path):
    path = tmp_path / "decisions.jsonl"
    log = FileDecisionLog(path, batch_seconds=5.0)
    with Engine(ACME, decision_log=log) as engine:
        engine.decide(CALLS[0], "before")
        moved = path.with_name("decisions.jsonl-1")
        path.rename(moved)
        engine.reopen_logs()
        engine.decide(CALLS[1], "after")
    log.close()
    assert [r["call_id"] for r in records(moved)] == ["before"]
    assert [r["call_id"] for r in records(path)] == ["after"]
