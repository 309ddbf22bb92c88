"""The service's request and response shapes, as pydantic models: FastAPI writes
`/openapi.json` from them, and the live-state endpoints validate their bodies with them.

`DecisionDoc` describes the body of `POST /v1/decide` (LANGUAGE.md section 3) for the
OpenAPI document only: the body itself is `Decision.to_json()`, byte for byte. Its actions
are a union discriminated by `kind`, which code generators turn into one type per action.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field


class Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- the decision (LANGUAGE.md section 3) -------------------------------------------------------------


class TargetDoc(Doc):
    contact: Optional[str] = Field(None, description="the contact's id; absent for a literal number")
    name: Optional[str] = None
    team: Optional[str] = Field(None, description="the on-call team the contact was resolved from")
    method: Literal["call", "sms", "email"]
    address: str


class PatchDoc(Doc):
    kind: Literal["patch"]
    team: Optional[str] = None
    targets: list[TargetDoc]


class MessageDoc(Doc):
    kind: Literal["message"]
    priority: str
    targets: list[TargetDoc]


class VoicemailDoc(Doc):
    kind: Literal["voicemail"]


class CallbackDoc(Doc):
    kind: Literal["callback"]
    within: str = Field(description="ISO 8601 duration, e.g. PT30M")


class HangupDoc(Doc):
    kind: Literal["hangup"]
    say: str


FinalDoc = Annotated[Union[PatchDoc, MessageDoc, VoicemailDoc, CallbackDoc, HangupDoc], Field(discriminator="kind")]


class StepDoc(Doc):
    targets: list[TargetDoc]
    wait: str = Field(description="ISO 8601 duration")


class EscalateDoc(Doc):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    kind: Literal["escalate"]
    policy: str
    steps: list[StepDoc]
    repeat: int
    final: Optional[FinalDoc] = Field(None, alias="finally")


ActionDoc = Annotated[Union[PatchDoc, EscalateDoc, MessageDoc, VoicemailDoc, CallbackDoc, HangupDoc],
                      Field(discriminator="kind")]


class GreetingDoc(Doc):
    id: str
    title: Optional[str] = None
    language: str
    text: str


class AskDoc(Doc):
    kind: Literal["ask"]
    field: str
    language: str
    text: str
    required: bool
    phone: bool
    choices: Optional[list[str]]
    answer: Optional[str]
    waits_for: list[str]


class SayDoc(Doc):
    kind: Literal["say"]
    language: str
    text: str


class ScriptDoc(Doc):
    id: str
    steps: list[Annotated[Union[AskDoc, SayDoc], Field(discriminator="kind")]]


class RouteDoc(Doc):
    rule: int = Field(description="which rule of `route` matched, 1-based")
    line: int
    actions: list[ActionDoc] = Field(description="the first action, then each `else` fallback")


class StatusDoc(Doc):
    note: str
    instructions: Optional[str]
    until: Optional[str]


class TraceDoc(Doc):
    section: str
    rule: Union[str, int]
    line: int
    result: Optional[bool]
    note: Optional[str] = None


class LiveStateDoc(Doc):
    revision: int
    as_of: Optional[str]
    age: Optional[float]


class DecisionDoc(Doc):
    """The decision for one call: the body is `Engine.decide(call).to_json()`."""

    model_config = ConfigDict(extra="forbid", title="Decision")
    client: str
    at: str = Field(description="the call's local time, ISO 8601 with offset")
    rules_version: str
    windows: list[str]
    greeting: GreetingDoc
    script: Optional[ScriptDoc]
    urgency: Optional[str]
    needs: list[str]
    route: Optional[RouteDoc]
    status: Optional[StatusDoc] = None
    trace: list[TraceDoc]
    live_state: Optional[LiveStateDoc] = Field(None, description="how current the live state read was; only "
                                                                  "with a store shared by several services")


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
