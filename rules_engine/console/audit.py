"""The audit log: who did what, when, from where — every log-in, failed log-in and log-out,
and every change made through the console or to the accounts from the command line.

Rows are only ever added. The login rate limit counts failed log-ins here, so that it holds
across restarts and across every instance sharing the store.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from .db import Database

COLUMNS = ("id", "at", "actor", "action", "client", "address", "detail")


@dataclass(frozen=True)
class Entry:
    id: int
    at: str
    actor: str
    action: str
    client: str | None
    address: str | None
    detail: dict[str, Any]


def stamp(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="milliseconds")


class Audit:
    def __init__(self, db: Database):
        self.db = db

    def record(
        self,
        actor: str,
        action: str,
        client: str | None = None,
        address: str | None = None,
        **detail: Any,
    ) -> None:
        self.db.execute(
            "INSERT INTO console_audit (at, actor, action, client, address, detail) VALUES (?, ?, ?, ?, ?, ?)",
            (stamp(datetime.now(UTC)), actor, action, client, address, json.dumps(detail, ensure_ascii=False)),
        )

    def count(self, action: str, since: timedelta, *, actor: str | None = None, address: str | None = None) -> int:
        """How many `action` rows in the last `since`, by `actor` or from `address`."""
        after = stamp(datetime.now(UTC) - since)
        if actor is not None:
            rows = self.db.rows(
                "SELECT count(*) FROM console_audit WHERE action = ? AND at >= ? AND actor = ?", (action, after, actor)
            )
        else:
            rows = self.db.rows(
                "SELECT count(*) FROM console_audit WHERE action = ? AND at >= ? AND address = ?",
                (action, after, address),
            )
        return int(rows[0][0])

    def entries(self, clients: tuple[str, ...] | None, actor: str, limit: int = 500) -> list[Entry]:
        """The newest entries first (of the last 20,000). `clients` None: all; else those of
        these clients, and the actor's own."""
        rows = self.db.rows(
            "SELECT id, at, actor, action, client, address, detail FROM console_audit ORDER BY id DESC LIMIT 20000"
        )
        found = []
        for row in rows:
            id_, at, who, action, client, where, detail = row
            entry = Entry(id_, at, who, action, client, where, json.loads(detail))
            if clients is None or entry.client in clients or entry.actor == actor:
                found.append(entry)
            if len(found) == limit:
                break
        return found


def as_csv(entries: list[Entry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for entry in entries:
        row = asdict(entry)
        row["detail"] = json.dumps(entry.detail, ensure_ascii=False)
        writer.writerow([defused(row[c]) for c in COLUMNS])
    return out.getvalue()


def defused(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`) is quoted with `'`."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def as_json(entries: list[Entry]) -> str:
    return json.dumps([asdict(e) for e in entries], ensure_ascii=False, indent=1)
