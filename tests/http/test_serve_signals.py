"""`rules-engine serve` under an operator's hands (issue 23): logrotate with SIGHUP and a pid
file, SIGTERM's drain with the listener open, a restart during a broken deploy served from the
cache directory, and the JSON event lines each of these leaves in the log."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.http.test_serve_process import CALL, Running, log_lines
from tests.postgres import new_database
from tests.support import wait_for


def events(path: Path, name: str) -> list[dict]:
    return [line for line in log_lines(path) if line.get("event") == name]


def decide(running: Running, call_id: str) -> dict:
    status, body = running.request_with("POST", "/v1/decide", CALL, {"X-Call-Id": call_id})
    assert status == 200, body
    return json.loads(body)


def logged_call_ids(path: Path) -> set[str]:
    return {json.loads(line)["call_id"] for line in path.read_text().splitlines()} if path.exists() else set()


@pytest.fixture
def settings(tmp_path, rules) -> Path:
    file = tmp_path / "engine.yaml"
    file.write_text(f"rules: {rules}\ndecision_log: {tmp_path / 'decisions.jsonl'}\n", encoding="utf-8")
    return file


def test_the_logrotate_recipe_moves_decisions_to_the_new_file(tmp_path, settings):
    """docs/embedding.md's recipe, as logrotate runs it: rename, then `kill -HUP $(cat PIDFILE)`."""
    pid_file = tmp_path / "rules-engine.pid"
    running = Running(["--settings", str(settings), "--pid-file", str(pid_file)], tmp_path)
    try:
        assert int(pid_file.read_text()) == running.process.pid
        decisions = tmp_path / "decisions.jsonl"
        decide(running, "before-rotation")
        rotated = decisions.with_name("decisions.jsonl-20261206")
        decisions.rename(rotated)  # logrotate's default `create` mode
        subprocess.run(["sh", "-c", f"kill -HUP $(cat {pid_file})"], check=True, timeout=10)
        wait_for(lambda: events(running.log, "reopened"), what="the logs reopened")
        decide(running, "after-rotation")
        # the service writes its decision log in batches, one every 50 ms (cli/serve.py)
        wait_for(lambda: logged_call_ids(decisions) == {"after-rotation"}, what="the decision in the new file")
        assert logged_call_ids(rotated) == {"before-rotation"}
        running.process.send_signal(signal.SIGTERM)
        assert running.process.wait(timeout=30) == 0
        assert not pid_file.exists()  # removed at exit
    finally:
        running.stop()


def test_sigterm_drains_with_the_listener_open_and_readyz_503(tmp_path, rules):
    running = Running(["--rules", str(rules), "--drain-seconds", "3"], tmp_path)
    try:
        assert running.request("GET", "/readyz")[0] == 200
        running.process.send_signal(signal.SIGTERM)
        _, body = wait_for(
            lambda: (answer := running.request("GET", "/readyz"))[0] == 503 and answer, what="/readyz 503"
        )
        assert json.loads(body)["status"] == "draining"
        assert running.request("POST", "/v1/decide", CALL)[0] == 200  # calls still answered while draining
        assert running.request("GET", "/healthz")[0] == 200
        assert running.process.wait(timeout=30) == 0
        draining, stopping = events(running.log, "draining"), events(running.log, "stopping")
        assert draining[0]["signal"] == "SIGTERM" and draining[0]["seconds"] == 3
        assert stopping and stopping[0]["ts"] > draining[0]["ts"]
    finally:
        running.stop()


def test_every_log_line_is_json_with_a_timestamp_and_a_reload_names_the_broken_file(tmp_path, rules):
    running = Running(["--rules", str(rules)], tmp_path)
    try:
        broken = rules / "acme_plumbing.rules"
        broken.write_text(broken.read_text().replace("route", "rout", 1))
        running.process.send_signal(signal.SIGHUP)
        reload = wait_for(lambda: events(running.log, "reload"), what="the reload's line")[0]
        assert reload["ok"] is False
        problem = reload["problems"][0]
        assert (problem["file"], problem["severity"]) == (str(broken), "error") and problem["line"] > 0
        lines = log_lines(running.log)
        assert all("ts" in line for line in lines), lines
        assert [line["event"] for line in lines if "event" in line][:1] == ["listening"]
    finally:
        running.stop()


def test_a_restart_during_a_broken_deploy_serves_the_client_from_the_cache_dir(tmp_path, rules):
    """Finding 11: without a store, `--cache-dir` keeps each file's last good version across restarts."""
    cache = tmp_path / "cache"
    for other in rules.glob("*.rules"):  # Acme alone: the compile cache cannot store a Decimal yet (comfort_air)
        if other.name != "acme_plumbing.rules":
            other.unlink()
    first = Running(["--rules", str(rules), "--cache-dir", str(cache), "--drain-seconds", "0"], tmp_path / "first")
    try:
        expected = json.loads(first.request("POST", "/v1/decide", CALL)[1])["greeting"]["text"]
        first.process.send_signal(signal.SIGTERM)
        assert first.process.wait(timeout=30) == 0
    finally:
        first.stop()
    broken = rules / "acme_plumbing.rules"
    broken.write_text(broken.read_text().replace("route", "rout", 1))
    second = Running(["--rules", str(rules), "--cache-dir", str(cache)], tmp_path / "second")
    try:
        status, body = second.request("POST", "/v1/decide", CALL)
        assert status == 200 and json.loads(body)["greeting"]["text"] == expected
        ready = second.request("GET", "/readyz")
        assert ready[0] == 200 and json.loads(ready[1])["status"] == "degraded"
        started = events(second.log, "start_problems")[0]
        assert started["problems"][0]["file"] == str(broken)
    finally:
        second.stop()


@pytest.fixture(autouse=True)
def _own_folders(tmp_path):
    for name in ("first", "second"):
        os.makedirs(tmp_path / name, exist_ok=True)


def metric_value(running: Running, name: str) -> float:
    text = running.request("GET", "/metrics")[1].decode()
    return float(next(line.split()[-1] for line in text.splitlines() if line.startswith(name + " ")))


def test_a_database_outage_is_logged_measured_and_leaves_the_service_ready(tmp_path, rules, private_postgres):
    """Findings 5, 6 and 12 against a real PostgreSQL that stops and starts again."""
    with new_database(private_postgres.url) as url:
        settings = tmp_path / "engine.yaml"
        settings.write_text(f"rules: {rules}\nstore: {url}\n", encoding="utf-8")
        running = Running(["--settings", str(settings)], tmp_path)
        try:
            assert metric_value(running, "rules_engine_store_up") == 1.0
            private_postgres.stop()
            down = wait_for(lambda: events(running.log, "store_down"), what="the store_down line")[0]
            assert "unreachable" in down["error"] and down["ts"]
            ready = running.request("GET", "/readyz")
            assert ready[0] == 200 and json.loads(ready[1])["status"] == "degraded"
            assert running.request("POST", "/v1/decide", CALL)[0] == 200
            assert metric_value(running, "rules_engine_store_up") == 0.0
            age = metric_value(running, "rules_engine_live_state_age_seconds")
            assert age == age and age >= 0  # a number (not NaN) while the store is down
            assert wait_for(lambda: metric_value(running, 'rules_engine_store_errors_total{operation="read"}') >= 1)
            private_postgres.start()
            up = wait_for(lambda: events(running.log, "store_up"), what="the store_up line", seconds=40)[0]
            assert up["down_seconds"] >= 0
            assert wait_for(lambda: metric_value(running, "rules_engine_store_up") == 1.0, what="store_up 1")
        finally:
            running.stop()
            if not (private_postgres.data / "postmaster.pid").exists():
                private_postgres.start()


def test_a_traceback_is_one_json_line(tmp_path):
    """Finding 12: a logged exception (a 500's, a pool's) is one line, its text in `traceback`."""
    import logging

    from rules_engine.http.access_log import AccessLog
    from rules_engine.http.events import route_logging, unroute_logging

    log = AccessLog(tmp_path / "requests.log")
    handler = route_logging(log)
    try:
        try:
            raise ValueError("a bug\non two lines")
        except ValueError:
            logging.getLogger("rules_engine.http").exception("unexpected error on POST /v1/decide")
        logging.getLogger("psycopg.pool").warning("error connecting in 'pool-1'")
    finally:
        unroute_logging(handler)
        log.close()
    lines = (tmp_path / "requests.log").read_text().splitlines()
    assert len(lines) == 2
    error, pool = (json.loads(line) for line in lines)
    assert (error["event"], error["level"], error["logger"]) == ("log", "error", "rules_engine.http")
    assert error["traceback"].startswith("Traceback") and "ValueError: a bug\non two lines" in error["traceback"]
    assert (pool["level"], pool["message"], "ts" in pool) == ("warning", "error connecting in 'pool-1'", True)
