"""The rules sources a file decision log keeps for `explain` (`decisions.jsonl.sources/`) are
pruned with the log: after any number of reloads they are the versions the kept files refer to
and the ones serving, and every kept record is still explained with its rules text."""

from __future__ import annotations

import json
from pathlib import Path

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.runtime.decision_log_file import FileDecisionLog, log_files, source
from tests.support import client_text

ALPHA = Call(client="alpha", at="2026-11-27T10:00:00-06:00", forwarded="busy")
BETA = Call(client="beta", at="2026-11-27T10:00:00-06:00", forwarded="busy")
MAX_BYTES, KEEP_FILES = 6_000, 2


def greeting_line(n: int) -> str:
    return f'greeting default {{ en "Alpha speaking {n}" }}'


def kept_records(path: Path) -> list[dict]:
    return [json.loads(line) for file in log_files(path) for line in file.read_text().splitlines()]


def sources_kept(path: Path) -> set[str]:
    return {file.stem for file in (path.parent / "decisions.jsonl.sources").glob("*.json")}


def reload_alpha(rules: Path, engine: Engine, n: int) -> str:
    (rules / "alpha.rules").write_text(client_text("alpha", f"Alpha speaking {n}"))
    engine.reload()
    return engine.client("alpha").rules_version


def setup(tmp_path: Path) -> tuple[Path, Path, FileDecisionLog, Engine]:
    rules, path = tmp_path / "rules", tmp_path / "decisions.jsonl"
    rules.mkdir()
    (rules / "alpha.rules").write_text(client_text("alpha", "Alpha speaking 0"))
    (rules / "beta.rules").write_text(client_text("beta", "Beta speaking", number="+13125550300"))
    log = FileDecisionLog(path, max_bytes=MAX_BYTES, keep_files=KEEP_FILES)
    return rules, path, log, Engine(rules, decision_log=log)


def test_sources_stay_those_the_kept_logs_refer_to_and_the_oldest_kept_record_is_explained(tmp_path, cli):
    rules, path, log, engine = setup(tmp_path)
    versions = {}
    for n in range(60):  # 60 versions of alpha, 3 decisions each: the log rotates many times
        versions[n] = reload_alpha(rules, engine, n)
        for k in range(3):
            engine.decide(ALPHA, call_id=f"call-{n}-{k}")
    engine.decide(BETA, call_id="beta-last")
    log.close()

    records = kept_records(path)
    assert len(log_files(path)) == KEEP_FILES + 1 and len(records) < 180  # the oldest files were deleted
    referred = {record["rules_version"] for record in records}
    serving = {engine.client("alpha").rules_version, engine.client("beta").rules_version}
    assert sources_kept(path) == referred | serving  # 60 alpha versions served; only these stay
    assert len(sources_kept(path)) < 20

    alpha = [record for record in records if record["call_id"].startswith("call-")]
    oldest = min(alpha, key=lambda record: [int(part) for part in record["call_id"].split("-")[1:]])
    n = int(oldest["call_id"].split("-")[1])
    explained = engine.explain(oldest["call_id"])
    assert explained is not None and explained.source is not None
    assert greeting_line(n) in explained.source.text
    code, shown, _ = cli("explain", path, "--call-id", oldest["call_id"])
    assert code == 0 and greeting_line(n) in shown and "is not kept with this log" not in shown

    assert engine.explain("call-0-0") is None  # its file was deleted, and its rules text with it
    assert source(path, versions[0]) is None


def test_a_version_serving_again_keeps_its_source_though_no_kept_record_refers_to_it(tmp_path):
    rules, _, log, engine = setup(tmp_path)
    first = reload_alpha(rules, engine, 0)
    engine.decide(ALPHA, call_id="first")
    reload_alpha(rules, engine, 1)
    engine.decide(ALPHA, call_id="second")
    assert reload_alpha(rules, engine, 0) == first  # the first version serves again
    for k in range(40):  # other clients' calls rotate every file that referred to it away
        engine.decide(BETA, call_id=f"beta-{k}")
    assert engine.explain("first") is None
    engine.decide(ALPHA, call_id="again")
    log.close()
    explained = engine.explain("again")
    assert explained is not None and explained.source is not None
    assert greeting_line(0) in explained.source.text


def test_files_rotated_before_a_restart_or_without_their_versions_are_read_once_and_nothing_needed_goes(tmp_path):
    rules, path, log, engine = setup(tmp_path)
    for n in range(8):
        reload_alpha(rules, engine, n)
        engine.decide(ALPHA, call_id=f"call-{n}")
    log.close()
    for versions in (tmp_path / "decisions.jsonl.index").glob("*.versions"):
        versions.unlink()  # as after logrotate, or an engine before this index

    log = FileDecisionLog(path, max_bytes=MAX_BYTES, keep_files=KEEP_FILES)  # the restart
    engine = Engine(rules, decision_log=log)
    for n in range(8, 12):
        reload_alpha(rules, engine, n)
        engine.decide(ALPHA, call_id=f"call-{n}")
    log.close()

    records = kept_records(path)
    assert sources_kept(path) == {record["rules_version"] for record in records} | {
        engine.client("alpha").rules_version,
        engine.client("beta").rules_version,
    }
    for record in records:
        explained = engine.explain(record["call_id"])
        assert explained is not None and explained.source is not None


def test_the_steps_of_scripts_no_kept_record_refers_to_go_and_the_kept_records_keep_theirs(tmp_path):
    rules, path, log, engine = setup(tmp_path)
    for n in range(40):  # each version asks its question in other words: a script of its own
        script = f'\n    script intake {{ ask name "May I have your name, caller {n}?" }}\n'
        (rules / "alpha.rules").write_text(
            client_text("alpha", "Alpha speaking").replace("\n}\n", script + "    choose script intake otherwise\n}\n")
        )
        engine.reload()
        for k in range(3):
            engine.decide(ALPHA, call_id=f"call-{n}-{k}")
    log.close()

    records = kept_records(path)
    refs = {record["decision"]["script"]["steps"] for record in records}
    assert {file.stem for file in (tmp_path / "decisions.jsonl.scripts").glob("*.json")} == refs
    assert len(refs) < 20  # of 40
    oldest = min(records, key=lambda record: [int(part) for part in record["call_id"].split("-")[1:]])
    explained = engine.explain(oldest["call_id"])
    assert explained is not None
    n = oldest["call_id"].split("-")[1]
    assert f"caller {n}?" in json.dumps(explained.record["decision"]["script"]["steps"])


def test_a_call_the_replaced_version_decided_during_a_reload_is_logged_with_its_rules_text(tmp_path):
    rules, _, log, engine = setup(tmp_path)
    in_flight = engine.decide(ALPHA, call_id="early")  # decided by version 0 …
    for k in range(40):  # … whose every record then rotates away
        engine.decide(BETA, call_id=f"beta-{k}")
    assert engine.explain("early") is None
    reload_alpha(rules, engine, 1)  # version 1 replaces it
    for k in range(40, 60):  # rotations prune while the call decided before is not logged yet
        engine.decide(BETA, call_id=f"beta-{k}")
    log.write(ALPHA, in_flight, call_id="in-flight")
    log.close()
    explained = engine.explain("in-flight")
    assert explained is not None and explained.source is not None
    assert greeting_line(0) in explained.source.text
