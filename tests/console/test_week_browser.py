"""The week, the preview and the on-call pages in a real browser (see test_browser.py for how
the service and Chromium are started): swaps made by an account manager and by an owner,
the preview of a draft against a decision log made through the engine, who gets a 404, and
axe-core on each page."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime, timedelta

import pytest

from rules_engine.console.accounts import Accounts
from rules_engine.console.db import SQLiteDatabase
from rules_engine.console.drafts import Drafts
from rules_engine.decide import Call
from rules_engine.engine import Engine
from rules_engine.runtime.decision_log_file import FileDecisionLog
from rules_engine.schedule.clock import zone
from tests.console.conftest import PASSWORD, PEOPLE
from tests.console.test_browser import (  # noqa: F401 (fixtures)
    axe_violations,
    browser,
    log_in,
    serving,
)
from tests.support import CONFIGS

CLOSED = "Our office is closed;"
REWORDED = "We are closed right now;"
CALLS = 60
COMPLAINT = "complaint-0001"


@pytest.fixture(scope="module")
def logged(tmp_path_factory):
    """A service home: the example rules, accounts, a draft of Acme with its after-hours greeting
    reworded, and a decision log of CALLS calls of the last week decided through the engine, and
    one more: the call a caller complains about, logged under COMPLAINT.
    Gives (home, the number of calls the draft changes)."""
    home = tmp_path_factory.mktemp("week")
    shutil.copytree(CONFIGS, home / "rules")
    log = FileDecisionLog(home / "decisions.jsonl")
    engine = Engine(home / "rules", decision_log=log)
    now = datetime.now(UTC)
    changed = 0
    for hour in range(CALLS):
        decision = engine.decide(Call(client="acme_plumbing", at=now - timedelta(hours=hour * 3), forwarded="busy"))
        changed += decision.greeting.id == "after_hours"
    # The call a caller complains about: two days ago, the line busy, a burst pipe.
    complaint = engine.decide(
        Call(client="acme_plumbing", at=now - timedelta(days=2), forwarded="busy", answers={"type": "burst_pipe"}),
        call_id=COMPLAINT,
    )
    changed += complaint.greeting.id == "after_hours"
    text = engine.client("acme_plumbing").source
    engine.close()
    log.close()
    db = SQLiteDatabase(home / "accounts.db")
    accounts = Accounts(db)
    for name, role, clients in PEOPLE:
        accounts.add(name, role, PASSWORD, clients)
    Drafts(db).put("acme_plumbing", text.replace(CLOSED, REWORDED), "mia")
    db.close()
    return home, changed


@pytest.fixture(scope="module")
def service(logged):
    home, _ = logged
    (home / "service.yaml").write_text(
        "rules: rules\naccounts: accounts.db\nstore: live.db\ndecision_log: decisions.jsonl\n"
        "console_secure_cookies: false\n",
        encoding="utf-8",
    )
    with serving(home) as base:
        yield base


def next_monday() -> datetime:
    today = datetime.now(zone("America/Chicago")).date()
    day = today + timedelta(days=7 - today.weekday())
    return datetime.combine(day, datetime.min.time())


def swap(page, person: str, start: datetime, end: datetime) -> None:
    page.get_by_label("Team", exact=True).select_option("plumbers")
    page.get_by_label("Person", exact=True).select_option(label=person)
    page.get_by_label("From", exact=True).fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("To", exact=True).fill(end.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Preview the swap").click()


def test_an_account_manager_swaps_a_weekend_and_the_week_shows_the_new_person(checked, service):
    page = checked
    log_in(page, service, "mia")
    page.goto(f"{service}/console/clients/acme_plumbing/oncall")
    assert axe_violations(page) == []
    saturday = next_monday() + timedelta(days=5)
    swap(page, "Front desk", saturday, saturday + timedelta(days=2))
    preview = page.locator("#swap-preview")
    assert "Front desk (+13125550100)" in preview.inner_text()
    assert page.locator("#no-swaps").is_visible()  # nothing saved yet
    page.get_by_role("button", name="Save the swap").click()
    assert "Front desk" in page.locator("#swaps").inner_text()
    page.goto(f"{service}/console/clients/acme_plumbing/week?week=next")
    assert axe_violations(page) == []
    grid = page.frame_locator("iframe.grid-frame")
    plumbers = grid.locator("h2", has_text="Who is on call: Plumbers")
    plumbers.wait_for()
    assert grid.locator(".label", has_text="Front desk (swap)").count() >= 2  # Saturday and Sunday
    page.goto(f"{service}{page.locator('iframe.grid-frame').get_attribute('src')}")  # the grid on its own
    assert axe_violations(page) == []


@pytest.fixture
def checked(browser):  # noqa: F811
    """A page whose context lets axe-core in (its script is injected: the pages' policy forbids it)."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, bypass_csp=True)
    yield context.new_page()
    context.close()


def test_the_owner_swaps_a_shift_with_the_preview_and_saves_it(browser, service):  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    try:
        log_in(page, service, "ann")
        page.goto(f"{service}/console/clients/acme_plumbing/oncall")
        assert axe_violations(page) == []
        wednesday = next_monday() + timedelta(days=2, hours=9)
        swap(page, "Front desk", wednesday, wednesday + timedelta(hours=8))
        assert page.get_by_role("heading", name="What the swap changes").is_visible()
        changed = page.locator("#swap-preview tbody tr")
        assert changed.count() >= 1 and "Front desk (+13125550100)" in changed.first.inner_text()
        page.get_by_role("button", name="Save the swap").click()
        assert "09:00" in page.locator("#swaps").inner_text()
        page.goto(f"{service}/console/clients/acme_plumbing/oncall?week=next")
        wednesday_row = page.locator("table.oncall-week tr", has_text=f"{wednesday:%a %d %b}")
        assert "09:00–17:00: Front desk (swap)" in wednesday_row.locator("div.swap").inner_text()
        page.get_by_role("button", name=re.compile(f"Remove the swap of Front desk .*from {wednesday:%a}")).click()
        # the section, not its table: with no swap left (this test alone) the table is not drawn
        swaps_section = page.locator("section", has=page.locator("#swaps-heading"))
        assert f"{wednesday:%a %d %b %Y} 09:00" not in swaps_section.inner_text()
    finally:
        context.close()


def test_the_preview_shows_the_diff_and_the_replay_of_a_changed_greeting(checked, service, logged):
    page = checked
    log_in(page, service, "mia")
    page.goto(f"{service}/console/clients/acme_plumbing/preview")
    assert REWORDED in page.locator("#diff-text").inner_text()
    _, changed = logged
    assert 0 < changed < CALLS
    assert f"{changed} of {CALLS + 1} calls would have been handled differently" in page.inner_text("#replay-count")
    assert "greeting `after_hours` changed" in page.locator("#replay-kinds").inner_text()
    assert axe_violations(page) == []


def test_a_client_account_finds_no_week_or_preview_and_no_other_clients_on_call(checked, service):
    page = checked
    log_in(page, service, "ann")
    for path in ("acme_plumbing/week", "acme_plumbing/preview", "harbour_vets/oncall"):
        answer = page.goto(f"{service}/console/clients/{path}")
        assert answer is not None and answer.status == 404, path
    assert "Harbour" not in page.content()


def test_an_account_manager_reproduces_a_complaint_from_its_call_id(checked, service):
    page = checked
    log_in(page, service, "mia")
    page.goto(f"{service}/console/clients/acme_plumbing/try")
    page.get_by_label("Or a call id from the decision log").fill(COMPLAINT)
    page.get_by_role("button", name="Decide").click()
    assert page.inner_text("#same") == "Decided the same as logged."
    assert page.inner_text("#logged-greeting") in page.inner_text("#decision")
    assert "burst_pipe" in page.inner_text("#decision")
    page.get_by_label("Or a call id from the decision log").fill("no-such-call")
    page.get_by_role("button", name="Decide").click()
    assert "no call `no-such-call`" in page.inner_text("#try-error")
