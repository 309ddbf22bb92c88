"""What the console's pages show about a client, as plain data for the templates.

Read from the engine the service holds, so a page shows exactly what calls are decided with:
the served version, the problems of the client's file, who is on call now (live overrides
included), the owner's status, and the next holiday and closure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from .. import model as m
from ..engine import Engine
from ..errors import Diagnostic
from ..live import OwnerStatus
from ..schedule.calendar import Calendar
from ..schedule.clock import zone
from ..schedule.ics import display_name
from ..schedule.oncall_views import current


@dataclass(frozen=True)
class OnCallNow:
    team: str
    name: str | None  # None: nobody is on call
    until: str | None  # local time, as read


@dataclass(frozen=True)
class ClientView:
    id: str
    name: str
    timezone: str
    rules_version: str
    errors: list[Diagnostic]
    warnings: list[Diagnostic]
    on_call: list[OnCallNow]
    next_holiday: str | None
    next_closure: str | None
    status: OwnerStatus | None
    languages: list[str]
    source: str  # the rule file's text as compiled (what is served)

    def matches(self, query: str) -> bool:
        """A search of the clients list: any word of `query` in the id or the name."""
        text = f"{self.id} {self.name}".lower()
        return all(word in text for word in query.lower().split())


def of_file(diagnostics: tuple[Diagnostic, ...], client: m.Client) -> list[Diagnostic]:
    path = Path(client.path).resolve()
    return [d for d in diagnostics if d.file and Path(d.file).resolve() == path]


def local(instant: datetime, tz) -> str:
    return instant.astimezone(tz).strftime("%a %d %b %Y %H:%M")


def next_holiday(calendar: Calendar, today: date) -> str | None:
    found = sorted(
        (day, title)
        for year in (today.year, today.year + 1)
        for day, title in calendar.holidays_of(year).items()
        if day >= today
    )
    return f"{found[0][1]}, {found[0][0]:%a %d %b %Y}" if found else None


def next_closure(client: m.Client, now_local: datetime) -> str | None:
    ahead = sorted(
        (c for c in client.closures if c.end.local > now_local.replace(tzinfo=None)), key=lambda c: c.start.local
    )
    if not ahead:
        return None
    first = ahead[0]
    span = f"{first.start.local:%a %d %b %Y %H:%M} to {first.end.local:%a %d %b %Y %H:%M}"
    return f"{first.title}, {span}" if first.title else span


def client_view(engine: Engine, client_id: str, now: datetime | None = None, until: bool = True) -> ClientView:
    """`until`: say when each on-call shift ends (a look ahead over the coming weeks, which the
    clients list leaves out: it is most of a view's time)."""
    client = engine.client(client_id)
    now = now or datetime.now(UTC)
    tz = zone(client.timezone)
    plan = engine.plan(client.id)  # the calendars calls are decided with, made once per version
    calendar, oncall = plan.calendar, plan.oncall
    state = engine.live_state(client.id)
    on_call = []
    for team in client.teams:
        if until:
            row = current(oncall, team, now, state.overrides)
            on_call.append(OnCallNow(team, row["name"], local(row["until"], tz) if row["until"] else None))
        else:
            found = oncall.holder(team, now, state.overrides)
            on_call.append(OnCallNow(team, display_name(client, found[0]) if found else None, None))
    status = state.status if state.status is not None and state.status.active(now) else None
    return ClientView(
        id=client.id,
        name=client.title or client.id,
        timezone=client.timezone,
        rules_version=client.rules_version,
        errors=of_file(engine.problems, client),
        warnings=of_file(engine.warnings, client),
        on_call=on_call,
        next_holiday=next_holiday(calendar, now.astimezone(tz).date()),
        next_closure=next_closure(client, now.astimezone(tz)),
        status=status,
        languages=[language.value for language in client.languages],
        source=client.source,
    )


def status_until(status: OwnerStatus | None, timezone: str) -> str | None:
    if status is None or status.until is None:
        return None
    return local(status.until, zone(timezone))
