"""`rules-engine serve --workers N` (finding 8): processes sharing one port, each with its own
snapshot, live state kept the same through the store, and the parent's signals reaching every
worker."""

from __future__ import annotations

import json
import signal

from rules_engine.runtime.decision_log_file import find
from tests.http.test_serve_process import CALL, Running
from tests.http.test_serve_signals import events
from tests.support import wait_for


def test_two_workers_share_the_port_the_live_state_and_the_signals(tmp_path, rules):
    settings = tmp_path / "engine.yaml"
    decisions = tmp_path / "decisions.jsonl"
    settings.write_text(
        f"rules: {rules}\nstore: {tmp_path / 'state.sqlite'}\ndecision_log: {decisions}\n", encoding="utf-8"
    )
    running = Running(["--settings", str(settings), "--workers", "2", "--drain-seconds", "1"], tmp_path)
    try:
        started = wait_for(
            lambda: len(events(running.log, "worker_started")) == 2 and events(running.log, "worker_started")
        )
        workers = {line["pid"] for line in started}
        status, _ = running.request("PUT", "/v1/clients/acme_plumbing/status", {"note": "In court until 3pm"})
        assert status == 200

        def every_worker_holds_the_status() -> bool:
            answered = set()
            for _ in range(40):  # a new connection each: the kernel hands them to either worker
                ready = json.loads(running.request("GET", "/readyz")[1])
                state = json.loads(running.request("GET", "/v1/clients/acme_plumbing/state")[1])
                if state["status"] is None or state["status"]["note"] != "In court until 3pm":
                    return False
                answered.add(ready["pid"])
            return answered == workers

        wait_for(every_worker_holds_the_status, what="both workers answering with the status set through one")
        for number in range(20):
            assert running.request_with("POST", "/v1/decide", CALL, {"X-Call-Id": f"call-{number}"})[0] == 200
        # explain finds every worker's (written within 50 ms: the service batches its log's writes)
        wait_for(lambda: all(find(decisions, f"call-{number}") for number in range(20)), what="every decision logged")
        assert decisions.with_name("decisions.jsonl.w2").exists()

        running.process.send_signal(signal.SIGHUP)
        wait_for(lambda: len(events(running.log, "reopened")) == 2, what="both workers reopening their logs")
        running.process.send_signal(signal.SIGTERM)
        assert running.process.wait(timeout=30) == 0
        exited = events(running.log, "worker_exited")
        assert {line["pid"] for line in exited} == workers and {line["status"] for line in exited} == {0}
    finally:
        running.stop()


def test_workers_without_a_store_are_refused(tmp_path, rules):
    import subprocess

    from tests.http.test_serve_process import RULES_ENGINE

    result = subprocess.run(
        [RULES_ENGINE, "serve", "--rules", str(rules), "--workers", "2", "--port", "0"],
        check=False,  # the exit status is read below
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and "--workers needs a live-state store" in result.stderr
