"""HTML: a `Matrix` → one self-contained page a client reads and prints: what callers hear, hour by hour.

Nothing is fetched: the styles are inline, there is no script, the icon is an empty data
URL. Every detail is on the page itself, never only in a hover (a PDF print keeps it all):
a colour per greeting with a legend of its title and text (placeholders shown as what the
agent fills in); per group of forwarding reasons heard alike, a grid (days down, hours
across, closures hatched under labels that stay readable, holidays named) and a table of
each day's hours with the greeting, the questions, and who hears something else; who is on
call, block by block; and what the marks of the page mean. Words are the client's
(`words.py`), not the rule file's names. Every text from a rule file is escaped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from html import escape

from ..live import LiveOverride
from ..schedule.ics import display_name
from ..schedule.shifts import Shift, shifts
from ..schedule.shifts import by_day as shifts_by_day
from .matrix import Matrix, Row, by_day, clock_text
from .timeline import day_span
from .words import callers, calls_when, greeting_title, language, readable, spoken

# Tableau 10: tells ten greetings apart, on screen and in print.
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")
PEOPLE = ("#dbe9f6", "#fde2c4", "#d9f0d3", "#f3d9e8", "#fff2b3", "#e2dcf0")

STYLE = """
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #222; }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; }
.sub { color: #444; margin: 0 0 16px; max-width: 1100px; }
.legend { display: grid; grid-template-columns: max-content 1fr; gap: 6px 12px; align-items: start; max-width: 1100px; }
.swatch { display: inline-block; width: 14px; height: 14px; border-radius: 3px; vertical-align: -2px;
          margin-right: 6px; border: 1px solid rgba(0, 0, 0, .25); }
.closure-swatch { background: repeating-linear-gradient(45deg, #000 0 2px, #fff 2px 6px); }
.grid { display: grid; grid-template-columns: 150px minmax(560px, 1000px); gap: 3px 8px; align-items: center; }
.day { font-variant-numeric: tabular-nums; white-space: nowrap; }
.day small { display: block; color: #b00; }
.track { position: relative; height: 26px; background: #f3f3f3; border-radius: 3px; overflow: hidden; }
.seg { position: absolute; top: 0; bottom: 0; box-sizing: border-box; overflow: hidden; }
.seg.shift { border-right: 1px solid #fff; }
.seg.variants { box-shadow: inset 0 -5px 0 rgba(0, 0, 0, .55); }
.closed { position: absolute; top: 0; bottom: 0; z-index: 1;
          background: repeating-linear-gradient(45deg, rgba(0, 0, 0, .5) 0 2px, transparent 2px 6px); }
.label { position: absolute; top: 4px; z-index: 2; font-size: 11px; line-height: 18px; padding: 0 4px;
         white-space: nowrap; overflow: hidden; background: rgba(255, 255, 255, .9); color: #000;
         border-radius: 3px; }
.hours { position: relative; height: 16px; font-size: 11px; color: #555; }
.hours span { position: absolute; transform: translateX(-50%); }
.hours span:first-child { transform: none; }
table { border-collapse: collapse; font-size: 12px; margin: 10px 0 0; max-width: 1160px; }
th, td { text-align: left; vertical-align: top; padding: 3px 8px; border-bottom: 1px solid #e4e4e4; }
td.when { white-space: nowrap; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; }
dl { max-width: 1100px; } dt { font-weight: 600; margin-top: 8px; } dd { margin: 0 0 0 18px; }
footer { margin-top: 28px; color: #666; font-size: 12px; }
@page { size: A4 landscape; margin: 12mm; }
@media print { body { margin: 0; } h2 { break-after: avoid; } .grid { break-inside: avoid; } }
"""


def colours(found: Matrix) -> dict[str, str]:
    return {g.name: PALETTE[i % len(PALETTE)] for i, g in enumerate(found.client.greetings)}


def minutes(row_time: datetime, day: date) -> int:
    return 1440 if row_time.date() > day else row_time.hour * 60 + row_time.minute


def place(left: int, right: int) -> str:
    return f"left:{left / 14.4:.3f}%;width:{(right - left) / 14.4:.3f}%"


def runs(pieces: list[Row]) -> list[Row]:
    """A day's pieces joined where callers hear the same (only the windows listed differ)."""
    out: list[Row] = []
    for row in pieces:
        if out and heard(out[-1]) == heard(row):
            out[-1] = Row(
                out[-1].start, row.end, row.greeting, row.text, row.script, row.windows, row.languages, row.variants
            )
        else:
            out.append(row)
    return out


def heard(row: Row) -> tuple:
    return (row.greeting, row.script, row.languages, row.variants)


class Page:
    """The page of one matrix: names and colours looked up once."""

    def __init__(self, found: Matrix, live: Sequence[LiveOverride] = ()):
        self.found = found
        self.live = tuple(live)  # on-call swaps made live: the console shows them, a file page does not
        self.client = found.client
        self.colour = colours(found)
        self.titles = {g.name: greeting_title(g) for g in self.client.greetings}
        scripts = Counter(row.script for rows in found.reasons.values() for row in rows)
        self.usual = scripts.most_common(1)[0][0] if scripts else None

    def script(self, name: str | None) -> str:
        return f"{readable(name)} questions" if name else "no questions"

    def track(self, day: date, pieces: list[Row]) -> str:
        """One day's bar: a segment per run, its label on a light plate that reads over hatching."""
        out = ['<div class="track">']
        for row in runs(pieces):
            left, right = minutes(row.start, day), minutes(row.end, day)
            if right <= left:  # the repeated hour of a fall-back night: drawn once, with what comes after it
                continue
            background = self.colour.get(row.greeting, "#999")
            out.append(
                f'<div class="seg{" variants" if row.variants else ""}" '
                f'style="{place(left, right)};background:{background}"></div>'
            )
            if right - left >= 75:
                label = self.titles[row.greeting] + (
                    f" · {self.script(row.script)}" if row.script != self.usual else ""
                )
                out.append(
                    f'<div class="label" style="left:calc({left / 14.4:.3f}% + 3px);'
                    f'max-width:calc({(right - left) / 14.4:.3f}% - 10px)">{escape(label)}</div>'
                )
        lo, hi = min(p.start for p in pieces), max(p.end for p in pieces)
        for _title, start, end in self.found.closures():
            if start < hi and end > lo:
                left, right = minutes(max(start, lo), day), minutes(min(end, hi), day)
                out.append(f'<div class="closed" style="{place(left, right)}"></div>')
        out.append("</div>")
        return "".join(out)

    def also(self, row: Row, everywhere: frozenset[str] = frozenset()) -> str:
        """Who hears something else than the plain call, in words (but the languages that
        hear every greeting translated: said once, above the table)."""
        notes = []
        for code, greeting in row.languages:
            if code in everywhere and greeting == row.greeting:
                continue
            spoken_in = language(code)
            notes.append(
                f"{spoken_in} callers hear it in {spoken_in}"
                if greeting == row.greeting
                else f"{spoken_in} callers hear “{self.titles[greeting]}”"
            )
        for variant in row.variants:
            what = [f"hear “{self.titles[variant.greeting]}”"] if variant.greeting != row.greeting else []
            if variant.script != row.script:
                what.append("get " + self.script(variant.script))
            notes.append(f"{callers(variant.when)}: " + " and ".join(what))
        return "; ".join(notes)

    def table(self, rows: list[Row]) -> str:
        """Each day's hours and what callers hear in them: every detail of the grid, in words."""
        translated = [
            {code for code, greeting in row.languages if greeting == row.greeting}
            for row in rows
            if row.end > row.start
        ]
        everywhere = frozenset.intersection(*map(frozenset, translated)) if translated else frozenset()
        out = [
            f"<p>{escape(language(code))} callers hear each greeting in {escape(language(code))}.</p>"
            for code in sorted(everywhere)
        ]
        out += [
            "<table><tr><th>Day</th><th>Hours</th><th>Greeting</th><th>Questions</th>"
            "<th>Callers who hear something else</th></tr>"
        ]
        holidays = self.found.holidays()
        for day, pieces in by_day(self.found, rows):
            for i, row in enumerate(runs(pieces)):
                name = f"{day:%a %d %b}" + (f" ({holidays[day]})" if day in holidays else "") if i == 0 else ""
                closed = [t for t, s, e in self.found.closures() if s < row.end and e > row.start]
                greeting = self.titles[row.greeting] + (
                    f" (closed: {', '.join(t or 'closure' for t in closed)})" if closed else ""
                )
                out.append(
                    f"<tr><td>{escape(name)}</td>"
                    f'<td class="when">{clock_text(row.start, day)}–{clock_text(row.end, day)}</td>'
                    f'<td><span class="swatch" style="background:{self.colour.get(row.greeting, "#999")}"></span>'
                    f"{escape(greeting)}</td><td>{escape(self.script(row.script))}</td>"
                    f"<td>{escape(self.also(row, everywhere))}</td></tr>"
                )
        out.append("</table>")
        return "".join(out)

    def on_call(self) -> list[str]:
        """Who is on call for each team, a bar per day with each person's block named."""
        oncall = self.found.clock.oncall
        first, days = self.found.first, self.found.days
        out = []
        lo, hi = day_span(self.found.clock, first, days)
        for team in self.client.teams:
            found = shifts(oncall, team, lo, hi, self.live)
            people = list(dict.fromkeys(s.person for s in found if s.person))
            shade = {p: PEOPLE[i % len(PEOPLE)] for i, p in enumerate(people)}
            out.append(f"<h2>Who is on call: {escape(readable(team))}</h2>")
            out.append(f'<div class="grid"><div></div><div class="hours">{hour_marks()}</div>')
            for day, pieces in shifts_by_day(found, oncall, first, days):
                out.append(f'<div class="day">{day:%a %d %b}</div>{self.shift_track(day, pieces, shade)}')
            out.append("</div>")
        return out

    def shift_track(self, day: date, pieces: list[Shift], shade: dict[str, str]) -> str:
        out = ['<div class="track">']
        tz = self.found.tz
        for shift in pieces:
            start, end = shift.start.astimezone(tz), shift.end.astimezone(tz)
            left, right = minutes(start, day), minutes(end, day)
            if right <= left:
                continue
            who = display_name(self.client, shift.person) if shift.person else "nobody on call"
            if shift.person and any(o.team == shift.team and o.covers(shift.start) for o in self.live):
                who += " (swap)"
            background = shade.get(shift.person or "", "#fff")
            out.append(f'<div class="seg shift" style="{place(left, right)};background:{background}"></div>')
            text = f"{who} {clock_text(start, day)}–{clock_text(end, day)}" if right - left >= 150 else who
            out.append(
                f'<div class="label" style="left:calc({left / 14.4:.3f}% + 3px);'
                f'max-width:calc({(right - left) / 14.4:.3f}% - 10px)">{escape(text)}</div>'
            )
        out.append("</div>")
        return "".join(out)


def hour_marks() -> str:
    return "".join(f'<span style="left:{h / 24 * 100:.3f}%">{h:02d}</span>' for h in range(0, 24, 2))


def page(found: Matrix, live: Sequence[LiveOverride] = ()) -> str:
    """The whole page, as text (UTF-8 when written); with `live`, the on-call blocks show those
    swaps (marked "(swap)") as the engine applies them."""
    client = found.client
    view = Page(found, live)
    holidays = found.holidays()
    last = found.day_list()[-1]
    name = client.title or readable(client.id)
    title = f"{name}: what callers hear"
    whole = found.days % 7 == 0 and found.first.weekday() == 0
    weeks = f"{found.days // 7} week{'s' if found.days >= 14 else ''}" if found.days >= 7 else ""
    part = f"part week: {found.days} day{'s' if found.days > 1 else ''}" if found.days < 7 else "not whole weeks"
    span = f"{found.first:%a %d %b %Y} to {last:%a %d %b %Y}" + (f" ({weeks})" if whole else f" ({part})")
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',
        f"<title>{escape(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="sub">{span}, local time ({escape(client.timezone)}). Each colour is a greeting; '
        "below each grid, a table gives every block's hours, the greeting, the questions the agent asks, "
        "and which callers hear something else.</p>",
        "<h2>Greetings</h2>",
        '<div class="legend">',
    ]
    for greeting in found.greetings():
        text = spoken(greeting.texts[client.default_language], client)
        out.append(
            f'<div><span class="swatch" style="background:{view.colour[greeting.name]}"></span>'
            f"<b>{escape(view.titles[greeting.name])}</b></div><div>“{escape(text)}”</div>"
        )
    for closure, start, end in found.closures():
        out.append(
            '<div><span class="swatch closure-swatch"></span><b>Closed</b></div>'
            f"<div>{escape(closure or 'Closure')}: {start:%a %d %b %H:%M} to {end:%a %d %b %H:%M}</div>"
        )
    for day, holiday in holidays.items():
        out.append(f"<div><b>Holiday</b></div><div>{day:%a %d %b}: {escape(holiday)}</div>")
    out.append("</div>")
    for names, rows in found.grouped_reasons():
        out.append(f"<h2>{escape(calls_when(names))}</h2>")
        out.append(f'<div class="grid"><div></div><div class="hours">{hour_marks()}</div>')
        for day, pieces in by_day(found, rows):
            holiday = f"<small>{escape(holidays[day])}</small>" if day in holidays else ""
            out.append(f'<div class="day">{day:%a %d %b}{holiday}</div>{view.track(day, pieces)}')
        out.append("</div>")
        out.append(view.table(rows))
    out += view.on_call()
    out += [
        "<h2>How to read this page</h2><dl>",
        "<dt>A coloured block</dt><dd>The greeting a caller hears in those hours, when nothing else is known "
        "about the call (no status set, no caller or language given). Its label names the greeting, and the "
        "questions when they are not the usual ones.</dd>",
        "<dt>A dark line under a block</dt><dd>Some callers hear another greeting or get other questions "
        "in those hours; the table under the grid says who.</dd>",
        "<dt>Hatching</dt><dd>A closure: the office is closed over those hours.</dd>",
        "<dt>A red name under a day</dt><dd>A public holiday or a day the office has declared as one.</dd>",
        "<dt>Who is on call</dt><dd>The person the answering service reaches for each on-call team, "
        "block by block "
        + (
            "(a swap made live is applied and marked “(swap)”).</dd>"
            if live
            else "(as the rules say; a swap made on the day is not shown).</dd>"
        ),
        "</dl>",
        f"<footer>{escape(name)} · rules version {escape(client.rules_version)}</footer></body></html>",
    ]
    return "\n".join(out) + "\n"
