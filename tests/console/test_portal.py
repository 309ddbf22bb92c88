"""The owner's portal in-process (issue 24): a status with a note per language, scheduled ahead
and saved as a template; closures asked for, reviewed and published (or published by the owner
when allowed); the holidays to confirm and the month's report; and who may see what."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta

import pytest

from rules_engine.console.closures import Closure, with_closure
from rules_engine.console.mount import mount
from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.http import create_app
from rules_engine.schedule.clock import zone
from tests.console.conftest import TestClient, csrf_of, log_in, token_of
from tests.support import CONFIGS

ACME = "/console/clients/acme_plumbing"
CLOSURE = {"label": "Staff party", "start": "2027-02-05T12:00", "end": "2027-02-05T18:00", "message": "Friday"}
PARTY = datetime(2027, 2, 5, 18, 30, tzinfo=UTC)  # 12:30 in Chicago, a Friday when the office is open
OPEN = datetime(2027, 2, 2, 16, tzinfo=UTC)  # a Tuesday, 10:00 in Chicago
MARKUP = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


@pytest.fixture
def portal(tmp_path, accounts_path):
    """The service and console over a copy of the example clients (publishing writes files)."""
    shutil.copytree(CONFIGS, tmp_path / "rules")
    engine = Engine(tmp_path / "rules")
    app = create_app(engine)
    db = mount(app, engine, accounts_path, secure_cookies=True)
    with TestClient(app, base_url="https://testserver") as client:
        client.engine = engine  # type: ignore[attr-defined]
        yield client
    db.close()


def as_(client: TestClient, name: str) -> None:
    client.cookies.clear()
    log_in(client, name)


def status_at(engine: Engine, at: datetime):
    return engine.decide(Call(client="acme_plumbing", at=at, forwarded="manual")).status


def greeting_at(engine: Engine, at: datetime, language: str | None = None) -> str:
    decision = engine.decide(Call(client="acme_plumbing", at=at, forwarded="manual", language=language))
    return decision.greeting.text


def test_a_status_with_a_spanish_note_reaches_a_spanish_caller_and_the_default_everyone_else(portal):
    as_(portal, "ann")
    token = token_of(portal, ACME)
    page = portal.post(f"{ACME}/status", data={"csrf": token, "note": "In court", "note_es": "En el juzgado"})
    assert page.status_code == 200 and "En el juzgado" in page.text
    assert greeting_at(portal.engine, OPEN, "es-MX").endswith("En el juzgado")
    assert greeting_at(portal.engine, OPEN, "fr").endswith("In court")
    as_(portal, "mia")
    entry = next(e for e in portal.get("/console/audit?format=json").json() if e["action"] == "status_set")
    assert (entry["actor"], entry["detail"]["note"], entry["detail"]["notes"]) == (
        "ann",
        "In court",
        {"es": "En el juzgado"},
    )


def test_a_refused_status_keeps_what_was_typed(portal):
    as_(portal, "ann")
    token = token_of(portal, ACME)
    data = {"csrf": token, "note": "Away", "note_es": "Fuera", "until": "2001-01-01T10:00"}
    page = portal.post(f"{ACME}/status", data=data)
    assert page.status_code == 400 and "has already passed" in page.text
    assert ">Away</textarea>" in page.text and ">Fuera</textarea>" in page.text


def test_a_language_without_a_note_says_callers_hear_the_default(portal):
    as_(portal, "ann")
    token = token_of(portal, ACME)
    page = portal.post(f"{ACME}/status", data={"csrf": token, "note": "Out"}).text
    assert "callers in Spanish will hear the default note" in page


def test_a_status_scheduled_for_tomorrow_is_shown_as_scheduled_and_not_heard_today(portal):
    as_(portal, "ann")
    token = token_of(portal, ACME)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).astimezone(zone("America/Chicago"))
    start = tomorrow.strftime("%Y-%m-%dT%H:%M")
    page = portal.post(f"{ACME}/status", data={"csrf": token, "note": "On vacation", "starts": start}).text
    assert "Scheduled from" in page
    assert status_at(portal.engine, datetime.now(UTC)) is None
    assert status_at(portal.engine, tomorrow + timedelta(minutes=5)).note == "On vacation"


def test_a_template_is_saved_applied_and_deleted(portal):
    as_(portal, "ann")
    token = token_of(portal, ACME)
    saved = portal.post(
        f"{ACME}/status/templates",
        data={"csrf": token, "note": "On vacation", "note_es": "De vacaciones", "label": MARKUP},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    applied = portal.get(saved.headers["location"]).text
    assert MARKUP not in applied and "&lt;script&gt;" in applied and "Filled from" in applied
    template = saved.headers["location"].split("?template=")[1].split("#")[0]
    assert ">De vacaciones</textarea>" in applied and ">On vacation</textarea>" in applied
    portal.post(f"{ACME}/status/templates/{template}/delete", data={"csrf": token})
    assert "Saved statuses" not in portal.get(ACME).text
    as_(portal, "vic")  # another client's owner: the template is not theirs to delete
    other = token_of(portal, "/console/clients/harbour_vets")
    assert portal.post(f"{ACME}/status/templates/{template}/delete", data={"csrf": other}).status_code == 404


def test_a_closure_request_is_a_checked_proposal_with_its_diff_and_effect_then_approved(portal):
    before = greeting_at(portal.engine, PARTY)
    as_(portal, "ann")
    token = token_of(portal, f"{ACME}/requests")
    page = portal.post(f"{ACME}/requests", data={"csrf": token, **CLOSURE})
    assert page.status_code == 200
    assert "+    closed &#34;Staff party&#34; 2027-02-05 12:00 to 2027-02-05 18:00" in page.text
    assert "(pending)" in page.text and "After the change" in page.text
    assert greeting_at(portal.engine, PARTY) == before  # nothing is published yet
    denied = portal.post("/console/proposals/1/approve", data={"csrf": token})
    assert denied.status_code == 404  # an owner cannot approve
    as_(portal, "mia")
    queue = portal.get("/console/proposals")
    assert "Staff party" in queue.text and "Friday" in queue.text
    approved = portal.post("/console/proposals/1/approve", data={"csrf": csrf_of(queue.text)})
    assert approved.status_code == 200 and "Nothing waits for review" in approved.text
    assert greeting_at(portal.engine, PARTY) != before
    again = portal.post("/console/proposals/1/approve", data={"csrf": csrf_of(queue.text)})
    assert again.status_code == 409  # approved once: published once
    assert "closed" in greeting_at(portal.engine, PARTY).lower()
    history = portal.engine.client("acme_plumbing").source
    assert 'closed "Staff party" 2027-02-05 12:00 to 2027-02-05 18:00' in history
    as_(portal, "ann")
    assert "(approved by mia)" in portal.get(f"{ACME}/requests").text


def test_a_proposal_is_applied_again_to_a_file_published_since(portal, tmp_path):
    as_(portal, "ann")
    portal.post(f"{ACME}/requests", data={"csrf": token_of(portal, f"{ACME}/requests"), **CLOSURE})
    path = tmp_path / "rules" / "acme_plumbing.rules"
    changed = path.read_text().replace("Company picnic", "Summer picnic")
    path.write_text(changed)
    portal.engine.reload()
    as_(portal, "mia")
    portal.post("/console/proposals/1/approve", data={"csrf": token_of(portal, "/console/proposals")})
    served = path.read_text()
    assert "Summer picnic" in served and 'closed "Staff party"' in served


def test_a_proposal_that_no_longer_passes_the_checks_cannot_be_approved_and_stays_pending(portal, tmp_path):
    as_(portal, "ann")
    portal.post(f"{ACME}/requests", data={"csrf": token_of(portal, f"{ACME}/requests"), **CLOSURE})
    path = tmp_path / "rules" / "acme_plumbing.rules"
    path.write_text(path.read_text().replace("window lunch = mon-fri 12:00-13:00", "window lunch = mon-fri 12:00-"))
    as_(portal, "mia")
    refused = portal.post("/console/proposals/1/approve", data={"csrf": token_of(portal, "/console/proposals")})
    assert refused.status_code == 400 and "Proposal 1 cannot be approved" in refused.text
    assert "line 10" in refused.text  # the check's words, with the line
    assert "Approve and publish" in refused.text  # still pending, in the queue
    assert 'closed "Staff party"' not in path.read_text()


def test_a_rejected_request_shows_the_reason_to_the_owner(portal):
    as_(portal, "ann")
    portal.post(f"{ACME}/requests", data={"csrf": token_of(portal, f"{ACME}/requests"), **CLOSURE})
    as_(portal, "mia")
    token = token_of(portal, "/console/proposals")
    assert portal.post("/console/proposals/1/reject", data={"csrf": token, "reason": ""}).status_code == 400
    portal.post("/console/proposals/1/reject", data={"csrf": token, "reason": f"Not that day {MARKUP}"})
    as_(portal, "ann")
    page = portal.get(f"{ACME}/requests").text
    assert "Rejected: Not that day &lt;script&gt;" in page and MARKUP not in page


def test_a_closure_that_breaks_the_file_is_refused_with_the_checks_words(portal):
    as_(portal, "ann")
    token = token_of(portal, f"{ACME}/requests")
    bad = {**CLOSURE, "start": "2300-01-01T12:00", "end": "2300-01-02T12:00"}
    page = portal.post(f"{ACME}/requests", data={"csrf": token, **bad})
    assert page.status_code == 400 and "would not pass its checks" in page.text
    assert "`2300-01-01` is too far in the past or the future (check the year)" in page.text
    quote = portal.post(f"{ACME}/requests", data={"csrf": token, **CLOSURE, "label": 'a" route { }'})
    assert quote.status_code == 400 and "cannot hold quotes" in quote.text
    assert "No requests yet" in portal.get(f"{ACME}/requests").text


def test_an_owner_allowed_to_publish_closures_publishes_at_once(portal):
    as_(portal, "ann")
    token = token_of(portal, f"{ACME}/requests")
    assert portal.post(f"{ACME}/requests/settings", data={"csrf": token, "self_publish": "on"}).status_code == 404
    as_(portal, "mia")
    portal.post(f"{ACME}/requests/settings", data={"csrf": token_of(portal, f"{ACME}/requests"), "self_publish": "on"})
    as_(portal, "ann")
    page = portal.post(f"{ACME}/requests", data={"csrf": token_of(portal, f"{ACME}/requests"), **CLOSURE}).text
    assert "(published by ann)" in page
    assert "closed" in greeting_at(portal.engine, PARTY).lower()


def test_another_clients_requests_holidays_report_and_proposals_are_404(portal):
    as_(portal, "mia")
    portal.post(f"{ACME}/requests", data={"csrf": token_of(portal, f"{ACME}/requests"), **CLOSURE})
    as_(portal, "vic")
    token = token_of(portal, "/console/clients/harbour_vets")
    missing = portal.get("/console/clients/no_such_client/requests")
    for path in ("/requests", "/holidays", "/report", "/report?month=2026-11", "/report/chart/daily.svg"):
        answer = portal.get(f"{ACME}{path}")
        assert (answer.status_code, answer.text) == (404, missing.text), path
    assert portal.get("/console/proposals").status_code == 404
    posted = portal.post(f"{ACME}/requests", data={"csrf": token, **CLOSURE})
    assert posted.status_code == 404
    as_(portal, "sam")  # an account manager of hale_law only
    assert "Staff party" not in portal.get("/console/proposals").text
    assert (
        portal.post("/console/proposals/1/approve", data={"csrf": token_of(portal, "/console/proposals")}).status_code
        == 404
    )


def test_the_holidays_list_marks_public_and_own_dates_with_their_lines(portal):
    as_(portal, "ann")
    page = portal.get(f"{ACME}/holidays").text
    assert "public holiday (holidays US-IL)" in page
    assert "line 5: <code>holidays  US-IL" in page
    confirmed = portal.post(f"{ACME}/holidays/confirm", data={"csrf": token_of(portal, f"{ACME}/holidays")})
    assert "the dates are confirmed" in confirmed.text


def test_the_months_report_counts_the_calls_decided_that_month(portal):
    engine = portal.engine
    for n in range(3):
        engine.decide(Call(client="acme_plumbing", at=f"2026-11-1{n}T15:00:00-06:00"), call_id=f"c{n}")
    engine.record_outcome("c0", "answered", at=datetime(2026, 11, 10, 21, 5, tzinfo=UTC))
    as_(portal, "ann")
    page = portal.get(f"{ACME}/report?month=2026-11").text
    assert "3 calls decided in 2026-11" in page and '<div class="tiles">' in page
    assert "0 calls decided in 2026-10" in portal.get(f"{ACME}/report?month=2026-10").text
    assert portal.get(f"{ACME}/report?month=2026-13").status_code == 404
    chart = portal.get(f"{ACME}/report/chart/daily.svg?month=2026-11")
    assert chart.headers["content-type"].startswith("image/svg+xml") and chart.text.startswith("<svg")
    assert f'src="{ACME}/report/chart/daily.svg?month=2026-11"' in page


def test_the_closure_line_goes_after_the_last_closure_with_its_indentation():
    text = 'client x {\n    timezone "UTC"\n    closed "A" 2026-01-01 00:00 to 2026-01-02 00:00\n    route {}\n}\n'
    closure = Closure("B", datetime(2026, 2, 1, 9), datetime(2026, 2, 1, 17))
    assert with_closure(text, closure).splitlines()[3] == '    closed "B" 2026-02-01 09:00 to 2026-02-01 17:00'
    bare = 'client x {\n  timezone "UTC"\n  route {}\n}\n'
    assert with_closure(bare, closure).splitlines()[2] == '  closed "B" 2026-02-01 09:00 to 2026-02-01 17:00'


def test_the_portals_tables_work_on_postgresql(postgres_url):
    from rules_engine.console.db import PostgresDatabase
    from rules_engine.console.proposals import ClientSettings, Proposals
    from rules_engine.console.status_templates import StatusTemplates

    db = PostgresDatabase(postgres_url)
    try:
        templates = StatusTemplates(db)
        saved = templates.save("acme_plumbing", "Away", {"en": "Away", "es": "Fuera"})
        assert templates.save("acme_plumbing", "Away", {"en": "Out"}).id == saved.id  # the label's, replaced
        assert [t.notes for t in templates.of("acme_plumbing")] == [{"en": "Out"}]
        proposals = Proposals(db)
        made = proposals.add("acme_plumbing", "ann", 'closed "X" 2027-01-01 00:00 to 2027-01-02 00:00', "text", "v1")
        assert proposals.decide(made.id, "approved", "mia") and not proposals.decide(made.id, "rejected", "sam")
        proposals.reopen(made.id)
        assert [p.id for p in proposals.pending(["acme_plumbing"])] == [made.id]
        settings = ClientSettings(db)
        settings.put("acme_plumbing", "self_publish_closures", True)
        settings.put("acme_plumbing", "self_publish_closures", False)
        assert settings.get("acme_plumbing", "self_publish_closures") is False
    finally:
        db.close()
