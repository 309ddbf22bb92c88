"""Who sees which client: a client account its own only, an account manager the assigned
ones; another client answers as one that does not exist (404, the same words)."""

from __future__ import annotations

import pytest

from tests.console.conftest import log_in, token_of


def test_a_client_user_lands_on_their_own_page(console):
    log_in(console.client, "ann")
    page = console.client.get("/console")
    assert page.url.path == "/console/clients/acme_plumbing"
    assert "Acme Plumbing" in page.text


@pytest.mark.parametrize(
    "path",
    [
        "/console/clients/harbour_vets",
        "/console/api/clients/harbour_vets/state",
        "/console/clients",
        "/console/audit",
        "/console/audit?format=csv",
    ],
)
def test_a_client_user_gets_404_for_another_client_and_the_managers_pages(console, path):
    log_in(console.client, "ann")
    denied = console.client.get(path)
    unknown = console.client.get("/console/clients/no_such_client")
    assert denied.status_code == unknown.status_code == 404
    assert denied.text == unknown.text
    assert "Harbour" not in denied.text


def test_a_client_user_cannot_change_another_clients_status(console, engine):
    log_in(console.client, "ann")
    token = token_of(console.client, "/console/clients/acme_plumbing")
    answer = console.client.post("/console/clients/harbour_vets/status", data={"csrf": token, "note": "Closed"})
    assert answer.status_code == 404
    assert engine.live_state("harbour_vets").status is None


def test_the_clients_json_lists_only_what_the_person_sees(console):
    log_in(console.client, "sam")
    assert [c["id"] for c in console.client.get("/console/api/clients").json()] == ["hale_law"]
    assert console.client.get("/console/clients/acme_plumbing").status_code == 404
    page = console.client.get("/console/clients")
    assert "hale_law" in page.text and "acme_plumbing" not in page.text


def test_an_account_manager_of_all_clients_searches_them(console, engine):
    log_in(console.client, "mia")
    page = console.client.get("/console/clients", params={"q": "vets"})
    assert "harbour_vets" in page.text and "acme_plumbing" not in page.text
    assert f"1 of {len(engine.clients)} clients" in page.text
