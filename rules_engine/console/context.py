"""What every page of the console shares: the `Console` (the engine, accounts, sessions, audit
log, drafts and publisher) and how a page answers JSON. A module of its own, so that each
area's pages (`*_pages.py`) import it without importing the router that mounts them."""

from __future__ import annotations

import json

from fastapi.responses import Response

from ..engine import Engine
from .accounts import Account, Accounts
from .audit import Audit
from .db import Database
from .drafts import Drafts
from .publishing import Publisher
from .sessions import Sessions
from .web import HEADERS, NotFound


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


def json_response(body: object) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), media_type="application/json", headers=HEADERS)
