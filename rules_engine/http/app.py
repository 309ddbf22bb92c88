"""The decision service as an ASGI application: decide, SIP, clients, reload, health, metrics.

The decide endpoints read the raw body and answer with `Decision.to_json()` as it is: the
engine already validates the call (`Call`) and writes the JSON, so the web layer adds no
second validation or serialisation on the hot path. Deciding runs on the event loop
itself: a decision takes tens of microseconds, less than a hop to a worker thread. Reloads,
which compile files, run in a thread and never stall decisions.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import MutableMapping, Sequence
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST

from ..decide.call import Call
from ..decide.decision import Decision, Patch
from ..decide.schema import decision_schema
from ..decide.sip import SipFacts, call_from_sip, read_forwarding
from ..engine import Engine
from ..runtime.settings import Token
from . import calls, errors, live, outcomes
from .access_log import RECORD_KEY, AccessLog, AccessLogMiddleware
from .auth import Auth
from .bodies import FORM, JSON, RAW_BODIES, at_now, body_of, build, json_body, sip_body
from .fast import FastDecide
from .limits import Limits, LimitsMiddleware
from .metrics import Metrics, RequestCounter
from .readiness import readiness
from .schema import ClientInfo, ErrorBody, Readiness, ReloadResult, SwitchSummary

SECURED: list[dict[str, list[str]]] = [{"bearer": []}]
REFUSALS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in (
        (400, "the request is not a valid call: the field at fault, what is wrong, a hint"),
        (401, "no bearer token, or not one of the service's"),
        (403, "the token lacks the scope"),
        (413, "the body is too large"),
        (415, "the body is neither JSON nor a form"),
        (431, "the headers are too large"),
    )
}
DECISION: dict[str, Any] = {
    "description": "the decision (docs/language.md, The decision)",
    "content": {JSON: {"schema": {"$ref": "#/components/schemas/Decision"}}},
}
PUBLIC_READINESS = ("ready", "status", "draining")  # what /readyz shows without the scope metrics
DECIDE_REFUSALS: dict[int | str, dict[str, Any]] = {
    **REFUSALS,
    404: {"model": ErrorBody, "description": "no client is served at that id or number"},
}


class ServiceApp(FastAPI):
    """The service's application: FastAPI with the service's OpenAPI document."""

    def openapi(self) -> dict[str, Any]:
        return openapi_document(self)


class Service:
    """What the handlers share: the engine, who may do what, the metrics and the log."""

    def __init__(
        self, engine: Engine, auth: Auth, metrics: Metrics, log: AccessLog, default_country: str | None = None
    ):
        self.engine, self.auth, self.metrics, self.log = engine, auth, metrics, log
        self.default_country = default_country  # reads national numbers in SIP headers (docs/sip.md)
        self.starting = False  # the runner sets it until its server accepts connections
        self.draining = False

    def authorize(self, request: Request, scope: str, client: str | None = None) -> None:
        self.permit(request.scope, request.headers.get("authorization"), scope, client)

    def permit(
        self, asgi_scope: MutableMapping[str, Any], authorization: str | None, scope: str, client: str | None = None
    ) -> None:
        """`authorize` for a request's ASGI scope and its `Authorization` header (the fast path's)."""
        name = self.auth.require(authorization, scope, client)
        if name is not None:
            asgi_scope[RECORD_KEY]["token"] = name

    def shown(self, request: Request, readiness: dict[str, Any]) -> dict[str, Any]:
        """The readiness a caller may see: all of it with the scope `metrics` (or with no tokens
        configured); else only whether the service is ready and draining, so that an anonymous
        probe learns no client ids, rules versions or database details (docs/service.md)."""
        if self.auth.sees(request.headers.get("authorization"), "metrics"):
            return readiness
        return {key: readiness[key] for key in PUBLIC_READINESS}

    def decide(self, asgi_scope: MutableMapping[str, Any], call: Call, call_id: str | None, started: float) -> Decision:
        record = asgi_scope[RECORD_KEY]
        if call_id:
            record["call_id"] = call_id
        decision = self.engine.decide(call, call_id)
        route = decision.route
        self.metrics.decided(
            decision.client,
            route.actions[0].kind if route and route.actions else "waiting",
            time.perf_counter() - started,
        )
        record["client"] = decision.client
        record["rules_version"] = decision.rules_version
        return decision

    async def reload(self) -> Any:
        report = await asyncio.to_thread(self.engine.reload)
        self.metrics.reloaded(report.ok)
        return report


class RawRoute(APIRoute):
    """A route whose endpoint reads the `Request` and returns the `Response` itself: FastAPI
    documents it as declared, and runs no parameter resolution for it on the hot path."""

    def get_route_handler(self):
        return self.endpoint


def create_app(
    engine: Engine,
    tokens: Sequence[Token] = (),
    limits: Limits = Limits(),
    log: AccessLog | None = None,
    default_country: str | None = None,
) -> FastAPI:
    """The service over `engine`. `tokens` empty: open (the runner allows that on loopback only).
    `default_country` reads national numbers in SIP headers as that country's (docs/sip.md)."""
    metrics = Metrics(engine, ready=lambda: readiness(service)[0])
    service = Service(engine, Auth(tokens), metrics, log or AccessLog(), default_country)
    app = ServiceApp(
        title="rules-engine decision service",
        version="1",
        description="Decides forwarded calls for switches: see docs/service.md.",
        docs_url=None,
        redoc_url=None,
        # FastAPI's OpenTelemetry hooks asked on every request whether a provider is set up:
        # the service has its own metrics and logs, so it skips that work on the hot path.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.service = service
    app.state.limits = limits  # LimitsMiddleware reads them here (mounted pages may add to them)
    errors.install(app, service.metrics)
    decide = APIRouter(route_class=RawRoute, tags=["decide"])
    add_decide_routes(decide, service)
    app.include_router(decide)
    add_operation_routes(app, service)
    app.include_router(live.router(service))
    app.include_router(outcomes.router(service))
    app.include_router(calls.router(service))
    decide_route = next(r for r in decide.routes if isinstance(r, APIRoute) and r.path == "/v1/decide")
    app.add_middleware(FastDecide, service=service, route=decide_route)  # inside the ones below (fast.py)
    app.add_middleware(LimitsMiddleware, state=app.state)
    app.add_middleware(RequestCounter, metrics=service.metrics)
    app.add_middleware(AccessLogMiddleware, log=service.log)
    return app


def add_decide_routes(app: APIRouter, service: Service) -> None:
    @app.post(
        "/v1/decide",
        summary="Decide a call",
        response_model=None,
        responses={200: DECISION, **DECIDE_REFUSALS},
        openapi_extra={"requestBody": body_of("Call", JSON), "security": SECURED},
    )
    async def decide(request: Request) -> Response:
        started = time.perf_counter()
        service.authorize(request, "decide")
        call = build(Call, at_now(await json_body(request)), "a call")
        decision = service.decide(request.scope, call, request.headers.get("x-call-id"), started)
        return Response(decision.to_json().encode("utf-8"), media_type=JSON)

    @app.post(
        "/v1/decide/sip",
        summary="Decide a call from its SIP headers",
        response_model=None,
        responses={200: DECISION, **DECIDE_REFUSALS},
        openapi_extra={"requestBody": body_of("SipFacts", JSON, FORM), "security": SECURED},
    )
    async def decide_sip(request: Request) -> Response:
        started = time.perf_counter()
        service.authorize(request, "decide")
        facts = build(SipFacts, await sip_body(request), "the SIP facts")
        decision = service.decide(
            request.scope,
            call_from_sip(facts, default_country=service.default_country),
            facts.call_id or request.headers.get("x-call-id"),
            started,
        )
        return Response(decision.to_json().encode("utf-8"), media_type=JSON)

    @app.post(
        "/v1/decide/sip/summary",
        summary="Decide a call from its SIP headers, summarised for a switch",
        response_model=None,
        responses={200: {"model": SwitchSummary, "description": "what the switch does"}, **DECIDE_REFUSALS},
        openapi_extra={"requestBody": body_of("SipFacts", JSON, FORM), "security": SECURED},
    )
    async def decide_sip_summary(request: Request) -> Response:
        started = time.perf_counter()
        service.authorize(request, "decide")
        facts = build(SipFacts, await sip_body(request), "the SIP facts")
        call = call_from_sip(facts, default_country=service.default_country)
        decision = service.decide(request.scope, call, facts.call_id or request.headers.get("x-call-id"), started)
        source = read_forwarding(facts, service.default_country).source
        body = json.dumps(summary(decision, call.forwarded, source), ensure_ascii=False)
        return Response(body.encode("utf-8"), media_type=JSON)


def add_operation_routes(app: FastAPI, service: Service) -> None:
    engine = service.engine

    @app.get(
        "/v1/clients",
        summary="The clients served",
        tags=["operations"],
        response_model=list[ClientInfo],
        responses=REFUSALS,
        openapi_extra={"security": SECURED},
    )
    async def clients(request: Request) -> Response:
        service.authorize(request, "decide")
        body = [
            {"id": c.id, "numbers": [n.value for n in c.numbers], "rules_version": c.rules_version}
            for c in engine.clients.values()
        ]
        return Response(json.dumps(body).encode(), media_type=JSON)

    @app.post(
        "/v1/reload",
        summary="Reload the rule files that changed",
        tags=["operations"],
        response_model=ReloadResult,
        responses={422: {"model": ReloadResult, "description": "a file has problems: served as before"}, **REFUSALS},
        openapi_extra={"security": SECURED},
    )
    async def reload(request: Request) -> Response:
        service.authorize(request, "admin")
        report = await service.reload()
        body = {
            "ok": report.ok,
            "added": list(report.added),
            "changed": list(report.changed),
            "removed": list(report.removed),
            "recompiled": list(report.recompiled),
            "problems": [p.render().splitlines()[0] for p in report.problems],
        }
        # 422 when a file has problems (those files keep being served as before): `curl -f` notices
        status = 200 if report.ok else 422
        return Response(json.dumps(body, ensure_ascii=False).encode("utf-8"), status_code=status, media_type=JSON)

    @app.get("/healthz", summary="The process is alive", tags=["operations"])
    async def healthz() -> dict:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        summary="Send me calls: rules loaded and a live-state snapshot, not starting or draining (docs/service.md)",
        tags=["operations"],
        response_model=Readiness,
        responses={503: {"model": Readiness, "description": "not ready (no rules, starting, draining)"}},
    )
    async def readyz(request: Request) -> Response:
        ready, body = readiness(service)
        body = service.shown(request, body)
        return Response(json.dumps(body).encode(), status_code=200 if ready else 503, media_type=JSON)

    @app.get(
        "/metrics",
        summary="Prometheus metrics",
        tags=["operations"],
        responses={
            200: {
                "content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}},
                "description": "the Prometheus text format",
            },
            **{code: REFUSALS[code] for code in (401, 403)},
        },
        openapi_extra={"security": SECURED},
    )
    async def metrics(request: Request) -> Response:
        service.authorize(request, "metrics")
        return Response(service.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


# ---- the switch's summary ------------------------------------------------------------------------------------


def summary(decision: Decision, forwarded: str, source: str) -> dict[str, Any]:
    route = decision.route
    first = route.actions[0] if route is not None and route.actions else None
    transfer = first if isinstance(first, Patch) and not decision.needs and first.targets else None
    return {
        "action": "transfer" if transfer else "agent",
        "transfer_to": transfer.targets[0].address if transfer else "",
        "client": decision.client,
        "rules_version": decision.rules_version,
        "greeting": decision.greeting.id,
        "greeting_language": decision.greeting.language,
        "script": decision.script.id if decision.script is not None else "",
        "urgency": decision.urgency or "",
        "forwarded": forwarded,
        "source": source,
    }


# ---- the OpenAPI document ------------------------------------------------------------------------------------


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document plus the request bodies the decide endpoints read raw, and bearer auth."""
    if app.openapi_schema is None:
        document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for model in RAW_BODIES:
            # as validated (a response that embeds one, such as a client's state, reads the same)
            schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(schema.pop("$defs", {}))
            schemas[model.__name__] = schema
        add_schema(
            schemas,
            "Decision",
            json.loads(json.dumps(decision_schema()).replace('"#/$defs/', '"#/components/schemas/')),
        )
        document["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
        app.openapi_schema = document
    return app.openapi_schema


def add_schema(schemas: dict, name: str, schema: dict) -> None:
    """Put a schema and its definitions among the document's components; a name already
    taken by another shape is a mistake to fix here, not to paper over."""
    for key, value in {**schema.pop("$defs", {}), name: schema}.items():
        if schemas.setdefault(key, value) != value:
            raise ValueError(f"two shapes named {key} in the OpenAPI document")
