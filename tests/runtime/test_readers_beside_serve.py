"""The report and `explain` run beside a running `rules-engine serve` with the same settings
(issue 23, finding 7): readers open the store and the log read-only and never take the writer's
lock. The service is a real process (as tests/http/test_serve_process.py starts it); the
readers are the commands an operator types."""

from __future__ import annotations

import http.client
import json
import subprocess
from pathlib import Path

import pytest

from rules_engine.runtime import decision_log_pg
from tests.http.test_serve_process import RULES_ENGINE, Running
from tests.support import wait_for

CALL = {"client": "acme_plumbing", "at": "2026-11-28T23:15:00-06:00", "forwarded": "busy"}


def post(service: Running, path: str, body: dict, call_id: str | None = None) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", service.port, timeout=10)
    try:
        headers = {"Content-Type": "application/json", **({"X-Call-Id": call_id} if call_id else {})}
        connection.request("POST", path, body=json.dumps(body), headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def command(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([RULES_ENGINE, *map(str, args)], capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(params=["files", "postgresql"])
def settings(request, tmp_path, acme_dir) -> tuple[Path, str]:
    """A settings file for the service: a SQLite store and a log file, or both in PostgreSQL;
    and where `explain` reads the log."""
    if request.param == "files":
        store, log = str(tmp_path / "state.db"), str(tmp_path / "decisions.jsonl")
    else:
        store = log = request.getfixturevalue("postgres_url")
    path = tmp_path / "engine.yaml"
    path.write_text(f"rules: {acme_dir}\nstore: {store}\ndecision_log: {log}\n", encoding="utf-8")
    return path, log


def test_report_and_explain_run_beside_a_running_service(settings, tmp_path):
    settings_file, log = settings
    service = Running(["--settings", str(settings_file)], tmp_path)
    try:
        status, decision = post(service, "/v1/decide", CALL, call_id="beside-1")
        assert status == 200, decision
        status, outcome = post(
            service, "/v1/calls/beside-1/outcome", {"outcome": "answered", "at": "2026-11-28T23:16:00-06:00"}
        )
        assert status == 201, outcome

        report = command(
            "report", "--settings", settings_file, "--client", "acme_plumbing",
            "--from", "2026-11-28", "--to", "2026-11-28", "--json",
        )  # fmt: skip
        assert report.returncode == 0, report.stderr
        figures = json.loads(report.stdout)
        assert (figures["received"], figures["answered"]) == (1, 1)

        if log.startswith("postgresql://"):  # the service writes its log from a thread, in batches
            wait_for(lambda: decision_log_pg.find(log, "beside-1"), "the decision in the log")
        explained = command("explain", "--log", log, "--call-id", "beside-1")
        assert explained.returncode == 0, explained.stderr
        assert explained.stdout.startswith("Call beside-1, decided ")
        assert "Acme Plumbing & Heating (acme_plumbing)" in explained.stdout

        status, _ = post(service, "/v1/decide", CALL, call_id="after-the-readers")
        assert status == 200  # the service goes on deciding (and logging) undisturbed
        assert service.process.poll() is None
    finally:
        service.stop()
