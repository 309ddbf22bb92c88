"""The week (`/console/clients/{id}/week`, account managers): what callers hear hour by hour,
for one forwarding reason, for the draft or the published version, with who is on call.

The grid is `rules-engine matrix --html`'s page (`analysis/html.py`), not a second renderer:
it is served on its own URL and shown in a frame, because it styles itself inline, which the
console's Content-Security-Policy forbids. That frame's own policy allows inline styles and
nothing else (no script, nothing fetched), and only the console may frame it. The on-call
blocks apply the live swaps the engine applies now.

`add_week` also adds the preview (`preview_pages.py`) and the on-call pages (`oncall_pages.py`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from ..analysis import html
from ..analysis.classes import ordered_reasons
from ..analysis.matrix import Matrix, matrix
from ..analysis.words import calls_when
from ..schedule.clock import zone
from .drafted import choose
from .oncall_pages import add_oncall, week_start
from .preview_pages import add_preview
from .views import client_view
from .web import HEADERS, render

if TYPE_CHECKING:
    from .context import Console

FRAME_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'self'"
)


def add_week(pages: APIRouter, console: Console) -> None:
    engine = console.engine

    def asked(client: str, version: str, reason: str, week: str, day: str):
        served = engine.client(client)
        chosen = choose(console.drafts, served, "draft" if version == "draft" else "published")
        reasons = ordered_reasons([chosen.client or served])
        reason = reason if reason in reasons else reasons[0]
        first = week_start(week, day, datetime.now(zone(served.timezone)).date())
        return served, chosen, reasons, reason, first

    @pages.get("/clients/{client}/week")
    def week_page(
        request: Request,
        client: str,
        version: str = Query("draft", pattern="^(draft|published)$"),
        reason: str = Query("", max_length=40),
        week: str = Query("this", pattern="^(this|next)$"),
        day: str = Query("", max_length=10),
    ) -> Response:
        session, _, client = console.managing(request, client)
        _, chosen, reasons, reason, first = asked(client, version, reason, week, day)
        query = f"version={version}&reason={reason}&day={first.isoformat()}"
        return render(
            request,
            "week.html",
            session,
            client=client_view(engine, client, until=False),
            chosen=chosen,
            version=version,
            reasons=[(r, calls_when([r])) for r in reasons],
            reason=reason,
            week=week,
            day=day,
            first=first,
            last=first + timedelta(days=6),
            frame=f"/console/clients/{client}/week/grid?{query}",
        )

    @pages.get("/clients/{client}/week/grid")
    def week_grid(
        request: Request,
        client: str,
        version: str = Query("draft", pattern="^(draft|published)$"),
        reason: str = Query("", max_length=40),
        day: str = Query("", max_length=10),
    ) -> Response:
        _, _, client = console.managing(request, client)
        _, chosen, _, reason, first = asked(client, version, reason, "this", day)
        if chosen.client is None:
            body = "<!DOCTYPE html><title>Does not compile</title><p>This version does not compile.</p>"
            return HTMLResponse(body, headers=frame_headers())
        found = matrix(chosen.client, first, 7)
        one = Matrix(found.client, found.clock, found.first, found.days, {reason: found.reasons[reason]})
        live = engine.live_state(client).overrides
        return HTMLResponse(html.page(one, live), headers=frame_headers())

    add_preview(pages, console)
    add_oncall(pages, console)


def frame_headers() -> dict[str, str]:
    return {**HEADERS, "Content-Security-Policy": FRAME_POLICY, "X-Frame-Options": "SAMEORIGIN"}
