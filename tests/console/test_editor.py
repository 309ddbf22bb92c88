"""The editor's pages in-process: diagnostics as you type (and the autosave), completion names,
size limits, try a call, the scenarios, and who may open them."""

from __future__ import annotations

import html
import re

from rules_engine.console.drafts import Drafts
from tests.console.conftest import TestClient, log_in, token_of
from tests.support import CONFIGS

ACME = (CONFIGS / "acme_plumbing.rules").read_text(encoding="utf-8")
DIAGNOSTICS = "/console/api/clients/acme_plumbing/diagnostics"


def manager(console, name: str = "mia") -> str:
    log_in(console.client, name)
    return token_of(console.client, "/console/clients/acme_plumbing/edit")


def test_an_error_comes_back_at_its_line_with_the_names_the_file_defines(console):
    token = manager(console)
    broken = ACME.replace("route {", "route {\n        when urgency is emergancy -> patch nobody", 1)
    answer = console.client.post(DIAGNOSTICS, json={"text": broken}, headers={"X-CSRF-Token": token})
    assert answer.status_code == 200
    body = answer.json()
    line = broken.splitlines().index("        when urgency is emergancy -> patch nobody") + 1
    errors = [d for d in body["diagnostics"] if d["severity"] == "error"]
    assert errors and all(d["line"] == line for d in errors)
    assert all(d["column"] > 0 and d["message"] for d in errors)
    # it does not compile: the names are the last good ones (the published file's)
    assert body["names"]["contacts"]["alice"] == "Alice Ng"
    assert "plumbers" in body["names"]["teams"] and "burst_pipe" in body["names"]["fields"]["type"]
    assert body["saved"]["author"] == "mia"


def test_typing_saves_the_draft_and_the_edit_page_shows_it(console):
    token = manager(console)
    text = ACME.replace("    list vip", '    contact dave "Dave Li" { call "+13125550114" }\n    list vip', 1)
    names = console.client.post(DIAGNOSTICS, json={"text": text}, headers={"X-CSRF-Token": token}).json()["names"]
    assert names["contacts"]["dave"] == "Dave Li"  # it compiles: the names are this text's
    page = console.client.get("/console/clients/acme_plumbing/edit").text
    assert "Dave Li" in page and "saved " in page and "by mia" in page
    audit = console.client.get("/console/audit?format=json").json()
    assert [e for e in audit if e["action"] == "draft_saved" and e["client"] == "acme_plumbing"]


def base_of(page: str) -> str:
    """The draft time the editor page was opened on (its saves name it)."""
    return html.unescape(re.search(r'data-base="([^"]*)"', page).group(1))


def test_a_save_over_someone_elses_newer_save_is_refused_and_said_with_the_checks(console):
    with TestClient(console.client.app, base_url="https://testserver") as other:
        token = manager(console)  # mia and root open the editor on the published file: no draft
        base = base_of(console.client.get("/console/clients/acme_plumbing/edit").text)
        log_in(other, "root")
        other_page = other.get("/console/clients/acme_plumbing/edit").text
        assert base == base_of(other_page) == ""
        mine = ACME.replace("How may I help you?", "How may I help you today?", 1)
        saved = console.client.post(DIAGNOSTICS, json={"text": mine, "base": base}, headers={"X-CSRF-Token": token})
        assert saved.json()["saved"]["author"] == "mia"
        again = mine.replace("today?", "this evening?", 1)  # mia goes on, from her own save
        base = saved.json()["saved"]["at"]
        saved = console.client.post(DIAGNOSTICS, json={"text": again, "base": base}, headers={"X-CSRF-Token": token})
        assert "saved" in saved.json() and "conflict" not in saved.json()

        theirs = ACME.replace("route {", "route {\n        when urgency is emergancy -> patch nobody", 1)
        refused = other.post(
            DIAGNOSTICS, json={"text": theirs, "base": ""}, headers={"X-CSRF-Token": token_of(other, "/console")}
        )
        body = refused.json()
        assert refused.status_code == 200 and "saved" not in body
        assert body["conflict"].startswith("mia saved this draft at ") and "not saved" in body["conflict"]
        assert [d for d in body["diagnostics"] if d["severity"] == "error"]  # checked all the same
        assert "this evening?" in console.client.get("/console/clients/acme_plumbing/edit").text  # mia's kept

        # mia in a second window, opened before her last save
        stale = console.client.post(DIAGNOSTICS, json={"text": mine, "base": ""}, headers={"X-CSRF-Token": token})
        assert stale.json()["conflict"].startswith("you saved this draft at ")

        # published (or discarded) meanwhile: the draft is gone, a page still open on it is told
        Drafts(console.accounts.db).discard("acme_plumbing")  # as a publish does (not here: the examples serve)
        gone = other.post(
            DIAGNOSTICS,
            json={"text": theirs, "base": saved.json()["saved"]["at"]},
            headers={"X-CSRF-Token": token_of(other, "/console")},
        )
        assert gone.json()["conflict"].startswith("the draft was published or discarded since this page was opened")


def test_a_feature_save_over_a_newer_one_is_a_409(console):
    token = manager(console)
    url = "/console/api/clients/acme_plumbing/drafts/feature"
    first = console.client.post(url, json={"text": "Feature: one\n", "base": ""}, headers={"X-CSRF-Token": token})
    assert first.status_code == 200
    second = console.client.post(url, json={"text": "Feature: two\n", "base": ""}, headers={"X-CSRF-Token": token})
    assert second.status_code == 409 and second.json()["error"].startswith("you saved this draft at ")
    for bad in (7, "zzzz", "2026-12-06T10:00:00", "9" * 41):  # not a draft's time: refused, never a 500
        answer = console.client.post(url, json={"text": "Feature: two\n", "base": bad}, headers={"X-CSRF-Token": token})
        assert answer.status_code == 400 and "base" in answer.json()["error"], bad
    page = console.client.get("/console/clients/acme_plumbing/scenarios").text
    assert "Feature: one" in page and base_of(page) == first.json()["saved"]["at"]


def test_checking_without_saving_leaves_no_draft(console):
    token = manager(console)
    console.client.post(DIAGNOSTICS, json={"text": ACME + "\n# x", "save": False}, headers={"X-CSRF-Token": token})
    assert "# x" not in console.client.get("/console/clients/acme_plumbing/edit").text


def test_a_text_too_large_is_a_413_and_json_not_a_crash(console):
    token = manager(console)
    big = ACME + "#" * (300 * 1024)
    answer = console.client.post(DIAGNOSTICS, json={"text": big}, headers={"X-CSRF-Token": token})
    assert answer.status_code == 413 and "KB" in answer.json()["error"]
    huge = console.client.post(DIAGNOSTICS, json={"text": "#" * (400 * 1024)}, headers={"X-CSRF-Token": token})
    assert huge.status_code == 413 and "larger than" in huge.json()["error"]["message"]  # the service's own limit
    api = console.client.post("/v1/decide", content=b" " * (100 * 1024), headers={"Content-Type": "application/json"})
    assert api.status_code == 413 and "65536 bytes" in api.json()["error"]["message"]  # the API's is unchanged
    garbage = console.client.post(
        DIAGNOSTICS, content=b"not json", headers={"X-CSRF-Token": token, "Content-Type": "application/json"}
    )
    assert garbage.status_code == 400


def test_diagnostics_without_the_csrf_token_are_refused(console):
    manager(console)
    assert console.client.post(DIAGNOSTICS, json={"text": ACME}).status_code == 403


def test_a_client_account_finds_no_editor_no_try_no_scenarios(console):
    log_in(console.client, "ann")  # acme_plumbing's owner
    token = token_of(console.client, "/console/clients/acme_plumbing")
    missing = console.client.get("/console/clients/no_such_client/edit")
    for path in ("/edit", "/try", "/scenarios"):
        answer = console.client.get(f"/console/clients/acme_plumbing{path}")
        assert answer.status_code == 404 and answer.text == missing.text
    posted = console.client.post(DIAGNOSTICS, json={"text": ACME}, headers={"X-CSRF-Token": token})
    assert posted.status_code == 404
    tried = console.client.post("/console/clients/acme_plumbing/try", data={"csrf": token, "at": "2026-11-24T10:00"})
    assert tried.status_code == 404


def test_an_account_manager_of_other_clients_finds_nothing(console):
    log_in(console.client, "sam")  # hale_law only
    assert console.client.get("/console/clients/acme_plumbing/edit").status_code == 404
    assert console.client.get("/console/clients/hale_law/edit").status_code == 200


def test_trying_a_call_in_spanish_says_the_spanish_greeting_and_changes_nothing(console, engine):
    token = manager(console)
    answer = console.client.post(
        "/console/clients/acme_plumbing/try",
        data={
            "csrf": token,
            "at": "2026-11-28T23:15",
            "forwarded": "busy",
            "language": "es",
            "answer.type": "burst_pipe",
            "status": "In court until 3pm",
            "source": "published",
        },
    )
    assert answer.status_code == 200
    assert "Gracias por llamar a Acme Plumbing" in answer.text
    assert 'href="/console/clients/acme_plumbing/edit#L43"' in answer.text  # the greeting that held
    assert "escalate by" in answer.text
    assert engine.live_state("acme_plumbing").status is None  # the status note was a what-if


def test_trying_a_call_reads_the_draft(console):
    token = manager(console)
    draft = ACME.replace("How may I help you?", "How may I help you today?", 1)
    console.client.post(DIAGNOSTICS, json={"text": draft}, headers={"X-CSRF-Token": token})
    form = {"csrf": token, "at": "2026-11-24T10:00", "forwarded": "always"}
    drafted = console.client.post("/console/clients/acme_plumbing/try", data=form).text
    assert "help you today?" in drafted and '<dd id="decided-with">the draft' in drafted
    published = console.client.post("/console/clients/acme_plumbing/try", data={**form, "source": "published"})
    assert "help you today?" not in published.text and "How may I help you?" in published.text
    # trace lines: the draft's in the editor; the published file's on the client's page (the editor holds the draft)
    assert 'href="/console/clients/acme_plumbing/edit#L' in drafted
    assert 'href="/console/clients/acme_plumbing#L' in published.text and "/edit#L" not in published.text


def test_a_draft_that_does_not_compile_is_told_by_its_first_error_when_tried(console):
    token = manager(console)
    broken = ACME.replace("How may I help you?", 'How may I help you?" oops', 1)
    console.client.post(DIAGNOSTICS, json={"text": broken}, headers={"X-CSRF-Token": token})
    form = {"csrf": token, "at": "2026-11-24T10:00", "forwarded": "always"}
    answer = console.client.post("/console/clients/acme_plumbing/try", data=form)
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if "oops" in text)
    assert answer.status_code == 400
    assert f"the draft cannot decide a call: line {line}, column" in answer.text
    published = console.client.post("/console/clients/acme_plumbing/try", data={**form, "source": "published"})
    assert published.status_code == 200 and "How may I help you?" in published.text


def test_a_wrong_answer_is_said_in_words_not_a_crash(console):
    token = manager(console)
    form = {"csrf": token, "at": "2026-11-24T10:00", "answer.type": "volcano"}
    answer = console.client.post("/console/clients/acme_plumbing/try", data=form)
    assert answer.status_code == 400 and "is not one of the choices" in answer.text


def test_markup_in_a_draft_is_shown_as_text(console):
    token = manager(console)
    evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    draft = ACME.replace("How may I help you?", evil.replace('"', '\\"'), 1)
    console.client.post(DIAGNOSTICS, json={"text": draft}, headers={"X-CSRF-Token": token})
    page = console.client.get("/console/clients/acme_plumbing/edit").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    tried = console.client.post("/console/clients/acme_plumbing/try", data={"csrf": token, "at": "2026-11-24T10:00"})
    assert "<img src=x" not in tried.text and "&lt;img src=x onerror=alert(2)&gt;" in tried.text


def test_the_scenarios_run_against_the_draft_with_coverage(console):
    token = manager(console)
    feature = console.client.get("/console/clients/acme_plumbing/scenarios")
    assert "Given the client" in feature.text
    form = {"csrf": token, "source": "published", "feature": FEATURE}
    page = console.client.post("/console/clients/acme_plumbing/scenarios", data=form).text
    assert "2 scenario(s): 1 passed, 1 not." in page
    assert "PASSED</span> A busy line" in page and "FAILED</span> Wrong on purpose" in page
    failure = re.search(r'<pre class="failure">(.*?)</pre>', page, re.S)
    assert failure and "Step: Then the agent greets with" in failure.group(1)  # the failing step, in words
    assert "Traceback" not in failure.group(1)
    assert "rules exercised" in page
    # the feature was saved as a draft, and the edit of the rules moves the verdicts
    assert "Wrong on purpose" in console.client.get("/console/clients/acme_plumbing/scenarios").text


def test_running_the_scenarios_from_a_page_someone_has_saved_over_runs_nothing_and_saves_nothing(console):
    token = manager(console)
    opened = base_of(console.client.get("/console/clients/acme_plumbing/scenarios").text)  # no draft: ""
    url = "/console/api/clients/acme_plumbing/drafts/feature"
    with TestClient(console.client.app, base_url="https://testserver") as other:
        log_in(other, "root")
        theirs = other.post(
            url, json={"text": FEATURE, "base": ""}, headers={"X-CSRF-Token": token_of(other, "/console")}
        )
        assert theirs.status_code == 200
    form = {"csrf": token, "source": "published", "feature": "Feature: mine\n", "base": opened}
    refused = console.client.post("/console/clients/acme_plumbing/scenarios", data=form)
    assert refused.status_code == 409 and "Not run: root saved this draft at " in refused.text
    assert "scenario(s):" not in refused.text and "Feature: mine" in refused.text  # their text still on the page
    assert base_of(refused.text) == opened  # sent again as it is, it is refused again
    again = console.client.post("/console/clients/acme_plumbing/scenarios", data=form)
    assert again.status_code == 409
    assert "Wrong on purpose" in console.client.get("/console/clients/acme_plumbing/scenarios").text  # root's kept
    current = {**form, "base": theirs.json()["saved"]["at"], "feature": FEATURE.replace("Wrong on purpose", "Mine")}
    ran = console.client.post("/console/clients/acme_plumbing/scenarios", data=current)
    assert ran.status_code == 200 and "2 scenario(s): 1 passed, 1 not." in ran.text
    stale = console.client.post("/console/clients/acme_plumbing/scenarios", data={**form, "base": "yesterday"})
    assert stale.status_code == 400 and "out of date" in stale.text


FEATURE = """Feature: Acme in the console
  Background:
    Given the client "acme_plumbing"

  Scenario: A busy line during opening hours
    Given it is Tuesday 2026-11-24 at 10:00
    And the call was forwarded because the line was busy
    Then the agent greets with "busy"

  Scenario: Wrong on purpose
    Given it is Tuesday 2026-11-24 at 10:00
    And the call was forwarded because the line was busy
    Then the agent greets with "after_hours"
"""


def test_a_logged_call_is_reproduced_by_its_id_with_the_same_decision(tmp_path, accounts_path):
    from fastapi.testclient import TestClient

    from rules_engine import Engine
    from rules_engine.console.mount import mount
    from rules_engine.decide.call import Call
    from rules_engine.http import create_app

    log = tmp_path / "decisions.jsonl"
    with Engine.from_settings(rules=CONFIGS, decision_log=log) as engine:
        engine.set_status("acme_plumbing", "In court until 3pm")
        call = Call(client="acme_plumbing", at="2026-11-25T10:00:00-06:00", forwarded="manual", language="es")
        logged = engine.decide(call, "complaint-42")
        engine.clear_status("acme_plumbing")
        size = log.stat().st_size
        app = create_app(engine)
        db = mount(app, engine, accounts_path, secure_cookies=True)
        with TestClient(app, base_url="https://testserver") as client:
            log_in(client, "mia")
            token = token_of(client, "/console/clients/acme_plumbing/try")
            form = {"csrf": token, "call_id": "complaint-42", "at": ""}
            page = client.post("/console/clients/acme_plumbing/try", data=form).text
            assert "Decided the same as logged." in page
            assert logged.greeting.text in html.unescape(page)  # the Spanish "away" greeting, status note and all
            assert "In court until 3pm" in page
            other = client.post("/console/clients/hale_law/try", data=form)
            assert other.status_code == 400 and "no call `complaint-42` of this client" in other.text
        db.close()
        assert log.stat().st_size == size  # trying decided nothing into the log
        assert engine.live_state("acme_plumbing").status is None


def test_the_warnings_over_time_come_with_the_complete_check_which_is_publishings(console):
    token = manager(console)
    text = ACME.replace(
        '    closed "Christmas"', '    closed "Nothing" 2027-01-03 02:00 to 2027-01-03 03:00\n    closed "Christmas"'
    )
    quick = console.client.post(DIAGNOSTICS, json={"text": text}, headers={"X-CSRF-Token": token}).json()
    assert quick["complete"] is False and quick["diagnostics"] == []
    full = console.client.post(DIAGNOSTICS, json={"text": text, "complete": True}, headers={"X-CSRF-Token": token})
    body = full.json()
    assert body["complete"] is True
    assert [(d["severity"], d["line"]) for d in body["diagnostics"]] == [("warning", 13)]
    assert "closure `Nothing` (line 13) changes nothing" in body["diagnostics"][0]["message"]


def test_a_form_or_a_non_json_body_to_the_diagnostics_is_a_4xx(console):
    token = manager(console)
    form = console.client.post(DIAGNOSTICS, data={"csrf": token, "text": ACME})
    assert form.status_code == 415 and "JSON" in form.json()["error"]


def test_scenarios_may_not_read_rules_from_a_path_and_markup_in_them_is_text(console):
    token = manager(console)
    elsewhere = FEATURE.replace('Given the client "acme_plumbing"', 'Given the rules in "/etc"')
    page = console.client.post(
        "/console/clients/acme_plumbing/scenarios", data={"csrf": token, "source": "draft", "feature": elsewhere}
    )
    assert page.status_code == 400 and "for the command line" in page.text
    evil = FEATURE.replace("Wrong on purpose", '<script>alert(1)</script>"><img src=x onerror=alert(2)>')
    page = console.client.post(
        "/console/clients/acme_plumbing/scenarios", data={"csrf": token, "source": "draft", "feature": evil}
    )
    assert "<script>alert(1)" not in page.text and "<img src=x" not in page.text
    assert "FAILED</span> &lt;script&gt;alert(1)&lt;/script&gt;" in page.text
