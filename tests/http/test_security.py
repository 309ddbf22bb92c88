"""Bearer tokens and scopes, size limits, and the refusal to serve the network without tokens."""

from __future__ import annotations

import pytest

from rules_engine.http.auth import check_portals
from rules_engine.http.runner import ServeError, check_bind
from rules_engine.runtime.settings import Settings, SettingsError, Token
from tests.http.conftest import ACME_PORTAL, ADMIN, METRICS, SWITCH, TOKENS, bearer

CALL = {"client": "acme_plumbing", "at": "2026-11-28T23:15:00-06:00", "forwarded": "busy"}
STATUS = {"note": "In court until 3pm"}


def test_no_token_is_401_with_a_bearer_challenge(client):
    response = client.post("/v1/decide", json=CALL)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="rules-engine"'
    assert response.json() == {
        "error": {
            "field": "Authorization",
            "hint": None,
            "message": "this endpoint needs a bearer token (Authorization: Bearer TOKEN)",
        }
    }


@pytest.mark.parametrize(
    "header", ["Bearer not-a-token-of-ours-0123456789", f"Bearer {SWITCH}x", f"Basic {SWITCH}", f"Bearer {SWITCH[:-1]}"]
)
def test_a_wrong_token_is_401(client, header):
    response = client.post("/v1/decide", json=CALL, headers={"Authorization": header})
    assert response.status_code == 401


@pytest.mark.parametrize(
    "method, path, body, token, status",
    [
        ("POST", "/v1/decide", CALL, SWITCH, 200),
        ("POST", "/v1/decide", CALL, ADMIN, 200),
        ("POST", "/v1/decide", CALL, ACME_PORTAL, 403),
        ("GET", "/v1/clients", None, SWITCH, 200),
        ("POST", "/v1/reload", None, SWITCH, 403),
        ("POST", "/v1/reload", None, ACME_PORTAL, 403),
        ("POST", "/v1/reload", None, ADMIN, 200),
        ("PUT", "/v1/clients/acme_plumbing/status", STATUS, ACME_PORTAL, 200),
        ("PUT", "/v1/clients/hale_law/status", STATUS, ACME_PORTAL, 403),
        ("PUT", "/v1/clients/acme_plumbing/status", STATUS, SWITCH, 403),
        ("PUT", "/v1/clients/hale_law/status", STATUS, ADMIN, 200),
        ("GET", "/v1/clients/acme_plumbing/oncall", None, ACME_PORTAL, 200),
        ("GET", "/v1/clients/nobody/oncall", None, ACME_PORTAL, 403),
        ("GET", "/v1/clients/nobody/oncall", None, ADMIN, 404),
    ],
)
def test_each_scope_opens_its_endpoints_only(client, method, path, body, token, status):
    response = client.request(method, path, json=body, headers=bearer(token))
    assert response.status_code == status, response.text


def test_a_missing_scope_is_named(client):
    response = client.put("/v1/clients/hale_law/status", json=STATUS, headers=bearer(ACME_PORTAL))
    assert response.json()["error"]["message"] == (
        "the token `acme-portal` does not have the scope `portal:hale_law` (or admin)"
    )


def test_health_readiness_and_the_document_need_no_token(client):
    assert [client.get(path).status_code for path in ("/healthz", "/readyz", "/openapi.json")] == [200] * 3


def test_metrics_need_the_scope_metrics_when_tokens_are_configured(client):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=bearer(SWITCH)).status_code == 403
    assert client.get("/metrics", headers=bearer(METRICS)).status_code == 200
    assert client.get("/metrics", headers=bearer(ADMIN)).status_code == 200


def test_anonymous_readiness_names_no_client_and_no_database(client):
    assert client.get("/readyz").json() == {"ready": True, "status": "ok", "draining": False}
    assert client.get("/readyz", headers=bearer(SWITCH)).json() == {"ready": True, "status": "ok", "draining": False}
    full = client.get("/readyz", headers=bearer(METRICS)).json()
    assert "acme_plumbing" in full["rules_versions"] and "store" in full


def test_without_tokens_readiness_and_metrics_are_open(open_client):
    assert "rules_versions" in open_client.get("/readyz").json()
    assert open_client.get("/metrics").status_code == 200


def test_without_tokens_the_service_is_open(open_client):
    assert open_client.post("/v1/reload").status_code == 200


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::", "example.com"])
def test_a_non_loopback_address_without_tokens_is_refused(host):
    with pytest.raises(ServeError) as caught:
        check_bind(host, ())
    assert str(caught.value).startswith(f"refusing to listen on {host} without tokens")
    check_bind(host, TOKENS)  # with tokens it may


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "[::1]", "localhost", "127.0.0.2"])
def test_loopback_may_be_served_without_tokens(host):
    check_bind(host, ())


@pytest.mark.parametrize(
    "token, message",
    [
        (
            {"name": "x", "token": "short", "scopes": ["decide"]},
            "tokens.0.token: a token needs at least 24 characters (make one with: python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(32))')",
        ),
        (
            {"name": "x", "token": SWITCH, "scopes": ["root"]},
            "tokens.0.scopes: `root` is not a scope: use decide, read, metrics, admin or portal:CLIENT_ID",
        ),
        (
            {"name": "x", "token": SWITCH, "scopes": []},
            "tokens.0.scopes: a token needs at least one scope: decide, read, metrics, admin or portal:CLIENT_ID",
        ),
    ],
)
def test_bad_tokens_in_the_settings_are_refused(tmp_path, token, message):
    with pytest.raises(SettingsError) as caught:
        Settings.of({"rules": tmp_path, "tokens": [token]})
    assert str(caught.value) == f"settings: {message}"


def test_a_secret_shared_by_two_tokens_is_refused(tmp_path):
    tokens = [
        {"name": "kamailio", "token": SWITCH, "scopes": ["decide"]},
        {"name": "ops", "token": SWITCH, "scopes": ["admin"]},
    ]
    with pytest.raises(SettingsError) as caught:
        Settings.of({"rules": tmp_path, "tokens": tokens})
    assert str(caught.value) == (
        "settings: tokens: the tokens `kamailio` and `ops` share one secret: give each its own token, "
        "or list every scope it needs on one entry"
    )


@pytest.mark.parametrize("mode, who", [(0o644, "others"), (0o640, "its group"), (0o604, "others")])
def test_a_settings_file_with_tokens_readable_by_others_is_refused(tmp_path, mode, who):
    path = tmp_path / "engine.yaml"
    path.write_text(f"rules: {tmp_path}\ntokens:\n  - {{name: k, token: {SWITCH}, scopes: [decide]}}\n")
    path.chmod(mode)
    with pytest.raises(SettingsError) as caught:
        Settings.from_yaml(path)
    assert str(caught.value) == (
        f"{path}: refused: the file holds tokens and is readable by {who} (mode {mode:04o}); "
        f"make it private: chmod 600 {path}"
    )
    path.chmod(0o600)
    assert Settings.from_yaml(path).tokens[0].name == "k"


def test_a_settings_file_without_tokens_may_be_readable(tmp_path):
    path = tmp_path / "engine.yaml"
    path.write_text(f"rules: {tmp_path}\n")
    path.chmod(0o644)
    assert Settings.from_yaml(path).tokens == ()


def test_a_portal_scope_for_a_client_not_served_is_refused():
    tokens = [Token(name="portal", token=ACME_PORTAL, scopes=("portal:acme_plumbin",))]
    with pytest.raises(SettingsError) as caught:
        check_portals(tokens, {"acme_plumbing", "hale_law"}, "engine.yaml")
    assert str(caught.value) == (
        "engine.yaml: tokens.0.scopes: `portal:acme_plumbin` names no client served; did you mean "
        "`acme_plumbing`? (the clients served: acme_plumbing, hale_law)"
    )
    check_portals(TOKENS, {"acme_plumbing"}, "engine.yaml")


def test_a_body_over_the_limit_is_413_before_it_is_read(open_client):
    response = open_client.post(
        "/v1/decide", content=b"{" + b" " * 70_000 + b"}", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["message"] == "the request body is larger than 65536 bytes"


def test_a_chunked_body_over_the_limit_is_413(open_client):
    def chunks():
        for _ in range(20):
            yield b" " * 8192

    response = open_client.post("/v1/decide", content=chunks(), headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()["error"]["message"]) == (
        413,
        "the request body is larger than 65536 bytes",
    )


def test_headers_over_the_limit_are_431(open_client):
    response = open_client.post("/v1/decide", json=CALL, headers={"X-Padding": "x" * 17_000})
    assert response.status_code == 431
    many = {f"X-H{n}": "1" for n in range(70)}
    assert open_client.post("/v1/decide", json=CALL, headers=many).status_code == 431
