"""The report as one self-contained HTML page: figures, charts and tables for a client and span.

The charts are drawn with matplotlib's Agg backend (no display needed) and written into the
page as inline SVG, text as paths: the page needs no network, no script and no font of the
reader's. Every text that comes from a rule file or a report is escaped. matplotlib (the
`report` extra) is imported by the first page drawn, so the text report and this module's
helpers need only the core install.
"""

from __future__ import annotations

import functools
import html
import io
from collections.abc import Sequence
from datetime import date, timedelta
from types import ModuleType

from ..extras import needs
from ..forwarding import written_in_words
from .metrics import DAYS


@functools.cache
def pyplot() -> ModuleType:
    """matplotlib's pyplot, headless (Agg) and set up for the page; a `MissingExtraError` without it."""
    with needs("report", "the outcome report's page"):
        import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib.rcParams.update(
        {"svg.hashsalt": "rules-engine", "font.size": 9, "axes.spines.top": False, "axes.spines.right": False}
    )
    return plt


# How each outcome is drawn, in the order the daily chart stacks them.
OUTCOME_COLOURS = (
    ("answered", "#2e7d32"),
    ("abandoned", "#e65100"),
    ("missed", "#c62828"),
    ("dropped", "#6a1b9a"),
    ("failed", "#455a64"),
    ("short_abandoned", "#ffcc80"),
    ("no_outcome", "#bdbdbd"),
)
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #212121; padding: 0 1rem; }
h1 { margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: .3rem; }
.span { color: #616161; margin-top: 0; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: .8rem; }
.tile { border: 1px solid #e0e0e0; border-radius: 6px; padding: .6rem .8rem; }
.tile b { display: block; font-size: 1.6rem; } .tile span { color: #616161; font-size: .85rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: right; padding: .3rem .5rem; border-bottom: 1px solid #eee; }
th:first-child, td:first-child, .text { text-align: left; }
td:first-child { white-space: nowrap; }
.bad { color: #b71c1c; font-weight: bold; }
figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; }
.note { color: #616161; font-size: .85rem; }
.terms dt { font-weight: 600; margin-top: .5rem; } .terms dd { margin: 0 0 0 1.2rem; }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } figure, tr { break-inside: avoid; } }
"""


def page(report: dict, title: str, timezone: str, rule_texts: dict[int, str] | None = None) -> str:
    """The page for `report` (as `Engine.report` returns it) of the client called `title`.
    `rule_texts` maps route rule numbers to their text, when the rules that decided are known."""
    pyplot()  # without the report extra, say so before anything else
    first, last = report["from"][:10], report["to"][:10]
    esc = html.escape
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',
        f"<title>Calls report: {esc(title)}, {first} to {esc(shown_last(report))}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f'<p class="span">Calls decided from {first} to {esc(shown_last(report))} ({esc(timezone)} time); '
        f"received {report['received']}. What each figure means is said at the end of this page.</p>",
        tiles(report),
        "<h2>Calls per day</h2>",
        figure(daily_chart(report["by_day"]), "Calls per day, stacked by outcome"),
        "<h2>When calls go unanswered</h2>",
        figure(heat_map(report["by_hour"]), "Abandoned and missed calls by local hour of the week"),
        "<h2>Resolution rate per week</h2>",
        figure(weekly_chart(report["by_week"], week_days(report)), "Resolution rate per week"),
        weeks_table(report["by_week"], week_days(report)),
        "<h2>Escalations</h2>",
        escalations(report["escalations"]),
        "<h2>Calls by route rule</h2>",
        rules_table(report["by_rule"], rule_texts or {}),
        "<h2>What the figures mean</h2>",
        definitions(report["parameters"]),
        f'<p class="note">Span {esc(first)} to {esc(last)} (end excluded).</p>',
        "</body></html>",
    ]
    return "\n".join(parts)


def shown_last(report: dict) -> str:
    """The last day the span covers, as people say it (a span to midnight ends the day before)."""
    return report["by_day"][-1]["date"]


def number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "n/a"
    return f"{value:g}{unit}" if isinstance(value, int) else f"{value:.1f}{unit}"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def tiles(r: dict) -> str:
    shown = [
        (r["received"], "received"),
        (r["answered"], "answered"),
        (r["unanswered"], f"unanswered ({r['abandoned']} abandoned, {r['missed']} missed)"),
        (r["failed"] + r["dropped"], f"failed or dropped ({r['failed']}, {r['dropped']})"),
        (number(r["resolution_rate"], " %"), "resolution rate"),
        (number(r["abandonment_rate"], " %"), "abandonment rate"),
        (number(r["service_level"], " %"), f"answered within {r['parameters']['service_level_seconds']:g} s"),
        (number(r["fcr_rate"], " %"), "first-call resolution"),
        (duration(r["asa_seconds"]), "average speed of answer"),
        (duration(r["aht_seconds"]), "average handle time"),
        (number(r["csat"], " / 5"), "satisfaction"),
        (number(r["transfer_rate"], " %"), "transferred"),
    ]
    cells = "".join(
        f'<div class="tile"><b>{html.escape(str(v))}</b><span>{html.escape(label)}</span></div>' for v, label in shown
    )
    return f'<div class="tiles">{cells}</div>'


def figure(svg: str, caption: str) -> str:
    return f'<figure role="img" aria-label="{html.escape(caption)}">{svg}</figure>'


def svg_of(fig) -> str:
    out = io.StringIO()
    fig.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    pyplot().close(fig)
    text = out.getvalue()
    return text[text.index("<svg") :]  # inline: without the XML declaration and doctype


def daily_chart(days: Sequence[dict]) -> str:
    fig, ax = pyplot().subplots(figsize=(10, 3.2))
    positions = range(len(days))
    bottom = [0] * len(days)
    for kind, colour in OUTCOME_COLOURS:
        values = [d[kind] for d in days]
        if any(values):
            ax.bar(positions, values, bottom=bottom, color=colour, width=0.85, label=kind.replace("_", " "))
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    step = max(1, len(days) // 15)
    ax.set_xticks(
        list(positions)[::step],
        [date.fromisoformat(d["date"]).strftime("%a %d %b") for d in days][::step],
        rotation=45,
        ha="right",
    )
    ax.set_ylabel("calls")
    if any(bottom):
        ax.legend(ncols=4, frameon=False, loc="upper left", bbox_to_anchor=(0, 1.2))
    return svg_of(fig)


def heat_map(hours: Sequence[dict]) -> str:
    grid = [[0] * 24 for _ in DAYS]
    for entry in hours:
        grid[DAYS.index(entry["day"])][entry["hour"]] = entry["unanswered"]
    fig, ax = pyplot().subplots(figsize=(10, 2.8))
    mesh = ax.pcolormesh(grid, cmap="OrRd", edgecolors="white", linewidth=0.5, vmin=0)
    ax.set_yticks([i + 0.5 for i in range(7)], DAYS)
    ax.invert_yaxis()
    ax.set_xticks([h + 0.5 for h in range(0, 24, 2)], [f"{h:02d}:00" for h in range(0, 24, 2)])
    for y, row in enumerate(grid):
        for x, value in enumerate(row):
            if value:
                ax.text(x + 0.5, y + 0.5, str(value), ha="center", va="center", fontsize=7)
    fig.colorbar(mesh, ax=ax, label="unanswered calls", pad=0.01)
    return svg_of(fig)


def week_days(report: dict) -> dict[str, int]:
    """How many of each week's seven days the report covers (fewer at either end of the span)."""
    counted: dict[str, int] = {}
    for day in report["by_day"]:
        on = date.fromisoformat(day["date"])
        monday = (on - timedelta(days=on.weekday())).isoformat()
        counted[monday] = counted.get(monday, 0) + 1
    return counted


def week_label(week: str, days: dict[str, int]) -> str:
    label = f"week of {date.fromisoformat(week).strftime('%d %b')}"
    covered = days.get(week, 7)
    return label if covered >= 7 else f"{label} (part week: {covered} of 7 days)"


def weekly_chart(weeks: Sequence[dict], days: dict[str, int]) -> str:
    fig, ax = pyplot().subplots(figsize=(10, 2.8))
    labels = [week_label(w["week"], days).replace(" (", "\n(") for w in weeks]
    rates = [w["resolution_rate"] for w in weeks]
    ax.bar(labels, [r or 0 for r in rates], color="#1565c0", width=0.6)
    for x, (rate, week) in enumerate(zip(rates, weeks, strict=True)):
        ax.text(
            x,
            (rate or 0) + 2,
            f"{rate:.0f} % of {week['received'] - week['short_abandoned']}" if rate is not None else "no calls",
            ha="center",
            fontsize=8,
        )
    ax.set_ylim(0, 110)
    ax.set_ylabel("resolved, %")
    return svg_of(fig)


def weeks_table(weeks: Sequence[dict], days: dict[str, int]) -> str:
    """The weekly figures as text too, each part week marked (a PDF keeps them searchable)."""
    if not weeks:
        return ""
    rows = "".join(
        f"<tr><td>{html.escape(week_label(w['week'], days))}</td><td>{w['received']}</td>"
        f"<td>{w['resolved']}</td><td>{number(w['resolution_rate'], ' %')}</td></tr>"
        for w in weeks
    )
    return "<table><tr><th>week</th><th>received</th><th>resolved</th><th>resolution rate</th></tr>" + rows + "</table>"


def definitions(p: dict) -> str:
    """Each figure of the page in a sentence, with the thresholds this report used."""
    short, level = p["short_abandon_seconds"], p["service_level_seconds"]
    days = p["fcr_window_seconds"] / 86400
    said = (
        ("received", "calls the answering service took for you in these days."),
        ("answered", "calls an agent answered."),
        (
            "unanswered",
            f"abandoned calls (the caller hung up before an agent answered, after waiting {short:g} s or more) "
            "and missed calls (it rang and nobody answered).",
        ),
        (
            "failed or dropped",
            "calls that never connected (no free line, a network fault) and calls cut off by a fault.",
        ),
        (
            "resolution rate",
            f"the share of calls the agent resolved, out of the calls received less those hung up within {short:g} s "
            "(misdials and instant hang-ups, left out of every rate).",
        ),
        ("abandonment rate", "abandoned calls out of the calls answered, abandoned or missed."),
        (f"answered within {level:g} s", f"calls answered within {level:g} s, out of the calls answered or abandoned."),
        (
            "first-call resolution",
            f"answered calls from a known number that were resolved and after which the same caller did not call "
            f"again within {days:g} days, out of the answered calls from a known number.",
        ),
        ("average speed of answer", "how long callers waited before an agent answered, on average."),
        ("average handle time", "how long an agent spent on an answered call (talk and wrap-up), on average."),
        ("satisfaction", "the callers' own scores, 1 (poor) to 5 (excellent), on average."),
        ("transferred", "answered calls the agent passed on to someone else, out of the calls answered."),
        ("escalations", "calls for which the service reached your people in turn until one acknowledged."),
        (
            "notified at night",
            "notifications sent between 22:00 and 06:00, your local time.",
        ),
        (
            "part week",
            "a week only some of whose days are in this report; its figures count those days only.",
        ),
        ("n/a", "not available: no call in these days gave the figure."),
    )
    items = "".join(f"<dt>{html.escape(term)}</dt><dd>{html.escape(meaning)}</dd>" for term, meaning in said)
    return f'<dl class="terms">{items}</dl>'


def escalations(e: dict) -> str:
    if not e["count"]:
        return "<p>No escalation was recorded for these calls.</p>"
    summary = (
        f"<p>{e['count']} calls escalated, {e['notifications']} notifications: {e['acknowledged']} "
        f"acknowledged (median {duration(e['median_seconds_to_acknowledge'])} after the call), "
        f'<span class="{"bad" if e["unacknowledged"] else ""}">{e["unacknowledged"]} never '
        f"acknowledged</span>.</p>"
    )
    people = e["by_person"]
    fig, ax = pyplot().subplots(figsize=(10, 0.5 + 0.45 * len(people)))
    names = [p["name"] for p in people.values()]
    medians = [(p["median_seconds_to_acknowledge"] or 0) / 60 for p in people.values()]
    ax.barh(names, medians, color="#00838f")
    ax.invert_yaxis()
    ax.set_xlabel("median minutes from notification to acknowledgement")
    rows = "".join(
        f"<tr><td>{html.escape(p['name'])}</td><td>{p['notified']}</td><td>{p['acknowledged']}</td>"
        f"<td>{duration(p['median_seconds_to_acknowledge'])}</td><td>{p['night_notifications']}</td></tr>"
        for p in people.values()
    )
    table = (
        "<table><tr><th>person</th><th>notified</th><th>acknowledged</th><th>median time to acknowledge</th>"
        f"<th>notified at night (22:00–06:00)</th></tr>{rows}</table>"
    )
    return summary + figure(svg_of(fig), "Time to acknowledge, per person") + table


def rules_table(rules: Sequence[dict], texts: dict[int, str]) -> str:
    if not rules:
        return "<p>No call reached a route in this span.</p>"
    worst = max((r["abandonment_rate"] or 0) for r in rules)
    rows = []
    for r in rules:
        text = texts.get(r["rule"])
        shown = (
            f"<code>{html.escape(written_in_words(' '.join(text.split())).replace('->', '→'))}</code>" if text else ""
        )
        rate = number(r["abandonment_rate"], " %")
        flagged = ' class="bad"' if r["abandonment_rate"] and r["abandonment_rate"] == worst and len(rules) > 1 else ""
        rows.append(
            f'<tr><td>rule {r["rule"]} (line {r["line"]})</td><td class="text">{shown}</td>'
            f"<td>{r['received']}</td><td>{r['answered']}</td><td>{r['abandoned']}</td><td>{r['missed']}</td>"
            f"<td>{r['failed'] + r['dropped']}</td><td{flagged}>{rate}</td>"
            f"<td>{number(r['resolution_rate'], ' %')}</td></tr>"
        )
    return (
        '<table><tr><th>route rule</th><th class="text">as written</th><th>received</th><th>answered</th>'
        "<th>abandoned</th>"
        "<th>missed</th><th>failed or dropped</th><th>abandonment rate</th><th>resolution rate</th></tr>"
        + "".join(rows)
        + "</table>"
    )
