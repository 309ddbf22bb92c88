"""Request bodies read raw: JSON or a form, then built into the engine's own models.

Building a `Call` (or `SipFacts`) is the one validation a decide request gets; every
problem becomes a `CallError` naming the field, so the answer is the API's own 400.

JSON is parsed with limits a hostile body cannot get past (docs/service.md, Limits): nesting
at most `MAX_DEPTH` deep (Python's parser recurses, so a body 5,000 levels deep would exhaust
the stack), integers of at most `MAX_DIGITS` digits (a longer one costs quadratic time to
convert), and only finite numbers (no NaN, no Infinity, no 1e999). The depth is checked by a
scan that never recurses, and only when the body holds more brackets than `MAX_DEPTH`, which
a real request never does: the hot path pays one `bytes.count` per bracket kind.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import MutableMapping
from datetime import UTC, datetime
from itertools import accumulate
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request
from pydantic import ValidationError
from starlette.requests import ClientDisconnect

from ..decide.call import Call
from ..decide.sip import SipFacts
from ..errors import CallError
from .errors import ServiceError
from .protocol import GONE
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


MAX_DEPTH = 32  # arrays and objects inside one another
MAX_DIGITS = 40  # digits of one number
STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.DOTALL)  # a JSON string, escapes included
NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
RISE = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


class BodyLimitError(ValueError):
    """A JSON body past one of the parser's limits (raised from the parser's hooks)."""


def parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise BodyLimitError(f"a number has more than {MAX_DIGITS} digits")
    return int(text)


def parse_float(text: str) -> float:
    value = float(text) if len(text) <= 2 * MAX_DIGITS else math.inf
    if not math.isfinite(value):
        raise BodyLimitError(f"the number {text[:MAX_DIGITS]} is too large (or has more than {MAX_DIGITS} digits)")
    return value


def parse_constant(text: str) -> Any:
    raise BodyLimitError(f"{text} is not a number JSON allows")


# One decoder with the hooks: `json.loads` given hooks would build a new decoder for every body.
DECODER = json.JSONDecoder(parse_int=parse_int, parse_float=parse_float, parse_constant=parse_constant)


def depth(body: bytes) -> int:
    """How deep arrays and objects nest in `body`, brackets inside strings left out (no recursion)."""
    if body.count(b"[") + body.count(b"{") <= MAX_DEPTH:
        return 0  # cannot nest deeper than MAX_DEPTH
    brackets = STRING.sub(b"", body).translate(None, NOT_BRACKETS)
    return max(accumulate(RISE[b] for b in brackets), default=0)


def parse_json(body: bytes) -> Any:
    """The JSON of `body` within the limits; a `ServiceError` (400) for anything else."""
    if depth(body) > MAX_DEPTH:
        raise ServiceError(400, f"the body nests arrays and objects more than {MAX_DEPTH} deep")
    try:
        return DECODER.decode(body.decode("utf-8"))
    except BodyLimitError as exc:
        raise ServiceError(400, f"the body is refused: {exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise ServiceError(
            400,
            f"the body is not JSON: {getattr(exc, 'msg', 'not UTF-8')}{where}",
            hint='e.g. {"number": "+13125550100", "at": "2026-11-28T23:15:00-06:00", "forwarded": "busy"}',
        ) from None


async def body_bytes(request: Request) -> bytes:
    """The whole body; `ClientDisconnect` when the client has gone meanwhile (e.g. it gave up
    while its request waited for the event loop), so nothing is decided or changed for it."""
    body = await request.body()
    check_gone(request.scope)
    return body


async def read_body(scope: MutableMapping[str, Any], receive) -> bytes:
    """`body_bytes` from the ASGI `receive` itself, as Starlette's `Request.body()` reads it
    (the decide fast path's, fast.py, which makes no `Request`)."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.request":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        elif message["type"] == "http.disconnect":
            raise ClientDisconnect()
    check_gone(scope)
    return b"".join(chunks)


def check_gone(scope: MutableMapping[str, Any]) -> None:
    gone = scope.get(GONE)  # set by the service's own connection (protocol.py)
    if gone is not None and gone():
        raise ClientDisconnect()


async def json_body(request: Request) -> Any:
    return parse_json(await body_bytes(request))


def at_now(data: Any) -> Any:
    """A call whose `at` is `"now"` (as a switch that does not keep the time sends it), at this instant."""
    if isinstance(data, dict) and data.get("at") == "now":
        return {**data, "at": datetime.now(UTC)}
    return data


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
        pairs = parse_qsl((await body_bytes(request)).decode("utf-8"))
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
