"""The owner's status on a client's page: a note per caller language, set now or scheduled ahead,
until a time or until cleared, and saved templates ("In court", "On vacation") to apply again.

The form has one note field per language of the client's compiled file (its default language
first: that note is the one every caller whose language has no note of its own hears). Applying
a template only fills the form; setting the status is the owner's next click.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..caller_languages import name_of
from ..errors import RulesEngineError
from ..live import OwnerStatus
from ..schedule.clock import read_time, zone
from .status_templates import LABEL_MAX, PER_CLIENT, StatusTemplates
from .views import local
from .web import NotFound, address, redirect

if TYPE_CHECKING:
    from .context import Console

NOTE_MAX = 500


@dataclass(frozen=True)
class LanguageNote:
    tag: str
    name: str  # "Spanish"
    note: str  # as the form shows it (a template's, or the current status's)
    default: bool


@dataclass(frozen=True)
class StatusShown:
    """The status as the page shows it: set now, or scheduled ahead."""

    notes: list[LanguageNote]  # the note each language hears; "" → the default note
    until: str | None
    starts: str | None  # local time, when the status starts in the future
    instructions: str | None


def languages_of(console: Console, client: str) -> list[str]:
    """The client's languages, its default first (a file naming none: the engine's default)."""
    compiled = console.engine.client(client)
    return [language.value for language in compiled.languages] or [compiled.default_language]


def notes_of(status: OwnerStatus, languages: list[str]) -> list[LanguageNote]:
    return [
        LanguageNote(tag, name_of(tag), status.note if i == 0 else status.notes.get(tag, ""), i == 0)
        for i, tag in enumerate(languages)
    ]


def status_form(console: Console, client: str, request: Request) -> dict[str, Any]:
    """What client.html's status section needs beside the client's view: the status set (or
    scheduled), the form's notes (filled from `?template=ID` when given) and the templates."""
    languages = languages_of(console, client)
    templates = StatusTemplates(console.drafts.db).of(client)
    status = console.engine.live_state(client).status
    now = datetime.now(UTC)
    tz = zone(console.engine.client(client).timezone)
    shown = None
    if status is not None and (status.until is None or now < status.until):
        shown = StatusShown(
            notes=notes_of(status, languages),
            until=local(status.until, tz) if status.until else None,
            starts=local(status.starts, tz) if status.starts and status.starts > now else None,
            instructions=status.instructions,
        )
    chosen = request.query_params.get("template", "")
    applied = next((t for t in templates if str(t.id) == chosen), None)
    typed: dict[str, str] | None = getattr(request.state, "typed", None)  # a form refused: as it was typed
    if typed is not None:
        form = [LanguageNote(tag, name_of(tag), typed.get(tag, ""), i == 0) for i, tag in enumerate(languages)]
    elif applied is not None:
        form = [LanguageNote(tag, name_of(tag), applied.notes.get(tag, ""), i == 0) for i, tag in enumerate(languages)]
        if not form[0].note:  # a template saved for other languages: its default note
            form[0] = LanguageNote(form[0].tag, form[0].name, applied.default, True)
    else:  # the status set now, to change or to save as a template; else empty
        form = shown.notes if shown is not None else notes_of(OwnerStatus(note=""), languages)
    return {"shown": shown, "form_notes": form, "templates": templates, "applied": applied}


async def form_notes(request: Request, languages: list[str]) -> dict[str, str]:
    """The form's notes, language tag → note (stripped; empty ones left out), default first."""
    form = await request.form()
    notes = {}
    for i, tag in enumerate(languages):
        value = form.get("note" if i == 0 else f"note_{tag}")  # the default note: `note`, as before
        text = value.strip() if isinstance(value, str) else ""
        request.state.typed = {**getattr(request.state, "typed", {}), tag: text[:NOTE_MAX]}  # shown again on an error
        if len(text) > NOTE_MAX:
            raise RulesEngineError(f"A note has at most {NOTE_MAX} characters.")
        if text:
            notes[tag] = text
    if languages[0] not in notes:
        raise RulesEngineError(f"Write the note in {name_of(languages[0])}: what every caller is told by default.")
    return notes


async def form_text(request: Request, name: str) -> str:
    value = (await request.form()).get(name)
    return value.strip() if isinstance(value, str) else ""


def add_status(pages: APIRouter, console: Console, client_page) -> None:
    """`client_page(request, client, error, status_code)`: the client's page, shown again with
    what went wrong."""
    audit, engine = console.audit, console.engine
    templates = StatusTemplates(console.drafts.db)

    @pages.post("/clients/{client}/status")
    async def set_status(request: Request, client: str) -> Response:
        _, account, client = console.seeing(request, client)
        languages = languages_of(console, client)
        timezone = engine.client(client).timezone
        try:
            notes = await form_notes(request, languages)
            until, starts = await form_text(request, "until"), await form_text(request, "starts")
            ends = read_time(until, timezone, "until") if until else None
            begins = read_time(starts, timezone, "starts") if starts else None
            default = notes.pop(languages[0])
            engine.set_status(client, default, until=ends, notes=notes, starts=begins)
        except RulesEngineError as exc:
            return client_page(request, client, str(exc), 400)
        audit.record(
            account.name,
            "status_set",
            client,
            address(request),
            note=default,
            notes=notes,
            until=ends.isoformat() if ends else None,
            starts=begins.isoformat() if begins else None,
        )
        return redirect(f"/console/clients/{client}")

    @pages.post("/clients/{client}/status/clear")
    def clear_status(request: Request, client: str) -> Response:
        _, account, client = console.seeing(request, client)
        engine.clear_status(client)
        audit.record(account.name, "status_cleared", client, address(request))
        return redirect(f"/console/clients/{client}")

    @pages.post("/clients/{client}/status/templates")
    async def save_template(request: Request, client: str) -> Response:
        _, account, client = console.seeing(request, client)
        label = await form_text(request, "label")
        try:
            if not label:
                raise RulesEngineError("Give the template a label, such as “In court”.")
            if len(label) > LABEL_MAX:
                raise RulesEngineError(f"A label has at most {LABEL_MAX} characters.")
            notes = await form_notes(request, languages_of(console, client))
            known = {t.label for t in templates.of(client)}
            if label not in known and len(known) >= PER_CLIENT:
                raise RulesEngineError(f"A client keeps at most {PER_CLIENT} templates: delete one first.")
        except RulesEngineError as exc:
            return client_page(request, client, str(exc), 400)
        saved = templates.save(client, label, notes)
        audit.record(account.name, "status_template_saved", client, address(request), label=label, notes=notes)
        return redirect(f"/console/clients/{client}?template={saved.id}#status-form")  # the form as it was

    @pages.post("/clients/{client}/status/templates/{template}/delete")
    def delete_template(request: Request, client: str, template: int) -> Response:
        _, account, client = console.seeing(request, client)
        deleted = templates.delete(client, template)
        if deleted is None:
            raise NotFound
        audit.record(account.name, "status_template_deleted", client, address(request), label=deleted.label)
        return redirect(f"/console/clients/{client}")
