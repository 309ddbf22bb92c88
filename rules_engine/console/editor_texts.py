"""The texts the editor, "try a call" and the scenarios read: a client's draft (rules or Gherkin
feature) when there is one, else what is published; and the names a rule file defines, which
the editor offers as completions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import model as m
from ..engine import Engine
from .drafts import Draft, Drafts, Kind

MAX_TEXT_BYTES = 256 * 1024  # a draft larger than this is refused (413), never compiled
MAX_BODY_BYTES = 320 * 1024  # a request under /console/: such a draft in JSON, with room for escapes


@dataclass(frozen=True)
class Text:
    text: str
    draft: Draft | None  # None: the published text

    @property
    def saved(self) -> str | None:
        """`saved HH:MM by NAME` (UTC) for a draft."""
        if self.draft is None:
            return None
        return f"saved {self.draft.updated[11:16]} UTC by {self.draft.author}"

    @property
    def base(self) -> str:
        """What the editor's saves start from: the draft's time, "" for the published text."""
        return self.draft.updated if self.draft is not None else ""


def feature_path(engine: Engine, client: str) -> Path | None:
    """The client's published Gherkin feature: `features/ID.feature` in the rules directory,
    or beside it (the repository's layout: client_configs/ and features/); None if neither."""
    root = engine.path if engine.path.is_dir() else engine.path.parent
    for where in (root / "features", root.parent / "features"):
        path = where / f"{client}.feature"
        if path.is_file():
            return path
    return None


def published(engine: Engine, client: str, kind: Kind) -> str:
    if kind == "rules":
        served = engine.client(client)
        return Path(served.path).read_text(encoding="utf-8") if served.path else served.source
    path = feature_path(engine, client)
    if path is not None:
        return path.read_text(encoding="utf-8")
    return f'Feature: {client}\n\n  Background:\n    Given the client "{client}"\n'


def text_of(drafts: Drafts, engine: Engine, client: str, kind: Kind = "rules") -> Text:
    draft = drafts.get(client, kind)
    return Text(draft.text, draft) if draft is not None else Text(published(engine, client, kind), None)


def names_of(client: m.Client) -> dict[str, object]:
    """What the file defines, for completion: each kind of name, and each asked field's choices."""
    fields: dict[str, list[str]] = {}
    for script in client.scripts.values():
        for step in script.steps:
            if isinstance(step, m.Ask):
                choices = fields.setdefault(step.field, [])
                choices.extend(c.value for c in step.choices or () if c.value not in choices)
    return {
        "contacts": {name: contact.title or name for name, contact in client.contacts.items()},
        "windows": sorted(client.windows),
        "teams": sorted(client.teams),
        "scripts": sorted(client.scripts),
        "escalations": sorted(client.escalations),
        "lists": sorted(client.lists),
        "fields": fields,
    }


@dataclass(frozen=True)
class Shown:
    """What the editor's pages show of the served client (client_nav.html reads id and name)."""

    id: str
    name: str
    timezone: str
    numbers: list[str]
    languages: list[str]

    @classmethod
    def of(cls, client: m.Client) -> Shown:
        return cls(
            client.id,
            client.title or client.id,
            client.timezone,
            [n.value for n in client.numbers],
            [lang.value for lang in client.languages],
        )
