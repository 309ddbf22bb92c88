"""The decision log: one JSON line per decision, written whole even by many threads at once.

`rules-engine explain`, which reads it back, is tested in `tests/cli/test_cli_explain.py`.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.serve.decision_log import DecisionLog, DecisionLogError, find

DESK = """client desk_only "Desk Only" {
    timezone  "Europe/London"
    languages en
    numbers   "+442071234567"
    contact desk "Front desk" { call "+442071234999" }
    greeting default { en "Desk Only, good day" }
    route { otherwise -> patch desk }
}
"""
CALL = dict(client="desk_only", at="2026-07-07T09:30:00+01:00", forwarded="user-busy", caller="+447700900123",
            answers={"name": "Sam"})


@pytest.fixture
def engine(tmp_path) -> Engine:
    (tmp_path / "desk_only.rules").write_text(DESK, encoding="utf-8")
    return Engine.from_path(tmp_path)


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_each_decision_is_one_line_with_call_rules_version_decision_and_trace(engine, tmp_path):
    log = DecisionLog(tmp_path / "decisions.jsonl")
    decision = engine.decide(Call(**CALL))
    assert log.write(Call(**CALL), decision, call_id="sip-4711") == "sip-4711"
    log.close()
    [record] = lines(tmp_path / "decisions.jsonl")
    assert record["call_id"] == "sip-4711"
    assert record["client"] == "desk_only"
    assert record["rules_version"] == engine.client("desk_only").rules_version
    assert record["call"] == {"client": "desk_only", "at": "2026-07-07T09:30:00+01:00", "forwarded": "busy",
                              "caller": "+447700900123", "answers": {"name": "Sam"}}
    assert record["decision"]["greeting"]["text"] == "Desk Only, good day"
    assert record["decision"]["route"]["actions"] == [
        {"kind": "patch", "targets": [{"contact": "desk", "name": "Front desk", "method": "call",
                                       "address": "+442071234999"}]}]
    assert [(t["section"], t["line"], t["result"]) for t in record["trace"]] == [("greeting", 6, True), ("route", 7, True)]


def test_a_call_without_an_id_gets_a_new_one_each_time(engine, tmp_path):
    log = DecisionLog(tmp_path / "decisions.jsonl")
    decision = engine.decide(Call(**CALL))
    ids = {log.write(Call(**CALL), decision) for _ in range(3)}
    log.close()
    assert len(ids) == 3
    assert {record["call_id"] for record in lines(tmp_path / "decisions.jsonl")} == ids


def test_threads_writing_at_once_never_mix_their_lines(engine, tmp_path):
    log = DecisionLog(tmp_path / "decisions.jsonl")
    call = Call(**CALL)
    decision = engine.decide(call)

    def writer(thread: int) -> None:
        for n in range(50):
            log.write(call, decision, call_id=f"t{thread}-{n}")

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    log.close()
    records = lines(tmp_path / "decisions.jsonl")
    assert sorted(r["call_id"] for r in records) == sorted(f"t{t}-{n}" for t in range(8) for n in range(50))


def test_a_torn_last_line_is_skipped_and_the_rest_still_found(engine, tmp_path):
    path = tmp_path / "decisions.jsonl"
    log = DecisionLog(path)
    log.write(Call(**CALL), engine.decide(Call(**CALL)), call_id="before-the-crash")
    log.close()
    with path.open("a", encoding="utf-8") as file:
        file.write('{"call_id": "torn", "decis')
    assert find(path, "before-the-crash")["call_id"] == "before-the-crash"
    assert find(path, "torn") is None


def test_a_log_that_cannot_be_opened_is_a_decision_log_error(tmp_path):
    with pytest.raises(DecisionLogError) as caught:
        DecisionLog(tmp_path / "no-such-directory" / "decisions.jsonl")
    assert str(caught.value) == (
        f"cannot open the decision log {tmp_path / 'no-such-directory' / 'decisions.jsonl'}: No such file or directory")


def test_an_engine_from_settings_logs_to_the_file_named_and_closes_it(tmp_path):
    (tmp_path / "desk_only.rules").write_text(DESK, encoding="utf-8")
    with Engine.from_settings(rules=tmp_path, decision_log=tmp_path / "decisions.jsonl") as engine:
        assert engine.decision_log.path == tmp_path / "decisions.jsonl"
        log = engine.decision_log
    with pytest.raises(DecisionLogError):
        log.write(Call(**CALL), Engine.from_path(tmp_path).decide(Call(**CALL)))

