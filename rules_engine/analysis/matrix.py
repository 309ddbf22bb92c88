"""Matrix: a client + a span of days → what a caller hears, per forwarding reason, as local time segments.

For each reason (those the client declares with `forwarding` first), the span is cut into
segments; each names the greeting a plain call gets (no status, caller or language given,
dialled by client id) with its text in the default language, the script chosen, the windows
that hold, the languages whose callers hear something else (another greeting, or this one
translated), and the *variants*: the other arrival facts (status set, a caller in a list,
a dialled number, a language) that change the greeting or the script, with what they get.

Exact, not sampled: the segments come from `timeline` and the classes from `explore`, so
`decide` at any instant of a segment gives what the segment says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TypedDict

from .. import model as m
from ..decide.decision import Decision
from .classes import ANY_OTHER, NOT_GIVEN, describe, ordered_reasons
from .explore import Explorer, Leaf
from .timeline import Clock, day_span, segments

ARRIVAL = ("language", "status", "caller", "dialed")  # what a greeting or `choose script` may read


@dataclass(frozen=True)
class Variant:
    when: dict
    greeting: str
    script: str | None


@dataclass(frozen=True)
class Row:
    """From `start` to `end` a plain call forwarded for this reason gets `greeting` and `script`."""

    start: datetime
    end: datetime
    greeting: str
    text: str
    script: str | None
    windows: tuple[str, ...]
    languages: tuple[tuple[str, str], ...] = ()  # (language, greeting) where its callers hear something else
    variants: tuple[Variant, ...] = ()

    def same_as(self, other: Row) -> bool:
        return (self.greeting, self.text, self.script, self.windows, self.languages, self.variants) == (
            other.greeting,
            other.text,
            other.script,
            other.windows,
            other.languages,
            other.variants,
        )


class RowContent(TypedDict):
    """A row but its time span: what one time key gives a reason's plain call (`row_of`)."""

    greeting: str
    text: str
    script: str | None
    windows: tuple[str, ...]
    languages: tuple[tuple[str, str], ...]
    variants: tuple[Variant, ...]


@dataclass
class Matrix:
    client: m.Client
    clock: Clock
    first: date
    days: int
    reasons: dict[str, list[Row]] = field(default_factory=dict)

    @property
    def tz(self):
        return self.clock.tz

    def day_list(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range(self.days)]

    def holidays(self) -> dict[date, str]:
        return {day: name for day in self.day_list() if (name := self.clock.calendar.holiday(day)) is not None}

    def closures(self) -> list[tuple[str, datetime, datetime]]:
        """The closures that overlap the span: (title, start, end), as local times."""
        start, end = day_span(self.clock, self.first, self.days)
        return [
            (title, s.astimezone(self.tz), e.astimezone(self.tz))
            for s, e, title in self.clock.calendar.closures
            if s < end and e > start
        ]

    def greetings(self) -> list[m.Greeting]:
        """The greetings the matrix shows, in file order (a legend)."""
        shown = {row.greeting for rows in self.reasons.values() for row in rows}
        shown |= {v.greeting for rows in self.reasons.values() for row in rows for v in row.variants}
        return [g for g in self.client.greetings if g.name in shown]

    def grouped_reasons(self) -> list[tuple[list[str], list[Row]]]:
        """Reasons whose rows are all the same, together, in the order of `reasons`."""
        groups: list[tuple[list[str], list[Row]]] = []
        for reason, rows in self.reasons.items():
            for names, seen in groups:
                if len(seen) == len(rows) and all(
                    a.same_as(b) and a.start == b.start for a, b in zip(seen, rows, strict=True)
                ):
                    names.append(reason)
                    break
            else:
                groups.append(([reason], rows))
        return groups


def matrix(client: m.Client, first: date, days: int) -> Matrix:
    """The matrix of `client` for `days` local days from `first`."""
    clock = Clock(client, marks=True)
    start, end = day_span(clock, first, days)
    explorer = Explorer([client])
    dims = explorer.dims
    plain = {name: dim.values[0] for name, dim in dims.dims.items()}
    found: dict[tuple, dict[str, RowContent]] = {}  # time key → reason → the row's content
    out = Matrix(client, clock, first, days, {reason: [] for reason in ordered_reasons([client])})
    for segment in segments([clock], start, end):
        if segment.keys not in found:
            at = segment.start.astimezone(clock.tz)
            by_group: dict[str, RowContent] = {}
            for group in dims["forwarded"].values:
                leaves = explorer.explore(at, {"forwarded": group}, ARRIVAL, ("greeting", "script"), texts=False)
                content = row_of(leaves, {**plain, "forwarded": group}, explorer, at)
                by_group.update({reason: content for reason in group.label})
            found[segment.keys] = by_group
        for reason, rows in out.reasons.items():
            content = found[segment.keys][reason]
            row = Row(segment.start.astimezone(clock.tz), segment.end.astimezone(clock.tz), **content)
            if rows and rows[-1].same_as(row):
                rows[-1] = Row(rows[-1].start, row.end, **content)
            else:
                rows.append(row)
    return out


def row_of(leaves: list[Leaf], plain: dict, explorer: Explorer, at: datetime) -> RowContent:
    """A row's content: the plain call's greeting and script, and what other arrival facts change."""
    dims = explorer.dims
    base = next(leaf for leaf in leaves if leaf.holds_for(plain)).decisions[0]
    languages: list[tuple[str, str]] = []
    for value in dims["language"].values[1:]:
        heard = explorer.decide(0, at, {**plain, "language": value}).greeting
        if (heard.id, heard.language) != (base.greeting.id, base.greeting.language):
            languages += [(code, heard.id) for code in value.label if code not in (NOT_GIVEN, ANY_OTHER)]
    variants = {}
    for leaf in leaves:
        decision = leaf.decisions[0]
        if (decision.greeting.id, script_id(decision)) != (base.greeting.id, script_id(base)):
            when = dims.when(leaf.assignment)
            variants[repr(when)] = Variant(when, decision.greeting.id, script_id(decision))
    return {
        "greeting": base.greeting.id,
        "text": base.greeting.text,
        "script": script_id(base),
        "windows": tuple(base.windows),
        "languages": tuple(languages),
        "variants": tuple(variants.values()),
    }


def script_id(decision: Decision) -> str | None:
    return decision.script.id if decision.script is not None else None


# ---- output ---------------------------------------------------------------------------------------


def as_json(found: Matrix) -> dict:
    start, end = day_span(found.clock, found.first, found.days)
    return {
        "client": found.client.id,
        "zone": found.client.timezone,
        "from": start.astimezone(found.tz).isoformat(),
        "to": end.astimezone(found.tz).isoformat(),
        "forwarding": [r.value for r in found.client.forwarding],
        "reasons": {reason: [row_json(row) for row in rows] for reason, rows in found.reasons.items()},
        "greetings": {
            g.name: {"title": g.title, "text": g.texts[found.client.default_language].source} for g in found.greetings()
        },
        "holidays": {day.isoformat(): name for day, name in found.holidays().items()},
        "closures": [{"title": title, "from": s.isoformat(), "to": e.isoformat()} for title, s, e in found.closures()],
    }


def row_json(row: Row) -> dict:
    return {
        "from": row.start.isoformat(),
        "to": row.end.isoformat(),
        "greeting": row.greeting,
        "text": row.text,
        "script": row.script,
        "windows": list(row.windows),
        "languages": dict(row.languages),
        "variants": [{"when": v.when, "greeting": v.greeting, "script": v.script} for v in row.variants],
    }


def by_day(found: Matrix, rows: list[Row]) -> list[tuple[date, list[Row]]]:
    """The rows cut at local midnights: what a day-by-day view shows."""
    out = []
    for day in found.day_list():
        lo, hi = day_span(found.clock, day, 1)
        pieces = [
            Row(
                max(r.start, lo).astimezone(found.tz),
                min(r.end, hi).astimezone(found.tz),
                r.greeting,
                r.text,
                r.script,
                r.windows,
                r.languages,
                r.variants,
            )
            for r in rows
            if r.start < hi and r.end > lo
        ]
        out.append((day, pieces))
    return out


def clock_text(instant: datetime, day: date) -> str:
    return "24:00" if instant.date() > day else instant.strftime("%H:%M")


def as_text(found: Matrix) -> str:
    client = found.client
    last = found.first + timedelta(days=found.days - 1)
    out = [
        f"{client.title or client.id} ({client.id}): what callers hear, {found.first:%a %Y-%m-%d} to "
        f"{last:%a %Y-%m-%d}, {client.timezone}"
    ]
    declared = [r.value for r in client.forwarding]
    out.append("forwarding declared: " + (", ".join(declared) if declared else "none (every reason is shown)"))
    holidays = found.holidays()
    for day, name in holidays.items():
        out.append(f"holiday {day:%a %d %b}: {name}")
    for title, s, e in found.closures():
        out.append(f'closed "{title}": {s:%a %d %b %H:%M} to {e:%a %d %b %H:%M}')
    for names, rows in found.grouped_reasons():
        out += ["", "forwarded " + ", ".join(names)]
        for day, pieces in by_day(found, rows):
            label = f"{day:%a %d %b}" + (" holiday" if day in holidays else "")
            for row in pieces:
                hours = f"{clock_text(row.start, day)}-{clock_text(row.end, day)}"
                extra = [f"script {row.script}" if row.script else "no script"]
                if row.windows:
                    extra.append("windows " + ", ".join(row.windows))
                extra += [
                    f"{code} callers: {greeting if greeting != row.greeting else 'in ' + code}"
                    for code, greeting in row.languages
                ]
                out.append(f"  {label:<18} {hours}  {row.greeting:<14} {'; '.join(extra)}")
                for variant in row.variants:
                    script = f", script {variant.script}" if variant.script != row.script else ""
                    out.append(f"  {'':<18} {'':<11}  with {describe(variant.when)}: {variant.greeting}{script}")
                label = ""
    out += ["", "greetings (in " + client.default_language + ")"]
    for greeting in found.greetings():
        title = f" ({greeting.title})" if greeting.title else ""
        out.append(f'  {greeting.name}{title}: "{greeting.texts[client.default_language].source}"')
    return "\n".join(out)
