"""Request bodies read raw: JSON or a form, then built into the engine's own models.

Building a `Call` (or `SipFacts`) is the one validation a decide request gets; every
problem becomes a `CallError` naming the field, so the answer is the API's own 400.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request
from pydantic import ValidationError

from ..decide.call import Call
from ..decide.sip import SipFacts
from ..errors import CallError
from .errors import ServiceError
from .schema import EscalationRequest, OutcomeRequest, OverrideRequest, StatusRequest

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
# Their schemas go into /openapi.json.
RAW_BODIES = (Call, SipFacts, StatusRequest, OverrideRequest, OutcomeRequest, EscalationRequest)
EXAMPLES = {  # one good body of each, shown in the document (and tried first by schemathesis)
    "Call": {
        "number": "+13125550100",
        "at": "2026-11-28T23:15:00-06:00",
        "forwarded": "user-busy",
        "caller": "+17735550199",
        "answers": {"type": "burst_pipe"},
    },
    "SipFacts": {
        "request_uri": "sip:+18005550000@answering.example",
        "from": '"Ann" <sip:+17735550199@carrier.example>;tag=9f',
        "diversion": ["<sip:+13125550100@carrier.example;user=phone>;reason=user-busy;counter=1"],
        "accept_language": "es-MX, en;q=0.5",
        "call_id": "a84b4c76e66710@carrier.example",
    },
    "StatusRequest": {"note": "In court until 3pm", "until": "2026-11-30T15:00:00-06:00"},
    "OverrideRequest": {
        "team": "plumbers",
        "person": "carol",
        "start": "2026-12-05T08:00:00-06:00",
        "end": "2026-12-06T08:00:00-06:00",
        "reason": "covering for Alice",
    },
    "OutcomeRequest": {
        "outcome": "answered",
        "at": "2026-11-28T23:21:40-06:00",
        "waited_seconds": 12,
        "handled_seconds": 380,
        "resolved": True,
        "transferred": False,
    },
    "EscalationRequest": {
        "step": 1,
        "contact": "bob",
        "method": "call",
        "result": "acknowledged",
        "at": "2026-11-28T23:19:05-06:00",
    },
}


async def json_body(request: Request) -> Any:
    body = await request.body()
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise ServiceError(
            400,
            f"the body is not JSON: {getattr(exc, 'msg', 'not UTF-8')}{where}",
            hint='e.g. {"number": "+13125550100", "at": "2026-11-28T23:15:00-06:00", "forwarded": "busy"}',
        ) from None


async def sip_body(request: Request) -> Any:
    """SIP facts as JSON, or as a form (what Kamailio's http_client and Twilio's webhooks post).

    In a form, `diversion` and `history_info` may repeat, and `answers.FIELD=VALUE` gives an answer.
    """
    kind = request.headers.get("content-type", JSON).split(";")[0].strip().lower()
    if kind == JSON:
        return await json_body(request)
    if kind != FORM:
        raise ServiceError(415, f"the body is {kind or 'of no type'}; send {JSON} or {FORM}")
    try:
        pairs = parse_qsl((await request.body()).decode("utf-8"))
    except UnicodeDecodeError:
        raise ServiceError(400, "the form is not UTF-8") from None
    facts: dict[str, Any] = {}
    for name, value in pairs:
        if name.startswith("answers."):
            facts.setdefault("answers", {})[name[len("answers.") :]] = value
        elif name in ("diversion", "history_info"):
            facts.setdefault(name, []).append(value)
        elif value:
            facts[name] = value
    return facts


def build(model, data: Any, what: str):
    """`model(**data)`, every problem told as a `CallError` naming the field."""
    if not isinstance(data, dict):
        raise CallError(f"the body must be a JSON object: {what}")
    try:
        return model(**data)
    except TypeError:  # a key Python cannot pass as a keyword (e.g. `self`)
        raise CallError(f"the body has a key that is not a field of {what}") from None
    except ValidationError as exc:  # the service's own models (the engine's raise CallError themselves)
        error = exc.errors(include_url=False)[0]
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "missing":
            message = "is required"
        elif error["type"] == "extra_forbidden":
            message = f"is not a field of {what}"
        raise CallError(message, field=".".join(str(p) for p in error["loc"]) or None) from None


def body_of(schema: str, *media: str) -> dict:
    """An OpenAPI requestBody naming a schema of `RAW_BODIES`."""
    return {
        "required": True,
        "content": {
            kind: {"schema": {"$ref": f"#/components/schemas/{schema}"}, "example": EXAMPLES[schema]} for kind in media
        },
    }
