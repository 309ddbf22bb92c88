"""What every page of the console shares: the `Console` (the engine, accounts, sessions, audit
log, drafts and publisher) and how a page answers JSON. A module of its own, so that each
area's pages (`*_pages.py`) import it without importing the router that mounts them."""

from __future__ import annotations

import json

from fastapi import Request
from fastapi.responses import Response

from ..engine import Engine
from .accounts import Account, Accounts
from .audit import Audit
from .db import Database
from .drafts import Drafts
from .publishing import Publisher
from .sessions import Session, Sessions
from .web import HEADERS, NotFound, signed_in


class Console:
    """What the pages share: the engine, the accounts, the sessions, the audit log, drafts and
    the publisher (`publishing.py`)."""

    def __init__(self, engine: Engine, accounts: Accounts, sessions: Sessions, audit: Audit, db: Database):
        self.engine, self.accounts, self.sessions, self.audit = engine, accounts, sessions, audit
        self.drafts = Drafts(db)
        self.publisher = Publisher(db, engine, audit)

    def visible(self, account: Account) -> list[str]:
        return [c for c in sorted(self.engine.clients) if account.sees(c)]

    def client_of(self, account: Account, client: str) -> str:
        """`client` if this person may see it; else NotFound, as for a client not served."""
        if client not in self.engine.clients or not account.sees(client):
            raise NotFound
        return client

    def seeing(self, request: Request, client: str) -> tuple[Session, Account, str]:
        """The signed-in person's session and account, and `client` if they may see it (else
        NotFound); not signed in: `LoginNeeded`."""
        session, account = signed_in(request, self.sessions)
        return session, account, self.client_of(account, client)

    def manager(self, request: Request) -> tuple[Session, Account]:
        """The signed-in admin's or account manager's session and account; a client's account
        gets NotFound: the account managers' pages are, to an owner, pages that do not exist."""
        session, account = signed_in(request, self.sessions)
        if account.role == "client":
            raise NotFound
        return session, account

    def managing(self, request: Request, client: str) -> tuple[Session, Account, str]:
        """`manager`, and `client` if they may see it (else NotFound)."""
        session, account = self.manager(request)
        return session, account, self.client_of(account, client)


def json_response(body: object) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), media_type="application/json", headers=HEADERS)
