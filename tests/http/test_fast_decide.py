"""`POST /v1/decide` on its lean path (http/fast.py): what it does not answer still reaches
FastAPI, and a failure nobody expected is answered and logged as on any route."""

from __future__ import annotations

import json

from rules_engine.http import create_app
from rules_engine.http.access_log import AccessLog
from tests.http.conftest import METRICS, SWITCH, TOKENS, TestClient, bearer

CALL = {
    "client": "acme_plumbing",
    "at": "2026-11-28T23:15:00-06:00",
    "forwarded": "busy",
    "answers": {"type": "burst_pipe"},
}


def test_other_methods_and_paths_beside_decide_are_answered_as_before(client):
    wrong_method = client.get("/v1/decide", headers=bearer(SWITCH))
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["message"] == "method not allowed on this endpoint"
    summary = client.post(
        "/v1/decide/sip/summary",
        headers=bearer(SWITCH),
        json={
            "request_uri": "sip:+13125550100@answering.example",
            "diversion": ["<sip:+13125550100@x>;reason=user-busy"],
        },
    )
    assert summary.status_code == 200 and summary.json()["client"] == "acme_plumbing"


def test_an_unexpected_failure_while_deciding_is_a_500_with_the_usual_body_and_log_line(
    served_engine, log_path, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(served_engine, "decide", broken)
    log = AccessLog(log_path)
    with TestClient(create_app(served_engine, TOKENS, log=log), raise_server_exceptions=False) as http:
        answer = http.post("/v1/decide", headers={**bearer(SWITCH), "X-Call-Id": "c-500"}, json=CALL)
        metrics = http.get("/metrics", headers=bearer(METRICS)).text.splitlines()
    log.close()
    assert answer.status_code == 500
    assert answer.json() == {
        "error": {"field": None, "message": "internal error: the service's log has the details", "hint": None}
    }
    assert "a bug" not in answer.text
    line = [json.loads(x) for x in log_path.read_text().splitlines() if '"/v1/decide"' in x][-1]
    assert (line["method"], line["status"], line["token"], line["call_id"]) == ("POST", 500, "kamailio", "c-500")
    assert 'rules_engine_requests_total{endpoint="/v1/decide",status="500"} 1.0' in metrics
