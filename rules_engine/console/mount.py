"""Puts the console on the service's application: its routes, its files, its error pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from ..engine import Engine
from .accounts import Accounts
from .audit import Audit
from .context import Console
from .db import Database, open_database
from .editor_texts import MAX_BODY_BYTES
from .fleet import Follower, reconcile
from .pages import router
from .sessions import Sessions
from .web import LoginNeeded, NotFound, Refused, redirect, render, session_of


class Mounted:
    """The console's database as the service holds it, with the thread that follows what other
    instances publish: closing it stops the thread, then closes the database."""

    def __init__(self, db: Database, follower: Follower):
        self.db, self.follower, self.where = db, follower, db.where

    def execute(self, statement: str, values: tuple[Any, ...] = ()) -> int:
        return self.db.execute(statement, values)

    def rows(self, statement: str, values: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self.db.rows(statement, values)

    def close(self) -> None:
        self.follower.close()
        self.db.close()


def mount(app: FastAPI, engine: Engine, location: Path | str, secure_cookies: bool = True) -> Mounted:
    """Serve the console on `app`, its accounts kept at `location`; the caller closes what is
    returned (the database and the follower) when the service stops.

    The history is first made to start with what serves (`fleet.reconcile`), then a
    `Follower` keeps this instance's files up with what other instances publish."""
    db = open_database(location)
    accounts = Accounts(db)
    sessions = Sessions(db, accounts, secure_cookies)
    console = Console(engine, accounts, sessions, Audit(db), db)
    try:
        reconcile(console.publisher)
        follower = Follower(db, engine, console.publisher).start()
    except BaseException:
        db.close()
        raise
    app.include_router(router(console))
    app.state.limits = app.state.limits.allowing("/console/", MAX_BODY_BYTES)
    app.mount("/console/static", StaticFiles(packages=[("rules_engine.console", "static")]), name="console-static")

    @app.exception_handler(LoginNeeded)
    async def _login(request: Request, exc: LoginNeeded) -> Response:
        return redirect("/console/login")

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> Response:
        return render(request, "error.html", session_of(request, sessions), 404, message="There is no such page here.")

    @app.exception_handler(Refused)
    async def _refused(request: Request, exc: Refused) -> Response:
        message = "This form has expired or did not come from the console: reload the page and try again."
        return render(request, "error.html", session_of(request, sessions), 403, message=message)

    return Mounted(db, follower)
