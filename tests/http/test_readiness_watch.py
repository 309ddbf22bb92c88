"""A service whose rule files are watched says so in its readiness: a watch that stopped
following the files leaves it ready (it decides with the rules it has) but degraded, and why."""

from __future__ import annotations

from rules_engine.http import create_app
from tests.http.conftest import TestClient
from tests.support import eventually


def readiness(engine) -> dict:
    with TestClient(create_app(engine, ())) as client:
        answer = client.get("/readyz")
        assert answer.status_code == 200
        return answer.json()


def test_a_watch_that_stopped_following_the_files_makes_the_service_degraded(served_engine):
    watcher = served_engine.watch(rescan=0.2)
    assert eventually(lambda: served_engine.rules_health().watch.current, within=5.0)
    assert readiness(served_engine)["status"] == "ok"

    watcher.stop()
    body = readiness(served_engine)
    assert body["ready"] is True and body["status"] == "degraded"
    assert body["degraded"] == ["the rules watch is not following the files; deciding with the rules loaded"]
