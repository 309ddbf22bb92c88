"""`GET /v1/calls/{call_id}`: the decision logged for a call, so that an agent desktop can show
the full greeting, script and plan from the id the switch passed along (docs/service.md).

It reads the decision log the settings name (a file or PostgreSQL) in a worker thread, never on
the event loop. Tokens with `decide`, `read` or `admin` see every call; a `portal:CLIENT` token
sees its client's calls only, and another client's call is a 404 like an unknown one, so a
portal learns nothing of the ids other clients' calls have.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..runtime.decision_log import DecisionLogError
from ..runtime.settings import Token
from .access_log import RECORD_KEY
from .auth import allows
from .bodies import JSON
from .errors import ServiceError
from .outcomes import CallId
from .schema import ErrorBody, LoggedCall

READERS = ("decide", "read")  # scopes that see every call (admin too)
REFUSED: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in (
        (401, "no valid bearer token"),
        (403, "the token has none of the scopes decide, read, portal:CLIENT (or admin)"),
        (404, "no decision is logged under that id (or not for the portal's client), or no decision log"),
        (431, "the headers are too large"),
        (503, "the decision log cannot be read now"),
    )
}


def router(service) -> APIRouter:
    api = APIRouter(tags=["outcomes"])

    @api.get(
        "/v1/calls/{call_id}",
        summary="The decision logged for a call: greeting, script, route, and the call as asked",
        response_model=LoggedCall,
        responses=REFUSED,
        openapi_extra={"security": [{"bearer": []}]},
    )
    async def logged_call(request: Request, call_id: CallId) -> Response:
        token = service.auth.identify(request.headers.get("authorization"))
        if token is not None:
            request.scope[RECORD_KEY]["token"] = token.name
            if not (any(allows(token, scope, None) for scope in READERS) or portals(token)):
                raise ServiceError(
                    403,
                    f"the token `{token.name}` has none of the scopes decide, read or portal:CLIENT (or admin)",
                    field="Authorization",
                )
        request.scope[RECORD_KEY]["call_id"] = call_id
        log = service.engine.decision_log
        if log is None:
            raise ServiceError(404, "this service keeps no decision log (`decision_log:` in its settings)")
        try:
            record = await asyncio.to_thread(log.logged, call_id)
        except (OSError, DecisionLogError) as exc:
            raise ServiceError(503, f"the decision log cannot be read now: {exc}") from None
        if record is None or (token is not None and not sees(token, str(record.get("client")))):
            raise ServiceError(404, f"no decision is logged under the call id `{call_id}`", field="call_id")
        request.scope[RECORD_KEY]["client"] = record.get("client")
        return Response(json.dumps(record, ensure_ascii=False).encode("utf-8"), media_type=JSON)

    return api


def portals(token: Token) -> set[str]:
    return {scope.removeprefix("portal:") for scope in token.scopes if scope.startswith("portal:")}


def sees(token: Token, client: str) -> bool:
    return any(allows(token, scope, None) for scope in READERS) or client in portals(token)
