"""Health, readiness, metrics, clients and reload: what an operator watches."""

from __future__ import annotations

from rules_engine.engine import Engine
from rules_engine.http import create_app
from rules_engine.http.access_log import AccessLog
from rules_engine.runtime.state import LiveStateHealth, MemoryStore
from tests.http.conftest import TestClient
from tests.support import CLIENTS as CONFIGS_CLIENTS
from tests.support import client_text

CALL = {
    "client": "acme_plumbing",
    "at": "2026-11-28T23:15:00-06:00",
    "forwarded": "busy",
    "answers": {"type": "burst_pipe"},
}


def metric_lines(client) -> set[str]:
    return set(client.get("/metrics").text.splitlines())


def test_health_and_readiness_name_the_rules_versions_served(open_client, served_engine):
    assert open_client.get("/healthz").json() == {"status": "ok"}
    ready = open_client.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["ready"] is True and body["draining"] is False and body["problems"] == 0
    assert body["rules_versions"] == {c.id: c.rules_version for c in served_engine.clients.values()}
    assert body["store"]["reachable"] is True and body["store"]["store"] == "memory"


def test_clients_lists_ids_numbers_and_versions(open_client, served_engine):
    listed = {c["id"]: c for c in open_client.get("/v1/clients").json()}
    assert listed["acme_plumbing"] == {
        "id": "acme_plumbing",
        "numbers": ["+13125550100", "+13125550101"],
        "rules_version": served_engine.client("acme_plumbing").rules_version,
    }
    assert len(listed) == len(served_engine.clients)  # every example client


def test_metrics_count_decisions_by_client_and_outcome_and_refusals(open_client):
    open_client.post("/v1/decide", json=CALL)
    open_client.post("/v1/decide", json={**CALL, "answers": {}})
    open_client.post("/v1/decide", json={**CALL, "client": "nobody"})
    open_client.post("/v1/decide", json={**CALL, "forwarded": "sideways"})
    lines = metric_lines(open_client)
    assert 'rules_engine_decisions_total{client="acme_plumbing",outcome="escalate"} 1.0' in lines
    assert 'rules_engine_decisions_total{client="acme_plumbing",outcome="waiting"} 1.0' in lines
    assert 'rules_engine_calls_refused_total{reason="unknown_client"} 1.0' in lines
    assert 'rules_engine_calls_refused_total{reason="bad_call"} 1.0' in lines
    assert "rules_engine_decision_seconds_count 2.0" in lines
    assert {
        f"rules_engine_clients {len(CONFIGS_CLIENTS)}.0",
        "rules_engine_rule_problems 0.0",
        "rules_engine_live_state_age_seconds 0.0",
    } <= lines


def test_a_reload_serves_a_new_file_and_reports_a_broken_one(open_client, rules):
    (rules / "new_client.rules").write_text(client_text("new_client", "Hello from the new client"))
    report = open_client.post("/v1/reload").json()
    assert (report["ok"], report["added"], report["problems"]) == (True, ["new_client"], [])
    assert open_client.post("/v1/decide", json={"client": "new_client", "at": CALL["at"]}).status_code == 200

    (rules / "new_client.rules").write_text(client_text("new_client", "Changed", broken=True))
    answer = open_client.post("/v1/reload")
    assert answer.status_code == 422  # a deploy pipeline's `curl -f` notices
    report = answer.json()
    assert report["ok"] is False and report["changed"] == []
    assert report["problems"][0].startswith(f"{rules / 'new_client.rules'}:7:")
    assert (
        open_client.post("/v1/decide", json={"client": "new_client", "at": CALL["at"]}).json()["greeting"]["text"]
        == "Hello from the new client"
    )  # the last good version keeps serving
    lines = metric_lines(open_client)
    assert {
        'rules_engine_reloads_total{result="ok"} 1.0',
        'rules_engine_reloads_total{result="problems"} 1.0',
        "rules_engine_rule_problems 1.0",
    } <= lines
    assert open_client.get("/readyz").json()["problems"] == 1


class UnreachableStore(MemoryStore):
    """Live state whose database stopped answering: decisions go on from memory (as the
    snapshot stores do), health says why it is not current."""

    def health(self) -> LiveStateHealth:
        return LiveStateHealth(
            store="postgresql", shared=True, reachable=False, age=42.0, synced_at=None, error="connection refused"
        )


def test_a_store_that_does_not_answer_leaves_the_service_ready_but_degraded(tmp_path, rules):
    """Calls keep flowing from the snapshot: a probe must not pull the instance (finding 6);
    the metrics say the store is down and how old the snapshot is, as a number (finding 5)."""
    with (
        Engine(rules, store=UnreachableStore()) as engine,
        TestClient(create_app(engine, log=AccessLog(tmp_path / "requests.log"))) as http,
    ):
        ready = http.get("/readyz")
        assert ready.status_code == 200
        assert (ready.json()["ready"], ready.json()["status"]) == (True, "degraded")
        assert ready.json()["degraded"] == [
            "live-state store down: connection refused; deciding from a snapshot 42 s old"
        ]
        assert ready.json()["store"] == {
            "store": "postgresql",
            "shared": True,
            "reachable": False,
            "age": 42.0,
            "synced_at": None,
            "error": "connection refused",
        }
        assert http.post("/v1/decide", json=CALL).status_code == 200  # calls are still decided
        assert {
            "rules_engine_live_state_age_seconds 42.0",
            "rules_engine_store_up 0.0",
            "rules_engine_degraded 1.0",
            "rules_engine_ready 1.0",
        } <= metric_lines(http)


def test_a_write_the_store_refuses_is_503_and_counted(tmp_path, rules):
    engine = Engine.from_settings(rules=rules, store=tmp_path / "state.sqlite")
    with TestClient(create_app(engine, log=AccessLog(tmp_path / "requests.log"))) as http:
        engine.store.close()  # the database goes away under the running service
        response = http.put("/v1/clients/acme_plumbing/status", json={"note": "out"})
        assert response.status_code == 503
        assert response.json()["error"]["message"] == "the live-state store is unavailable; try again shortly"
        assert 'rules_engine_store_errors_total{operation="write"} 1.0' in metric_lines(http)
        assert http.post("/v1/decide", json=CALL).status_code == 200


def test_a_draining_service_is_not_ready(open_client):
    open_client.app.state.service.draining = True
    assert (open_client.get("/readyz").status_code, open_client.get("/readyz").json()["draining"]) == (503, True)
    assert "rules_engine_ready 0.0" in metric_lines(open_client)


def test_a_starting_service_is_not_ready(open_client):
    open_client.app.state.service.starting = True
    assert (open_client.get("/readyz").status_code, open_client.get("/readyz").json()["status"]) == (503, "starting")


def test_metrics_have_process_series_requests_by_status_store_up_and_reloads_from_zero(open_client):
    """Finding 14: an operator sees a wrong token (401s) at once, and every series before it moves."""
    open_client.post("/v1/decide", json=CALL)
    open_client.post("/v1/decide", json={**CALL, "client": "nobody"})
    open_client.get("/v1/clients/acme_plumbing/state")
    open_client.get("/no/such/path")
    lines = metric_lines(open_client)
    assert {
        'rules_engine_requests_total{endpoint="/v1/decide",status="200"} 1.0',
        'rules_engine_requests_total{endpoint="/v1/decide",status="404"} 1.0',
        'rules_engine_requests_total{endpoint="/v1/clients/{client}/state",status="200"} 1.0',
        'rules_engine_requests_total{endpoint="unrouted",status="404"} 1.0',
        'rules_engine_reloads_total{result="ok"} 0.0',
        'rules_engine_reloads_total{result="problems"} 0.0',
        'rules_engine_store_errors_total{operation="read"} 0.0',
        'rules_engine_store_errors_total{operation="write"} 0.0',
        "rules_engine_store_up 1.0",
        "rules_engine_degraded 0.0",
    } <= lines
    assert any(line.startswith("process_resident_memory_bytes ") for line in lines)
    assert any(line.startswith("process_cpu_seconds_total ") for line in lines)
