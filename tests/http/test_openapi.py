"""The OpenAPI document, and the service checked against it with schemathesis: no 5xx, every
response in the status codes, content types and schemas the document declares.

Bounded and repeatable: a fixed number of examples per endpoint, derandomized (a fixed
seed). `SCHEMATHESIS_EXAMPLES=500` runs a longer search.
"""

from __future__ import annotations

import logging
import os
import warnings

import pytest
from hypothesis import HealthCheck, settings

from rules_engine.engine import Engine
from rules_engine.http import create_app
from rules_engine.http.access_log import AccessLog
from tests.http.conftest import ADMIN, TOKENS, TestClient, bearer
from tests.support import CONFIGS

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "30"))
ENGINE = Engine(CONFIGS)  # decisions only read it; live-state changes stay in its memory store
APP = create_app(ENGINE, TOKENS, log=AccessLog(os.environ.get("SCHEMATHESIS_LOG", os.devnull)))
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@SCHEMA.parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_response_conforms_to_the_document(case, caplog):
    with caplog.at_level(logging.WARNING):
        case.call_and_validate(headers=bearer(ADMIN), checks=CHECKS)
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR], caplog.text


@SCHEMA.parametrize()
@settings(max_examples=max(EXAMPLES // 3, 5), derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_without_a_token_nothing_is_a_server_error(case):
    response = case.call()
    assert response.status_code < 500
    if case.path not in ("/healthz", "/readyz", "/openapi.json"):
        assert response.status_code in (401, 405), (case.method, case.path, response.text)


def test_actions_are_a_union_discriminated_by_kind():
    with TestClient(APP) as http:
        document = http.get("/openapi.json").json()
    route = document["components"]["schemas"]["Route"]["properties"]["actions"]["items"]
    assert route["discriminator"]["propertyName"] == "kind"
    assert route["discriminator"]["mapping"]["patch"] == "#/components/schemas/Patch"
    assert set(route["discriminator"]["mapping"]) == {"patch", "escalate", "message", "voicemail", "callback", "hangup"}
    assert decide_200(document) == {"$ref": "#/components/schemas/Decision"}
    decide = document["paths"]["/v1/decide"]["post"]
    assert decide["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Call"}
    assert set(decide["responses"]) >= {"200", "400", "401", "403", "404", "413"}
    assert decide["security"] == [{"bearer": []}]
    assert document["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    sip = document["paths"]["/v1/decide/sip"]["post"]["requestBody"]["content"]
    assert set(sip) == {"application/json", "application/x-www-form-urlencoded"}


def decide_200(document: dict) -> dict:
    return document["paths"]["/v1/decide"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]


@pytest.mark.parametrize("path", ["/v1/decide", "/v1/decide/sip"])
def test_a_decision_matches_the_documented_decision_schema(path):
    body = (
        {
            "client": "acme_plumbing",
            "at": "2026-11-28T23:15:00-06:00",
            "forwarded": "busy",
            "answers": {"type": "burst_pipe"},
        }
        if path == "/v1/decide"
        else {
            "request_uri": "sip:+13125550100@s.example",
            "at": "2026-11-28T23:15:00-06:00",
            "answers": {"type": "no_heat"},
        }
    )
    with TestClient(APP) as http:
        response = http.post(path, json=body, headers=bearer(ADMIN))
    operation = SCHEMA[path]["POST"]
    operation.validate_response(response)
