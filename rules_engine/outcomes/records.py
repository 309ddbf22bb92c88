"""What is recorded about a call, and the checks every recorded value passes.

Three kinds of row, kept as plain tuples so that a report over 100,000 calls reads fast:

- `Decided`: the facts of a call decided with a `call_id` (client, instant, caller,
  forwarding reason, urgency, route rule and line, rules version), written in the
  background after `decide` returns;
- `Outcome`: how the call ended (one final outcome a call);
- `Escalation`: the result of one notification of an escalation plan.

Instants are seconds since the epoch (UTC); `local_at` is the decision's local time of the
call (ISO 8601 with its offset), from which reports take local days and hours.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import CallError, did_you_mean
from ..model import Escalate

if TYPE_CHECKING:
    from ..decide.call import Call
    from ..decide.decision import Decision
    from ..model import Client

OUTCOMES = ("answered", "abandoned", "missed", "failed", "dropped")
RESULTS = ("acknowledged", "no_answer", "failed")
METHODS = ("call", "sms", "email")
CSAT_RANGE = (1, 5)
MAX_SECONDS = 7 * 86400  # a wait or a handled time longer than a week is a mistake, not a call


class OutcomeError(CallError):
    """A recorded outcome or escalation result is invalid; the message names the field."""


class UnknownCallError(OutcomeError):
    """No call was decided under that call id (the service answers 404)."""


class AlreadyRecordedError(OutcomeError):
    """The call already has its outcome, or that notification its result (the service answers 409)."""


class Decided(NamedTuple):
    call_id: str
    client: str
    at: float
    local_at: str
    caller: str | None
    forwarded: str
    urgency: str | None
    rule: int | None
    line: int | None
    rules_version: str


class Outcome(NamedTuple):
    call_id: str
    client: str
    outcome: str
    at: float
    waited: float | None
    handled: float | None
    resolved: int | None  # 1, 0 or None (not said): stored as numbers by every store
    transferred: int | None
    csat: float | None


class Escalation(NamedTuple):
    call_id: str
    client: str
    step: int
    contact: str
    method: str
    result: str
    at: float


def decided(call: Call, decision: Decision, call_id: str) -> Decided:
    """The facts reports need from one decision (run by the background writer, not by `decide`)."""
    route = decision.route
    return Decided(
        call_id,
        decision.client,
        call.at.timestamp(),
        decision.at,
        call.caller,
        call.forwarded,
        decision.urgency,
        route.rule if route is not None else None,
        route.line if route is not None else None,
        decision.rules_version,
    )


def check_call_id(call_id: Any) -> str:
    if not isinstance(call_id, str) or not call_id.strip():
        raise OutcomeError("needs the call id the call was decided with", field="call_id")
    if len(call_id) > 200:
        raise OutcomeError("a call id is at most 200 characters", field="call_id")
    return call_id


def unknown_call(call_id: str) -> UnknownCallError:
    return UnknownCallError(
        f"no call was decided with the id `{call_id}` (outcomes are recorded for calls decided with a call_id)",
        field="call_id",
    )


def check_owner(facts: Decided, client: str | None) -> None:
    """A caller that says which client it speaks for may record only that client's calls."""
    if client is not None and facts.client != client:
        raise OutcomeError(f"call `{facts.call_id}` is a call of another client, not of `{client}`", field="call_id")


def outcome(
    facts: Decided,
    outcome: Any,
    *,
    at: datetime | None,
    waited_seconds: Any = None,
    handled_seconds: Any = None,
    resolved: Any = None,
    transferred: Any = None,
    csat: Any = None,
) -> Outcome:
    """The outcome of the call `facts` describes, every value checked."""
    if outcome not in OUTCOMES:
        hint = did_you_mean(str(outcome), OUTCOMES)
        raise OutcomeError(
            f"`{outcome}` is not an outcome; use one of {', '.join(OUTCOMES)}" + (f" ({hint})" if hint else ""),
            field="outcome",
        )
    instant = when(at, facts)
    waited = seconds(waited_seconds, "waited_seconds")
    handled = seconds(handled_seconds, "handled_seconds")
    if outcome == "failed" and waited is not None:
        raise OutcomeError("a failed call never reached the service, so it has no wait", field="waited_seconds")
    if handled is not None and outcome not in ("answered", "dropped"):
        raise OutcomeError(
            f"only an answered call (or one dropped after it was answered) has a handled time; this one was {outcome}",
            field="handled_seconds",
        )
    resolved_flag, transferred_flag = flag(resolved, "resolved"), flag(transferred, "transferred")
    for name, value in (("resolved", resolved_flag), ("transferred", transferred_flag)):
        if value is not None and outcome != "answered":
            raise OutcomeError(f"only an answered call can be {name}; this one was {outcome}", field=name)
    return Outcome(
        facts.call_id, facts.client, outcome, instant, waited, handled, resolved_flag, transferred_flag, score(csat)
    )


def escalation(
    facts: Decided, client: Client, *, step: Any, contact: Any, method: Any, result: Any, at: Any
) -> Escalation:
    """One notification's result for the call `facts` describes, checked against `client`'s contacts."""
    if isinstance(step, bool) or not isinstance(step, int) or step < 1:
        raise OutcomeError(
            f"the step is a whole number from 1 (the order in which the steps ran), not {step!r}", field="step"
        )
    if contact not in client.contacts:
        hint = did_you_mean(str(contact), client.contacts)
        raise OutcomeError(
            f"client `{client.id}` has no contact `{contact}`" + (f"; {hint}" if hint else ""), field="contact"
        )
    if method not in METHODS:
        raise OutcomeError(f"`{method}` is not a way to notify; use one of {', '.join(METHODS)}", field="method")
    if result not in RESULTS:
        hint = did_you_mean(str(result), RESULTS)
        raise OutcomeError(
            f"`{result}` is not a result; use one of {', '.join(RESULTS)}" + (f" ({hint})" if hint else ""),
            field="result",
        )
    if at is None:
        raise OutcomeError("is required: when the notification was acknowledged, went unanswered or failed", field="at")
    if not escalated(facts, client):
        raise OutcomeError(
            f"call `{facts.call_id}` had no escalation: rule {facts.rule} of `route` (line {facts.line}) "
            "routed it without `escalate`",
            field="call_id",
        )
    return Escalation(facts.call_id, facts.client, step, contact, method, result, when(at, facts))


def escalated(facts: Decided, client: Client) -> bool:
    """Whether the route that decided the call may have escalated: False only when the rules
    version that decided it is still served and its route rule has no `escalate` action (a call
    decided by another version, or still waiting for answers, is given the benefit of the doubt)."""
    if facts.rule is None or facts.rules_version != client.rules_version or not 0 < facts.rule <= len(client.routes):
        return True
    return any(isinstance(action, Escalate) for action in client.routes[facts.rule - 1].actions)


def when(at: datetime | None, facts: Decided) -> float:
    """An aware `at` (now when None) as epoch seconds, not before the call was decided."""
    if at is None:
        return datetime.now(UTC).timestamp()
    if not isinstance(at, datetime) or at.utcoffset() is None:
        raise OutcomeError("needs a date-time with a time zone offset (e.g. 2026-11-28T23:15:00-06:00)", field="at")
    instant = at.timestamp()
    if instant < facts.at:
        raise OutcomeError(f"{at.isoformat()} is before the call arrived ({facts.local_at})", field="at")
    return instant


def seconds(value: Any, field: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise OutcomeError(f"must be a number of seconds, not {value!r}", field=field)
    if value < 0:
        raise OutcomeError(f"must be 0 or more seconds, not {value}", field=field)
    if value > MAX_SECONDS:
        raise OutcomeError(f"{value} seconds is more than a week: give the time in seconds", field=field)
    return float(value)


def flag(value: Any, field: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, bool):
        raise OutcomeError(f"must be true or false, not {value!r}", field=field)
    return int(value)


def score(value: Any) -> float | None:
    if value is None:
        return None
    low, high = CSAT_RANGE
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise OutcomeError(f"a satisfaction score is a number from {low} to {high}, not {value!r}", field="csat")
    return float(value)
