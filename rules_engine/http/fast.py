"""`POST /v1/decide` answered without FastAPI: the service's busiest request, on a lean path.

`FastDecide` sits inside the service's own middleware (the request log, the request counter,
the size limits, which see it as any request) and in front of FastAPI. A request that is
exactly `POST /v1/decide` it answers itself; any other goes on to FastAPI untouched. It does
what the FastAPI route does, with the same functions and in the same order: the token and its
scope checked before the body is read, the body read (the limits' bounded `receive`) and parsed
with the guarded parser, the `Call` built, `Service.decide`, the decision's JSON as it is. What
it skips is what the route paid for and did not need: Starlette's exception and routing layers
(a match against every route), a `Request`, and FastAPI's per-request bookkeeping.

Refusals are the exception handlers' own answers (`errors.refusal`); an exception nobody
expected is raised on, to the same 500 handler and log as any route's (docs/benchmarks.md).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from fastapi.responses import Response

from ..decide.call import Call
from . import errors
from .bodies import JSON, at_now, build, parse_json, read_body

if TYPE_CHECKING:
    from .app import Service

PATH = "/v1/decide"


class FastDecide:
    """ASGI middleware answering `POST /v1/decide`; `route` is FastAPI's route for it, put in
    the scope as the router would, so the request counter counts it under the same endpoint."""

    def __init__(self, app, service: Service, route=None):
        self.app, self.service, self.route = app, service, route

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        if self.route is not None:
            scope["route"] = self.route
        try:
            response = await self.decide(scope, receive)
        except errors.REFUSALS as exc:
            response = errors.refusal(exc, scope, self.service.metrics)
        await response(scope, receive, send)

    async def decide(self, scope, receive) -> Response:
        started = time.perf_counter()
        authorization = call_id = None
        for name, value in scope["headers"]:  # the first of each, as `Request.headers.get`
            if name == b"authorization" and authorization is None:
                authorization = value.decode("latin-1")
            elif name == b"x-call-id" and call_id is None:
                call_id = value.decode("latin-1")
        service = self.service
        service.permit(scope, authorization, "decide")
        call = build(Call, at_now(parse_json(await read_body(scope, receive))), "a call")
        decision = service.decide(scope, call, call_id, started)
        return Response(decision.to_json().encode("utf-8"), media_type=JSON)
