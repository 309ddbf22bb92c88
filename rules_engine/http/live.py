"""Live state over HTTP: an owner's status, on-call overrides, who is on call (JSON or a feed).

Each endpoint acts on one client and needs the scope `portal:CLIENT` (or `admin`); the
engine's own checks (an unknown team or contact, an end before the start) answer as 400s
naming the field, an unknown client as 404. The on-call views are the same as
`rules-engine oncall` prints with `--json` and `--ics`.

Every change goes to the store in a worker thread: a slow or stalled database holds up
that request alone, never the event loop that answers `/v1/decide` (reads take the
in-memory snapshot and never wait).
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from ..errors import CallError
from ..schedule import clock, ics
from ..schedule.calendar import Calendar
from ..schedule.oncall import OnCall
from ..schedule.oncall_views import chosen_teams, current, feed_shifts, now_json, week_json, week_of
from ..schedule.shifts import COVERAGE_DAYS
from .bodies import JSON, body_of, build, json_body
from .schema import ClientStateDoc, ErrorBody, OverrideRequest, StatusRequest

CALENDAR = "text/calendar"
Client = Annotated[str, Path(description="the client's id", examples=["acme_plumbing"])]
SECURED: list[dict[str, list[str]]] = [{"bearer": []}]
REFUSED: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in (
        (400, "invalid request: the field at fault and why"),
        (401, "no valid bearer token"),
        (403, "the token lacks portal:CLIENT (or admin)"),
        (404, "no such client"),
        (413, "the body is too large"),
        (431, "the headers are too large"),
        (503, "the live-state store is unavailable"),
    )
}


def router(service) -> APIRouter:
    engine = service.engine

    def token_first(request: Request) -> None:
        """No token, a 401 before FastAPI validates the query (a dependency runs before it)."""
        service.auth.identify(request.headers.get("authorization"))

    api = APIRouter(prefix="/v1/clients/{client}", tags=["live state"], dependencies=[Depends(token_first)])

    def served(request: Request, client: Client) -> None:
        service.authorize(request, "portal", client)
        request.scope["rules_engine.log"]["client"] = client
        engine.client(client)

    def state_of(client: Client) -> Response:
        state = engine.live_state(client)
        body = {
            "client": client,
            "status": state.status.as_json() if state.status else None,
            "overrides": [o.model_dump(mode="json") for o in state.overrides],
        }
        return Response(json.dumps(body, ensure_ascii=False).encode("utf-8"), media_type=JSON)

    @api.get(
        "/state",
        summary="The client's live status and overrides",
        response_model=ClientStateDoc,
        responses=REFUSED,
        openapi_extra={"security": SECURED},
    )
    async def get_state(request: Request, client: Client) -> Response:
        served(request, client)
        return state_of(client)

    @api.put(
        "/status",
        summary="Leave the owner's status",
        response_model=ClientStateDoc,
        responses=REFUSED,
        openapi_extra={"requestBody": body_of("StatusRequest", JSON), "security": SECURED},
    )
    async def put_status(request: Request, client: Client) -> Response:
        served(request, client)
        status = build(StatusRequest, await json_body(request), "a status (note, until, instructions)")
        await asyncio.to_thread(
            engine.set_status,
            client,
            status.note,
            until=status.until,
            instructions=status.instructions,
            notes=status.notes,
            starts=status.starts,
        )
        return state_of(client)

    @api.delete(
        "/status",
        summary="Clear the owner's status",
        response_model=ClientStateDoc,
        responses=REFUSED,
        openapi_extra={"security": SECURED},
    )
    async def delete_status(request: Request, client: Client) -> Response:
        served(request, client)
        await asyncio.to_thread(engine.clear_status, client)
        return state_of(client)

    @api.post(
        "/overrides",
        summary="Someone covers a team from start to end",
        status_code=201,
        response_model=ClientStateDoc,
        responses=REFUSED,
        openapi_extra={"requestBody": body_of("OverrideRequest", JSON), "security": SECURED},
    )
    async def post_override(request: Request, client: Client) -> Response:
        served(request, client)
        override = build(OverrideRequest, await json_body(request), "an override (team, person, start, end, reason)")
        await asyncio.to_thread(
            engine.set_override, client, override.team, override.person, override.start, override.end, override.reason
        )
        response = state_of(client)
        response.status_code = 201
        return response

    @api.delete(
        "/overrides",
        summary="Remove the live overrides (of one team)",
        response_model=ClientStateDoc,
        responses=REFUSED,
        openapi_extra={"security": SECURED},
    )
    async def delete_overrides(request: Request, client: Client, team: str | None = Query(None)) -> Response:
        served(request, client)
        if team is not None:
            chosen_teams(engine.client(client), team)
        await asyncio.to_thread(engine.clear_overrides, client, team)
        return state_of(client)

    @api.get(
        "/oncall",
        summary="Who is on call: now, at an instant, or a week; JSON or an iCalendar feed",
        responses={
            200: {
                "content": {JSON: {"schema": {"type": "object"}}, CALENDAR: {"schema": {"type": "string"}}},
                "description": "the on-call view",
            },
            **REFUSED,
        },
        openapi_extra={"security": SECURED},
    )
    async def oncall(
        request: Request,
        client: Client,
        at: str | None = Query(None, description="ISO 8601; without an offset, the client's local time"),
        week: date | None = Query(None, description="the week (Monday to Sunday) containing this date"),
        team: str | None = Query(None),
        format: str | None = Query(
            None, pattern="^(json|ics)$", description="ics for the feed (or Accept: text/calendar)"
        ),
    ) -> Response:
        served(request, client)
        chosen = engine.client(client)
        teams = chosen_teams(chosen, team)
        if at is not None and week is not None:
            raise CallError("give `at` or `week`, not both", field="week")
        instant = clock.read_time(at, chosen.timezone, "at") if at else datetime.now(UTC)
        monday = week - timedelta(days=week.weekday()) if week else None
        view = OnCall(chosen, Calendar(chosen))
        live = engine.live_state(client).overrides
        if format == "ics" or (format is None and CALENDAR in request.headers.get("accept", "")):
            found = feed_shifts(
                view, teams, monday or instant.astimezone(view.tz).date(), 7 if monday else COVERAGE_DAYS, live
            )
            return Response(ics.feed(chosen, found, datetime.now(UTC)), media_type=CALENDAR)
        if monday is not None:
            body = week_json(chosen, view, monday, {t: week_of(view, t, monday, live) for t in teams})
        else:
            body = now_json(chosen, view, instant, {t: current(view, t, instant, live) for t in teams})
        return Response(json.dumps(body, ensure_ascii=False).encode("utf-8"), media_type=JSON)

    return api
