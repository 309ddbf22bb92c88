"""On call (`/console/clients/{id}/oncall`, account managers and the client's owner): who is on
call now and over a week per team, swaps (live overrides) marked as such, a swap made in two
steps (the preview of what it changes, then "Save the swap") and removed, and a calendar file
per person.

The calendar file is served with the console's session, for a download; a calendar app that
subscribes needs the service's feed (`GET /v1/clients/{id}/oncall?format=ics`) with a bearer
token holding `portal:CLIENT`, which an admin issues (docs/console.md, "On call").
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from ..errors import RulesEngineError
from ..live import LiveOverride
from ..schedule import ics
from ..schedule.clock import read_time, zone
from ..schedule.oncall_views import current, feed_shifts
from . import swaps
from .views import client_view, local
from .web import HEADERS, NotFound, address, redirect, render

if TYPE_CHECKING:
    from .context import Console

FEED_DAYS = 56
REASON_MAX = 200


def swap_asked(
    team: Annotated[str, Form()] = "",
    person: Annotated[str, Form()] = "",
    start: Annotated[str, Form()] = "",
    end: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> dict[str, str]:
    """The swap form's fields as typed, for its preview and its save (and shown again on an error)."""
    return {"team": team, "person": person, "start": start, "end": end, "reason": reason}


def week_start(choice: str, day: str, today: date) -> date:
    """The Monday of the week asked: this week, next week, or the week holding `day` (ISO)."""
    if day.strip():
        try:
            asked = date.fromisoformat(day.strip())
        except ValueError:
            raise NotFound from None
    else:
        asked = today + timedelta(days=7 if choice == "next" else 0)
    return asked - timedelta(days=asked.weekday())


def add_oncall(pages: APIRouter, console: Console) -> None:
    engine, audit = console.engine, console.audit

    def oncall_page(
        request: Request,
        client: str,
        week: str = "this",
        day: str = "",
        asked: dict[str, str] | None = None,
        changed: list[swaps.Changed] | None = None,
        routes: list[str] | None = None,
        error: str | None = None,
        status_code: int = 200,
    ) -> Response:
        session, _, client = console.seeing(request, client)
        served, oncall = engine.client(client), engine.plan(client).oncall
        live = engine.live_state(client).overrides
        tz = zone(served.timezone)
        now = datetime.now(UTC)
        first = week_start(week, day, now.astimezone(tz).date())
        teams = []
        for team in served.teams:
            row = current(oncall, team, now, live)
            teams.append(
                {
                    "team": team,
                    "now": row["name"],
                    "why": row["why"],
                    "until": local(row["until"], tz) if row["until"] else None,
                    "week": swaps.team_week(oncall, team, first, live),
                }
            )
        members = {p for t in served.teams.values() for r in t.rotations for p in (x.value for x in r.members)}
        people = sorted(served.contacts.values(), key=lambda c: (c.name not in members, c.title.lower()))
        return render(
            request,
            "oncall.html",
            session,
            status_code,
            client=client_view(engine, client, until=False),
            teams=teams,
            first=first,
            week=week,
            day=day,
            overrides=[
                (i, o, local(o.start, tz), local(o.end, tz), swaps.reach(served, o.person)) for i, o in enumerate(live)
            ],
            people=[(c.name, c.title) for c in people],
            asked=asked or {"team": next(iter(served.teams), ""), "person": "", "start": "", "end": "", "reason": ""},
            changed=changed,
            routes=routes or [],
            error=error,
        )

    def proposed(client: str, team: str, person: str, start: str, end: str, reason: str) -> LiveOverride:
        served = engine.client(client)
        if team not in served.teams:
            raise RulesEngineError("Choose a team.")
        if person not in served.contacts:
            raise RulesEngineError("Choose a person.")
        if not start.strip() or not end.strip():
            raise RulesEngineError("Give when the swap starts and ends.")
        begins = read_time(start, served.timezone, "from")
        ends = read_time(end, served.timezone, "to")
        if ends <= begins:
            raise RulesEngineError("A swap must end after it starts.")
        if len(reason) > REASON_MAX:
            raise RulesEngineError(f"A reason has at most {REASON_MAX} characters.")
        return LiveOverride(team=team, person=person, start=begins, end=ends, reason=reason.strip() or None)

    @pages.get("/clients/{client}/oncall")
    def oncall(
        request: Request,
        client: str,
        week: str = Query("this", pattern="^(this|next)$"),
        day: str = Query("", max_length=10),
    ) -> Response:
        return oncall_page(request, client, week, day)

    @pages.post("/clients/{client}/oncall/preview")
    def preview_swap(request: Request, client: str, asked: Annotated[dict[str, str], Depends(swap_asked)]) -> Response:
        _, _, client = console.seeing(request, client)
        try:
            swap = proposed(client, **asked)
        except RulesEngineError as exc:
            return oncall_page(request, client, asked=asked, error=str(exc), status_code=400)
        found = swaps.changes(engine.plan(client).oncall, swap, engine.live_state(client).overrides)
        routes = swaps.routes_to(engine.client(client), swap.team)
        return oncall_page(request, client, asked=asked, changed=found, routes=routes)

    @pages.post("/clients/{client}/oncall/swap")
    def save_swap(request: Request, client: str, asked: Annotated[dict[str, str], Depends(swap_asked)]) -> Response:
        _, account, client = console.seeing(request, client)
        try:
            swap = proposed(client, **asked)
            engine.set_override(client, swap.team, swap.person, swap.start, swap.end, swap.reason)
        except RulesEngineError as exc:
            return oncall_page(request, client, asked=asked, error=str(exc), status_code=400)
        audit.record(account.name, "oncall_swap", client, address(request), **facts_of(swap), reason=swap.reason)
        return redirect(f"/console/clients/{client}/oncall")

    @pages.post("/clients/{client}/oncall/remove")
    def remove_swap(
        request: Request,
        client: str,
        index: Annotated[int, Form()] = -1,
        start: Annotated[str, Form()] = "",
    ) -> Response:
        """Remove one swap, leaving the team's others. `start` (the swap's start, as shown) makes
        sure the swap removed is the one on the page."""
        _, account, client = console.seeing(request, client)
        live = engine.live_state(client).overrides
        if not 0 <= index < len(live) or live[index].start.isoformat() != start:
            return oncall_page(request, client, error="That swap changed meanwhile: look again.", status_code=409)
        gone = live[index]
        engine.remove_override(client, gone)
        audit.record(account.name, "oncall_swap_removed", client, address(request), **facts_of(gone))
        return redirect(f"/console/clients/{client}/oncall")

    @pages.get("/clients/{client}/oncall/feed/{person}.ics")
    def person_feed(request: Request, client: str, person: str) -> Response:
        """`person`'s shifts over 8 weeks from this week's Monday, swaps applied, as a calendar file."""
        _, _, client = console.seeing(request, client)
        served, oncall = engine.client(client), engine.plan(client).oncall
        if person not in served.contacts:
            raise NotFound
        first = week_start("this", "", datetime.now(zone(served.timezone)).date())
        live = engine.live_state(client).overrides
        found = [s for s in feed_shifts(oncall, list(served.teams), first, FEED_DAYS, live) if s.person == person]
        return Response(
            ics.feed(served, found, datetime.now(UTC)),
            media_type="text/calendar; charset=utf-8",
            headers={**HEADERS, "Content-Disposition": f'attachment; filename="{client}-{person}-on-call.ics"'},
        )


def facts_of(swap: LiveOverride) -> dict[str, str]:
    """What the audit log says of a swap: its team, person, start and end."""
    return {"team": swap.team, "person": swap.person, "start": swap.start.isoformat(), "end": swap.end.isoformat()}
