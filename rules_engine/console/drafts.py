"""Drafts: the rule file (and its Gherkin feature) an account manager is editing, kept per
client until it is published, so that the week, the preview, the replay, a tried call and the
scenarios all read the same text the editor shows, from any instance of a fleet.

A client has at most one draft of each kind, shared by the people who edit it (the last save
wins: the editor saves as you type, with the author and time shown on the page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from .db import Database

Kind = Literal["rules", "feature"]


@dataclass(frozen=True)
class Draft:
    client: str
    kind: Kind
    text: str
    author: str
    updated: str  # ISO 8601, UTC


class Drafts:
    def __init__(self, db: Database):
        self.db = db

    def get(self, client: str, kind: Kind = "rules") -> Draft | None:
        rows = self.db.rows(
            "SELECT text, author, updated FROM console_draft WHERE client = ? AND kind = ?", (client, kind)
        )
        if not rows:
            return None
        text, author, updated = rows[0]
        return Draft(client, kind, text, author, updated)

    def put(self, client: str, text: str, author: str, kind: Kind = "rules") -> Draft:
        updated = datetime.now(UTC).isoformat(timespec="milliseconds")
        changed = self.db.execute(
            "UPDATE console_draft SET text = ?, author = ?, updated = ? WHERE client = ? AND kind = ?",
            (text, author, updated, client, kind),
        )
        if not changed:
            self.db.execute(
                "INSERT INTO console_draft (client, kind, text, author, updated) VALUES (?, ?, ?, ?, ?)",
                (client, kind, text, author, updated),
            )
        return Draft(client, kind, text, author, updated)

    def discard(self, client: str, kind: Kind = "rules") -> None:
        """Forget the draft (after it is published, or on the editor's "discard")."""
        self.db.execute("DELETE FROM console_draft WHERE client = ? AND kind = ?", (client, kind))
