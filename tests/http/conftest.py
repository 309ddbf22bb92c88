"""Fixtures of the service tests: an engine over a copy of the example clients that a test may
change (`rules`, `served_engine`), and the service over it, open or with tokens."""

from __future__ import annotations

import shutil
import warnings

import pytest

from rules_engine.engine import Engine
from rules_engine.http import create_app
from rules_engine.http.access_log import AccessLog
from rules_engine.runtime.settings import Token
from tests.support import CONFIGS

with warnings.catch_warnings():  # starlette asks for httpx2, which FastAPI's TestClient does not need yet
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SWITCH = "switch-token-0123456789abcdef"
ACME_PORTAL = "acme-portal-0123456789abcdef"
ADMIN = "admin-token-0123456789abcdef"
METRICS = "prometheus-token-0123456789abcdef"
TOKENS = (
    Token(name="kamailio", token=SWITCH, scopes=("decide",)),
    Token(name="acme-portal", token=ACME_PORTAL, scopes=("portal:acme_plumbing",)),
    Token(name="ops", token=ADMIN, scopes=("admin",)),
    Token(name="prometheus", token=METRICS, scopes=("metrics",)),
)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def rules(tmp_path):
    """A copy of the example clients that a test may change."""
    target = tmp_path / "rules"
    shutil.copytree(CONFIGS, target)
    return target


@pytest.fixture
def served_engine(rules):
    with Engine(rules) as built:
        yield built


@pytest.fixture
def log_path(tmp_path):
    return tmp_path / "requests.log"


@pytest.fixture
def open_client(served_engine, log_path):
    """The service without tokens (as on loopback)."""
    log = AccessLog(log_path)
    with TestClient(create_app(served_engine, log=log)) as client:
        yield client
    log.close()


@pytest.fixture
def client(served_engine, log_path):
    """The service with the three tokens of `TOKENS`."""
    log = AccessLog(log_path)
    with TestClient(create_app(served_engine, TOKENS, log=log)) as client:
        yield client
    log.close()
