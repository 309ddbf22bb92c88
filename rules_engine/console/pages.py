"""The console's pages and its JSON for people's browsers, under /console.

Account managers and admins get the clients list and the audit log; everyone gets the pages
of the clients they may see (a client account: its own). Another client's page, its JSON or
its form answers exactly as a client that does not exist: 404, the same words.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from . import audit as audit_export
from .context import Console, json_response
from .editor_pages import add_editor
from .history_view import last_publish
from .portal_pages import add_portal
from .publish_pages import add_publish
from .status_pages import add_status, status_form
from .views import client_view, status_until
from .web import (
    HEADERS,
    address,
    check_csrf,
    redirect,
    render,
    session_of,
    signed_in,
    with_cookie,
    without_cookie,
)
from .week_pages import add_week

# The login rate limit: failed log-ins counted in the audit log over the last WINDOW.
WINDOW = timedelta(minutes=15)
PER_ACCOUNT = 5
PER_ADDRESS = 20


def router(console: Console) -> APIRouter:
    async def csrf(request: Request) -> None:
        await check_csrf(request, console.sessions)

    pages = APIRouter(prefix="/console", include_in_schema=False, dependencies=[Depends(csrf)])
    add_login(pages, console)
    add_publish(pages, console)  # before add_clients: /clients/new is not a client
    add_clients(pages, console)
    add_audit(pages, console)
    add_week(pages, console)
    add_portal(pages, console)
    add_editor(pages, console)
    return pages


def add_login(pages: APIRouter, console: Console) -> None:
    sessions, audit = console.sessions, console.audit

    @pages.get("")
    def home(request: Request) -> Response:
        _, account = signed_in(request, sessions)
        if account.role == "client":
            return redirect(f"/console/clients/{account.clients[0]}")
        return redirect("/console/clients")

    @pages.get("/login")
    def login_form(request: Request) -> Response:
        session = session_of(request, sessions)
        if session is not None and session.account is not None:
            return redirect("/console")
        if session is not None:
            return render(request, "login.html", session, error=None, name="")
        value, session = sessions.start(None)  # anonymous: it holds the login form's CSRF token
        return with_cookie(render(request, "login.html", session, error=None, name=""), sessions, value)

    @pages.post("/login")
    def login(request: Request, name: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "") -> Response:
        session = session_of(request, sessions)
        where = address(request)
        name = name.strip().lower()[:64]
        if audit.count("login_failed", WINDOW, actor=name) >= PER_ACCOUNT or (
            audit.count("login_failed", WINDOW, address=where) >= PER_ADDRESS
        ):
            audit.record(name, "login_refused", address=where, why="too many failed log-ins")
            message = "Too many failed log-ins for this account or from this address: try again in 15 minutes."
            return render(request, "login.html", session, 429, error=message, name=name)
        account = console.accounts.verify(name, password)
        if account is None:
            audit.record(name, "login_failed", address=where)
            return render(request, "login.html", session, 401, error="Wrong name or password.", name=name)
        if session is not None:
            sessions.end(session.key)  # the id used before logging in is never used after it
        value, _ = sessions.start(account)
        sessions.sweep()
        audit.record(account.name, "login", address=where, role=account.role)
        return with_cookie(redirect("/console"), sessions, value)

    @pages.post("/logout")
    def logout(request: Request) -> Response:
        session, account = signed_in(request, sessions)
        sessions.end(session.key)
        audit.record(account.name, "logout", address=address(request))
        return without_cookie(redirect("/console/login"), sessions)


def add_clients(pages: APIRouter, console: Console) -> None:
    engine = console.engine

    @pages.get("/clients")
    def clients(request: Request, q: str = Query("", max_length=200)) -> Response:
        session, account = console.manager(request)
        views = [client_view(engine, c, until=False) for c in console.visible(account)]
        shown = [v for v in views if v.matches(q)] if q.strip() else views
        newest = console.publisher.last_publishes()
        published = {v.id: last_publish(newest.get(v.id), v.timezone) for v in shown}
        return render(request, "clients.html", session, clients=shown, query=q, total=len(views), published=published)

    def client_page(request: Request, client: str, error: str | None = None, status_code: int = 200) -> Response:
        session, _, client = console.seeing(request, client)
        view = client_view(engine, client)
        return render(
            request,
            "client.html",
            session,
            status_code,
            client=view,
            until=status_until(view.status, view.timezone),
            error=error,
            **status_form(console, view.id, request),
        )

    @pages.get("/clients/{client}")
    def client(request: Request, client: str) -> Response:
        return client_page(request, client)

    add_status(pages, console, client_page)  # the status form, its templates (status_pages.py)

    @pages.get("/api/clients")
    def clients_json(request: Request) -> Response:
        _, account = signed_in(request, console.sessions)
        body = [{"id": c, "rules_version": engine.client(c).rules_version} for c in console.visible(account)]
        return json_response(body)

    @pages.get("/api/clients/{client}/state")
    def state_json(request: Request, client: str) -> Response:
        _, _, client = console.seeing(request, client)
        state = engine.live_state(client)
        return json_response(
            {
                "client": client,
                "status": state.status.as_json() if state.status else None,
                "overrides": [o.model_dump(mode="json") for o in state.overrides],
            }
        )


def add_audit(pages: APIRouter, console: Console) -> None:
    @pages.get("/audit")
    def audit_log(request: Request, format: str = Query("html", pattern="^(html|csv|json)$")) -> Response:
        session, account = console.manager(request)
        scope = None if account.all_clients else account.clients
        entries = console.audit.entries(scope, account.name)
        if format == "csv":
            return Response(
                audit_export.as_csv(entries),
                media_type="text/csv; charset=utf-8",
                headers={**HEADERS, "Content-Disposition": 'attachment; filename="audit.csv"'},
            )
        if format == "json":
            return json_response([asdict(e) for e in entries])
        return render(request, "audit.html", session, entries=entries)
