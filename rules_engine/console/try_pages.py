"""Try a call (`/console/clients/ID/try`): decide one made-up call against the draft or the
published file, as `rules-engine decide` does, and show the decision with the line of the rule
file behind each part (a link into the editor at that line).

A tried call is a what-if: the decision is made from the client's plan and a copy of its live
state (with the status note typed on the form, if any), never through `Engine.decide`, so
nothing is written to the live state or the decision log. A call id from the decision log
fills the form with that call (and the status it met), to reproduce a complaint.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from .. import model as m
from ..decide.call import Call
from ..decide.decider import Decider
from ..decide.plan import ClientPlan
from ..errors import RulesEngineError
from ..live import OwnerStatus
from ..runtime.catalog import PlannedClient
from ..schedule.clock import read_time, zone
from .context import Console
from .drafted import choose
from .editor_texts import Shown
from .status_pages import NOTE_MAX
from .web import render

FIELD_MAX = 200


@dataclass
class Tried:
    """The form's values, as typed (or read from a logged call)."""

    at: str
    forwarded: str = "unknown"
    caller: str = ""
    number: str = ""
    language: str = ""
    status: str = ""
    source: str = "draft"
    call_id: str = ""
    answers: dict[str, str] = field(default_factory=dict)


def questions(client: m.Client) -> list[dict[str, Any]]:
    """One entry per field the client's scripts ask: its prompt, its choices, whether a number."""
    found: dict[str, dict[str, Any]] = {}
    for script in client.scripts.values():
        for step in script.steps:
            if not isinstance(step, m.Ask):
                continue
            entry = found.setdefault(step.field, {"field": step.field, "choices": [], "number": None, "phone": False})
            entry["choices"].extend(c.value for c in step.choices or () if c.value not in entry["choices"])
            if step.number is not None:
                entry["number"] = step.number
            entry["phone"] = entry["phone"] or step.phone
    return list(found.values())


def add_try(pages: APIRouter, console: Console) -> None:
    engine = console.engine

    def page(request: Request, session, client: str, tried: Tried, **values: Any) -> Response:
        served = engine.client(client)
        draft = console.drafts.get(client)
        # the form offers what either file has: a language or a question the draft adds is tried too
        drafted = choose(console.drafts, served, "draft").client if draft else None
        shown = Shown.of(served)
        if drafted is not None:
            ours = Shown.of(drafted)
            shown = replace(
                shown,
                numbers=list(dict.fromkeys(shown.numbers + ours.numbers)),
                languages=list(dict.fromkeys(shown.languages + ours.languages)),
            )
        asked = {q["field"]: q for q in questions(served)}
        asked.update({q["field"]: q for q in questions(drafted)} if drafted is not None else {})
        return render(
            request,
            "editor_try.html",
            session,
            values.pop("status_code", 200),
            client=shown,
            reasons=m.FORWARDING_REASONS,
            questions=list(asked.values()),
            tried=tried,
            has_draft=draft is not None,
            **{"decision": None, "error": None, "logged": None, **values},
        )

    @pages.get("/clients/{client}/try")
    def try_form(request: Request, client: str) -> Response:
        session, _, client = console.managing(request, client)
        now = datetime.now(UTC).astimezone(zone(engine.client(client).timezone))
        return page(request, session, client, Tried(at=now.strftime("%Y-%m-%dT%H:%M")))

    @pages.post("/clients/{client}/try")
    async def try_call(request: Request, client: str) -> Response:
        session, _, client = console.managing(request, client)
        form = await request.form()
        value = lambda name, most=FIELD_MAX: str(form.get(name) or "").strip()[:most]  # noqa: E731
        tried = Tried(
            at=value("at"),
            forwarded=value("forwarded") or "unknown",
            caller=value("caller"),
            number=value("number"),
            language=value("language"),
            status=value("status", NOTE_MAX),
            source="published" if value("source") == "published" else "draft",
            call_id=value("call_id"),
            answers={k[7:]: str(v).strip()[:FIELD_MAX] for k, v in form.items() if k.startswith("answer.") and v},
        )
        # compiling a draft, planning it and reading the log take the CPU: never on the event loop
        return await run_in_threadpool(decided, request, session, client, tried)

    def decided(request: Request, session, client: str, tried: Tried) -> Response:
        logged = None
        try:
            if tried.call_id:
                logged = from_log(engine, client, tried)
            planned = planned_of(console, client, tried.source)
            decision = decide(engine, planned, tried)
        except RulesEngineError as exc:
            return page(request, session, client, tried, error=str(exc), status_code=400, logged=logged)
        return page(request, session, client, tried, decision=decision.to_dict(), logged=logged)


def planned_of(console: Console, client: str, source: str) -> PlannedClient:
    """The client as the draft says (planned for this call) or as it is served; a draft that does
    not compile is told by its first error."""
    served = console.engine.client(client)
    chosen = choose(console.drafts, served, "published" if source == "published" else "draft")
    if chosen.client is served:
        return PlannedClient(served, console.engine.plan(client))
    if chosen.client is None:
        first, more = chosen.errors[0], len(chosen.errors) - 1
        raise RulesEngineError(
            f"the draft cannot decide a call: line {first.line}, column {first.column}: {first.message}"
            + (f" (and {more} more error(s): see the editor)" if more else "")
        )
    return PlannedClient(chosen.client, ClientPlan.of(chosen.client))


def decide(engine, planned: PlannedClient, tried: Tried):
    client = planned.client
    at = read_time(tried.at or "now", client.timezone, "at")
    call = planned.checked(
        Call(
            client=client.id,
            number=tried.number or None,
            at=at,
            forwarded=tried.forwarded,
            caller=tried.caller or None,
            language=tried.language or None,
            answers=tried.answers,
        )
    )
    live = engine.live_state(client.id)  # a copy: changing it changes nothing served
    if tried.status:
        live = live.model_copy(update={"status": OwnerStatus(note=tried.status)})
    return Decider(planned.plan, call, live, engine.default_language).decision()


def from_log(engine, client: str, tried: Tried) -> dict[str, Any]:
    """Fill `tried` with the call logged under its call id (and the status it met); the logged
    decision, for the page to set beside the new one. Another client's call is not found."""
    try:
        found = engine.explain(tried.call_id)
    except RulesEngineError as exc:
        raise RulesEngineError(f"cannot read the decision log: {exc}") from None
    if found is None or found.record.get("client") != client:
        raise RulesEngineError(f"no call `{tried.call_id}` of this client in the decision log")
    call, decision = found.record.get("call") or {}, found.record.get("decision") or {}
    tried.at = str(call.get("at", tried.at))
    tried.forwarded = str(call.get("forwarded", "unknown"))
    tried.caller = str(call.get("caller") or "")
    tried.number = str(call.get("number") or "")
    tried.language = str(call.get("language") or "")
    tried.answers = {str(k): str(v) for k, v in (call.get("answers") or {}).items()}
    status = decision.get("status")
    tried.status = str(status.get("note") or "") if isinstance(status, dict) else ""
    tried.source = "published"
    return found.record
