"""A decision log that a year of calls cannot fill: rotation by size, logrotate's rename and
`reopen_logs()`, and an index that finds a call without reading the history."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.runtime import log_index
from rules_engine.runtime.decision_log_file import FileDecisionLog, find, log_files
from tests.support import client_text

CALL = Call(client="alpha", at="2026-11-27T10:00:00-06:00", forwarded="busy")


@pytest.fixture
def engine(tmp_path) -> Engine:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "alpha.rules").write_text(client_text("alpha", "Alpha speaking"))
    return Engine(tmp_path / "rules")


def logged(log: FileDecisionLog, engine: Engine, ids) -> None:
    decision = engine.decide(CALL)
    for call_id in ids:
        log.write(CALL, decision, call_id=call_id)


def test_logrotate_moves_the_file_and_reopen_logs_starts_a_new_one(tmp_path):
    """With logrotate's default `create`, the log is renamed under the engine; without a reopen
    the engine kept writing to the renamed file (issue 14, failure 6)."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "alpha.rules").write_text(client_text("alpha", "Alpha speaking"))
    path = tmp_path / "decisions.jsonl"
    with Engine.from_settings(rules=tmp_path / "rules", decision_log=path) as engine:
        engine.decide(CALL, call_id="before-rotation")
        path.rename(tmp_path / "decisions.jsonl-20261127")  # what logrotate does
        engine.reopen_logs()  # its postrotate script
        engine.decide(CALL, call_id="after-rotation")
    assert [line.count("after-rotation") for line in path.read_text().splitlines()] == [1]
    assert "after-rotation" not in (tmp_path / "decisions.jsonl-20261127").read_text()
    assert find(path, "before-rotation")["call_id"] == "before-rotation"  # the renamed file is searched too
    assert find(path, "after-rotation")["call_id"] == "after-rotation"


def test_a_log_past_its_size_moves_to_numbered_files_and_the_oldest_go(engine, tmp_path):
    path = tmp_path / "decisions.jsonl"
    log = FileDecisionLog(path, max_bytes=4096, keep_files=3)
    logged(log, engine, [f"call-{n}" for n in range(60)])
    log.close()
    names = sorted(p.name for p in log_files(path))
    assert names == ["decisions.jsonl", "decisions.jsonl.1", "decisions.jsonl.2", "decisions.jsonl.3"]
    assert all(p.stat().st_size <= 4096 for p in log_files(path))
    kept = [json.loads(line) for file in log_files(path) for line in file.read_text().splitlines()]
    newest = sorted(kept, key=lambda r: int(r["call_id"].split("-")[1]))
    assert newest[-1]["call_id"] == "call-59" and len(kept) < 60  # the oldest were deleted
    for record in kept:
        assert find(path, record["call_id"])["call_id"] == record["call_id"]
    assert find(path, "call-0") is None
    indexes = sorted(p.name for p in (tmp_path / "decisions.jsonl.index").glob("*.idx"))
    assert len(indexes) == 4  # one a kept file: those of deleted files are deleted with them


def test_the_index_holds_16_bytes_a_record_and_a_crash_before_indexing_is_caught_up_on_open(engine, tmp_path):
    path = tmp_path / "decisions.jsonl"
    log = FileDecisionLog(path)
    logged(log, engine, [f"call-{n}" for n in range(10)])
    log.close()
    index = log_index.index_file(tmp_path / "decisions.jsonl.index", path.stat())
    assert index.stat().st_size == 10 * 16
    os.truncate(index, 7 * 16 + 5)  # the crash: the last records' entries lost, one torn
    assert find(path, "call-9")["call_id"] == "call-9"  # found in the unindexed tail meanwhile
    FileDecisionLog(path).close()  # the restart indexes the tail
    assert index.stat().st_size == 10 * 16
    assert [find(path, f"call-{n}")["call_id"] for n in range(10)] == [f"call-{n}" for n in range(10)]


def test_a_log_without_an_index_is_searched_whole_and_indexed_when_next_opened(engine, tmp_path):
    path = tmp_path / "decisions.jsonl"
    log = FileDecisionLog(path)
    logged(log, engine, ["a", "b", "a"])
    log.close()
    for index in (tmp_path / "decisions.jsonl.index").glob("*.idx"):
        index.unlink()
    first, second = (find(path, "a"), find(path, "b"))
    assert (first["call_id"], second["call_id"]) == ("a", "b")
    FileDecisionLog(path).close()
    assert log_index.index_file(tmp_path / "decisions.jsonl.index", path.stat()).stat().st_size == 3 * 16


def test_the_newest_record_of_a_call_id_logged_twice_is_found(engine, tmp_path):
    path = tmp_path / "decisions.jsonl"
    log = FileDecisionLog(path)
    decision = engine.decide(CALL)
    log.write(CALL, decision, call_id="twice")
    later = Call(client="alpha", at="2026-11-27T11:00:00-06:00", forwarded="busy")
    log.write(later, engine.decide(later), call_id="twice")
    log.close()
    assert find(path, "twice")["call"]["at"] == "2026-11-27T11:00:00-06:00"


def test_a_missing_log_is_an_os_error_naming_it(tmp_path):
    with pytest.raises(FileNotFoundError):
        find(Path(tmp_path / "nothing.jsonl"), "x")
