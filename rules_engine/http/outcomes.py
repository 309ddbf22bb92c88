"""Call outcomes over HTTP: the switch says how each decided call ended, and how each
notification of its escalation plan went (docs/metrics.md).

`POST /v1/calls/{call_id}/outcome` and `POST /v1/calls/{call_id}/escalation` need the scope
`decide` (the switch's). The engine checks every value: a refusal is a 400 naming the field,
an unknown call id a 404, a second outcome for a call (or a second result of one
notification) a 409. Both answer 201 with what was recorded. Recording runs in a worker
thread: it may wait for the call's facts to be written, and never stalls decisions.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from ..outcomes.records import AlreadyRecordedError, UnknownCallError
from .bodies import JSON, body_of, build, json_body
from .errors import ServiceError, call_error_parts
from .schema import ErrorBody, EscalationRequest, OutcomeRequest, RecordedEscalation, RecordedOutcome

CallId = Annotated[
    str,
    Path(
        description="the id the call was decided with (X-Call-Id or the SIP Call-ID)",
        examples=["a84b4c76e66710@carrier.example"],
    ),
]
SECURED: list[dict[str, list[str]]] = [{"bearer": []}]
REFUSED: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in (
        (400, "invalid request: the field at fault and why"),
        (401, "no valid bearer token"),
        (403, "the token lacks the scope decide"),
        (404, "no call was decided with that id"),
        (409, "already recorded: a call's outcome is final, a notification has one result"),
        (413, "the body is too large"),
        (431, "the headers are too large"),
        (503, "the store is unavailable"),
    )
}


def router(service) -> APIRouter:
    engine = service.engine
    api = APIRouter(prefix="/v1/calls/{call_id}", tags=["outcomes"])

    async def recorded(request: Request, call_id: str, record) -> Response:
        request.scope["rules_engine.log"]["call_id"] = call_id
        try:
            row = await asyncio.to_thread(record)
        except UnknownCallError as exc:
            raise ServiceError(404, call_error_parts(exc)[0], field="call_id") from None
        except AlreadyRecordedError as exc:
            raise ServiceError(409, call_error_parts(exc)[0], field=exc.field) from None
        request.scope["rules_engine.log"]["client"] = row.client
        body = as_json(row)
        return Response(json.dumps(body, ensure_ascii=False).encode("utf-8"), status_code=201, media_type=JSON)

    @api.post(
        "/outcome",
        summary="Record how the call ended",
        status_code=201,
        response_model=RecordedOutcome,
        responses=REFUSED,
        openapi_extra={"requestBody": body_of("OutcomeRequest", JSON), "security": SECURED},
    )
    async def post_outcome(request: Request, call_id: CallId) -> Response:
        service.authorize(request, "decide")  # before the body is read: no token, a 401 whatever it holds
        given = build(
            OutcomeRequest,
            await json_body(request),
            "an outcome (outcome, at, waited_seconds, handled_seconds, resolved, transferred, csat, client)",
        )
        return await recorded(request, call_id, lambda: engine.record_outcome(call_id, **given.model_dump()))

    @api.post(
        "/escalation",
        summary="Record the result of one notification of the call's escalation",
        status_code=201,
        response_model=RecordedEscalation,
        responses=REFUSED,
        openapi_extra={"requestBody": body_of("EscalationRequest", JSON), "security": SECURED},
    )
    async def post_escalation(request: Request, call_id: CallId) -> Response:
        service.authorize(request, "decide")
        given = build(
            EscalationRequest,
            await json_body(request),
            "an escalation result (step, contact, method, result, at, client)",
        )
        return await recorded(request, call_id, lambda: engine.record_escalation(call_id, **given.model_dump()))

    return api


def as_json(row) -> dict:
    """A recorded row in the request's words: `at` in ISO 8601 (UTC), flags as true/false."""
    body = {**row._asdict(), "at": datetime.fromtimestamp(row.at, UTC).isoformat()}
    if "waited" in body:  # an outcome
        body["waited_seconds"], body["handled_seconds"] = body.pop("waited"), body.pop("handled")
        for flag in ("resolved", "transferred"):
            body[flag] = None if body[flag] is None else bool(body[flag])
    return body
