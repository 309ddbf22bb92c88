"""HTML: a `Matrix` → one self-contained page: a colour grid per forwarding reason, days down, hours across.

Nothing is fetched: the styles are inline, there is no script, the icon is an empty data
URL. Each greeting has its colour (in file order) and a legend entry with its text in the
default language; closures are hatched over the hours they cover, holidays named beside
their day. Hovering a segment shows its hours, greeting, script, windows, the languages
that hear something else and the variants (a status, a caller, a dialled number).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from html import escape

from .classes import describe
from .matrix import Matrix, Row, by_day, clock_text

# Tableau 10: tells ten greetings apart, on screen and in print.
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")

STYLE = """
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; }
.sub { color: #555; margin: 0 0 16px; }
.legend { display: grid; grid-template-columns: max-content 1fr; gap: 6px 12px; align-items: start; max-width: 1100px; }
.swatch { display: inline-block; width: 14px; height: 14px; border-radius: 3px; vertical-align: -2px;
          margin-right: 6px; }
.closure-swatch { background: repeating-linear-gradient(45deg, #000 0 2px, transparent 2px 6px);
                  border: 1px solid #000; }
.grid { display: grid; grid-template-columns: 170px minmax(600px, 1100px); gap: 3px 8px; align-items: center; }
.day { font-variant-numeric: tabular-nums; white-space: nowrap; }
.day small { display: block; color: #b00; }
.track { position: relative; height: 26px; background: #f3f3f3; border-radius: 3px; overflow: hidden; }
.seg { position: absolute; top: 0; bottom: 0; box-sizing: border-box;
       font-size: 11px; line-height: 26px; padding-left: 4px; overflow: hidden; white-space: nowrap; }
.seg.variants { box-shadow: inset 0 -4px 0 rgba(0, 0, 0, .45); }
.closed { position: absolute; top: 0; bottom: 0; pointer-events: none;
          background: repeating-linear-gradient(45deg, rgba(0, 0, 0, .55) 0 2px, transparent 2px 6px); }
.hours { position: relative; height: 16px; font-size: 11px; color: #666; }
.hours span { position: absolute; transform: translateX(-50%); }
.hours span:first-child { transform: none; }
footer { margin-top: 28px; color: #777; font-size: 12px; }
"""


def colours(found: Matrix) -> dict[str, str]:
    return {g.name: PALETTE[i % len(PALETTE)] for i, g in enumerate(found.client.greetings)}


def ink(background: str) -> str:
    """Black or white text, whichever reads better on `background`."""
    r, g, b = (int(background[i : i + 2], 16) for i in (1, 3, 5))
    return "#000" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#fff"


def minutes(row_time, day: date) -> int:
    return 1440 if row_time.date() > day else row_time.hour * 60 + row_time.minute


def tooltip(row: Row, day: date) -> str:
    lines = [
        f"{clock_text(row.start, day)}-{clock_text(row.end, day)}  {row.greeting}: {row.text}",
        f"script: {row.script or 'none'}",
    ]
    if row.windows:
        lines.append("windows: " + ", ".join(row.windows))
    lines += [
        f"{code} callers hear {greeting}" + (f" in {code}" if greeting == row.greeting else "")
        for code, greeting in row.languages
    ]
    lines += [
        f"with {describe(v.when)}: {v.greeting}" + (f", script {v.script}" if v.script != row.script else "")
        for v in row.variants
    ]
    return "\n".join(lines)


def track(found: Matrix, day: date, pieces: list[Row], colour: dict[str, str], usual: str | None) -> str:
    """One day's bar. Pieces that differ only in the windows listed read as one run: one label,
    no divider; a script other than the usual one is named after the greeting."""
    out = ['<div class="track">']
    for i, row in enumerate(pieces):
        left, right = minutes(row.start, day), minutes(row.end, day)
        if right <= left:  # the repeated hour of a fall-back night: drawn once, with what comes after it
            continue
        heard = (row.greeting, row.script)
        before = (pieces[i - 1].greeting, pieces[i - 1].script) if i else None
        after = (pieces[i + 1].greeting, pieces[i + 1].script) if i + 1 < len(pieces) else None
        background = colour.get(row.greeting, "#999")
        label = row.greeting + (f" · {row.script or 'no script'}" if row.script != usual else "")
        label = escape(label) if heard != before and (right - left >= 90 or heard != after) else ""
        divider = "" if heard == after else ";border-right:1px solid #fff"
        out.append(
            f'<div class="seg{" variants" if row.variants else ""}" '
            f'style="left:{left / 14.4:.3f}%;width:{(right - left) / 14.4:.3f}%;background:{background};'
            f'color:{ink(background)}{divider}" title="{escape(tooltip(row, day))}">{label}</div>'
        )
    lo, hi = min(p.start for p in pieces), max(p.end for p in pieces)
    for title, start, end in found.closures():
        if start < hi and end > lo:
            left = minutes(max(start, lo), day)
            right = minutes(min(end, hi), day)
            out.append(
                f'<div class="closed" style="left:{left / 14.4:.3f}%;width:{(right - left) / 14.4:.3f}%" '
                f'title="closed: {escape(title)}"></div>'
            )
    out.append("</div>")
    return "".join(out)


def page(found: Matrix) -> str:
    """The whole page, as text (UTF-8 when written)."""
    client = found.client
    colour = colours(found)
    holidays = found.holidays()
    last = found.day_list()[-1]
    declared = ", ".join(r.value for r in client.forwarding)
    title = f"{client.title or client.id}: what callers hear"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',
        f"<title>{escape(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="sub">{found.first:%a %d %b %Y} to {last:%a %d %b %Y}, local time ({escape(client.timezone)}). '
        f"Forwarding declared: {escape(declared) if declared else 'none, so every reason is shown'}. "
        "A plain call: no status, caller or language given; a script other than the usual one is named "
        "after the greeting. A dark bar under a segment: some callers (a status, a caller, a number, "
        "a language) hear another greeting or get another script; hover for details.</p>",
        '<div class="legend">',
    ]
    for greeting in found.greetings():
        name = escape(greeting.name) + (f" <small>({escape(greeting.title)})</small>" if greeting.title else "")
        out.append(
            f'<div><span class="swatch" style="background:{colour[greeting.name]}"></span>{name}</div>'
            f"<div>{escape(greeting.texts[client.default_language].source)}</div>"
        )
    for title_, start, end in found.closures():
        out.append(
            f'<div><span class="swatch closure-swatch"></span>closed</div>'
            f"<div>{escape(title_)}: {start:%a %d %b %H:%M} to {end:%a %d %b %H:%M}</div>"
        )
    out.append("</div>")
    scripts = Counter(row.script for rows in found.reasons.values() for row in rows)
    usual = scripts.most_common(1)[0][0] if scripts else None
    hours = "".join(f'<span style="left:{h / 24 * 100:.3f}%">{h:02d}</span>' for h in range(0, 24, 2))
    for names, rows in found.grouped_reasons():
        out.append(f"<h2>forwarded {escape(', '.join(names))}</h2>")
        out.append(f'<div class="grid"><div></div><div class="hours">{hours}</div>')
        for day, pieces in by_day(found, rows):
            holiday = f"<small>{escape(holidays[day])}</small>" if day in holidays else ""
            out.append(f'<div class="day">{day:%a %d %b}{holiday}</div>{track(found, day, pieces, colour, usual)}')
        out.append("</div>")
    out.append(
        f"<footer>rules-engine matrix · {escape(client.id)} · rules version {escape(client.rules_version)}"
        "</footer></body></html>"
    )
    return "\n".join(out) + "\n"
