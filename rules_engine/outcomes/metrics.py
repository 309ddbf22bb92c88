"""The report: a recorded history → the figures an answering service is judged by.

Pure: `report(history, …)` reads rows and returns a JSON-ready dict whose every key is
defined, with its formula, in docs/metrics.md. A rate whose denominator is zero is None
(null), never a division error. Local days and hours come from each call's local time as
decided; escalation results, recorded as instants, are read in the client's zone.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from operator import itemgetter
from typing import Any, Final

from .records import OutcomeError
from .store import EscalationRow, History

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
KINDS = ("answered", "abandoned", "short_abandoned", "missed", "failed", "dropped", "no_outcome")
NIGHT_FROM, NIGHT_TO = 22, 6  # local hours: a notification from 22:00 to 05:59 wakes someone


@dataclass(frozen=True)
class Parameters:
    short_abandon_seconds: float = 5
    service_level_seconds: float = 20
    fcr_window: timedelta = timedelta(days=7)

    def as_dict(self) -> dict:
        return {
            "short_abandon_seconds": self.short_abandon_seconds,
            "service_level_seconds": self.service_level_seconds,
            "fcr_window_seconds": self.fcr_window.total_seconds(),
        }


def parameters(short_abandon_seconds: object, service_level_seconds: object, fcr_window: object) -> Parameters:
    """The report's parameters, checked: seconds 0 or more, a positive FCR window."""
    if not isinstance(fcr_window, timedelta) or fcr_window <= timedelta(0):
        raise OutcomeError(f"must be a positive duration (a timedelta), not {fcr_window!r}", field="fcr_window")
    return Parameters(
        seconds_of(short_abandon_seconds, "short_abandon_seconds"),
        seconds_of(service_level_seconds, "service_level_seconds"),
        fcr_window,
    )


def seconds_of(value: object, name: str) -> float:
    """`value` if it is a number of seconds, 0 or more (as given: 5 stays 5), else an `OutcomeError`."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < float("inf"):
        raise OutcomeError(f"must be a number of seconds, 0 or more, not {value!r}", field=name)
    return value


def span(start: date | datetime, end: date | datetime, zone: tzinfo) -> tuple[datetime, datetime]:
    """The instants [from, to) a report covers: dates are whole local days, `end` included;
    date-times must be aware and are taken as given."""
    bounds = []
    for name, value, extra in (("start", start, 0), ("end", end, 1)):
        if isinstance(value, datetime):
            if value.utcoffset() is None:
                raise OutcomeError("needs a date or a date-time with a time zone offset", field=name)
            bounds.append(value.astimezone(zone))
        elif isinstance(value, date):
            bounds.append(datetime.combine(value + timedelta(days=extra), time(), zone).replace(fold=0))
        else:
            raise OutcomeError(f"needs a date (YYYY-MM-DD) or an aware date-time, not {value!r}", field=name)
    if bounds[1] <= bounds[0]:
        raise OutcomeError("the report must end after it starts", field="end")
    return bounds[0], bounds[1]


# Positions of a call row's fields (rows are plain tuples in `CallRow`'s order; a test checks
# them against its fields). Final, so that a type checker knows each field's type.
AT: Final = 0
LOCAL_AT: Final = 1
CALLER: Final = 2
RULE: Final = 3
LINE: Final = 4
RULES_VERSION: Final = 5
OUTCOME: Final = 6
WAITED: Final = 7
HANDLED: Final = 8
RESOLVED: Final = 9
TRANSFERRED: Final = 10
CSAT: Final = 11


def report(
    history: History,
    *,
    client: str,
    start: datetime,
    end: datetime,
    zone: tzinfo,
    parameters: Parameters = Parameters(),
    names: Mapping[str, str] = {},
) -> dict:
    """The figures of docs/metrics.md. Rows are read by position, and counted with `Counter`
    over `zip`s (C loops): a report over 100,000 calls takes a fraction of a second."""
    calls = history.calls
    kinds = kinds_of(calls, parameters.short_abandon_seconds)
    totals = Counter(kinds)
    answered = [row for row, k in zip(calls, kinds, strict=True) if k == "answered"]
    resolved = [row for row in answered if row[RESOLVED]]
    transferred = sum(1 for row in answered if row[TRANSFERRED])
    waits = [row[WAITED] for row in answered if row[WAITED] is not None]
    within = sum(1 for w in waits if w <= parameters.service_level_seconds)
    out = {
        "client": client,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "parameters": parameters.as_dict(),
        "rules_versions": sorted(set(map(itemgetter(RULES_VERSION), calls))),
        **counts(totals),
        "resolved": len(resolved),
        "transferred": transferred,
        "resolution_rate": percent(len(resolved), len(calls) - totals["short_abandoned"]),
        "abandonment_rate": percent(totals["abandoned"], totals["answered"] + totals["abandoned"] + totals["missed"]),
        "service_level": percent(within, totals["answered"] + totals["abandoned"]),
        "fcr_rate": fcr_rate(calls, answered, history.later, parameters.fcr_window.total_seconds()),
        "transfer_rate": percent(transferred, totals["answered"]),
        "asa_seconds": mean(waits),
        "aht_seconds": mean(row[HANDLED] for row in answered if row[HANDLED] is not None),
        "csat": mean(c for c in map(itemgetter(CSAT), calls) if c is not None),
        "escalations": escalations(history.escalations, zone, names),
    }
    out.update(groups(calls, kinds, resolved, start, end))
    return out


def kinds_of(calls: Sequence[tuple], short_abandon_seconds: float) -> list[str]:
    """The report's word for how each call ended: its outcome, `short_abandoned`, or `no_outcome`."""
    return [
        "no_outcome"
        if outcome is None
        else "short_abandoned"
        if outcome == "abandoned" and waited is not None and waited < short_abandon_seconds
        else outcome
        for outcome, waited in zip(map(itemgetter(OUTCOME), calls), map(itemgetter(WAITED), calls), strict=True)
    ]


def counts(kinds: Mapping[str, int]) -> dict:
    received = sum(kinds.get(k, 0) for k in KINDS)
    out = {"received": received, **{k: kinds.get(k, 0) for k in KINDS if k != "no_outcome"}}
    out["unanswered"] = out["abandoned"] + out["missed"]
    out["no_outcome"] = kinds.get("no_outcome", 0)
    return out


def percent(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 2) if whole else None


def mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return round(statistics.fmean(values), 2) if values else None


def median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def fcr_rate(
    calls: Sequence[tuple], answered: Sequence[tuple], later: Sequence[tuple[str, float]], window: float
) -> float | None:
    """Resolved calls whose caller did not call again within `window` seconds (its end
    included), over answered calls with a caller id."""
    identified = [row for row in answered if row[CALLER]]
    resolved = {id(row) for row in identified if row[RESOLVED]}
    if not resolved:
        return percent(0, len(identified))
    seen = dict(reversed(later))  # each later caller's first call after the span
    first_time = 0
    for row in reversed(calls):  # by time, latest first: `seen` holds each caller's next call
        caller = row[CALLER]
        if caller is None:
            continue
        if id(row) in resolved:
            following = seen.get(caller)
            first_time += following is None or following - row[AT] > window
        seen[caller] = row[AT]
    return percent(first_time, len(identified))


def escalations(results: Sequence[EscalationRow], zone: tzinfo, names: Mapping[str, str]) -> dict:
    """Plans (the results recorded for one call), who was notified, who acknowledged and how fast."""
    plans: dict[str, list[EscalationRow]] = defaultdict(list)
    for result in results:  # ordered by call, step, instant
        plans[result.call_id].append(result)
    hours: dict[int, int] = {}  # local hour by UTC hour: one zone conversion an hour, not a notification
    to_acknowledge: list[float] = []
    at_step: Counter = Counter()
    people: dict[str, dict] = {}
    seconds_of: dict[str, list[float]] = defaultdict(list)
    for plan in plans.values():
        acknowledgements = [r for r in plan if r.result == "acknowledged"]
        if acknowledgements:
            first = min(acknowledgements, key=lambda r: r.at)
            to_acknowledge.append(first.at - first.call_at)
            at_step[str(first.step)] += 1
        for result in plan:
            person = people.get(result.contact)
            if person is None:
                person = people[result.contact] = {
                    "name": names.get(result.contact, result.contact),
                    "notified": 0,
                    "acknowledged": 0,
                    "median_seconds_to_acknowledge": None,
                    "night_notifications": 0,
                }
            person["notified"] += 1
            utc_hour = int(result.at // 3600)
            hour = hours.get(utc_hour)
            if hour is None:
                hour = hours[utc_hour] = datetime.fromtimestamp(utc_hour * 3600, zone).hour
            person["night_notifications"] += hour >= NIGHT_FROM or hour < NIGHT_TO
            if result.result == "acknowledged":
                person["acknowledged"] += 1
                # notified when every earlier step had given its result (the call's arrival for step 1)
                notified = max((r.at for r in plan if r.step < result.step), default=result.call_at)
                seconds_of[result.contact].append(result.at - notified)
    for contact, seconds in seconds_of.items():
        people[contact]["median_seconds_to_acknowledge"] = median(seconds)
    return {
        "count": len(plans),
        "notifications": len(results),
        "acknowledged": len(to_acknowledge),
        "unacknowledged": len(plans) - len(to_acknowledge),
        "median_seconds_to_acknowledge": median(to_acknowledge),
        "acknowledged_at_step": dict(sorted(at_step.items(), key=lambda item: int(item[0]))),
        "by_person": dict(sorted(people.items())),
    }


def groups(
    calls: Sequence[tuple], kinds: Sequence[str], resolved: Sequence[tuple], start: datetime, end: datetime
) -> dict:
    """The counts by route rule, by local hour of the week, by local day and by week."""
    # The local time's first 13 characters are its date and hour.
    by_hour_kind = Counter(zip([at[:13] for at in map(itemgetter(LOCAL_AT), calls)], kinds, strict=True))
    by_rule_kind = Counter(zip(map(itemgetter(RULE, LINE), calls), kinds, strict=True))
    resolved_by_day = Counter(row[LOCAL_AT][:10] for row in resolved)
    resolved_by_rule = Counter(map(itemgetter(RULE, LINE), resolved))
    days: dict[str, Counter] = defaultdict(Counter)
    week_hours: dict[tuple[int, int], Counter] = defaultdict(Counter)
    weekdays: dict[str, int] = {}
    for (prefix, k), n in by_hour_kind.items():
        day = prefix[:10]
        days[day][k] += n
        weekday = weekdays.get(day)
        if weekday is None:
            weekday = weekdays[day] = date.fromisoformat(day).weekday()
        week_hours[(weekday, int(prefix[11:13]))][k] += n
    rules: dict[tuple[int, int], Counter] = defaultdict(Counter)
    for ((rule, line), k), n in by_rule_kind.items():
        if rule is not None:
            rules[(rule, line)][k] += n
    by_rule = []
    for key, tally in sorted(rules.items()):
        entry = {"rule": key[0], "line": key[1], **counts(tally), "resolved": resolved_by_rule[key]}
        entry.update(
            abandonment_rate=percent(entry["abandoned"], entry["answered"] + entry["unanswered"]),
            resolution_rate=percent(entry["resolved"], entry["received"] - entry["short_abandoned"]),
        )
        by_rule.append(entry)
    by_day: list[dict[str, Any]] = []
    weeks: defaultdict[str, Counter[str]] = defaultdict(Counter)
    first, last = start.date(), (end - timedelta(microseconds=1)).date()
    for offset in range((last - first).days + 1):
        day = (first + timedelta(days=offset)).isoformat()
        tally = days.get(day, Counter())
        by_day.append({"date": day, **counts(tally), "resolved": resolved_by_day[day]})
        monday = first + timedelta(days=offset - (first + timedelta(days=offset)).weekday())
        weeks[monday.isoformat()].update(
            received=by_day[-1]["received"], short_abandoned=tally["short_abandoned"], resolved=resolved_by_day[day]
        )
    return {
        "by_rule": by_rule,
        "by_hour": [{"day": DAYS[d], "hour": h, **counts(tally)} for (d, h), tally in sorted(week_hours.items())],
        "by_day": by_day,
        "by_week": [
            {
                "week": week,
                "received": tally["received"],
                "short_abandoned": tally["short_abandoned"],
                "resolved": tally["resolved"],
                "resolution_rate": percent(tally["resolved"], tally["received"] - tally["short_abandoned"]),
            }
            for week, tally in sorted(weeks.items())
        ],
    }
