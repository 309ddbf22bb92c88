"""The service's own request and response shapes, as pydantic models: FastAPI writes
`/openapi.json` from them, and the live-state endpoints validate their bodies with them.

The decision's shape is not here: the document takes it from `decide.schema.decision_schema()`,
the schema of the classes that write the JSON (actions a union discriminated by `kind`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field


class Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- what the service adds ---------------------------------------------------------------------------------


class ErrorDetail(Doc):
    field: Optional[str] = Field(description="the request field at fault, when one is")
    message: str
    hint: Optional[str]


class ErrorBody(Doc):
    error: ErrorDetail


class SwitchSummary(Doc):
    """The decision reduced to what a switch acts on, every value a string ("" when none)."""

    action: Literal["agent", "transfer"] = Field(
        description="transfer: the route is known on arrival and its first action is a patch, so the switch "
                    "may redirect the call to `transfer_to` at once; agent: send the call to an agent position")
    transfer_to: str = Field(description="the first patch target's address, for action transfer")
    client: str
    rules_version: str
    greeting: str
    greeting_language: str
    script: str
    urgency: str
    forwarded: str = Field(description="the forwarding reason read from the SIP facts")
    source: str = Field(description="which facts told it: diversion, history-info, asterisk, twilio or dialled")


class StatusRequest(Doc):
    note: str = Field(min_length=1, max_length=500)
    until: Optional[datetime] = Field(None, description="when the status ends, ISO 8601 with offset")
    instructions: Optional[str] = Field(None, max_length=2000)


class OverrideRequest(Doc):
    team: str
    person: str = Field(description="the contact who covers the team")
    start: datetime
    end: datetime
    reason: Optional[str] = Field(None, max_length=500)


class ClientStateDoc(Doc):
    client: str
    status: Optional[StatusRequest]
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
    ready: bool
    clients: int
    rules_versions: dict[str, str]
    problems: int
    store: dict
    draining: bool
