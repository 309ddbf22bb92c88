"""The console's screenshots in docs/, made again by anyone, the same way each time.

    .venv/bin/python docs/screenshots.py [--only NAME …] [--list]

It copies client_configs (and features/) to a temporary directory, makes an accounts database
there with an admin, an account manager and Acme Plumbing's owner (`rules-engine users add`,
the password on standard input), decides Acme's calls since the start of last month through
the engine (outcomes/generate.py: a decision log for the preview's replay, their outcomes for
the report), saves a draft of Acme's rules, starts `rules-engine serve` on 127.0.0.1 on a free
port, and drives Debian's Chromium with Playwright: one PNG per page, docs/console-NAME.png, at
1366×768, and the owner's portal pages also at a phone's 390×844 (console-NAME-phone.png).
Each image is reduced to a palette (Pillow) to stay small. A page that answers 404 (not built
yet on this branch) is skipped, and the script says so. `SHOTS` is the list
tests/docs/test_screenshots.py compares with docs/console.md: each image's alt text there is
its caption here.
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "screenshots only"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
LIMIT = 150_000  # bytes an image may take
# name, role, clients
PEOPLE = (
    ("admin", "admin", ()),
    ("mia", "account_manager", ()),
    ("ann", "client", ("acme_plumbing",)),
)
CLOSED = "Our office is closed;"
REWORDED = "We are closed right now;"


class Skipped(Exception):
    """The page is not there (404) or lacks what the picture is meant to show."""


@dataclass(frozen=True)
class Shot:
    name: str  # docs/console-NAME.png
    caption: str  # the image's alt text in docs/console.md
    person: str
    take: Callable[[Studio, Any], None] = field(compare=False, repr=False)
    portal: bool = False  # the owner's page: also at a phone's size, console-NAME-phone.png

    def images(self) -> dict[str, str]:
        """Each file this shot makes → its caption."""
        made = {f"console-{self.name}.png": self.caption}
        if self.portal:
            made[f"console-{self.name}-phone.png"] = f"{self.caption}, on a phone"
        return made


class Studio:
    """The running service, a browser, and a logged-in page per person and screen size."""

    def __init__(self, base: str, browser: Any) -> None:
        self.base = base
        self.browser = browser
        self.pages: dict[tuple[str, bool], Any] = {}
        self.asked_closure = False
        self.failed: list[str] = []

    def page(self, person: str, phone: bool = False) -> Any:
        if (person, phone) not in self.pages:
            context = self.browser.new_context(viewport=PHONE if phone else DESKTOP, locale="en-GB")
            page = context.new_page()
            page.set_default_timeout(15_000)
            page.goto(f"{self.base}/console/login")
            page.get_by_label("Name").fill(person)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_load_state()
            self.pages[person, phone] = page
        return self.pages[person, phone]

    def open(self, person: str, path: str, phone: bool = False) -> Any:
        page = self.page(person, phone)
        answer = page.goto(f"{self.base}{path}")
        if answer is not None and answer.status == 404:
            raise Skipped(f"{path} answers 404")
        page.wait_for_load_state("networkidle")
        return page

    def ask_closure(self) -> None:
        """The owner asks to close for a training afternoon the week after next (once per run)."""
        if self.asked_closure:
            return
        page = self.open("ann", "/console/clients/acme_plumbing/requests")
        wednesday = next_monday() + timedelta(days=9)
        page.get_by_label("What it is").fill("Staff training")
        page.get_by_label("Closed from").fill(f"{wednesday:%Y-%m-%d}T13:00")
        page.get_by_label("Open again at").fill(f"{wednesday + timedelta(days=1):%Y-%m-%d}T08:00")
        page.get_by_label("Message for the account manager").fill("The team is at a boiler course.")
        page.locator("#closure-form button[type=submit]").click()
        page.wait_for_load_state()
        self.asked_closure = True


def next_monday() -> date:
    today = date.today()
    return today + timedelta(days=7 - today.weekday())


def last_month() -> date:
    """The first day of last month."""
    return (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)


def scroll_to(page: Any, selector: str) -> None:
    """Bring an element to the top of the screen, with a little of what is above it."""
    page.locator(selector).first.scroll_into_view_if_needed()
    page.evaluate(
        "s => window.scrollTo(0, document.querySelector(s).getBoundingClientRect().top + window.scrollY - 60)",
        selector,
    )


# ---- the pages ------------------------------------------------------------------------------


def publish_through_history(studio: Studio, old: str, new: str, message: str) -> None:
    """Hale & Partners' file, `old` replaced by `new`, published through the history page's form."""
    page = studio.open("mia", "/console/clients/hale_law/history")
    page.get_by_text("Publish a new text").click()
    editor = page.get_by_label("Rule file")
    editor.fill(editor.input_value().replace(old, new, 1))
    page.get_by_label("What changed and why").fill(message)
    page.get_by_role("button", name="Publish", exact=True).click()
    page.wait_for_load_state()


def publish_edit(studio: Studio) -> None:
    """Hale & Partners' name changed (so the history has a diff)."""
    name = ('"Hale & Partners LLP"', '"Hale, Osei & Partners LLP"')
    publish_through_history(studio, *name, "David Osei is a named partner from January")


def clients(studio: Studio, phone: bool) -> None:
    studio.open("mia", "/console/clients")


def status(studio: Studio, phone: bool) -> None:
    page = studio.open("mia", "/console/clients/hale_law")
    page.locator("form.status textarea").first.fill("in court until 3pm")
    page.locator("#until").fill(f"{next_monday():%Y-%m-%d}T15:00")
    page.get_by_role("button", name="Set the status").click()
    page.wait_for_load_state()


def portal_status(studio: Studio, phone: bool) -> None:
    page = studio.open("ann", "/console/clients/acme_plumbing", phone)
    notes = page.locator("form.status textarea")
    notes.nth(0).fill("Bob is at a job site until 3pm; the office takes messages")
    notes.nth(1).fill("Bob está en una obra hasta las 15:00; la oficina toma mensajes")
    page.get_by_role("button", name="Set the status").click()
    page.wait_for_load_state()


def history(studio: Studio, phone: bool) -> None:
    page = studio.open("mia", "/console/clients/hale_law/history")
    scroll_to(page, "section.version")


def refused(studio: Studio, phone: bool) -> None:
    publish_through_history(studio, "-> patch reception", "-> patch receptoin", "reception answers at lunch")


def new_client(studio: Studio, phone: bool) -> None:
    page = studio.open("mia", "/console/clients/new")
    page.get_by_label("Copy the rules of").select_option("acme_plumbing")
    page.get_by_label("New client's id").fill("bolt_plumbing")
    page.get_by_label("New client's name").fill("Bolt Plumbing & Drains")
    page.get_by_label("Numbers it is dialled on").fill("+13125550177, +13125550178")
    page.get_by_label("I have read the warnings").check()


def week(studio: Studio, phone: bool) -> None:
    page = studio.open("mia", "/console/clients/acme_plumbing/week")
    page.frame_locator("iframe.grid-frame").locator("h2").first.wait_for()
    time.sleep(0.5)


def preview(studio: Studio, phone: bool) -> None:
    page = studio.open("mia", "/console/clients/acme_plumbing/preview")
    scroll_to(page, "#diff-text")


def oncall(studio: Studio, phone: bool) -> None:
    page = studio.open("ann", "/console/clients/acme_plumbing/oncall", phone)
    saturday = datetime.combine(next_monday() + timedelta(days=5), datetime.min.time())
    page.get_by_label("Team", exact=True).select_option("plumbers")
    page.get_by_label("Person", exact=True).select_option(label="Front desk")
    page.get_by_label("From", exact=True).fill(f"{saturday:%Y-%m-%dT%H:%M}")
    page.get_by_label("To", exact=True).fill(f"{saturday + timedelta(days=2):%Y-%m-%dT%H:%M}")
    page.get_by_label("Reason").fill("Bob's daughter's wedding")
    page.get_by_role("button", name="Preview the swap").click()
    page.locator("#swap-preview").wait_for()
    page.wait_for_load_state("networkidle")
    scroll_to(page, "#swap-preview")


def audit(studio: Studio, phone: bool) -> None:
    studio.open("admin", "/console/audit")


def edit(studio: Studio, phone: bool) -> None:
    page = studio.open("mia", "/console/clients/comfort_air/edit")
    text = page.locator("#rules-file").input_value()
    page.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text.replace("-> patch dispatch", "-> patch dispach", 1))
    page.locator("#problems li").first.wait_for()
    line = page.locator(".cm-lintRange-error, .cm-lintRange-warning").first
    line.scroll_into_view_if_needed()
    line.hover()
    page.locator(".cm-tooltip").first.wait_for()


def try_call(studio: Studio, phone: bool) -> None:
    page = studio.open("mia", "/console/clients/acme_plumbing/try")
    saturday = next_monday() + timedelta(days=5)
    page.locator("#at").fill(f"{saturday:%Y-%m-%d}T23:15")
    page.locator("#forwarded").select_option("busy")
    page.locator("#language").select_option("es")
    page.locator("input[name='answer.type'][value='burst_pipe']").check()
    page.get_by_role("button", name="Decide").click()
    page.wait_for_load_state()
    scroll_to(page, "#decision")


def scenarios(studio: Studio, phone: bool) -> None:
    page = studio.open("mia", "/console/clients/acme_plumbing/scenarios")
    page.get_by_role("button", name="Run the scenarios").click()
    page.wait_for_load_state()
    scroll_to(page, "#results")


def requests(studio: Studio, phone: bool) -> None:
    studio.open("ann", "/console/clients/acme_plumbing/requests", phone)  # a 404 skips before asking
    studio.ask_closure()
    page = studio.open("ann", "/console/clients/acme_plumbing/requests", phone)
    scroll_to(page, "#list-heading")


def proposals(studio: Studio, phone: bool) -> None:
    studio.open("mia", "/console/proposals")
    studio.ask_closure()
    studio.open("mia", "/console/proposals")


def holidays(studio: Studio, phone: bool) -> None:
    studio.open("ann", "/console/clients/acme_plumbing/holidays", phone)


def report(studio: Studio, phone: bool) -> None:
    studio.open("ann", f"/console/clients/acme_plumbing/report?month={last_month():%Y-%m}", phone)


# In the order they are taken: the audit log last, so that it shows what the others did.
SHOTS = (
    Shot("clients", "The clients list, as an account manager sees it", "mia", clients),
    Shot("status", "A client's page, with a status until Monday afternoon", "mia", status),
    Shot("portal-status", "The owner's status, a note in English and one in Spanish", "ann", portal_status, True),
    Shot("history", "The history: a published edit with its diff, and rollback", "mia", history),
    Shot("refused", "A publish refused: the error, its line and column, the text kept", "mia", refused),
    Shot("new", "A new client from a copy of another", "mia", new_client),
    Shot("week", "The week: what callers hear hour by hour, and who is on call", "mia", week),
    Shot("preview", "Preview: the diff of a draft and the replay of last month's calls", "mia", preview),
    Shot("oncall", "On call: a weekend swap previewed before it is saved", "ann", oncall, True),
    Shot("edit", "The editor, with a diagnostic at its line", "mia", edit),
    Shot("try", "Try a call: the decision and the rules tried", "mia", try_call),
    Shot("scenarios", "Scenarios run against the draft: one fails on the reworded greeting", "mia", scenarios),
    Shot("requests", "The owner's closure request, with its diff", "ann", requests, True),
    Shot("proposals", "The approval queue of closure requests", "mia", proposals),
    Shot("holidays", "Holidays to confirm", "ann", holidays, True),
    Shot("report", "Last month's report", "ann", report, True),
    Shot("audit", "The audit log", "admin", audit),
)


# ---- making the service ---------------------------------------------------------------------


def rules_engine_command() -> str:
    return str(Path(sys.executable).parent / "rules-engine")


def make_home(home: Path) -> None:
    """The example rules, accounts, a decision log of recent calls and a draft of Acme's rules."""
    from rules_engine.console.db import SQLiteDatabase
    from rules_engine.console.drafts import Drafts
    from rules_engine.engine import Engine
    from rules_engine.outcomes import generate
    from rules_engine.runtime.decision_log_file import FileDecisionLog
    from rules_engine.runtime.stores import open_outcome_store

    shutil.copytree(ROOT / "client_configs", home / "rules")
    shutil.copytree(ROOT / "features", home / "features")  # beside the rules, as in the repository
    for name, role, clients in PEOPLE:
        command = [rules_engine_command(), "users", "add", name, f"--role={role}", f"--accounts={home / 'accounts.db'}"]
        command += [f"--client={client}" for client in clients]
        subprocess.run(command, input=f"{PASSWORD}\n", text=True, check=True, capture_output=True)
    log = FileDecisionLog(home / "decisions.jsonl")
    outcomes = open_outcome_store(home / "live.db")  # beside the live state, where `serve` reads them
    engine = Engine(home / "rules", decision_log=log)  # its own outcomes stay in memory: `write` stores them
    start = last_month()  # a whole month for the report; the replay reads the last 30 days
    days = (date.today() - start).days
    generate.write(outcomes, generate.history(engine, "acme_plumbing", start, days=days, seed=24))
    text = engine.client("acme_plumbing").source
    engine.close()
    log.close()
    outcomes.close()
    db = SQLiteDatabase(home / "accounts.db")
    Drafts(db).put("acme_plumbing", text.replace(CLOSED, REWORDED), "mia")
    db.close()
    (home / "service.yaml").write_text(
        "rules: rules\naccounts: accounts.db\nstore: live.db\ndecision_log: decisions.jsonl\n"
        "console_secure_cookies: false\n",
        encoding="utf-8",
    )


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def wait_until(check: Callable[[], Any], what: str, seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.1)
    raise SystemExit(f"{what} did not start within {seconds:.0f} s")


def small_png(png: bytes) -> bytes:
    """The screenshot reduced to a palette of at most 256 colours (fewer if still too big)."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    out = png
    for colours in (256, 128, 64):
        buffer = io.BytesIO()
        image.quantize(colors=colours, method=Image.Quantize.MEDIANCUT).save(buffer, "PNG", optimize=True)
        out = buffer.getvalue()
        if len(out) <= LIMIT:
            break
    return out


def take(studio: Studio, shot: Shot) -> list[str]:
    """Take one shot (twice for the portal's pages); the lines to print."""
    said = []
    for phone in (False, True) if shot.portal else (False,):
        name = f"console-{shot.name}{'-phone' if phone else ''}.png"
        try:
            shot.take(studio, phone)
        except Skipped as why:
            said.append(f"skipped {name}: {why}")
            break
        except Exception as error:  # a page that changed under the script: say which, go on with the others
            studio.failed.append(name)
            said.append(f"FAILED {name}: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
            break
        page = studio.page(shot.person, phone)
        image = small_png(page.screenshot())
        (DOCS / name).write_bytes(image)
        said.append(f"wrote docs/{name} ({len(image) // 1000} KB)  ![{shot.images()[name]}]({name})")
    return said


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", metavar="NAME", help="take only these shots (names below)")
    parser.add_argument("--list", action="store_true", help="list the shots' names and captions")
    options = parser.parse_args(argv)
    if options.list:
        for shot in SHOTS:
            print(f"{shot.name:15} {shot.caption}{' (and on a phone)' if shot.portal else ''}")
        return 0
    names = {shot.name for shot in SHOTS}
    unknown = set(options.only or ()) - names
    if unknown:
        parser.error(f"no such shot: {', '.join(sorted(unknown))} (--list names them)")
    chosen = [shot for shot in SHOTS if not options.only or shot.name in options.only]

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="screenshots-") as directory:
        home = Path(directory)
        make_home(home)
        port_file = home / "port"
        serve = [rules_engine_command(), "serve", f"--settings={home / 'service.yaml'}", "--port=0"]
        said = (home / "serve.log").open("w")
        service = subprocess.Popen([*serve, f"--port-file={port_file}"], stderr=said)
        try:
            try:
                port = int(wait_until(lambda: port_file.exists() and port_file.read_text().strip(), "the service"))
            except SystemExit:
                print((home / "serve.log").read_text()[-3000:], file=sys.stderr)  # why it did not start
                raise
            base = f"http://127.0.0.1:{port}"
            wait_until(lambda: answers(f"{base}/healthz"), "/healthz")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                studio = Studio(base, browser)
                publish_edit(studio)
                for shot in chosen:
                    for line in take(studio, shot):
                        print(line, flush=True)
                browser.close()
                if studio.failed:
                    print(f"{len(studio.failed)} shot(s) failed: {', '.join(studio.failed)}", file=sys.stderr)
                    return 1
        finally:
            service.terminate()
            service.wait(timeout=20)
            said.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
