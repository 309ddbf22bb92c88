"""The draft or the published version of a client's rules, compiled, for the pages that show
what a version does (the week, the preview) and try a call against it.

No draft means the published text. A draft that does not compile gives its errors instead of
a client. Compiling is cached by text, so a page and the frame it embeds compile a draft once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from .. import model as m
from ..compiler.compile import compile_text
from ..errors import Diagnostic, RulesError
from .drafts import Draft, Drafts

Which = Literal["draft", "published"]


@dataclass(frozen=True)
class Chosen:
    """The version a page shows: its client (None when it does not compile) or its errors."""

    which: Which
    client: m.Client | None
    errors: tuple[Diagnostic, ...]
    draft: Draft | None  # the draft, when there is one (whichever version is shown)
    text: str

    @property
    def label(self) -> str:
        if self.which == "published":
            return "the published version"
        if self.draft is None:
            return "the draft (none is saved: the published version)"
        return f"the draft saved by {self.draft.author} at {self.draft.updated[:16].replace('T', ' ')} UTC"


@lru_cache(maxsize=32)
def compiled(text: str, path: str) -> tuple[m.Client | None, tuple[Diagnostic, ...]]:
    try:
        client, _ = compile_text(text, path)
    except RulesError as exc:
        return None, tuple(d for d in exc.diagnostics if d.severity == "error")
    return client, ()


def published_text(served: m.Client) -> str:
    """The text the engine serves (the file as compiled: what calls are decided with)."""
    return served.source or Path(served.path).read_text(encoding="utf-8")


def choose(drafts: Drafts, served: m.Client, which: Which) -> Chosen:
    draft = drafts.get(served.id)
    if which == "published" or draft is None:
        return Chosen(which, served, (), draft, published_text(served))
    client, errors = compiled(draft.text, served.path or f"{served.id}.rules")
    if client is not None and client.id != served.id:
        errors = (Diagnostic("error", f"the draft defines client `{client.id}`, not `{served.id}`", served.path, 1, 1),)
        client = None
    return Chosen(which, client, errors, draft, draft.text)
