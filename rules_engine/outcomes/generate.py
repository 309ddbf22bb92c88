"""A seeded generator of realistic outcome histories for the example clients.

Calls arrive hour by hour as a Poisson process whose rate follows a working day (busy
mornings and early afternoons, a quiet night, quieter weekends); each is decided by the
engine itself, so its route rule, urgency and rules version are real. The caller waits for
an agent (longer when the hour is busy) and hangs up if the wait outlasts their patience;
a few calls fail, are missed or drop. Answered calls are handled for a few minutes and are
mostly resolved. A call routed to an escalation runs its plan: each notified person
acknowledges with some probability before the step's wait runs out, step after step, round
after round. Callers come from a pool, so some call back within the FCR window; some
withhold their number.

The same engine, client, span, seed and `Behaviour` give the same history, row for row.
`write(store, rows)` imports a history in a few transactions (tests, docs/metrics.md's
example report, `benchmarks/outcome_report.py`, and `python -m rules_engine.cli.generate_history`,
which fills the store a settings file names).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, NamedTuple, Protocol

from pydantic import TypeAdapter

from .. import model as m
from ..decide.call import Call
from ..schedule.clock import zone
from . import records
from .records import Decided, Escalation, Outcome

if TYPE_CHECKING:
    from ..decide.decision import Decision
    from ..model import Client
    from .store import OutcomeStore

# Relative arrival rate by local hour (0–23): a working day's shape.
WORKDAY = (
    0.15,
    0.1,
    0.1,
    0.1,
    0.15,
    0.3,
    0.6,
    1.2,
    2.2,
    2.6,
    2.5,
    2.2,
    1.6,
    2.0,
    2.3,
    2.1,
    1.8,
    1.3,
    0.9,
    0.7,
    0.6,
    0.5,
    0.35,
    0.2,
)
DURATION = TypeAdapter(timedelta)
AREAS = ("312", "773", "872", "630", "708", "847")  # callers' numbers: +1 AREA 555 2000-9999
REASONS = (("busy", 0.38), ("no_answer", 0.3), ("always", 0.17), ("manual", 0.08), ("direct", 0.07))


@dataclass(frozen=True)
class Behaviour:
    calls_per_day: float = 40.0  # on a weekday; weekends get `weekend_share` of it
    weekend_share: float = 0.45
    mean_wait: float = 14.0  # seconds to answer in an average hour (longer when busy)
    patch_wait: float = 25.0  # more, on average, while a patched call rings the person it goes to
    mean_patience: float = 75.0  # seconds a caller waits before hanging up
    failed: float = 0.015
    missed: float = 0.04
    dropped: float = 0.01
    mean_handled: float = 210.0
    resolved: float = 0.78
    transferred: float = 0.09
    csat_given: float = 0.35
    acknowledge: float = 0.55  # chance a notified person acknowledges within the step's wait
    notification_fails: float = 0.03
    withheld: float = 0.08  # callers with no caller id
    unrecorded: float = 0.01  # calls whose outcome the switch never reports
    callers_per_day: float = 12.0  # the caller pool: smaller means more repeat calls


class Decides(Protocol):
    """What deciding a history needs: an `Engine` (this module sits below the engine, so it
    names only the two calls it makes)."""

    def client(self, client_id: str) -> Client: ...

    def decide(self, call: Call) -> Decision: ...


class Generated(NamedTuple):
    decided: Decided
    outcome: Outcome | None
    escalations: list[Escalation]


def history(
    engine: Decides, client: str, start: date, days: int, seed: int = 1, behaviour: Behaviour = Behaviour()
) -> Iterator[Generated]:
    """`days` days of calls to `client` from local midnight of `start`, in order of arrival."""
    served = engine.client(client)
    tz = zone(served.timezone)
    rng = random.Random(seed)
    choices = {
        ask.field: [name.value for name in ask.choices]
        for script in served.scripts.values()
        for ask in script.steps
        if isinstance(ask, m.Ask) and ask.choices
    }
    ranges = {  # questions answered with a number: a whole number within the question's bounds
        ask.field: ask.number
        for script in served.scripts.values()
        for ask in script.steps
        if isinstance(ask, m.Ask) and ask.number is not None
    }
    size = min(len(AREAS) * 8000, max(1, int(behaviour.callers_per_day * days)))
    pool = [f"+1{AREAS[n // 8000]}555{2000 + n % 8000:04d}" for n in rng.sample(range(len(AREAS) * 8000), size)]
    peak = max(WORKDAY)
    number = 0
    for offset in range(days):
        day = start + timedelta(days=offset)
        scale = behaviour.calls_per_day / sum(WORKDAY) * (behaviour.weekend_share if day.weekday() >= 5 else 1)
        for hour in range(24):
            load = WORKDAY[hour] / peak
            for _ in range(poisson(rng, WORKDAY[hour] * scale)):
                number += 1
                at = datetime.combine(day, time(hour), tz).replace(fold=0) + timedelta(seconds=rng.uniform(0, 3600))
                caller = None if rng.random() < behaviour.withheld else rng.choice(pool)
                call = Call(
                    client=client,
                    at=at,
                    forwarded=weighted(rng, REASONS),
                    caller=caller,
                    answers={
                        **{field: rng.choice(values) for field, values in choices.items()},
                        **{field: str(number_within(rng, bounds)) for field, bounds in ranges.items()},
                    },
                )
                decision = engine.decide(call)
                facts = records.decided(call, decision, f"{client}-{seed}-{number:06d}")
                first = decision.route.actions[0].kind if decision.route is not None else None
                ended = outcome(rng, facts, at, load, first == "patch", behaviour)
                yield Generated(
                    facts,
                    None if rng.random() < behaviour.unrecorded else ended,
                    escalation(rng, facts, served, decision, at, behaviour),
                )


def outcome(rng: random.Random, facts: Decided, at: datetime, load: float, patched: bool, b: Behaviour) -> Outcome:
    draw = rng.random()
    if draw < b.failed:
        return records.outcome(facts, "failed", at=at)
    wait = rng.expovariate(1 / (b.mean_wait * (0.5 + load) + (b.patch_wait if patched else 0)))
    patience = rng.expovariate(1 / b.mean_patience)
    if wait > patience:
        return records.outcome(
            facts, "abandoned", at=at + timedelta(seconds=patience), waited_seconds=round(patience, 1)
        )
    if draw < b.failed + b.missed:
        return records.outcome(facts, "missed", at=at + timedelta(seconds=wait), waited_seconds=round(wait, 1))
    handled = round(rng.lognormvariate(math.log(b.mean_handled) - 0.18, 0.6), 1)
    end = at + timedelta(seconds=wait + handled)
    if draw < b.failed + b.missed + b.dropped:
        return records.outcome(facts, "dropped", at=end, waited_seconds=round(wait, 1), handled_seconds=handled)
    csat = rng.choices((1, 2, 3, 4, 5), (3, 4, 10, 33, 50))[0] if rng.random() < b.csat_given else None
    return records.outcome(
        facts,
        "answered",
        at=end,
        waited_seconds=round(wait, 1),
        handled_seconds=handled,
        resolved=rng.random() < b.resolved,
        transferred=rng.random() < b.transferred,
        csat=csat,
    )


def escalation(
    rng: random.Random, facts: Decided, served, decision: Decision, at: datetime, b: Behaviour
) -> list[Escalation]:
    """The results of the decision's escalation plan, if its first action is one."""
    route = decision.route
    if route is None or not route.actions or route.actions[0].kind != "escalate":
        return []
    plan = route.actions[0]
    results, step, now = [], 0, at + timedelta(seconds=rng.uniform(20, 90))  # the agent takes the details first
    for _ in range(plan.repeat):
        for listed in plan.steps:
            step += 1
            wait = duration(listed.wait)
            acknowledged = False
            for target in listed.targets:
                if target.contact is None:
                    continue
                if rng.random() < b.notification_fails:
                    result, when = "failed", now + timedelta(seconds=rng.uniform(1, 20))
                elif target.method != "email" and rng.random() < b.acknowledge:
                    result, when = "acknowledged", now + timedelta(seconds=rng.uniform(15, wait * 0.9))
                    acknowledged = True
                else:
                    result, when = "no_answer", now + timedelta(seconds=wait)
                results.append(
                    records.escalation(
                        facts, served, step=step, contact=target.contact, method=target.method, result=result, at=when
                    )
                )
            if acknowledged:
                return results
            now += timedelta(seconds=wait)
    return results


def write(store: OutcomeStore, generated: Iterator[Generated], batch: int = 5000) -> int:
    """Import a generated history into `store`; returns the number of calls."""
    count, chunk = 0, []
    for item in generated:
        chunk.append(item)
        if len(chunk) >= batch:
            count += flush(store, chunk)
    return count + flush(store, chunk)


def flush(store: OutcomeStore, chunk: list[Generated]) -> int:
    store.import_history(
        [g.decided for g in chunk],
        [g.outcome for g in chunk if g.outcome is not None],
        [e for g in chunk for e in g.escalations],
    )
    size = len(chunk)
    chunk.clear()
    return size


def number_within(rng: random.Random, bounds: m.NumberRange) -> int:
    """A whole number a caller might give: within the bounds, 0 to 120 where none are written."""
    low = math.ceil(bounds.low) if bounds.low is not None else 0
    high = math.floor(bounds.high) if bounds.high is not None else max(low, 120)
    return rng.randint(low, high)


def poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: fine for the small hourly means here."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def weighted(rng: random.Random, pairs) -> str:
    return rng.choices([p[0] for p in pairs], [p[1] for p in pairs])[0]


def duration(iso: str) -> float:
    """Seconds of an ISO 8601 duration as decisions write them (`PT5M`)."""
    return DURATION.validate_python(iso).total_seconds()
