"""The report: a recorded history → the figures an answering service is judged by.

Pure: `report(history, …)` reads rows and returns a JSON-ready dict whose every key is
defined, with its formula, in docs/metrics.md. A rate whose denominator is zero is None
(null), never a division error. Local days and hours come from each call's local time as
decided; escalation results, recorded as instants, are read in the client's zone.
"""

from __future__ import annotations

import bisect
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Iterable, Mapping, Optional, Sequence

from .records import OutcomeError
from .store import CallRow, History

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
KINDS = ("answered", "abandoned", "short_abandoned", "missed", "failed", "dropped", "no_outcome")
NIGHT_FROM, NIGHT_TO = 22, 6  # local hours: a notification from 22:00 to 05:59 wakes someone


@dataclass(frozen=True)
class Parameters:
    short_abandon_seconds: float = 5
    service_level_seconds: float = 20
    fcr_window: timedelta = timedelta(days=7)

    def as_dict(self) -> dict:
        return {"short_abandon_seconds": self.short_abandon_seconds,
                "service_level_seconds": self.service_level_seconds,
                "fcr_window_seconds": self.fcr_window.total_seconds()}


def parameters(short_abandon_seconds: object, service_level_seconds: object, fcr_window: object) -> Parameters:
    """The report's parameters, checked: seconds 0 or more, a positive FCR window."""
    for name, value in (("short_abandon_seconds", short_abandon_seconds),
                        ("service_level_seconds", service_level_seconds)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < float("inf"):
            raise OutcomeError(f"must be a number of seconds, 0 or more, not {value!r}", field=name)
    if not isinstance(fcr_window, timedelta) or fcr_window <= timedelta(0):
        raise OutcomeError(f"must be a positive duration (a timedelta), not {fcr_window!r}", field="fcr_window")
    return Parameters(short_abandon_seconds, service_level_seconds, fcr_window)


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


def report(history: History, *, client: str, start: datetime, end: datetime, zone: tzinfo,
           parameters: Parameters = Parameters(), names: Mapping[str, str] = {}) -> dict:
    calls = history.calls
    short = parameters.short_abandon_seconds
    kinds = [kind(row, short) for row in calls]
    totals = Counter(kinds)
    answered = [row for row, k in zip(calls, kinds) if k == "answered"]
    resolved = sum(1 for row in answered if row.resolved)
    transferred = sum(1 for row in answered if row.transferred)
    waits = [row.waited for row in answered if row.waited is not None]
    within = sum(1 for w in waits if w <= parameters.service_level_seconds)
    out = {
        "client": client,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "parameters": parameters.as_dict(),
        "rules_versions": sorted({row.rules_version for row in calls}),
        **counts(totals),
        "resolved": resolved,
        "transferred": transferred,
        "resolution_rate": percent(resolved, len(calls) - totals["short_abandoned"]),
        "abandonment_rate": percent(totals["abandoned"], totals["answered"] + totals["abandoned"] + totals["missed"]),
        "service_level": percent(within, totals["answered"] + totals["abandoned"]),
        "fcr_rate": fcr_rate(answered, history.callers, parameters.fcr_window.total_seconds()),
        "transfer_rate": percent(transferred, totals["answered"]),
        "asa_seconds": mean(waits),
        "aht_seconds": mean(row.handled for row in answered if row.handled is not None),
        "csat": mean(row.csat for row in calls if row.csat is not None),
        "escalations": escalations(history, zone, names),
    }
    out.update(groups(calls, kinds, start, end))
    return out


def kind(row: CallRow, short_abandon_seconds: float) -> str:
    """The report's word for how a call ended: its outcome, `short_abandoned`, or `no_outcome`."""
    if row.outcome is None:
        return "no_outcome"
    if row.outcome == "abandoned" and row.waited is not None and row.waited < short_abandon_seconds:
        return "short_abandoned"
    return row.outcome


def counts(kinds: Mapping[str, int]) -> dict:
    received = sum(kinds.get(k, 0) for k in KINDS)
    out = {"received": received, **{k: kinds.get(k, 0) for k in KINDS if k != "no_outcome"}}
    out["unanswered"] = out["abandoned"] + out["missed"]
    out["no_outcome"] = kinds.get("no_outcome", 0)
    return out


def percent(part: int, whole: int) -> Optional[float]:
    return round(part * 100 / whole, 2) if whole else None


def mean(values: Iterable[float]) -> Optional[float]:
    values = list(values)
    return round(statistics.fmean(values), 2) if values else None


def median(values: Sequence[float]) -> Optional[float]:
    return round(statistics.median(values), 2) if values else None


def fcr_rate(answered: Sequence[CallRow], callers: Sequence[tuple[str, float]], window: float) -> Optional[float]:
    """Resolved calls not followed, within `window` seconds (inclusive), by another call from
    the same caller, over answered calls with a caller id."""
    later: dict[str, list[float]] = defaultdict(list)
    for caller, at in callers:  # ordered by time
        later[caller].append(at)
    identified = [row for row in answered if row.caller]
    first_time = 0
    for row in identified:
        if not row.resolved:
            continue
        times = later[row.caller]
        following = bisect.bisect_right(times, row.at)
        if following == len(times) or times[following] - row.at > window:
            first_time += 1
    return percent(first_time, len(identified))


def escalations(history: History, zone: tzinfo, names: Mapping[str, str]) -> dict:
    """Plans (the results recorded for one call), who was notified, who acknowledged and how fast."""
    arrived = {row.call_id: row.at for row in history.calls}
    plans: dict[str, list] = defaultdict(list)
    for result in history.escalations:  # ordered by call, step, instant
        plans[result.call_id].append(result)
    to_acknowledge: list[float] = []
    at_step: Counter = Counter()
    people: dict[str, dict] = {}
    seconds_of: dict[str, list[float]] = defaultdict(list)
    for call_id, plan in plans.items():
        acknowledgements = [r for r in plan if r.result == "acknowledged"]
        if acknowledgements:
            first = min(acknowledgements, key=lambda r: r.at)
            to_acknowledge.append(first.at - arrived[call_id])
            at_step[str(first.step)] += 1
        for result in plan:
            person = people.setdefault(result.contact, {"name": names.get(result.contact, result.contact),
                                                        "notified": 0, "acknowledged": 0,
                                                        "median_seconds_to_acknowledge": None,
                                                        "night_notifications": 0})
            person["notified"] += 1
            hour = datetime.fromtimestamp(result.at, zone).hour
            person["night_notifications"] += hour >= NIGHT_FROM or hour < NIGHT_TO
            if result.result == "acknowledged":
                person["acknowledged"] += 1
                # notified when every earlier step had given its result (the call's arrival for step 1)
                notified = max((r.at for r in plan if r.step < result.step), default=arrived[call_id])
                seconds_of[result.contact].append(result.at - notified)
    for contact, seconds in seconds_of.items():
        people[contact]["median_seconds_to_acknowledge"] = median(seconds)
    return {
        "count": len(plans),
        "notifications": len(history.escalations),
        "acknowledged": len(to_acknowledge),
        "unacknowledged": len(plans) - len(to_acknowledge),
        "median_seconds_to_acknowledge": median(to_acknowledge),
        "acknowledged_at_step": dict(sorted(at_step.items(), key=lambda item: int(item[0]))),
        "by_person": dict(sorted(people.items())),
    }


def groups(calls: Sequence[CallRow], kinds: Sequence[str], start: datetime, end: datetime) -> dict:
    """The counts by route rule, by local hour of the week, by local day and by week."""
    rules: dict[tuple[int, int], Counter] = defaultdict(Counter)
    hours: dict[str, Counter] = defaultdict(Counter)  # by the local time's first 13 characters: date and hour
    days: dict[str, Counter] = defaultdict(Counter)
    for row, k in zip(calls, kinds):
        hours[row.local_at[:13]][k] += 1
        day = days[row.local_at[:10]]
        day[k] += 1
        day["resolved"] += k == "answered" and bool(row.resolved)
        if row.rule is not None:
            rule = rules[(row.rule, row.line)]
            rule[k] += 1
            rule["resolved"] += k == "answered" and bool(row.resolved)
    week_hours: dict[tuple[int, int], Counter] = defaultdict(Counter)
    for prefix, tally in hours.items():
        week_hours[(date.fromisoformat(prefix[:10]).weekday(), int(prefix[11:13]))].update(tally)
    by_rule = []
    for (rule, line), tally in sorted(rules.items()):
        entry = {"rule": rule, "line": line, **counts(tally), "resolved": tally["resolved"]}
        entry.update(abandonment_rate=percent(entry["abandoned"], entry["answered"] + entry["unanswered"]),
                     resolution_rate=percent(entry["resolved"], entry["received"] - entry["short_abandoned"]))
        by_rule.append(entry)
    by_day, weeks = [], defaultdict(Counter)
    first, last = start.date(), (end - timedelta(microseconds=1)).date()
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        tally = days.get(day.isoformat(), Counter())
        by_day.append({"date": day.isoformat(), **counts(tally), "resolved": tally["resolved"]})
        week = weeks[(day - timedelta(days=day.weekday())).isoformat()]
        week.update(received=by_day[-1]["received"], short_abandoned=tally["short_abandoned"],
                    resolved=tally["resolved"])
    return {
        "by_rule": by_rule,
        "by_hour": [{"day": DAYS[d], "hour": h, **counts(tally)} for (d, h), tally in sorted(week_hours.items())],
        "by_day": by_day,
        "by_week": [{"week": week, "received": tally["received"], "short_abandoned": tally["short_abandoned"],
                     "resolved": tally["resolved"],
                     "resolution_rate": percent(tally["resolved"], tally["received"] - tally["short_abandoned"])}
                    for week, tally in sorted(weeks.items())],
    }
