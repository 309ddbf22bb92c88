"""Preview before publishing (`/console/clients/{id}/preview`, account managers): the draft
against the published version, two ways.

- The diff over the coming 14 days, grouped by edit, in `rules-engine diff`'s words
  (`analysis/diff_text.py`): every class of call the draft decides differently, and when.
- The replay: this client's calls of the last 30 days, read back from the decision log, each
  decided again under the draft (`replay.py`) and compared with what the call was told.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import Response

from .. import model as m
from ..analysis.diff import compare
from ..analysis.diff_text import text as diff_text
from ..analysis.digest import digest
from ..errors import RulesEngineError
from ..schedule.clock import zone
from .drafted import choose
from .replay import MAX_CALLS, Replay, replay
from .views import client_view
from .web import render

if TYPE_CHECKING:
    from ..engine import Engine
    from .context import Console

DIFF_DAYS = 14
REPLAY_DAYS = 30


@dataclass(frozen=True)
class Diffed:
    text: str
    changes: int
    seconds: float


def diffed(published: m.Client, draft: m.Client, now: datetime) -> Diffed:
    started = time.perf_counter()
    first = now.astimezone(zone(published.timezone)).date()
    comparison = compare({published.id: published}, {draft.id: draft}, first, DIFF_DAYS)
    mine = [c for c in comparison.changes if c.client == draft.id]
    digests = {draft.id: digest(published, draft, mine)} if mine else {}
    words = diff_text(comparison, digests, "published", "draft", f"{first:%a %Y-%m-%d}", DIFF_DAYS)
    return Diffed(words, len(mine), time.perf_counter() - started)


def replayed(engine: Engine, published: m.Client, draft: m.Client, now: datetime) -> Replay:
    """The last 30 days' calls decided again under `draft`, the reading of the log timed too."""
    started = time.perf_counter()
    records = engine.logged(published.id, now - timedelta(days=REPLAY_DAYS), now, MAX_CALLS + 1)
    found = replay(draft, records, published.rules_version, engine.default_language)
    found.seconds = time.perf_counter() - started
    return found


def add_preview(pages: APIRouter, console: Console) -> None:
    engine = console.engine

    @pages.get("/clients/{client}/preview")
    def preview(request: Request, client: str) -> Response:
        session, _, client = console.managing(request, client)
        published = engine.client(client)
        chosen = choose(console.drafts, published, "draft")
        now = datetime.now(UTC)
        found_diff = found_replay = None
        log_error = None
        if chosen.client is not None and chosen.draft is not None:
            found_diff = diffed(published, chosen.client, now)
            if engine.decision_log is not None:
                try:
                    found_replay = replayed(engine, published, chosen.client, now)
                except RulesEngineError as exc:
                    log_error = str(exc)
        return render(
            request,
            "preview.html",
            session,
            client=client_view(engine, client, until=False),
            chosen=chosen,
            diff=found_diff,
            replay=found_replay,
            logging=engine.decision_log is not None,
            log_error=log_error,
            days=DIFF_DAYS,
            replay_days=REPLAY_DAYS,
            most=MAX_CALLS,
        )
