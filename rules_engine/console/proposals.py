"""Proposed edits of a client's rule file (an owner's closure request) and their review, kept in
`console_proposal`; and per-client settings (`console_client_setting`: `self_publish_closures`).

A proposal is pending until an account manager or an admin approves it (published) or rejects
it with a reason; a client allowed to publish its closures itself gets `published` at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .db import Database

COLUMNS = "id, client, author, at, summary, text, base, state, decided_by, decided_at, reason"
STATES = ("pending", "approved", "rejected", "published")


@dataclass(frozen=True)
class Proposal:
    id: int
    client: str
    author: str
    at: str  # ISO 8601, UTC
    summary: str  # first line: the closure's line; then the owner's message, if any
    text: str  # the rule file as it would be
    base: str  # the rules_version it was made from
    state: str
    decided_by: str | None
    decided_at: str | None
    reason: str | None

    @property
    def line(self) -> str:
        return self.summary.partition("\n")[0]

    @property
    def message(self) -> str:
        return self.summary.partition("\n")[2]


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Proposals:
    def __init__(self, db: Database):
        self.db = db

    def add(self, client: str, author: str, summary: str, text: str, base: str, state: str = "pending") -> Proposal:
        at = now()
        self.db.execute(
            "INSERT INTO console_proposal (client, author, at, summary, text, base, state) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (client, author, at, summary, text, base, state),
        )
        rows = self.db.rows(
            f"SELECT {COLUMNS} FROM console_proposal WHERE client = ? AND author = ? AND at = ? ORDER BY id DESC",
            (client, author, at),
        )
        return Proposal(*rows[0])

    def get(self, proposal: int) -> Proposal | None:
        rows = self.db.rows(f"SELECT {COLUMNS} FROM console_proposal WHERE id = ?", (proposal,))
        return Proposal(*rows[0]) if rows else None

    def of(self, client: str, limit: int = 100) -> list[Proposal]:
        """A client's proposals, newest first."""
        rows = self.db.rows(
            f"SELECT {COLUMNS} FROM console_proposal WHERE client = ? ORDER BY id DESC LIMIT ?", (client, limit)
        )
        return [Proposal(*row) for row in rows]

    def pending(self, clients: list[str]) -> list[Proposal]:
        """The proposals waiting for review among `clients`, oldest first."""
        rows = self.db.rows(f"SELECT {COLUMNS} FROM console_proposal WHERE state = 'pending' ORDER BY id")
        return [p for p in (Proposal(*row) for row in rows) if p.client in clients]

    def decide(self, proposal: int, state: str, by: str, reason: str | None = None) -> bool:
        """Mark a pending proposal decided; False when it was not pending any more (someone
        decided it first)."""
        assert state in STATES
        changed = self.db.execute(
            "UPDATE console_proposal SET state = ?, decided_by = ?, decided_at = ?, reason = ? "
            "WHERE id = ? AND state = 'pending'",
            (state, by, now(), reason, proposal),
        )
        return changed == 1

    def record_text(self, proposal: int, text: str) -> None:
        """The file as it was published (the closure added again to a file changed since)."""
        self.db.execute("UPDATE console_proposal SET text = ? WHERE id = ?", (text, proposal))

    def reopen(self, proposal: int) -> None:
        """Back to pending: an approval claimed whose publish then failed."""
        self.db.execute(
            "UPDATE console_proposal SET state = 'pending', decided_by = NULL, decided_at = NULL "
            "WHERE id = ? AND state = 'approved'",
            (proposal,),
        )


class ClientSettings:
    def __init__(self, db: Database):
        self.db = db

    def get(self, client: str, name: str, default: Any = None) -> Any:
        rows = self.db.rows("SELECT value FROM console_client_setting WHERE client = ? AND name = ?", (client, name))
        return json.loads(rows[0][0]) if rows else default

    def put(self, client: str, name: str, value: Any) -> None:
        text = json.dumps(value)
        if not self.db.execute(
            "UPDATE console_client_setting SET value = ? WHERE client = ? AND name = ?", (text, client, name)
        ):
            self.db.execute(
                "INSERT INTO console_client_setting (client, name, value) VALUES (?, ?, ?)", (client, name, text)
            )
