"""Publishing in a real browser (Chromium through Playwright, a real `rules-engine serve`):
publish an edit and read it in the history, roll back and see the old rules version served,
onboard a client from a copy and decide a call for it, and who is turned away."""

from __future__ import annotations

import re

import pytest

from tests.console.test_browser import NAME, axe_violations, axe_violations_at, browser, log_in, page, service  # noqa: F401  (fixtures)


def served(opened, base: str, client: str) -> str:
    clients = opened.context.request.get(f"{base}/v1/clients").json()
    return next(c["rules_version"] for c in clients if c["id"] == client)


def publish_edit(opened, base: str, client: str, old: str, new: str, message: str) -> None:
    opened.goto(f"{base}/console/clients/{client}/history")
    opened.get_by_text("Publish a new text").click()
    editor = opened.get_by_label("Rule file")
    text = editor.input_value()
    assert old in text
    editor.fill(text.replace(old, new, 1))
    opened.get_by_label("What changed and why").fill(message)
    opened.get_by_role("button", name="Publish", exact=True).click()
    opened.wait_for_load_state()


def test_an_account_manager_publishes_an_edit_and_reads_it_in_the_history(page, service):  # noqa: F811
    log_in(page, service, "mia")
    before = served(page, service, "hale_law")
    publish_edit(page, service, "hale_law", "Hale & Partners", "Hale, Partners & Co", "new firm name")
    assert re.search(r"/console/clients/hale_law/history\?published=2$", page.url)
    assert page.locator("#published").inner_text() == "Version 2 is published and served."
    newest = page.locator("section.version").first
    assert "new firm name" in newest.inner_text() and "mia" in newest.inner_text()
    assert "Hale, Partners & Co" in newest.locator(".diff .add").first.inner_text()
    assert "Hale & Partners" in newest.locator(".diff .remove").first.inner_text()
    after = served(page, service, "hale_law")
    assert after != before and page.inner_text("#served-version") == after


def test_a_rollback_serves_the_old_rules_version_again(page, service):  # noqa: F811
    log_in(page, service, "root")
    original = served(page, service, "harbour_vets")
    publish_edit(page, service, "harbour_vets", "Harbour Animal Hospital", "Harbour Vets", "shorter name")
    assert served(page, service, "harbour_vets") != original
    page.get_by_role("button", name="Roll back to version 1").click()
    page.wait_for_load_state()
    assert page.locator("#published").inner_text() == "Version 3 is published and served."
    assert "rollback to version 1" in page.locator("section.version").first.inner_text()
    assert served(page, service, "harbour_vets") == original


def test_a_client_onboarded_from_a_copy_answers_its_calls(page, service):  # noqa: F811
    log_in(page, service, "mia")
    page.goto(f"{service}/console/clients")
    page.get_by_role("link", name="New client from a copy").click()
    page.get_by_label("Copy the rules of").select_option("acme_plumbing")
    page.get_by_label("New client's id").fill("bolt_plumbing")
    page.get_by_label("New client's name").fill("Bolt Plumbing")
    page.get_by_label("Numbers it is dialled on").fill("+13125550177")
    page.get_by_label("I have read the warnings").check()
    page.get_by_role("button", name="Create and publish").click()
    page.wait_for_load_state()
    assert page.url.endswith("/console/clients/bolt_plumbing/history?published=1")
    call = {"number": "+13125550177", "at": "2026-11-28T23:15:00-06:00", "forwarded": "busy"}
    decision = page.context.request.post(f"{service}/v1/decide", data=call).json()
    assert decision["client"] == "bolt_plumbing"
    assert decision["greeting"]["text"]


def test_markup_in_a_clients_name_its_rules_and_a_message_shows_as_text(page, service):  # noqa: F811
    log_in(page, service, "mia")
    publish_edit(page, service, "xss_co", '"Hello"', '"Hello <b>there</b>"', NAME)
    newest = page.locator("section.version").first
    assert NAME in newest.locator(".message").inner_text()
    assert "<b>there</b>" in newest.locator(".diff .add").first.inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == f"{NAME}: history"
    assert page.locator("b, img").count() == 0 and page.dialogs == []  # type: ignore[attr-defined]


def test_the_publishing_pages_have_no_serious_accessibility_violations(browser, service):  # noqa: F811
    context = browser.new_context(viewport={"width": 1366, "height": 768}, bypass_csp=True)
    opened = context.new_page()
    try:
        log_in(opened, service, "mia")
        found = axe_violations_at(opened, service, ["/console/clients/acme_plumbing/history", "/console/clients/new"])
        opened.goto(f"{service}/console/clients/acme_plumbing/history")
        opened.get_by_text("Publish a new text").click()
        opened.get_by_label("Rule file").fill("client acme_plumbing {")
        opened.get_by_role("button", name="Publish", exact=True).click()
        opened.wait_for_load_state()
        assert opened.title().startswith("Not published")
        found["refused"] = axe_violations(opened)
        assert found == {path: [] for path in found}
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/console/clients/acme_plumbing/history", "/console/clients/new"])
def test_a_client_owner_is_turned_away(page, service, path):  # noqa: F811
    log_in(page, service, "ann")
    assert page.goto(f"{service}{path}").status == 404
    forged = page.context.request.post(
        f"{service}/console/clients/acme_plumbing/publish", form={"text": "client acme_plumbing {"}
    )
    assert forged.status == 403  # no CSRF token: refused before anything else
