"""Publishing from the console: publish a text, read a client's history and roll back to an
older version, and onboard a new client from a copy of another's rules.

Admins and account managers only: a client account gets the same 404 as for a client that
does not exist. A refused publish (errors, or warnings not acknowledged) answers 400 with a
page listing every diagnostic and the text kept in the form, so nothing typed is lost.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from ..errors import RulesEngineError
from .context import Console
from .history_view import history_views
from .onboarding import OnboardingError, copy_text, numbers_of
from .publishing import Checked, PublishRefused
from .views import client_view
from .web import NotFound, address, redirect, render

TEXT_MAX = 512 * 1024  # characters: the largest example is a few kilobytes
MESSAGE_MAX = 500
HISTORY_LIMIT = 200


def add_publish(pages: APIRouter, console: Console) -> None:
    publisher, engine = console.publisher, console.engine

    def refused(request: Request, session, client: str, exc: PublishRefused | str, form: dict) -> Response:
        checked = exc.checked if isinstance(exc, PublishRefused) else Checked(())
        return render(
            request,
            "publish_refused.html",
            session,
            400,
            client=client_view(engine, client, until=False),
            reason=str(exc),
            errors=checked.errors,
            warnings=checked.warnings,
            form=form,
        )

    @pages.get("/clients/new")
    def new_client_form(request: Request) -> Response:
        session, account = console.manager(request)
        blank = {"source": "", "id": "", "name": "", "numbers": "", "acknowledge": ""}
        return new_client_page(request, session, account, blank, None, (), 200)

    def new_client_page(request, session, account, form, error, diagnostics, status_code) -> Response:
        return render(
            request,
            "publish_new.html",
            session,
            status_code,
            clients=[client_view(engine, c, until=False) for c in console.visible(account)],
            form=form,
            error=error,
            diagnostics=diagnostics,
        )

    @pages.post("/clients/new")
    def new_client(
        request: Request,
        source: Annotated[str, Form(max_length=64)] = "",
        id: Annotated[str, Form(max_length=64)] = "",
        name: Annotated[str, Form(max_length=200)] = "",
        numbers: Annotated[str, Form(max_length=2000)] = "",
        acknowledge: Annotated[str, Form(max_length=10)] = "",
    ) -> Response:
        session, account = console.manager(request)
        form = {"source": source, "id": id.strip(), "name": name, "numbers": numbers, "acknowledge": acknowledge}
        new_id = id.strip()
        try:
            copied = engine.client(console.client_of(account, source))
            if not engine.path.is_dir():
                raise OnboardingError("This service serves one rule file: a new client needs a rules directory.")
            if new_id in engine.clients or publisher.file_of(new_id).exists() or new_id == "new":
                raise OnboardingError(f"There is already a client `{new_id}`: choose another id.")
            text = copy_text(copied, new_id, name, numbers_of(numbers))
            version = publisher.publish(
                new_id,
                text,
                account.name,
                f"New client, copied from {copied.id}",
                acknowledged=bool(acknowledge),
                address=address(request),
            )
        except NotFound:
            return new_client_page(request, session, account, form, "Choose a client to copy.", (), 400)
        except PublishRefused as exc:
            diagnostics = (*exc.checked.errors, *exc.checked.warnings)
            return new_client_page(request, session, account, form, str(exc), diagnostics, 400)
        except RulesEngineError as exc:
            return new_client_page(request, session, account, form, str(exc), (), 400)
        if not account.all_clients:  # a manager of some clients looks after the ones they make
            console.accounts.assign(account.name, new_id)
            console.audit.record(account.name, "account_assigned", new_id, address(request), account=account.name)
        return redirect(f"/console/clients/{new_id}/history?published={version.number}")

    @pages.get("/clients/{client}/history")
    def history(request: Request, client: str, published: int | None = Query(None, ge=1)) -> Response:
        session, _, client = console.managing(request, client)
        view = client_view(engine, client, until=False)
        versions = publisher.history(client, HISTORY_LIMIT)
        older = publisher.version(client, versions[-1].number - 1) if versions else None
        draft = console.drafts.get(client)
        return render(
            request,
            "publish_history.html",
            session,
            client=view,
            versions=history_views(versions, view.timezone, older),
            published=published if versions and published and published <= versions[0].number else None,
            text=draft.text if draft else view.source,
            draft=draft,
        )

    @pages.post("/clients/{client}/publish")
    def publish(
        request: Request,
        client: str,
        text: Annotated[str, Form()] = "",
        message: Annotated[str, Form()] = "",
        acknowledge: Annotated[str, Form(max_length=10)] = "",
    ) -> Response:
        session, account, client = console.managing(request, client)
        text, message = text.replace("\r\n", "\n"), message.strip()
        form = {"action": "publish", "text": text, "message": message}
        if len(text) > TEXT_MAX or len(message) > MESSAGE_MAX:
            limit = f"A rule file has at most {TEXT_MAX} characters, a message {MESSAGE_MAX}."
            return refused(request, session, client, limit, form)
        try:
            version = publisher.publish(
                client, text, account.name, message, acknowledged=bool(acknowledge), address=address(request)
            )
        except PublishRefused as exc:
            return refused(request, session, client, exc, form)
        console.drafts.discard(client)
        return redirect(f"/console/clients/{client}/history?published={version.number}")

    @pages.post("/clients/{client}/rollback")
    def rollback(
        request: Request,
        client: str,
        number: Annotated[int, Form(ge=1)],
        acknowledge: Annotated[str, Form(max_length=10)] = "",
    ) -> Response:
        session, account, client = console.managing(request, client)
        if publisher.version(client, number) is None:
            raise NotFound
        form = {"action": "rollback", "number": number}
        try:
            version = publisher.rollback(
                client, number, account.name, acknowledged=bool(acknowledge), address=address(request)
            )
        except PublishRefused as exc:
            return refused(request, session, client, exc, form)
        return redirect(f"/console/clients/{client}/history?published={version.number}")
