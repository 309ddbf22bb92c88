"""The owner's status, set and cleared from the portal, reaches decisions as the API's does;
what people type is shown as text; every change is in the audit log and its exports."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from rules_engine.decide.call import Call
from tests.console.conftest import log_in, token_of

SCRIPT = '<script>alert("x")</script>'
IMAGE = '"><img src=x onerror=alert(1)>'


def test_an_owner_sets_a_status_until_a_time_and_decisions_read_it(console, engine):
    log_in(console.client, "ann")
    token = token_of(console.client, "/console/clients/acme_plumbing")
    page = console.client.post(
        "/console/clients/acme_plumbing/status",
        data={"csrf": token, "note": "In court until three", "until": "2099-01-01T15:00"},
    )
    assert page.status_code == 200
    assert "In court until three" in page.text and "Thu 01 Jan 2099 15:00" in page.text
    status = engine.live_state("acme_plumbing").status
    assert status is not None and status.until is not None and status.until == datetime(2099, 1, 1, 21, tzinfo=UTC)
    decision = engine.decide(Call(client="acme_plumbing", at="2026-11-30T10:00:00-06:00", forwarded="manual"))
    assert "In court until three" in decision.to_json()


def test_an_owner_clears_the_status(console, engine):
    engine.set_status("acme_plumbing", "At a job site")
    log_in(console.client, "ann")
    token = token_of(console.client, "/console/clients/acme_plumbing")
    page = console.client.post("/console/clients/acme_plumbing/status/clear", data={"csrf": token})
    assert "No status is set" in page.text
    assert engine.live_state("acme_plumbing").status is None


def test_a_bad_until_is_told_on_the_page_and_changes_nothing(console, engine):
    log_in(console.client, "ann")
    token = token_of(console.client, "/console/clients/acme_plumbing")
    page = console.client.post(
        "/console/clients/acme_plumbing/status", data={"csrf": token, "note": "Away", "until": "next tuesday"}
    )
    assert page.status_code == 400
    assert "until" in page.text
    assert engine.live_state("acme_plumbing").status is None


def test_markup_in_a_status_note_is_shown_as_text(console):
    log_in(console.client, "mia")
    for note in (SCRIPT, IMAGE):
        token = token_of(console.client, "/console/clients/acme_plumbing")
        page = console.client.post("/console/clients/acme_plumbing/status", data={"csrf": token, "note": note})
        assert note not in page.text
        assert note.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;") in page.text
        listed = console.client.get("/console/clients").text
        assert note not in listed
        audit = console.client.get("/console/audit").text
        assert note not in audit


def test_changes_logins_and_logouts_are_in_the_audit_log_and_its_exports(console):
    log_in(console.client, "ann")
    token = token_of(console.client, "/console/clients/acme_plumbing")
    console.client.post("/console/clients/acme_plumbing/status", data={"csrf": token, "note": "=cmd|' /C calc'!A0"})
    console.client.post("/console/logout", data={"csrf": token})
    log_in(console.client, "root")
    entries = json.loads(console.client.get("/console/audit", params={"format": "json"}).text)
    actions = [(e["actor"], e["action"], e["client"]) for e in entries]
    assert actions[:4] == [
        ("root", "login", None),
        ("ann", "logout", None),
        ("ann", "status_set", "acme_plumbing"),
        ("ann", "login", None),
    ]
    exported = console.client.get("/console/audit", params={"format": "csv"})
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert rows[2]["action"] == "status_set"
    assert json.loads(rows[2]["detail"].removeprefix("'"))["note"].startswith("=cmd")
    assert all(not cell.startswith("=") for row in rows for cell in row.values())


def test_an_account_manager_of_some_clients_sees_only_their_audit(console):
    log_in(console.client, "ann")
    token = token_of(console.client, "/console/clients/acme_plumbing")
    console.client.post("/console/clients/acme_plumbing/status", data={"csrf": token, "note": "Away"})
    log_in(console.client, "sam")
    entries = json.loads(console.client.get("/console/audit", params={"format": "json"}).text)
    assert {e["client"] for e in entries} <= {None, "hale_law"}
    assert {e["actor"] for e in entries} == {"sam"}
