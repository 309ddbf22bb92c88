"""The decision log: one JSON line per decision, written whole even by many threads at once.

`rules-engine explain`, which reads it back, is tested in `tests/cli/test_cli_explain.py`.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.runtime.decision_log import DecisionLogError
from rules_engine.runtime.decision_log_file import FileDecisionLog, find, script_steps
from rules_engine.runtime.decision_record import with_steps
from tests.support import ACME, DESK_ONLY, ROOT

DESK = DESK_ONLY
CALL = dict(client="desk_only", at="2026-07-07T09:30:00+01:00", forwarded="user-busy", caller="+447700900123")


@pytest.fixture
def engine(tmp_path) -> Engine:
    (tmp_path / "desk_only.rules").write_text(DESK, encoding="utf-8")
    return Engine.from_path(tmp_path)


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_each_decision_is_one_compact_line_with_call_rules_version_decision_and_trace(engine, tmp_path):
    log = FileDecisionLog(tmp_path / "decisions.jsonl")
    decision = engine.decide(Call(**CALL))
    assert log.write(Call(**CALL), decision, call_id="sip-4711") == "sip-4711"
    log.close()
    [record] = lines(tmp_path / "decisions.jsonl")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", record.pop("logged_at"))
    assert record == {
        "call_id": "sip-4711",
        "client": "desk_only",
        "rules_version": engine.client("desk_only").rules_version,
        "call": {
            "client": "desk_only",
            "at": "2026-07-07T09:30:00+01:00",
            "forwarded": "busy",
            "caller": "+447700900123",
        },
        "decision": {
            "at": "2026-07-07T09:30:00+01:00",
            "windows": [],
            "language": {"asked": None, "used": "en", "why": "the call names no language: the client's default"},
            "greeting": {"id": "default", "language": "en", "text": "Desk Only, good day"},
            "script": None,
            "urgency": None,
            "needs": [],
            "route": {
                "rule": 1,
                "line": 7,
                "actions": [
                    {
                        "kind": "patch",
                        "targets": [
                            {"contact": "desk", "name": "Front desk", "method": "call", "address": "+442071234999"}
                        ],
                    }
                ],
            },
        },
        "trace": [["greeting", "default", 6, True], ["route", 1, 7, True]],
    }


def test_a_record_does_not_repeat_itself(tmp_path):
    """The decision's own client and rules version are the record's, each rule tried is a short
    list, and the script's steps are kept once beside the log: Acme's night call, with the call
    and the decision, takes 0.9 kB where the decision's own JSON takes 1.65 kB."""
    engine = Engine.from_path(ACME)
    log = FileDecisionLog(tmp_path / "decisions.jsonl")
    call = Call(client="acme_plumbing", at="2026-11-28T23:15:00-06:00", forwarded="busy")
    decision = engine.decide(call)
    log.write(call, decision, call_id="sip-1")
    log.close()
    [record] = lines(tmp_path / "decisions.jsonl")
    assert "client" not in record["decision"] and "rules_version" not in record["decision"]
    assert record["trace"][:2] == [
        ["greeting", "busy", 39, False, "busy or no answer while open"],
        ["greeting", "after_hours", 43, True],
    ]
    ref = record["decision"]["script"]["steps"]
    assert record["decision"]["script"] == {"id": "intake", "steps": ref}
    assert script_steps(tmp_path / "decisions.jsonl", ref)[0] == {
        "kind": "ask",
        "field": "name",
        "language": "en",
        "text": "May I have your name?",
        "required": True,
    }
    assert len((tmp_path / "decisions.jsonl").read_bytes()) < 1000 < len(decision.to_json())


def test_a_scripts_steps_are_kept_once_and_its_answers_stay_with_the_record(tmp_path):
    engine = Engine.from_path(ACME)
    log = FileDecisionLog(tmp_path / "decisions.jsonl")
    for n, kind in enumerate(("burst_pipe", "no_heat", "burst_pipe")):
        call = Call(client="acme_plumbing", at="2026-11-28T23:15:00-06:00", forwarded="busy", answers={"type": kind})
        log.write(call, engine.decide(call), call_id=f"sip-{n}")
    log.close()
    records = lines(tmp_path / "decisions.jsonl")
    assert len({record["decision"]["script"]["steps"] for record in records}) == 1
    assert [record["decision"]["script"]["answered"] for record in records] == [
        {"type": "burst_pipe"},
        {"type": "no_heat"},
        {"type": "burst_pipe"},
    ]
    assert len(list((tmp_path / "decisions.jsonl.scripts").iterdir())) == 1
    expanded = with_steps(records[1]["decision"], lambda ref: script_steps(tmp_path / "decisions.jsonl", ref))
    assert expanded["script"]["steps"][3]["answer"] == "no_heat"


def test_a_call_without_an_id_gets_a_new_one_each_time(engine, tmp_path):
    log = FileDecisionLog(tmp_path / "decisions.jsonl")
    decision = engine.decide(Call(**CALL))
    ids = {log.write(Call(**CALL), decision) for _ in range(3)}
    log.close()
    assert len(ids) == 3
    assert {record["call_id"] for record in lines(tmp_path / "decisions.jsonl")} == ids


def test_threads_writing_at_once_never_mix_their_lines(engine, tmp_path):
    log = FileDecisionLog(tmp_path / "decisions.jsonl")
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


def test_a_torn_last_line_is_ended_on_open_so_the_next_record_is_whole(engine, tmp_path):
    """A crash in the middle of a write leaves half a line; the first record written after the
    restart must not be glued to it (issue 14, failure 5)."""
    path = tmp_path / "decisions.jsonl"
    log = FileDecisionLog(path)
    log.write(Call(**CALL), engine.decide(Call(**CALL)), call_id="before-the-crash")
    log.close()
    with path.open("a", encoding="utf-8") as file:
        file.write('{"call_id":"torn","decis')
    log = FileDecisionLog(path)  # the restart
    log.write(Call(**CALL), engine.decide(Call(**CALL)), call_id="after-the-crash")
    log.close()
    assert find(path, "before-the-crash")["call_id"] == "before-the-crash"
    assert find(path, "after-the-crash")["call_id"] == "after-the-crash"
    assert find(path, "torn") is None
    assert path.read_text(encoding="utf-8").splitlines()[1] == '{"call_id":"torn","decis'


def test_a_second_log_on_the_same_file_in_this_process_is_told_it_is_this_process(tmp_path):
    log = FileDecisionLog(tmp_path / "decisions.jsonl")
    with pytest.raises(DecisionLogError) as caught:
        FileDecisionLog(tmp_path / "decisions.jsonl")
    assert str(caught.value) == (
        f"the decision log {tmp_path / 'decisions.jsonl'} is already being written by another decision log of "
        "this process; close that one first, or share it (one engine, or the same FileDecisionLog)"
    )
    log.close()
    FileDecisionLog(tmp_path / "decisions.jsonl").close()  # once closed, another may write it


def test_a_log_written_by_another_process_is_refused_naming_that_process(tmp_path):
    path = tmp_path / "decisions.jsonl"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from rules_engine.runtime.decision_log_file import FileDecisionLog; "
            "log = FileDecisionLog(sys.argv[1]); print('open', flush=True); sys.stdin.read(); log.close()",
            str(path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert holder.stdout.readline() == "open\n"
        with pytest.raises(DecisionLogError) as caught:
            FileDecisionLog(path)
        assert str(caught.value) == (
            f"the decision log {path} is being written by another process (pid {holder.pid}); give each engine "
            "a log of its own, or log to PostgreSQL (decision_log: postgresql://…) from many"
        )
    finally:
        holder.communicate("", timeout=30)
    FileDecisionLog(path).close()


def test_a_log_that_cannot_be_opened_is_a_decision_log_error(tmp_path):
    with pytest.raises(DecisionLogError) as caught:
        FileDecisionLog(tmp_path / "no-such-directory" / "decisions.jsonl")
    assert str(caught.value) == (
        f"cannot open the decision log {tmp_path / 'no-such-directory' / 'decisions.jsonl'}: No such file or directory"
    )


def test_an_engine_from_settings_logs_to_the_file_named_and_closes_it(tmp_path):
    (tmp_path / "desk_only.rules").write_text(DESK, encoding="utf-8")
    with Engine.from_settings(rules=tmp_path, decision_log=tmp_path / "decisions.jsonl") as engine:
        assert engine.decision_log.path == tmp_path / "decisions.jsonl"
        log = engine.decision_log
    with pytest.raises(DecisionLogError):
        log.write(Call(**CALL), Engine.from_path(tmp_path).decide(Call(**CALL)))
