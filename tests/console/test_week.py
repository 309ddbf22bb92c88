"""The week, the preview and the on-call pages, in process (the browser tests are in
test_week_browser.py): who may open them, what they show, swaps in two steps, the replay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rules_engine.console.drafted import compiled
from rules_engine.console.drafts import Drafts
from rules_engine.console.replay import replay
from rules_engine.decide import Call
from rules_engine.runtime.decision_record import record_of
from rules_engine.schedule.clock import zone
from tests.console.conftest import log_in, token_of
from tests.support import CONFIGS

ACME = (CONFIGS / "acme_plumbing.rules").read_text(encoding="utf-8")
CLOSED = "Our office is closed;"
CHANGED = ACME.replace(CLOSED, "We are closed right now;")
MARKUP = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


def put_draft(served, text: str, client: str = "acme_plumbing") -> None:
    Drafts(served.accounts.db).put(client, text, "mia")


def monday_after(days: int) -> datetime:
    now = datetime.now(zone("America/Chicago"))
    day = (now + timedelta(days=days)).date()
    return datetime.combine(day - timedelta(days=day.weekday()), datetime.min.time())


def test_a_client_account_finds_no_week_or_preview_and_no_other_clients_on_call_page(console):
    log_in(console.client, "ann")
    missing = console.client.get("/console/clients/no_such_client/week")
    assert missing.status_code == 404
    for path in (
        "/console/clients/acme_plumbing/week",
        "/console/clients/acme_plumbing/week/grid",
        "/console/clients/acme_plumbing/preview",
        "/console/clients/harbour_vets/oncall",
        "/console/clients/harbour_vets/oncall/feed/alice.ics",
    ):
        answer = console.client.get(path)
        assert (answer.status_code, answer.text) == (404, missing.text), path
    assert console.client.get("/console/clients/acme_plumbing/oncall").status_code == 200
    token = token_of(console.client, "/console/clients/acme_plumbing/oncall")
    form = {"csrf": token, "team": "x", "person": "y", "start": "2099-01-01T00:00", "end": "2099-01-02T00:00"}
    assert console.client.post("/console/clients/harbour_vets/oncall/swap", data=form).status_code == 404


def test_the_week_shows_the_grid_of_the_version_and_reason_asked_in_a_frame_of_its_own(console):
    log_in(console.client, "mia")
    page = console.client.get("/console/clients/acme_plumbing/week?version=published&reason=busy&week=next")
    assert page.status_code == 200
    assert "the published version" in page.text and '<option value="busy" selected>' in page.text
    frame = page.text.split('<iframe class="grid-frame" src="')[1].split('"')[0].replace("&amp;", "&")
    grid = console.client.get(frame)
    assert grid.status_code == 200
    assert "script-src" not in grid.headers["content-security-policy"]  # no script at all: default-src 'none'
    assert "frame-ancestors 'self'" in grid.headers["content-security-policy"]
    assert "Calls when your line is busy" in grid.text and "Who is on call: Plumbers" in grid.text
    assert grid.text.count("<h2>Calls when") == 1  # one reason only
    assert "Bob Ortiz" in grid.text or "Alice Ng" in grid.text or "Carol Diaz" in grid.text


def test_the_week_and_the_preview_of_a_draft_that_does_not_compile_show_its_errors(console):
    put_draft(console, ACME.replace("greeting default {", "greeting default {{"))
    log_in(console.client, "mia")
    page = console.client.get("/console/clients/acme_plumbing/week")
    assert '<h2 id="errors-heading">The draft does not compile</h2>' in page.text and "line " in page.text
    assert "<iframe" not in page.text
    preview = console.client.get("/console/clients/acme_plumbing/preview")
    assert '<h3 id="errors-heading">The draft does not compile</h3>' in preview.text
    assert '<li class="bad">line ' in preview.text


def test_a_swap_is_previewed_then_saved_shown_in_the_week_and_removed(console, engine):
    log_in(console.client, "ann")
    start, end = monday_after(7) + timedelta(days=5), monday_after(7) + timedelta(days=7)  # next Sat–Sun
    token = token_of(console.client, "/console/clients/acme_plumbing/oncall")
    form = {
        "csrf": token,
        "team": "plumbers",
        "person": "alice",
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "end": end.strftime("%Y-%m-%dT%H:%M"),
        "reason": MARKUP,
    }
    preview = console.client.post("/console/clients/acme_plumbing/oncall/preview", data=form)
    assert preview.status_code == 200
    assert "What the swap changes" in preview.text and "Alice Ng (+13125550111)" in preview.text
    assert "Calls reach team plumbers by route rule 1, line 75 through escalation `emergency`" in preview.text
    assert engine.live_state("acme_plumbing").overrides == ()  # not saved yet
    saved = console.client.post("/console/clients/acme_plumbing/oncall/swap", data=form, follow_redirects=False)
    assert saved.status_code == 303
    (override,) = engine.live_state("acme_plumbing").overrides
    assert (override.team, override.person, override.reason) == ("plumbers", "alice", MARKUP)
    page = console.client.get("/console/clients/acme_plumbing/oncall?week=next")
    assert MARKUP not in page.text and "&lt;script&gt;" in page.text
    assert '<div class="swap">00:00–24:00: Alice Ng (swap)</div>' in page.text
    again = console.client.post("/console/clients/acme_plumbing/oncall/preview", data=form)
    assert "Nothing changes" in again.text
    feed = console.client.get("/console/clients/acme_plumbing/oncall/feed/alice.ics")
    assert feed.headers["content-type"].startswith("text/calendar") and "Alice Ng on call: plumbers" in feed.text
    removed = console.client.post(
        "/console/clients/acme_plumbing/oncall/remove",
        data={"csrf": token, "index": "0", "start": override.start.isoformat()},
        follow_redirects=False,
    )
    assert removed.status_code == 303 and engine.live_state("acme_plumbing").overrides == ()
    log_in(console.client, "root")
    actions = [e["action"] for e in console.client.get("/console/audit?format=json").json()]
    assert "oncall_swap" in actions and "oncall_swap_removed" in actions


def test_removing_one_of_a_teams_swaps_leaves_the_others(console, engine):
    start = monday_after(7).replace(tzinfo=zone("America/Chicago"))
    for days, person in ((0, "alice"), (1, "bob"), (2, "alice")):
        engine.set_override(
            "acme_plumbing", "plumbers", person, start + timedelta(days=days), start + timedelta(days=days + 1)
        )
    first, second, third = engine.live_state("acme_plumbing").overrides
    log_in(console.client, "ann")
    token = token_of(console.client, "/console/clients/acme_plumbing/oncall")
    removed = console.client.post(
        "/console/clients/acme_plumbing/oncall/remove",
        data={"csrf": token, "index": "1", "start": second.start.isoformat()},
        follow_redirects=False,
    )
    assert removed.status_code == 303 and engine.live_state("acme_plumbing").overrides == (first, third)
    stale = console.client.post(  # the page still showed bob's swap second: now it is alice's
        "/console/clients/acme_plumbing/oncall/remove",
        data={"csrf": token, "index": "1", "start": second.start.isoformat()},
    )
    assert stale.status_code == 409 and "changed meanwhile" in stale.text
    assert engine.live_state("acme_plumbing").overrides == (first, third)


def test_a_swap_that_ends_before_it_starts_is_refused_with_the_reason(console):
    log_in(console.client, "mia")
    token = token_of(console.client, "/console/clients/acme_plumbing/oncall")
    form = {"csrf": token, "team": "plumbers", "person": "bob", "start": "2099-01-02T00:00", "end": "2099-01-01T00:00"}
    answer = console.client.post("/console/clients/acme_plumbing/oncall/swap", data=form)
    assert answer.status_code == 400 and "must end after it starts" in answer.text


def test_the_preview_shows_the_diff_of_a_changed_greeting_and_says_there_is_no_log(console):
    put_draft(console, CHANGED)
    log_in(console.client, "mia")
    page = console.client.get("/console/clients/acme_plumbing/preview")
    assert page.status_code == 200
    assert "We are closed right now" in page.text and "the greeting" in page.text
    assert "No decision log is configured" in page.text


def test_the_replay_counts_the_calls_a_changed_greeting_changes_and_none_for_the_same_text(engine):
    published = engine.client("acme_plumbing")
    now = datetime.now(UTC)
    records = []
    for hour in range(0, 24 * 7, 5):  # a call every 5 hours over a week: some open, some closed
        call = Call(client="acme_plumbing", at=now - timedelta(hours=hour), forwarded="no_answer")
        records.append(record_of(call, engine.decide(call))[0])
    closed = sum(r["decision"]["greeting"]["id"] == "after_hours" for r in records)
    assert 0 < closed < len(records)
    same = replay(compiled(ACME, published.path)[0], records, published.rules_version)
    assert (same.calls, same.different, same.other_version) == (len(records), 0, 0)
    changed = replay(compiled(CHANGED, published.path)[0], records, published.rules_version)
    assert changed.different == closed
    (kind,) = changed.kinds
    assert kind.label == "greeting `after_hours` changed" and kind.count == closed
    assert "We are closed right now" in kind.example.after and CLOSED in kind.example.before


def test_markup_in_a_drafts_greeting_shows_as_text_in_the_week_and_the_preview(console):
    quoted = MARKUP.replace('"', '\\"')  # a `"` in a rule file's text is written `\"`
    put_draft(console, ACME.replace(CLOSED, quoted))
    log_in(console.client, "mia")
    preview = console.client.get("/console/clients/acme_plumbing/preview")
    assert MARKUP not in preview.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in preview.text
    grid = console.client.get("/console/clients/acme_plumbing/week/grid?version=draft&reason=always")
    assert grid.status_code == 200 and "<script" not in grid.text and "&lt;script&gt;" in grid.text


def test_a_draft_equal_to_the_published_text_changes_nothing(console):
    put_draft(console, ACME)
    log_in(console.client, "mia")
    page = console.client.get("/console/clients/acme_plumbing/preview")
    assert "0 classes of call decided differently" in page.text and "no change" in page.text
