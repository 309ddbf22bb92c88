"""The editor, try a call and the scenarios in a real browser (headless Chromium driven by
Playwright, against a real `rules-engine serve`): the fixtures are test_browser.py's, imported
(so the tests' arguments share their names: F811 is expected here)."""
# ruff: noqa: F811

from __future__ import annotations

import time

from tests.console.test_browser import (  # noqa: F401  (pytest fixtures, used by name)
    NAME,
    axe_violations,
    browser,
    log_in,
    page,
    service,
)
from tests.support import CONFIGS


def editor_of(page, service: str, client: str, anchor: str = ""):
    page.goto(f"{service}/console/clients/{client}/edit{anchor}")
    page.locator(".cm-editor[data-ready]").wait_for()
    page.locator("#problems-summary[data-checked]").wait_for()
    return page.locator(".cm-content")


def replace_text(page, text: str) -> None:
    page.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)


def test_an_error_typed_is_marked_at_its_line(page, service):
    """How soon is printed (on a quiet machine about 0.2 s): the target is measured by
    benchmarks/console_diagnostics.py, not asserted where a loaded machine would fail it."""
    log_in(page, service, "mia")
    editor_of(page, service, "harbour_vets", "#L20")  # the cursor at line 20's start
    assert "window open" in page.locator(".cm-activeLine").inner_text()
    page.keyboard.type("bogus ")
    started = time.monotonic()  # from the last keystroke
    page.locator("#problems li.bad").first.wait_for(timeout=10000)
    print(f"\nan error typed was listed {(time.monotonic() - started) * 1000:.0f} ms after the last key")
    assert page.locator("#problems li.bad").first.inner_text().startswith("Line 20, column ")
    assert page.locator(".cm-lintRange-error").count() > 0
    assert page.locator(".cm-gutter-lint .cm-lint-marker-error").count() > 0
    # the list's button puts the cursor on the line
    page.locator(".cm-content").press("Control+Home")
    page.locator("#problems li.bad button").first.click()
    assert page.locator(".cm-activeLine").inner_text().startswith("bogus     window open")
    page.wait_for_selector("#saved >> text=by mia")  # typed text is saved as the draft


def test_two_people_editing_one_draft_never_overwrite_each_other(browser, page, service):
    log_in(page, service, "mia")
    editor_of(page, service, "riverside_medical")
    other = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    try:
        log_in(other, service, "root")
        editor_of(other, service, "riverside_medical")  # both opened on the published file
        page.locator(".cm-content").press("Control+Home")
        page.keyboard.type("# mia was here\n")
        page.wait_for_selector("#saved >> text=by mia")
        page.keyboard.type("# and again\n")  # her next save starts from her last one
        mine = page.context.new_page()
        deadline = time.monotonic() + 15
        while "# and again" not in editor_of(mine, service, "riverside_medical").inner_text():
            assert time.monotonic() < deadline, "mia's second edit was not saved"
            time.sleep(0.2)
        assert not page.inner_text("#saved").startswith("Not saved")

        other.locator(".cm-content").press("Control+End")
        other.keyboard.type("\n# root's edit\n")
        other.wait_for_selector("#saved >> text=Not saved: mia saved this draft at")
        assert "copy it, then reload the page" in other.inner_text("#saved")
        kept = editor_of(mine, service, "riverside_medical").inner_text()
        assert "# and again" in kept and "root's edit" not in kept
    finally:
        other.context.close()


def test_the_warnings_over_a_year_follow_when_typing_stops(page, service):
    log_in(page, service, "mia")
    editor_of(page, service, "acme_plumbing", "#L13")
    page.keyboard.insert_text('    closed "Nothing" 2027-01-03 02:00 to 2027-01-03 03:00\n')
    warning = page.locator("#problems li.warn", has_text="closure `Nothing` (line 13) changes nothing")
    warning.wait_for(timeout=15000)
    assert page.locator("#problems-summary[data-complete]").count() == 1
    assert page.locator(".cm-lint-marker-warning").count() > 0


def test_completion_offers_a_contact_the_file_defines(page, service):
    log_in(page, service, "mia")
    editor_of(page, service, "hale_law", "#L30")
    page.keyboard.type("rahm")
    option = page.locator(".cm-tooltip-autocomplete li", has_text="rahman")
    option.first.wait_for(timeout=2000)
    assert "Priya Rahman" in page.locator(".cm-tooltip-autocomplete").inner_text()


def test_a_spanish_greeting_added_in_the_draft_is_what_a_spanish_caller_hears(page, service):
    log_in(page, service, "root")
    editor_of(page, service, "xss_co")
    text = page.locator("#rules-file").input_value()
    text = text.replace("languages en", "languages en, es").replace(
        'en "Hello"', 'en "Hello"  es "Hola, buenas tardes"'
    )
    replace_text(page, text)
    page.wait_for_selector("#saved >> text=by root")
    assert page.locator("#problems li.bad").count() == 0
    page.goto(f"{service}/console/clients/xss_co/try")
    page.get_by_label("Caller's language").select_option("es")
    page.get_by_role("button", name="Decide").click()
    assert page.inner_text("#greeting-text") == "Hola, buenas tardes"
    assert page.get_by_role("heading", level=1).inner_text() == NAME  # markup in the name stays text
    assert page.locator("main img").count() == 0 and page.dialogs == []  # type: ignore[attr-defined]


def test_a_trace_line_opens_the_editor_at_that_line(page, service):
    log_in(page, service, "mia")
    page.goto(f"{service}/console/clients/acme_plumbing/try")
    page.get_by_label("Time (America/Chicago)").fill("2026-11-28T23:15")
    page.get_by_label("Why the call was forwarded").select_option("busy")
    page.get_by_role("radio", name="burst_pipe").check()
    page.get_by_role("button", name="Decide").click()
    assert "escalate by" in page.inner_text("#route")
    link = page.locator(".trace a").nth(1)  # greeting after_hours, which held
    line = int(link.inner_text().split()[-1])
    link.click()
    page.locator(".cm-editor[data-ready]").wait_for()
    assert page.url.endswith(f"/edit#L{line}")
    assert "greeting after_hours" in page.locator(".cm-activeLine").inner_text()
    # a trace line of the published file, when the editor holds a draft, opens the client's page there
    published = (CONFIGS / "acme_plumbing.rules").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(published, 1) if text.strip().startswith("greeting after_hours"))
    page.goto(f"{service}/console/clients/acme_plumbing#L{line}")
    page.locator(".cm-editor[data-ready]").wait_for()
    assert "greeting after_hours" in page.locator(".cm-activeLine").inner_text()


FEATURE = """Feature: Comfort Air in the console
  Background:
    Given the client "comfort_air"

  Scenario: Busy while open
    Given it is Wednesday 2026-12-02 at 10:00
    And the call was forwarded because the line was busy
    Then the agent greets with "busy"

  Scenario: Wrong on purpose
    Given it is Wednesday 2026-12-02 at 10:00
    And the call was forwarded because the line was busy
    Then the agent greets with "after_hours"
"""


def test_the_scenarios_run_and_show_pass_fail_and_coverage(page, service):
    log_in(page, service, "mia")
    page.goto(f"{service}/console/clients/comfort_air/scenarios")
    page.locator(".cm-editor[data-ready]").wait_for()
    replace_text(page, FEATURE)
    page.wait_for_selector("#saved >> text=by mia")  # the feature is saved as you type
    page.keyboard.press("Control+End")
    page.keyboard.type("\n# run before the next autosave: the form sends the page's last save as its base\n")
    page.get_by_role("button", name="Run the scenarios").click()
    assert page.locator("#scenarios-error").count() == 0
    assert page.inner_text("#results-summary") == "2 scenario(s): 1 passed, 1 not."
    results = page.inner_text("#results")
    assert "PASSED Busy while open" in results and "FAILED Wrong on purpose" in results
    assert 'Step: Then the agent greets with "after_hours"' in results
    assert "rules exercised" in page.inner_text("#coverage-comfort_air")


def test_the_new_pages_have_no_serious_accessibility_violations(browser, service):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, bypass_csp=True)
    page = context.new_page()
    try:
        log_in(page, service, "mia")
        found = {}
        for path in ("edit", "try", "scenarios"):
            page.goto(f"{service}/console/clients/riverside_medical/{path}")
            if path != "try":
                page.locator(".cm-editor[data-ready]").wait_for()
            else:
                page.get_by_role("button", name="Decide").click()
                page.locator("#decision").wait_for()
            found[path] = axe_violations(page)
        assert found == {"edit": [], "try": [], "scenarios": []}
    finally:
        context.close()


def test_a_client_account_gets_404_on_the_editor_try_and_scenarios(page, service):
    log_in(page, service, "ann")
    for path in ("edit", "try", "scenarios"):
        answer = page.goto(f"{service}/console/clients/acme_plumbing/{path}")
        assert answer is not None and answer.status == 404
