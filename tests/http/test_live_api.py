"""Live state over HTTP: a status and an override change the next decision; the on-call
views are the command line's."""

from __future__ import annotations

import json

from rules_engine.cli import main as cli_main

AT = "2026-11-30T10:00:00-06:00"
CALL = {"client": "hale_law", "at": "2026-11-30T11:00:00+00:00", "forwarded": "manual"}


def test_a_status_set_over_http_is_in_the_next_decision_until_cleared(open_client):
    response = open_client.put(
        "/v1/clients/hale_law/status", json={"note": "in court until 3pm", "until": "2036-11-30T15:00:00+00:00"}
    )
    assert response.json() == {
        "client": "hale_law",
        "overrides": [],
        "status": {"note": "in court until 3pm", "instructions": None, "until": "2036-11-30T15:00:00Z"},
    }
    decision = open_client.post("/v1/decide", json=CALL).json()
    assert decision["greeting"]["id"] == "in_court"
    assert "in court until 3pm" in decision["greeting"]["text"]
    assert open_client.delete("/v1/clients/hale_law/status").json()["status"] is None
    assert open_client.post("/v1/decide", json=CALL).json()["greeting"]["id"] != "in_court"


def test_a_status_with_a_note_per_language_and_a_start_over_http(open_client):
    body = {"note": "in court", "notes": {"fr": "au tribunal"}, "starts": "2026-11-30T10:30:00+00:00"}
    state = open_client.put("/v1/clients/hale_law/status", json=body).json()
    assert state["status"]["notes"] == {"fr": "au tribunal"} and state["status"]["starts"] == "2026-11-30T10:30:00Z"
    french = open_client.post("/v1/decide", json={**CALL, "language": "fr-CA"}).json()
    assert "au tribunal" in french["greeting"]["text"] and french["status"]["note"] == "au tribunal"
    english = open_client.post("/v1/decide", json={**CALL, "language": "de"}).json()
    assert "in court" in english["greeting"]["text"]
    before = open_client.post("/v1/decide", json={**CALL, "at": "2026-11-30T10:00:00+00:00"}).json()
    assert before["greeting"]["id"] != "in_court"  # scheduled: not yet
    open_client.delete("/v1/clients/hale_law/status")


def test_a_status_without_a_note_is_refused_naming_the_field(open_client):
    response = open_client.put("/v1/clients/hale_law/status", json={"note": "", "until": "2026-11-30T15:00:00"})
    assert response.status_code == 400
    assert response.json()["error"] == {
        "field": "note",
        "message": "String should have at least 1 character",
        "hint": None,
    }
    naive = open_client.put("/v1/clients/hale_law/status", json={"note": "out", "until": "2026-11-30T15:00:00"})
    assert naive.json()["error"] == {
        "field": "until",
        "hint": None,
        "message": "the end of a status needs a date-time with a time zone offset",
    }


def test_an_override_changes_who_is_on_call_and_can_be_removed(open_client):
    before = open_client.get("/v1/clients/acme_plumbing/oncall", params={"at": AT, "team": "plumbers"}).json()
    assert before["teams"][0]["contact"] != "alice"
    response = open_client.post(
        "/v1/clients/acme_plumbing/overrides",
        json={
            "team": "plumbers",
            "person": "alice",
            "start": "2026-11-30T09:00:00-06:00",
            "end": "2026-11-30T18:00:00-06:00",
            "reason": "swap",
        },
    )
    assert response.status_code == 201
    assert response.json()["overrides"][0]["person"] == "alice"
    now = open_client.get("/v1/clients/acme_plumbing/oncall", params={"at": AT, "team": "plumbers"}).json()
    assert (now["teams"][0]["contact"], now["teams"][0]["why"]) == ("alice", "live override: swap")
    assert (
        open_client.delete("/v1/clients/acme_plumbing/overrides", params={"team": "plumbers"}).json()["overrides"] == []
    )


def test_an_override_for_an_unknown_contact_says_what_was_meant(open_client):
    response = open_client.post(
        "/v1/clients/acme_plumbing/overrides",
        json={
            "team": "plumbers",
            "person": "carl",
            "start": "2026-11-30T09:00:00-06:00",
            "end": "2026-11-30T18:00:00-06:00",
        },
    )
    assert (response.status_code, response.json()["error"]) == (
        400,
        {"field": "person", "message": "client `acme_plumbing` has no contact `carl`", "hint": "did you mean `carol`?"},
    )


def test_live_state_of_an_unknown_client_is_404(open_client):
    response = open_client.delete("/v1/clients/acme/overrides")
    assert (response.status_code, response.json()["error"]["message"]) == (404, "no client `acme` is served")


def test_the_week_view_is_the_command_lines(open_client, rules, capsys):
    response = open_client.get("/v1/clients/acme_plumbing/oncall", params={"week": "2026-12-24"})
    assert cli_main(["oncall", str(rules), "--client", "acme_plumbing", "--week", "2026-12-24", "--json"]) == 0
    assert response.json() == json.loads(capsys.readouterr().out)


def test_the_feed_is_icalendar_by_accept_or_format(open_client):
    by_accept = open_client.get(
        "/v1/clients/acme_plumbing/oncall", params={"week": "2026-12-24"}, headers={"Accept": "text/calendar"}
    )
    by_format = open_client.get("/v1/clients/acme_plumbing/oncall", params={"week": "2026-12-24", "format": "ics"})
    for response in (by_accept, by_format):
        assert response.headers["content-type"].startswith("text/calendar")
        assert response.text.startswith("BEGIN:VCALENDAR")
        assert response.text.count("BEGIN:VEVENT") >= 2


def test_oncall_refuses_both_at_and_week_and_an_unknown_team(open_client):
    both = open_client.get("/v1/clients/acme_plumbing/oncall", params={"week": "2026-12-24", "at": AT})
    assert both.json()["error"] == {"field": "week", "message": "give `at` or `week`, not both", "hint": None}
    team = open_client.get("/v1/clients/acme_plumbing/oncall", params={"team": "plumber"})
    assert (
        team.json()["error"]["message"]
        == "client `acme_plumbing` has no on-call team `plumber` (did you mean `plumbers`?)"
    )
