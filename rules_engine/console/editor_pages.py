"""The rule file's editor (`/console/clients/ID/edit`), its diagnostics as you type, and the
pages beside it that read the same draft: try a call (`try_pages.py`) and the scenarios
(`scenario_pages.py`). Account managers and admins only: a client account gets 404.

The editor posts the text to `/console/api/clients/ID/diagnostics` as you type: the answer is
what `rules-engine check` says of it — at once the compiler's checks, then, asked again with
`"complete": true` when typing stops, the warnings over time too (`editor_checks.py`) — and
the names the file defines for completion (from the last text that compiled when this one
does not). The same request
saves the draft (an autosave), so every page and every instance reads what the editor shows;
a save names the draft it started from (`base`), and one that would overwrite someone else's
newer save is refused and said (`drafts.DraftConflict`), with the checks answered as usual.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ..errors import Diagnostic
from .context import Console, json_response
from .drafts import Draft, DraftConflict, Kind, is_draft_time
from .editor_checks import FullChecks, quick
from .editor_texts import MAX_TEXT_BYTES, Shown, names_of, text_of
from .scenario_pages import add_scenarios
from .try_pages import add_try
from .web import HEADERS, address, render

# An autosave is written to the audit log once per person and stretch of editing: when the
# draft was someone else's, or last saved longer ago than this.
AUDIT_GAP = timedelta(minutes=30)


def add_editor(pages: APIRouter, console: Console) -> None:
    engine = console.engine
    last_names: dict[str, dict[str, object]] = {}  # per client: the names of the last text that compiled
    full = FullChecks(console.publisher)

    @pages.get("/clients/{client}/edit")
    def edit(request: Request, client: str) -> Response:
        session, _, client = console.managing(request, client)
        text = text_of(console.drafts, engine, client)
        return render(
            request,
            "editor_edit.html",
            session,
            client=Shown.of(engine.client(client)),
            text=text.text,
            saved=text.saved,
            base=text.base,
        )

    @pages.post("/api/clients/{client}/diagnostics")
    async def diagnostics(request: Request, client: str) -> Response:
        _, account, client = console.managing(request, client)
        body = await json_body(request)
        if isinstance(body, Response):
            return body
        text = body.text
        # compiling takes the CPU for tens of ms, the checks over time for seconds: never on the event loop
        checked, found = await run_in_threadpool(quick, console.publisher, client, text)
        if body.complete and not checked.errors:
            checked = await run_in_threadpool(full.check, client, text)
        if found is not None and found.id == client:
            last_names[client] = names_of(found)
        names = last_names.get(client) or names_of(engine.client(client))
        answer: dict[str, Any] = {
            "diagnostics": [as_json(d) for d in checked.diagnostics],
            "complete": body.complete or bool(checked.errors),
            "names": names,
        }
        if body.save:
            try:
                draft = await run_in_threadpool(save_draft, request, account.name, client, body, "rules")
            except DraftConflict as conflict:
                answer["conflict"] = conflict.told_to(account.name)
            else:
                answer["saved"] = saved_json(draft)
        return json_response(answer)

    @pages.post("/api/clients/{client}/drafts/feature")
    async def save_feature(request: Request, client: str) -> Response:
        _, account, client = console.managing(request, client)
        body = await json_body(request)
        if isinstance(body, Response):
            return body
        try:
            draft = await run_in_threadpool(save_draft, request, account.name, client, body, "feature")
        except DraftConflict as conflict:
            return problem(409, conflict.told_to(account.name))
        return json_response({"saved": saved_json(draft)})

    def save_draft(request: Request, author: str, client: str, body: Posted, kind: Kind) -> Draft:
        before = console.drafts.get(client, kind)
        draft = console.drafts.put(client, body.text, author, kind, base=body.base)
        if before is None or before.author != author or stale(before.updated):
            console.audit.record(author, "draft_saved", client, address(request), kind=kind)
        return draft

    add_try(pages, console)
    add_scenarios(pages, console)


def stale(updated: str) -> bool:
    return datetime.now(UTC) - datetime.fromisoformat(updated) > AUDIT_GAP


class Posted(NamedTuple):
    """What the editor posts: the text, whether to save it as the draft and to make the
    complete check, and the draft it started from (`base`: its `updated`, "" for none; absent,
    None: saved whatever is there)."""

    text: str
    save: bool
    complete: bool
    base: str | None


async def json_body(request: Request) -> Posted | Response:
    """`text`, `save` (default true), `complete` (default false) and `base` of a JSON body; a
    413 or 400 JSON answer otherwise."""
    if not request.headers.get("content-type", "").startswith("application/json"):
        return problem(415, 'send JSON: {"text": "…"}')
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_TEXT_BYTES + 1024:
        return too_large()
    raw = await request.body()  # the service's limits stop a body over MAX_BODY_BYTES (mount.py) before it is read
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return problem(400, 'send JSON: {"text": "…"}')
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        return problem(400, 'send JSON: {"text": "…"}')
    text, base = body["text"], body.get("base")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES:
        return too_large()
    if base is not None and not is_draft_time(base):
        return problem(400, '"base" is the time of the draft the text started from, or ""')
    return Posted(text, body.get("save", True) is not False, body.get("complete") is True, base)


def too_large() -> Response:
    return problem(413, f"the text is larger than {MAX_TEXT_BYTES // 1024} KB: nothing was checked or saved")


def problem(status: int, message: str) -> Response:
    return Response(json.dumps({"error": message}), status_code=status, media_type="application/json", headers=HEADERS)


def as_json(d: Diagnostic) -> dict[str, object]:
    return {"severity": d.severity, "line": d.line, "column": d.column, "message": d.message, "hint": d.hint}


def saved_json(draft: Draft) -> dict[str, str]:
    return {"author": draft.author, "at": draft.updated, "text": f"saved {draft.updated[11:16]} UTC by {draft.author}"}
