"""Saved statuses an owner applies again ("In court", "On vacation"): a label and the notes per
caller language, kept per client in `console_status_template`. The first note is the default."""

from __future__ import annotations

import json
from dataclasses import dataclass

from .db import Database

LABEL_MAX = 80
PER_CLIENT = 50


@dataclass(frozen=True)
class StatusTemplate:
    id: int
    client: str
    label: str
    notes: dict[str, str]  # language tag → note; the first is the default note

    @property
    def default(self) -> str:
        return next(iter(self.notes.values()), "")


class StatusTemplates:
    def __init__(self, db: Database):
        self.db = db

    def of(self, client: str) -> list[StatusTemplate]:
        rows = self.db.rows(
            "SELECT id, client, label, notes FROM console_status_template WHERE client = ? ORDER BY label", (client,)
        )
        return [StatusTemplate(int(i), c, label, json.loads(notes)) for i, c, label, notes in rows]

    def get(self, client: str, template: int) -> StatusTemplate | None:
        return next((t for t in self.of(client) if t.id == template), None)

    def save(self, client: str, label: str, notes: dict[str, str]) -> StatusTemplate:
        """Save under `label`, replacing the client's template of that label."""
        text = json.dumps(notes, ensure_ascii=False)
        if not self.db.execute(
            "UPDATE console_status_template SET notes = ? WHERE client = ? AND label = ?", (text, client, label)
        ):
            self.db.execute(
                "INSERT INTO console_status_template (client, label, notes) VALUES (?, ?, ?)", (client, label, text)
            )
        return next(t for t in self.of(client) if t.label == label)

    def delete(self, client: str, template: int) -> StatusTemplate | None:
        found = self.get(client, template)
        if found is not None:
            self.db.execute("DELETE FROM console_status_template WHERE client = ? AND id = ?", (client, template))
        return found
