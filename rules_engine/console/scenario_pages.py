"""The scenarios (`/console/clients/ID/scenarios`): the client's Gherkin feature in the editor
(saved as a draft of kind "feature" as you type), and a run of it against the draft rule file
or the published one: each scenario passed or failed, with the failing step's message, and
the rule coverage `rules-engine test --coverage` reports.

Each run is a process of its own (`scenario_runner.py`) in a directory of its own holding the
feature and the one rule file, with a time limit; at most `RUNS_AT_ONCE` run at a time.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from .context import Console
from .drafts import DraftConflict, is_draft_time
from .editor_texts import MAX_TEXT_BYTES, Shown, Text, published, text_of
from .web import address, render

RUN_SECONDS = 60
RUNS_AT_ONCE = 2
# `Given the rules in "PATH"` would read a file of the server's choosing
ELSEWHERE = re.compile(r"^\s*(?:Given|And|But|When|Then|\*)\s+the rules in\b", re.MULTILINE)


class ScenarioError(Exception):
    def __init__(self, message: str, status: int = 503):  # 503: busy, too slow, or cannot run
        super().__init__(message)
        self.status = status


_running = threading.BoundedSemaphore(RUNS_AT_ONCE)


def run_scenarios(client: str, feature: str, rules: str) -> dict[str, Any]:
    """Run `feature` against `rules` as `client`'s file, in a process of its own."""
    if ELSEWHERE.search(feature):
        raise ScenarioError(
            "`Given the rules in …` is for the command line: here the scenarios run against this client's file",
            400,
        )
    if not _running.acquire(blocking=False):
        raise ScenarioError("other scenario runs are under way: try again in a minute")
    try:
        with tempfile.TemporaryDirectory(prefix="rules-engine-console-") as tmp:
            root = Path(tmp)
            (root / "rules").mkdir()
            (root / "rules" / f"{client}.rules").write_text(rules, encoding="utf-8")
            (root / f"{client}.feature").write_text(feature, encoding="utf-8")
            try:
                done = subprocess.run(
                    [sys.executable, "-m", "rules_engine.console.scenario_runner", f"{client}.feature", "rules"],
                    cwd=root,
                    capture_output=True,
                    text=True,
                    timeout=RUN_SECONDS,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                raise ScenarioError(f"the scenarios took longer than {RUN_SECONDS} s and were stopped") from None
    finally:
        _running.release()
    lines = done.stdout.strip().splitlines()
    try:
        result: dict[str, Any] = json.loads(lines[-1])
    except (IndexError, ValueError):
        raise ScenarioError("the scenarios could not be run (is the `scenarios` extra installed?)") from None
    return result


def add_scenarios(pages: APIRouter, console: Console) -> None:
    engine = console.engine

    def page(request: Request, session, client: str, feature: str, **values: Any) -> Response:
        served = engine.client(client)
        shown = Text(feature, console.drafts.get(client, "feature"))
        values.setdefault("base", shown.base)  # a refused save keeps the page's own: the next run is refused too
        return render(
            request,
            "editor_scenarios.html",
            session,
            values.pop("status_code", 200),
            client=Shown.of(served),
            feature=feature,
            saved=shown.saved,
            has_draft=console.drafts.get(client) is not None,
            **{"result": None, "error": None, "source": "draft", **values},
        )

    @pages.get("/clients/{client}/scenarios")
    def scenarios(request: Request, client: str) -> Response:
        session, _, client = console.managing(request, client)
        return page(request, session, client, text_of(console.drafts, engine, client, "feature").text)

    @pages.post("/clients/{client}/scenarios")
    async def run(request: Request, client: str) -> Response:
        session, account, client = console.managing(request, client)
        form = await request.form()
        feature = str(form.get("feature") or "")
        source = "published" if form.get("source") == "published" else "draft"
        if len(feature.encode()) > MAX_TEXT_BYTES:
            return page(request, session, client, "", error="The feature file is too large.", status_code=413)
        sent = form.get("base")  # the draft the page showed (kept current by the editor's saves)
        base = sent if isinstance(sent, str) else None
        if sent is not None and (base is None or not is_draft_time(base)):
            return page(
                request, session, client, feature, error="The form is out of date: reload the page.", status_code=400
            )
        if feature != text_of(console.drafts, engine, client, "feature").text:
            try:
                console.drafts.put(client, feature, account.name, "feature", base=base)
            except DraftConflict as conflict:
                told = f"Not run: {conflict.told_to(account.name)}."
                return page(request, session, client, feature, error=told, source=source, base=base, status_code=409)
            console.audit.record(account.name, "draft_saved", client, address(request), kind="feature")
        rules = (
            text_of(console.drafts, engine, client).text if source == "draft" else published(engine, client, "rules")
        )
        try:
            result = await run_in_threadpool(run_scenarios, client, feature, rules)
        except ScenarioError as exc:
            return page(request, session, client, feature, error=str(exc), source=source, status_code=exc.status)
        return page(request, session, client, feature, result=result, source=source)
