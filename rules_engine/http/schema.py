"""The service's own request and response shapes, as pydantic models: FastAPI writes
`/openapi.json` from them, and the live-state endpoints validate their bodies with them.

The decision's shape is not here: the document takes it from `decide.schema.decision_schema()`,
the schema of the classes that write the JSON (actions a union discriminated by `kind`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- what the service adds ---------------------------------------------------------------------------------


class ErrorDetail(Doc):
    field: str | None = Field(description="the request field at fault, when one is")
    message: str
    hint: str | None


class ErrorBody(Doc):
    error: ErrorDetail


class SwitchSummary(Doc):
    """The decision reduced to what a switch acts on, every value a string ("" when none)."""

    action: Literal["agent", "transfer"] = Field(
        description="transfer: the route is known on arrival and its first action is a patch, so the switch "
        "may redirect the call to `transfer_to` at once; agent: send the call to an agent position"
    )
    transfer_to: str = Field(description="the first patch target's address, for action transfer")
    client: str
    rules_version: str
    greeting: str
    greeting_language: str = Field(
        description="the language of the greeting chosen (the call's language, or the client's default "
        "when it has no greeting in that language), e.g. for an IVR prompt or an agent's screen"
    )
    script: str
    urgency: str
    forwarded: str = Field(description="the forwarding reason read from the SIP facts")
    source: str = Field(description="which facts told it: diversion, history-info, asterisk, twilio or dialled")


class StatusRequest(Doc):
    note: str = Field(min_length=1, max_length=500, description="the default note: what every caller hears")
    until: datetime | None = Field(None, description="when the status ends, ISO 8601 with offset")
    instructions: str | None = Field(None, max_length=2000)
    notes: dict[str, str] | None = Field(
        None,
        description="language tag → the note callers in that language hear instead of `note` "
        '(`{"es": "En el juzgado hasta las 3"}`); a caller in a language not written hears `note`',
    )
    starts: datetime | None = Field(
        None, description="a status scheduled ahead: active from this time (ISO 8601 with offset)"
    )


class OverrideRequest(Doc):
    team: str
    person: str = Field(description="the contact who covers the team")
    start: datetime
    end: datetime
    reason: str | None = Field(None, max_length=500)


class OutcomeRequest(Doc):
    """How a decided call ended (docs/metrics.md); the engine checks every value."""

    outcome: str = Field(description="answered, abandoned, missed, failed or dropped")
    at: datetime | None = Field(None, description="when it ended, ISO 8601 with offset; now when absent")
    waited_seconds: float | None = Field(None, description="from arrival until answered or abandoned")
    handled_seconds: float | None = Field(None, description="talk and wrap-up time of an answered call")
    resolved: bool | None = None
    transferred: bool | None = None
    csat: float | None = Field(None, description="the caller's satisfaction, 1 to 5")
    client: str | None = Field(None, description="when given, the call must be this client's")


class EscalationRequest(Doc):
    """The result of one notification of the call's escalation plan."""

    step: int = Field(description="1, 2, … in the order the steps ran (repeats continue the count)")
    contact: str = Field(description="the contact notified")
    method: str = Field(description="call, sms or email")
    result: str = Field(description="acknowledged, no_answer or failed")
    at: datetime = Field(description="when the result came, ISO 8601 with offset")
    client: str | None = Field(None, description="when given, the call must be this client's")


class RecordedOutcome(Doc):
    call_id: str
    client: str
    outcome: str
    at: str = Field(description="ISO 8601, UTC")
    waited_seconds: float | None
    handled_seconds: float | None
    resolved: bool | None
    transferred: bool | None
    csat: float | None


class RecordedEscalation(Doc):
    call_id: str
    client: str
    step: int
    contact: str
    method: str
    result: str
    at: str = Field(description="ISO 8601, UTC")


class ClientStateDoc(Doc):
    client: str
    status: StatusRequest | None
    overrides: list[OverrideRequest]


class ClientInfo(Doc):
    id: str
    numbers: list[str]
    rules_version: str


class ReloadResult(Doc):
    ok: bool
    added: list[str]
    changed: list[str]
    removed: list[str]
    recompiled: list[str]
    problems: list[str] = Field(description="each problem rendered as file:line:column: message")


class Readiness(Doc):
    """Without the scope `metrics` (when tokens are configured), only `ready`, `status` and `draining`."""

    ready: bool
    status: str  # ok, degraded, starting, draining, no rules, no live state yet
    degraded: list[str] | None = None  # why a ready instance decides less well: the store down, rule problems
    clients: int | None = None
    rules_versions: dict[str, str] | None = None
    problems: int | None = None
    store: dict | None = None
    draining: bool
    pid: int | None = None  # the process (the worker, with `serve --workers N`) that answered


class LoggedCall(Doc):
    """A decision as the decision log keeps it (docs/service.md, The decision of a call)."""

    model_config = ConfigDict(extra="allow")

    call_id: str
    logged_at: str = Field(description="when it was decided and logged (UTC, ISO 8601)")
    client: str
    rules_version: str
    call: dict = Field(description="the call's fields as asked (those that are not defaults)")
    decision: dict = Field(
        description="the decision (docs/language.md, The decision) but for its client, rules version and trace, "
        "its script's steps in full"
    )
    trace: list = Field(description="each rule tried: [section, rule, line, result(, note)]")
