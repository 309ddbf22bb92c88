"""Drafts: the rule file (and its Gherkin feature) an account manager is editing, kept per
client until it is published, so that the week, the preview, the replay, a tried call and the
scenarios all read the same text the editor shows, from any instance of a fleet.

A client has at most one draft of each kind, shared by the people who edit it. The editor
saves as you type, each save naming the draft it started from (`base`: the time of the save
it last saw, "" for none): if someone saved since (another manager, or the same one in
another window) or the draft was published or discarded, the save is refused with a
`DraftConflict` instead of overwriting their text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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


class DraftConflict(Exception):
    """A save from a draft that is no longer the newest; `current` is the newest (None if there
    is none any more: published or discarded)."""

    def __init__(self, current: Draft | None):
        super().__init__("the draft changed since this text was started from it")
        self.current = current

    def told_to(self, name: str) -> str:
        """What the editor of `name` says: whose save came between, and what to do."""
        keep = "your text here is not saved: copy it, then reload the page"
        current = self.current
        if current is None:
            return f"the draft was published or discarded since this page was opened; {keep}"
        when = f"{current.updated[11:16]} UTC"
        if current.author == name:
            return f"you saved this draft at {when} in another window; {keep}"
        return f"{current.author} saved this draft at {when} since this page was opened; {keep} to see theirs"


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

    def put(self, client: str, text: str, author: str, kind: Kind = "rules", base: str | None = None) -> Draft:
        """Save the draft. With `base` (the `updated` of the draft this text was started from,
        "" for none), only if that is still the newest: a `DraftConflict` otherwise, nothing
        written. Without it, the save replaces whatever is there (a form that is sent whole)."""
        if base is not None:
            return self._put_over(client, text, author, kind, base, later_than(base))
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

    def _put_over(self, client: str, text: str, author: str, kind: Kind, base: str, updated: str) -> Draft:
        if base:
            changed = self.db.execute(
                "UPDATE console_draft SET text = ?, author = ?, updated = ? "
                "WHERE client = ? AND kind = ? AND updated = ?",
                (text, author, updated, client, kind, base),
            )
        else:
            changed = self.db.execute(
                "INSERT INTO console_draft (client, kind, text, author, updated) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (client, kind) DO NOTHING",
                (client, kind, text, author, updated),
            )
        if not changed:
            raise DraftConflict(self.get(client, kind))
        return Draft(client, kind, text, author, updated)

    def discard(self, client: str, kind: Kind = "rules") -> None:
        """Forget the draft (after it is published, or on the editor's "discard")."""
        self.db.execute("DELETE FROM console_draft WHERE client = ? AND kind = ?", (client, kind))


def later_than(base: str) -> str:
    """Now, as a draft's time, or a millisecond after `base` if that is not earlier (two saves
    in one millisecond, or another instance's clock ahead): a save's time always differs from
    the one it replaced, which is what the next save names."""
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    if base and now <= base:
        return (datetime.fromisoformat(base) + timedelta(milliseconds=1)).isoformat(timespec="milliseconds")
    return now


def is_draft_time(base: object) -> bool:
    """`base` is "" or a time as drafts give it (ISO 8601 with an offset): what a save may name."""
    if not isinstance(base, str) or len(base) > 40:
        return False
    try:
        return base == "" or datetime.fromisoformat(base).utcoffset() is not None
    except ValueError:
        return False
