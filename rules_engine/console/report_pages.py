"""A client's holidays to confirm and the month's calls report, for its owner and account managers.

The holidays are the list `rules-engine holidays` prints (`schedule.public_holidays.listed`) for
the coming 365 days, each marked public (the `holidays` line) or the file's own (a `holiday`
line), with that line; the owner confirms them (an audit entry) or asks for a change.

The report is `Engine.report` for one local month, drawn by the pieces of `outcomes.html` that
`rules-engine report --html` draws its page with (they escape every text). The console's policy
lets no inline style in, so the charts, whose SVG is styled inline, are images of their own
(`…/report/chart/NAME.svg`), drawn only when the `report` extra (matplotlib) is installed.
"""

from __future__ import annotations

import calendar
import importlib.util
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ..outcomes import html as report_html
from ..schedule.clock import zone
from ..schedule.public_holidays import left_out, listed
from .views import client_view
from .web import HEADERS, NotFound, address, redirect, render

if TYPE_CHECKING:
    from .context import Console

COMING_DAYS = 365  # as `rules-engine holidays` without --year, and `check`
MONTH = re.compile(r"(\d{4})-(\d{2})")
CHARTS = ("daily", "hours", "weeks")


@dataclass(frozen=True)
class HolidayRow:
    day: str  # "Thu 24 Dec 2026"
    iso: str
    name: str
    public: bool  # from the `holidays` line; else one of the file's own `holiday` lines
    source: str  # `holidays US-IL` or `holiday`
    line: int
    text: str  # the line as written


def month_span(month: str, today: date) -> tuple[date, date, str]:
    """The first and last day of `month` (YYYY-MM; empty: this month) and its YYYY-MM."""
    found = MONTH.fullmatch(month.strip()) if month.strip() else None
    if month.strip() and (found is None or not 1 <= int(found[2]) <= 12 or not 1970 <= int(found[1]) < 2200):
        raise ValueError(month)
    year, number = (int(found[1]), int(found[2])) if found else (today.year, today.month)
    last = calendar.monthrange(year, number)[1]
    return date(year, number, 1), date(year, number, last), f"{year:04d}-{number:02d}"


def shifted(month: str, by: int) -> str:
    year, number = int(month[:4]), int(month[5:7]) + by
    year, number = year + (number - 1) // 12, (number - 1) % 12 + 1
    return f"{year:04d}-{number:02d}"


def has_charts() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


def add_reports(pages: APIRouter, console: Console) -> None:
    engine = console.engine

    def today_of(client: str) -> date:
        return datetime.now(UTC).astimezone(zone(engine.client(client).timezone)).date()

    @pages.get("/clients/{client}/holidays")
    def holidays(request: Request, client: str) -> Response:
        session, _, client = console.seeing(request, client)
        compiled = engine.client(client)
        first = today_of(client)
        last = first + timedelta(days=COMING_DAYS - 1)
        lines = compiled.source.splitlines()

        def row(h) -> HolidayRow:
            text = lines[h.line - 1].strip() if 0 < h.line <= len(lines) else ""
            return HolidayRow(
                f"{h.day:%a %d %b %Y}", h.day.isoformat(), h.name, h.source != "holiday", h.source, h.line, text
            )

        return render(
            request,
            "portal_holidays.html",
            session,
            client=client_view(engine, client, until=False),
            first=f"{first:%a %d %b %Y}",
            last=f"{last:%a %d %b %Y}",
            holidays=[row(h) for h in listed(compiled, first, last)],
            left_out=[row(h) for h in left_out(compiled, first, last)],
            confirmed=request.query_params.get("confirmed") == "1",
        )

    @pages.post("/clients/{client}/holidays/confirm")
    def confirm(request: Request, client: str) -> Response:
        _, account, client = console.seeing(request, client)
        first = today_of(client)
        dates = [
            h.day.isoformat() for h in listed(engine.client(client), first, first + timedelta(days=COMING_DAYS - 1))
        ]
        console.audit.record(
            account.name,
            "holidays_confirmed",
            client,
            address(request),
            rules_version=engine.client(client).rules_version,
            dates=dates,
        )
        return redirect(f"/console/clients/{client}/holidays?confirmed=1")

    def report_of(client: str, month: str) -> tuple[dict[str, Any], str]:
        try:
            first, last, shown = month_span(month, today_of(client))
        except ValueError:
            raise NotFound from None
        return engine.report(client, first, last), shown

    @pages.get("/clients/{client}/report")
    def report(request: Request, client: str, month: str = Query("", max_length=7)) -> Response:
        session, _, client = console.seeing(request, client)
        figures, shown = report_of(client, month)
        parts = [
            report_html.tiles(figures),
            "<h2>Resolution rate per week</h2>",
            report_html.weeks_table(figures["by_week"], report_html.week_days(figures)),
            "<h2>Escalations</h2>",
            report_html.escalations(figures["escalations"]),
            "<h2>Calls by route rule</h2>",
            report_html.rules_table(figures["by_rule"], {}),
            "<h2>What the figures mean</h2>",
            report_html.definitions(figures["parameters"]),
        ]
        return render(
            request,
            "portal_report.html",
            session,
            client=client_view(engine, client, until=False),
            month=shown,
            previous=shifted(shown, -1),
            following=shifted(shown, 1),
            received=figures["received"],
            body="\n".join(parts),  # outcomes.html escapes every text it writes
            charts=has_charts(),
        )

    @pages.get("/clients/{client}/report/chart/{name}.svg")
    def chart(request: Request, client: str, name: str, month: str = Query("", max_length=7)) -> Response:
        _, _, client = console.seeing(request, client)
        if name not in CHARTS or not has_charts():
            raise NotFound
        figures, _ = report_of(client, month)
        if name == "daily":
            svg = report_html.daily_chart(figures["by_day"])
        elif name == "hours":
            svg = report_html.heat_map(figures["by_hour"])
        else:
            svg = report_html.weekly_chart(figures["by_week"], report_html.week_days(figures))
        return Response(svg, media_type="image/svg+xml", headers=HEADERS)
