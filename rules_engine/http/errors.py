"""Every refusal of the service as JSON: `{"error": {"field", "message", "hint"}}`.

The engine's own errors keep their words: a `CallError` is a 400 naming the field, an
unknown client or number a 404. Nothing else leaks: an exception nobody expected is a 500
whose body says only that, and whose traceback goes to the log.
"""

from __future__ import annotations

import json
import logging
from collections.abc import MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from ..errors import CallError, StoreError, UnknownClientError

log = logging.getLogger("rules_engine.http")


class ServiceError(Exception):
    """A refusal with an HTTP status, e.g. 401 without a token, 413 for a body too large."""

    def __init__(
        self,
        status: int,
        message: str,
        field: str | None = None,
        hint: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status, self.message, self.field, self.hint, self.headers = status, message, field, hint, headers


def error_response(
    status: int, message: str, field: str | None = None, hint: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    body = json.dumps({"error": {"field": field, "message": message, "hint": hint}}, ensure_ascii=False)
    return Response(body.encode("utf-8"), status_code=status, media_type="application/json", headers=headers)


def call_error_parts(exc: CallError) -> tuple[str, str | None]:
    """A `CallError`'s message without its `field: ` prefix, and its hint (a "did you mean")."""
    text = str(exc)
    if exc.field and text.startswith(f"{exc.field}: "):
        text = text[len(exc.field) + 2 :]
    hint = getattr(exc, "hint", None)
    message, sep, rest = text.partition("; did you mean")
    if sep and hint is None:
        return message, "did you mean" + rest
    return text, hint


def install(app: FastAPI, metrics) -> None:
    """Register the handlers that turn exceptions into the JSON error body (and count refused
    calls and store failures in `metrics`)."""

    @app.exception_handler(ServiceError)
    @app.exception_handler(CallError)
    @app.exception_handler(ClientDisconnect)
    async def _refused(request: Request, exc: Exception) -> Response:
        return refusal(exc, request.scope, metrics)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        error = exc.errors()[0]
        where = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
        message = error.get("msg", "is not valid").removeprefix("Value error, ")
        if error.get("type") == "missing":
            message = "is required"
        elif error.get("type") == "extra_forbidden":
            message = "is not a field of this request"
        note(request, message)
        return error_response(400, message, ".".join(where) or None)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        message = {404: "no such endpoint; see /openapi.json", 405: "method not allowed on this endpoint"}.get(
            exc.status_code, str(exc.detail)
        )
        return error_response(exc.status_code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(StoreError)
    async def _store(request: Request, exc: StoreError) -> Response:
        return refusal(exc, request.scope, metrics)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        note(request, f"unexpected {type(exc).__name__}")
        return error_response(500, "internal error: the service's log has the details")


REFUSALS = (ServiceError, CallError, ClientDisconnect, StoreError)  # what `refusal` answers


def refusal(exc: Exception, scope: MutableMapping[str, Any], metrics) -> Response:
    """The answer to one of `REFUSALS`, its message put in the request's log line: the
    exception handlers' and the decide fast path's (fast.py) one way to refuse."""
    if isinstance(exc, ServiceError):
        note_in(scope, exc.message)
        return error_response(exc.status, exc.message, exc.field, exc.hint, exc.headers)
    if isinstance(exc, CallError):
        message, hint = call_error_parts(exc)
        note_in(scope, message)
        unknown = isinstance(exc, UnknownClientError)
        if scope["path"].startswith("/v1/decide"):
            metrics.refused.labels("unknown_client" if unknown else "bad_call").inc()
        return error_response(404 if unknown else 400, message, exc.field, hint)
    if isinstance(exc, ClientDisconnect):
        # The client left (or was closed for being too slow) before its body arrived: nothing
        # to answer, and nothing unexpected to log.
        note_in(scope, "the client disconnected before its request arrived whole")
        return error_response(499, "the client disconnected before its request arrived whole")
    if isinstance(exc, StoreError):
        metrics.store_errors.inc()
        note_in(scope, str(exc))
        return error_response(
            503,
            "the live-state store is unavailable; try again shortly",
            hint="the service keeps deciding calls; /readyz shows the store's state",
        )
    raise TypeError(f"not a refusal: {type(exc).__name__}")


def note(request: Request, message: str) -> None:
    """Put the refusal's message in the request's log line."""
    note_in(request.scope, message)


def note_in(scope: MutableMapping[str, Any], message: str) -> None:
    record = scope.get("rules_engine.log")
    if record is not None:
        record["error"] = message
