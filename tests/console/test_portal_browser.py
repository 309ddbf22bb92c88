"""The owner's portal in Chromium, against `rules-engine serve` (the fixtures of test_browser.py):
a status with a Spanish note reaches a Spanish caller; a template fills the form; a closure
asked for by the owner is approved by an account manager and changes the greeting; the month's
report reads; another client's pages are 404; axe-core finds nothing serious on each page;
the requests page works at a phone's width."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.console.test_browser import axe_violations_at, browser, log_in, page, service

__all__ = ["browser", "page", "service"]  # the fixtures, shared with test_browser.py

ACME = "/console/clients/acme_plumbing"
OPEN = "2027-02-02T16:00:00+00:00"  # a Tuesday, 10:00 in Chicago
PARTY_CALL = {"client": "acme_plumbing", "at": "2027-02-05T12:30:00-06:00", "forwarded": "manual"}


def decide(page, service: str, **call) -> dict:
    return page.context.request.post(f"{service}/v1/decide", data=call).json()


def test_an_owner_sets_a_spanish_note_that_a_spanish_caller_hears_then_applies_a_template(page, service):
    log_in(page, service, "ann")
    page.get_by_label("Note").fill("In court until 3pm")
    page.get_by_label("In Spanish").fill("En el juzgado hasta las 3")
    page.get_by_role("button", name="Set the status").click()
    assert "En el juzgado hasta las 3" in page.inner_text("#current-status")
    spanish = decide(page, service, client="acme_plumbing", at=OPEN, forwarded="manual", language="es")
    assert spanish["greeting"]["text"].endswith("En el juzgado hasta las 3")
    english = decide(page, service, client="acme_plumbing", at=OPEN, forwarded="manual", language="fr")
    assert english["greeting"]["text"].endswith("In court until 3pm")

    page.get_by_label("Save the form as a template, named").fill("In court")
    page.get_by_role("button", name="Save as a template").click()
    assert page.get_by_label("In Spanish").input_value() == "En el juzgado hasta las 3"  # the form stays
    page.get_by_role("button", name="Clear the status").click()
    assert "No status is set" in page.inner_text("#current-status")
    assert page.get_by_label("Note").input_value() == ""
    page.get_by_role("link", name="Apply “In court” to the form").click()
    assert "Filled from “In court”" in page.locator(".applied").inner_text()
    assert page.get_by_label("In Spanish").input_value() == "En el juzgado hasta las 3"
    assert page.get_by_label("Note").input_value() == "In court until 3pm"


def test_a_closure_asked_for_is_approved_and_changes_the_greeting_at_that_time(browser, service):
    owner = browser.new_context(viewport={"width": 375, "height": 812})  # a phone
    manager = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        ann, mia = owner.new_page(), manager.new_page()
        before = decide(ann, service, **PARTY_CALL)["greeting"]["text"]
        log_in(ann, service, "ann")
        ann.get_by_role("link", name="Closures and requests").click()
        ann.get_by_label("What it is").fill("Staff party")
        ann.get_by_label("Closed from").fill("2027-02-05T12:00")
        ann.get_by_label("Open again at").fill("2027-02-05T18:00")
        ann.get_by_role("button", name="Send the request").click()
        request = ann.locator(".requests li").first
        assert "(pending)" in request.inner_text()
        assert 'closed "Staff party" 2027-02-05 12:00 to 2027-02-05 18:00' in request.locator("pre.diff").inner_text()
        width = ann.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the requests page scrolls sideways on a phone ({width}px)"
        assert decide(ann, service, **PARTY_CALL)["greeting"]["text"] == before

        log_in(mia, service, "mia")
        mia.get_by_role("link", name="Proposals").click()
        mia.get_by_role("button", name="Approve and publish").first.click()
        assert mia.locator("#no-proposals").is_visible()

        after = decide(ann, service, **PARTY_CALL)["greeting"]["text"]
        assert after != before and "closed" in after.lower()
        ann.reload()
        assert "(approved by mia)" in ann.locator(".requests li").first.inner_text()
    finally:
        owner.close()
        manager.close()


def test_an_owner_reads_the_months_report_and_the_holidays(page, service):
    page.context.request.post(
        f"{service}/v1/decide", data={"client": "acme_plumbing", "at": datetime.now(UTC).isoformat()}
    )
    log_in(page, service, "ann")
    page.get_by_role("link", name="Report").click()
    month = datetime.now(UTC).strftime("%Y-%m")
    assert f"decided in {month}" in page.inner_text("#received")
    assert page.locator(".tiles").is_visible()
    page.get_by_role("link", name="Holidays").click()
    assert "public holiday (holidays US-IL)" in page.inner_text("#holidays")


def test_a_client_user_finds_nothing_of_another_client_and_cannot_approve(page, service):
    log_in(page, service, "vic")
    for path in ("/requests", "/report", "/holidays"):
        assert page.goto(f"{service}{ACME}{path}").status == 404, path
    assert page.goto(f"{service}/console/proposals").status == 404
    answer = page.context.request.post(
        f"{service}/console/proposals/1/approve", headers={"X-CSRF-Token": page_token(page, service)}
    )
    assert answer.status == 404


def page_token(page, service: str) -> str:
    page.goto(f"{service}/console/clients/harbour_vets")
    return page.locator('input[name="csrf"]').first.get_attribute("value") or ""


@pytest.mark.parametrize(
    ("person", "paths"),
    [
        ("ann", [ACME, f"{ACME}/requests", f"{ACME}/holidays", f"{ACME}/report"]),
        ("mia", ["/console/proposals", f"{ACME}/requests"]),
    ],
)
def test_the_portal_pages_have_no_serious_accessibility_violations(browser, service, person, paths):
    viewport = {"width": 375, "height": 812} if person == "ann" else {"width": 1366, "height": 768}
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    page = context.new_page()
    try:
        log_in(page, service, person)
        found = axe_violations_at(page, service, paths)
        assert found == {path: [] for path in found}
    finally:
        context.close()
