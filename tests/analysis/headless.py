"""Headless Chromium over its DevTools pipe: open a local page, collect its console errors, take a screenshot or print a PDF.

Chromium (Debian's `chromium`) is started with `--remote-debugging-pipe`: it reads DevTools
commands on file descriptor 3 and writes replies and events on 4, each a JSON message ended
by a NUL byte. No network, no extensions, a fresh profile each time. Errors are what a
developer console shows in red: `console.error` calls, uncaught exceptions, and log entries
of level error (a resource that failed to load, a blocked request).

A PDF is read back with poppler's `pdftotext` and `pdfinfo` (Debian's `poppler-utils`).

Run by hand: `python -m tests.analysis.headless PAGE.html SHOT.png [TOP]` (the docs' screenshots:
the page's first TOP pixels), or
`… PAGE.html PRINT.pdf` for the PDF a reader's "Save as PDF" makes.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-pipe",
)
TIMEOUT = 30.0  # seconds for the whole visit; a test never waits longer


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    def __init__(self, executable: str):
        self.profile = tempfile.mkdtemp(prefix="rules-engine-chromium-")
        to_browser, self.commands = os.pipe()
        self.replies, from_browser = os.pipe()

        def descriptors() -> None:  # in the child: the pipe ends become 3 and 4 (inheritable)
            ours = os.dup(to_browser), os.dup(from_browser)
            os.dup2(ours[0], 3)
            os.dup2(ours[1], 4)

        self.process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            preexec_fn=descriptors,
            close_fds=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser)
        os.close(from_browser)
        self.buffer = b""
        self.events: list[dict] = []
        self.next_id = 0
        self.deadline = time.monotonic() + TIMEOUT

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.commands, json.dumps(message).encode() + b"\0")
        reply = self.wait(lambda m: m.get("id") == self.next_id)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def wait(self, wanted) -> dict:
        while True:
            while b"\0" in self.buffer:
                raw, self.buffer = self.buffer.split(b"\0", 1)
                message = json.loads(raw)
                if wanted(message):
                    return message
                self.events.append(message)
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("chromium did not answer in time")
            ready, _, _ = select.select([self.replies], [], [], min(left, 0.5))
            if ready:
                chunk = os.read(self.replies, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium closed its DevTools pipe")
                self.buffer += chunk

    def close(self) -> None:
        try:
            os.write(self.commands, json.dumps({"id": 0, "method": "Browser.close"}).encode() + b"\0")
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        for fd in (self.commands, self.replies):
            os.close(fd)
        shutil.rmtree(self.profile, ignore_errors=True)


def errors_of(events: list[dict]) -> list[str]:
    found = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            found.append("console: " + " ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
        elif method == "Runtime.exceptionThrown":
            found.append("exception: " + params["exceptionDetails"].get("text", ""))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            found.append(f"log: {params['entry'].get('text')} {params['entry'].get('url', '')}".strip())
    return found


@contextmanager
def opened(page: Path, width: int = 1400, media: str = "screen") -> Iterator[tuple[Browser, str]]:
    """A browser with `page` (a local file) loaded, as `media` shows it, and its DevTools session."""
    executable = chromium()
    if executable is None:
        raise FileNotFoundError("chromium is not installed")
    browser = Browser(executable)
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Page"):
            browser.send(f"{domain}.enable", session=session)
        browser.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False},
            session,
        )
        browser.send("Emulation.setEmulatedMedia", {"media": media}, session)
        browser.send("Page.navigate", {"url": page.resolve().as_uri()}, session)
        if not any(e.get("method") == "Page.loadEventFired" for e in browser.events):
            browser.wait(lambda m: m.get("method") == "Page.loadEventFired")
        yield browser, session
    finally:
        browser.close()


def visit(page: Path, width: int = 1400, top: int | None = None) -> tuple[list[str], bytes]:
    """Open `page` (a local file): its console errors, and a PNG of the whole page (or its `top` pixels)."""
    with opened(page, width) as (browser, session):
        size = browser.send("Page.getLayoutMetrics", session=session)["cssContentSize"]
        if top is not None:
            size["height"] = min(size["height"], top)
        shot = browser.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": size["height"], "scale": 1},
            },
            session,
        )
        return errors_of(browser.events), base64.b64decode(shot["data"])


def print_pdf(page: Path) -> bytes:
    """`page` printed to PDF as a reader's "Save as PDF" does: print styles, backgrounds kept."""
    with opened(page, media="print") as (browser, session):
        printed = browser.send("Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True}, session)
        return base64.b64decode(printed["data"])


def pdf_text(pdf: bytes) -> str:
    """The text a reader of the PDF sees (poppler's `pdftotext`, in reading order)."""
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def pdf_pages(pdf: bytes) -> int:
    done = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    return int(next(line.split()[-1] for line in done.stdout.decode().splitlines() if line.startswith("Pages:")))


if __name__ == "__main__":
    if sys.argv[2].endswith(".pdf"):
        Path(sys.argv[2]).write_bytes(print_pdf(Path(sys.argv[1])))
        print(f"PDF written to {sys.argv[2]}")
    else:
        problems, png = visit(Path(sys.argv[1]), top=int(sys.argv[3]) if len(sys.argv) > 3 else None)
        Path(sys.argv[2]).write_bytes(png)
        print("\n".join(problems) or "no console errors", f"({len(png)} bytes written to {sys.argv[2]})")
