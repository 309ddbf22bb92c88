"""A hand-made corpus of hostile requests, sent to every endpoint of the OpenAPI document, with
and without a token: never a 5xx, never a traceback, always the API's JSON error shape when
refused. (schemathesis, in test_openapi.py, searches the documented shapes; this corpus is what
it does not generate: broken encodings, lying headers, bodies built to exhaust the parser.)"""

from __future__ import annotations

import logging
import os
import re

import pytest

from rules_engine.engine import Engine
from rules_engine.http import create_app
from rules_engine.http.access_log import AccessLog
from tests.http.conftest import ADMIN, TOKENS, TestClient, bearer
from tests.support import CONFIGS

BODIES = [
    b"",
    b"null",
    b"[]",
    b'"text"',
    b"{" * 3000,
    b"[" * 40_000,
    b'{"a":' * 4000 + b"1" + b"}" * 4000,
    b"9" * 20_000,
    b'{"number": "+1' + b"9" * 5000 + b'"}',
    b'{"at": 1e999999}',
    b'{"at": "2026-02-30T25:61:00-06:00"}',
    b'{"at": "now", "client": {"nested": ["x"]}}',
    b'{"step": -0.0, "waited_seconds": Infinity}',
    b"\xff\xfe\x00{",
    b'{"\\ud800": "lone surrogate \\udfff"}',
    b'{"self": 1, "__class__": 2, "model_config": 3}',
    b'{"answers": {"' + b"k" * 5000 + b'": "v"}}',
    b"a=1&a=2&answers.x=%ff%fe&diversion=%00",
    b"\x00" * 1000,
]
CONTENT_TYPES = ["application/json", "application/x-www-form-urlencoded", "text/plain", "multipart/form-data"]
HEADERS = [
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer " + "x" * 10_000},
    {"Authorization": b"Bearer " + "é".encode() * 20},
    {"X-Call-Id": "x" * 5000},
    {"X-Call-Id": ""},
    {"Accept": "text/calendar, */*;q=0"},
]


def endpoints() -> list[tuple[str, str]]:
    """Every (method, path) of the document, its path parameters filled with a hostile value."""
    with TestClient(create_app(Engine(CONFIGS), TOKENS)) as http:
        document = http.get("/openapi.json").json()
    found = []
    for path, operations in document["paths"].items():
        for method in operations:
            found.append(
                (method.upper(), re.sub(r"\{[^}]+\}", "%00..%2F%ff" if "calls" in path else "acme_plumbing", path))
            )
    return found


ENDPOINTS = endpoints()


@pytest.fixture(scope="module")
def http():
    with Engine(CONFIGS) as engine, TestClient(create_app(engine, TOKENS, log=AccessLog(os.devnull))) as client:
        yield client


def check(response) -> None:
    assert response.status_code < 500, (response.status_code, response.text)
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"field", "message", "hint"}


@pytest.mark.parametrize("method, path", ENDPOINTS)
def test_hostile_bodies_on_every_endpoint(http, caplog, method, path):
    with caplog.at_level(logging.WARNING):
        for body in BODIES:
            for kind in CONTENT_TYPES:
                for headers in ({}, bearer(ADMIN)):
                    check(http.request(method, path, content=body, headers={**headers, "Content-Type": kind}))
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR], caplog.text


@pytest.mark.parametrize("method, path", ENDPOINTS)
def test_hostile_headers_on_every_endpoint(http, caplog, method, path):
    with caplog.at_level(logging.WARNING):
        for headers in HEADERS:
            check(http.request(method, path, content=b"{}", headers={"Content-Type": "application/json", **headers}))
            check(http.request(method, path, content=b"{}", headers={**bearer(ADMIN), **headers}))
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR], caplog.text
