"""The console in a real browser: headless Chromium (Debian's `chromium`) driven by Playwright
for Python, against a real `rules-engine serve` on 127.0.0.1 with settings of its own.

Playwright never downloads a browser here: it launches /usr/bin/chromium. Without Playwright
or Chromium the tests skip, saying how to run them; under CI=true they fail instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from rules_engine.console.accounts import Accounts
from rules_engine.console.db import SQLiteDatabase
from tests.console.conftest import PASSWORD, PEOPLE
from tests.support import CONFIGS, wait_for

CHROMIUM = os.environ.get("RULES_ENGINE_CHROMIUM", "/usr/bin/chromium")
RULES_ENGINE = str(Path(sys.executable).parent / "rules-engine")
NAME = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
QUOTED = NAME.replace('"', '\\"')  # a `"` in a rule file's text is written `\"`
XSS_CLIENT = f"""client xss_co "{QUOTED}" {{
    timezone  "America/Chicago"
    languages en
    numbers   "+13125550299"
    contact desk "Front desk" {{ call "+13125550999" }}
    greeting default {{ en "Hello" }}
    route {{ otherwise -> patch desk }}
}}
"""


def playwright_or_skip():
    why = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        why = "Playwright for Python is not installed (pip install -e '.[all,test]')"
    if why is None and not Path(CHROMIUM).exists():
        why = f"no Chromium at {CHROMIUM} (apt-get install chromium, or set RULES_ENGINE_CHROMIUM)"
    if why is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the console's browser tests need a browser: {why}")
        pytest.skip(f"the console's browser tests need a browser: {why}")
    return sync_playwright


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    """`rules-engine serve` with the console: the example clients and one whose name is markup."""
    home = tmp_path_factory.mktemp("console")
    shutil.copytree(CONFIGS, home / "rules")
    (home / "rules" / "xss_co.rules").write_text(XSS_CLIENT, encoding="utf-8")
    db = SQLiteDatabase(home / "accounts.db")
    accounts = Accounts(db)
    for name, role, clients in (*PEOPLE, ("locked", "client", ("hale_law",))):
        accounts.add(name, role, PASSWORD, clients)
    db.close()
    (home / "service.yaml").write_text(
        "rules: rules\naccounts: accounts.db\nstore: live.db\nconsole_secure_cookies: false\n", encoding="utf-8"
    )
    with serving(home) as base:
        yield base


@contextmanager
def serving(home: Path) -> Iterator[str]:
    """`rules-engine serve --settings HOME/service.yaml` on a free port of 127.0.0.1, until the
    block ends; gives its address once `/healthz` answers."""
    port_file = home / "port"
    process = subprocess.Popen(
        [RULES_ENGINE, "serve", "--settings", str(home / "service.yaml"), "--port", "0", "--port-file", str(port_file)],
        stderr=subprocess.DEVNULL,
    )
    try:
        port = int(wait_for(lambda: port_file.exists() and port_file.read_text().strip(), "the service"))
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: answers(f"{base}/healthz"), "/healthz")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def browser():
    sync_playwright = playwright_or_skip()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    opened = context.new_page()
    dialogs: list[str] = []
    opened.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    opened.dialogs = dialogs  # type: ignore[attr-defined]
    yield opened
    context.close()


AXE = Path(__file__).with_name("axe.min.js")  # axe-core from the console's npm lockfile (test_assets.py)


@pytest.mark.parametrize(
    ("person", "paths"),
    [
        ("mia", ["/console/clients", "/console/clients/acme_plumbing", "/console/audit"]),
        ("ann", ["/console/clients/acme_plumbing"]),
    ],
)
def test_the_pages_have_no_serious_accessibility_violations(browser, service, person, paths):
    """axe-core's WCAG 2 A and AA rules, on the login page and each page a person reaches; the
    phone-sized viewport for the owner's portal. (The check runs as an injected script: this
    context alone ignores the pages' Content-Security-Policy.)"""
    viewport = {"width": 390, "height": 844} if person == "ann" else {"width": 1366, "height": 768}
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    page = context.new_page()
    try:
        found = axe_violations_at(page, service, ["/console/login"])
        log_in(page, service, person)
        found.update(axe_violations_at(page, service, paths))
        assert found == {path: [] for path in found}
    finally:
        context.close()


def axe_violations(page) -> list[str]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {v['nodes'][0]['target']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def axe_violations_at(page, service: str, paths) -> dict[str, list[str]]:
    """Each path (of the service) opened in turn → its serious and critical violations."""
    found = {}
    for path in paths:
        page.goto(f"{service}{path}")
        found[path] = axe_violations(page)
    return found


def log_in(page, service: str, name: str, password: str = PASSWORD) -> None:
    page.goto(f"{service}/console/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def session_cookie(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "rules-engine-console")


def test_an_admin_logs_in_and_sees_every_client(page, service):
    log_in(page, service, "root")
    assert page.url == f"{service}/console/clients"
    table = page.get_by_role("table").inner_text()
    assert "Acme Plumbing" in table and "Harbour" in table and "hale_law" in table
    page.get_by_role("link", name="Audit log").click()
    assert "login" in page.get_by_role("table").inner_text()


def test_an_account_manager_searches_the_clients_as_they_type(page, service):
    log_in(page, service, "mia")
    served = len(list(CONFIGS.glob("*.rules"))) + 1  # the examples and xss_co
    page.get_by_label("Search by name or id").press_sequentially("acme")
    page.wait_for_selector(f"text=1 of {served} clients")  # htmx replaced the table, no button pressed
    assert page.url.endswith("/console/clients?q=acme")
    page.get_by_role("link", name="Acme Plumbing & Heating").click()
    assert page.get_by_role("heading", name="On call now").is_visible()


def test_an_owner_sets_and_clears_a_status_on_the_portal(page, service):
    log_in(page, service, "ann")
    assert page.url == f"{service}/console/clients/acme_plumbing"
    page.get_by_label("Note").fill("In court until 3pm")
    page.get_by_label("Until").fill("2099-01-01T15:00")
    page.get_by_role("button", name="Set the status").click()
    assert page.inner_text("#current-note") == "In court until 3pm"
    state = page.context.request.get(f"{service}/v1/clients/acme_plumbing/state").json()
    assert state["status"]["note"] == "In court until 3pm"  # the engine's live state, as the API reads it
    page.get_by_role("button", name="Clear the status").click()
    assert "No status is set" in page.inner_text("#current-status")


def test_an_account_manager_reads_the_rule_file_in_the_editor_with_nothing_fetched_elsewhere(page, service):
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, service, "mia")
    page.goto(f"{service}/console/clients/acme_plumbing")
    editor = page.locator(".cm-editor")
    editor.wait_for()
    assert "client acme_plumbing" in editor.inner_text()
    assert page.locator(".cm-lineNumbers").is_visible()
    assert page.locator(".cm-content .tok-keyword, .cm-content span[class^='ͼ']").count() > 0  # highlighted
    assert problems == []
    assert requests and all(url.startswith(service) for url in requests)


def test_a_wrong_password_is_refused(page, service):
    log_in(page, service, "mia", "not the password at all")
    assert page.inner_text("#login-error") == "Wrong name or password."
    assert page.url == f"{service}/console/login"


def test_five_failed_logins_lock_the_account(page, service):
    for _ in range(5):
        log_in(page, service, "locked", "guess guess guess")
    log_in(page, service, "locked")
    assert "Too many failed log-ins" in page.inner_text("#login-error")


def test_the_session_id_changes_at_login(page, service):
    page.goto(f"{service}/console/login")
    before = session_cookie(page)
    log_in(page, service, "mia")
    after = session_cookie(page)
    assert after != before
    cookie = next(c for c in page.context.cookies() if c["name"] == "rules-engine-console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert page.evaluate("document.cookie") == ""  # scripts cannot read it


def test_a_post_without_or_with_a_wrong_csrf_token_is_refused(page, service):
    log_in(page, service, "ann")
    url = f"{service}/console/clients/acme_plumbing/status"
    for form in ({"note": "forged"}, {"note": "forged", "csrf": "not-the-token"}):
        answer = page.context.request.post(url, form=form)
        assert answer.status == 403
    page.reload()
    assert "forged" not in page.inner_text("main")


def test_a_client_user_reaching_another_client_by_url_or_api_finds_nothing(page, service):
    log_in(page, service, "ann")
    answer = page.goto(f"{service}/console/clients/harbour_vets")
    assert answer is not None and answer.status == 404
    assert "Harbour" not in page.content()
    api = page.context.request.get(f"{service}/console/api/clients/harbour_vets/state")
    unknown = page.context.request.get(f"{service}/console/api/clients/no_such_client/state")
    assert api.status == unknown.status == 404 and api.text() == unknown.text()
    assert page.goto(f"{service}/console/clients").status == 404  # type: ignore[union-attr]


def test_markup_in_a_client_name_and_a_status_note_shows_as_text(page, service):
    log_in(page, service, "root")
    page.goto(f"{service}/console/clients?q=xss")
    assert NAME in page.get_by_role("table").inner_text()
    page.goto(f"{service}/console/clients/xss_co")
    assert page.get_by_role("heading", level=1).inner_text() == NAME
    note = '<script>alert(3)</script>"><img src=x onerror=alert(4)>'
    page.get_by_label("Note").fill(note)
    page.get_by_role("button", name="Set the status").click()
    assert page.inner_text("#current-note") == note
    page.goto(f"{service}/console/clients")
    page.goto(f"{service}/console/audit")
    assert page.locator("img").count() == 0 and page.locator("main script").count() == 0
    assert page.dialogs == []  # type: ignore[attr-defined]


def tab_to(page, what: str, limit: int = 80) -> None:
    """Press Tab until the focus is on `what` — an element's id (`#note`) or the text of a
    button — as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => [document.activeElement.id, document.activeElement.textContent.trim()]")
        if what in (f"#{focused[0]}", focused[1]):
            return
    raise AssertionError(f"{what} is not reachable with Tab")


def test_an_owner_logs_in_and_sets_a_status_with_the_keyboard_alone(page, service):
    page.goto(f"{service}/console/login")
    tab_to(page, "#name")
    page.keyboard.type("ann")
    tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{service}/console/clients/acme_plumbing")
    page.keyboard.press("Tab")  # the first stop of every page: the link past the navigation
    assert page.evaluate("document.activeElement.textContent") == "Skip to the content"
    tab_to(page, "#note")
    page.keyboard.type("At a job site until noon")
    tab_to(page, "Set the status")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.inner_text("#current-note") == "At a job site until noon"
    tab_to(page, "Clear the status")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "No status is set" in page.inner_text("#current-status")
