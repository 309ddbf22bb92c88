"""No effect: a client + the next 365 days → warnings for closures and holidays that change nothing, or too little.

A closure, a holiday calendar (`holidays US-IL`) or a `holiday` line is there to change how
calls are handled while it holds. Each is checked by the diff's own analysis: the client
as written against the same client without it, over the days it holds in the year from
`start`. When no class of call is decided differently, it changes nothing: most often an
`open` window that forgets `and not closed` (or `and not holiday`), so it is said so.

When it does change the greeting (callers hear "the office is closed") while some call is
still put through (`patch`) to a contact exactly as without it, the office is empty but the
route does not know: that is said too, naming the route rule.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from .. import model as m
from ..decide.decision import Decision
from ..errors import Diagnostic, SourceText
from ..schedule import public_holidays
from .diff import edited
from .explore import Explorer
from .parts import PARTS, same
from .timeline import Clock, day_span, segments

HORIZON = 365  # days after `start` that are checked


class Finding:
    """What taking one closure or holiday out of the rules changes: anything, and an empty office."""

    def __init__(self) -> None:
        self.changes = False
        self.empty_office: tuple[str, int, int, str] | None = None  # greeting, route rule, line, who


def no_effect_warnings(client: m.Client, start: date | datetime | None = None) -> list[Diagnostic]:
    """The warnings about `client`'s closures and holidays over the 365 days from `start` (a
    local date, default today; or an aware instant, whose local date is taken)."""
    clock = Clock(client)
    if start is None:
        start = datetime.now(clock.tz).date()
    elif isinstance(start, datetime):
        start = start.astimezone(clock.tz).date()
    lo, hi = day_span(clock, start, HORIZON)
    source = SourceText.of(client.path, client.source)
    out: list[Diagnostic] = []
    for closure, (begin, end, _) in zip(client.closures, clock.calendar.closures, strict=True):
        spans = [(max(begin, lo), min(end, hi))] if begin < hi and end > lo else []
        others = tuple(c for c in client.closures if c is not closure)
        what = f"closure `{closure.title}`" if closure.title else "this closure"
        out += warnings(client, edited(client, closures=others), spans, closure, what, "closed", source)
    for region in client.regions:
        other_regions = tuple(r for r in client.regions if r is not region)
        days = region_days(region, start, HORIZON)
        what = f"holiday calendar `{region.country}{'-' + region.subdivision if region.subdivision else ''}`"
        out += warnings(
            client,
            edited(client, regions=other_regions),
            [day_span(clock, d, 1) for d in days],
            region,
            what,
            "holiday",
            source,
        )
    for line in client.holiday_dates:
        other_dates = tuple(h for h in client.holiday_dates if h is not line)
        spans = [day_span(clock, line.date, 1)] if start <= line.date < start + timedelta(days=HORIZON) else []
        out += warnings(
            client, edited(client, holiday_dates=other_dates), spans, line, f"holiday `{line.title}`", "holiday", source
        )
    return out


def region_days(region: m.Region, start: date, days: int) -> list[date]:
    """The dates the `holidays` package lists for a region in the span (observed days included)
    that its `holidays` line keeps."""
    last = start + timedelta(days=days - 1)
    found = public_holidays.dates_of(region, range(start.year, last.year + 1))
    return sorted(day for day in found if start <= day <= last)


def warnings(
    client: m.Client,
    without: m.Client,
    spans: list[tuple[datetime, datetime]],
    node: m.Node,
    what: str,
    word: str,
    source: SourceText,
) -> list[Diagnostic]:
    if not spans:  # it does not hold in the year checked: nothing can be said of it
        return []
    finding = effect(without, client, spans)
    line = node.pos.line if node.pos else 0
    named = f"{what} (line {line})" if line else what
    window = "`open`" if "open" in client.windows else "a window or rule"
    if not finding.changes:
        return [
            source.at(
                "warning",
                node.pos,
                f"{named} changes nothing: does {window} need `and not {word}`?",
                f"over the {HORIZON} days checked, no call is greeted, asked, rated or routed "
                f"differently with it than without it",
            )
        ]
    if finding.empty_office is not None:
        greeting, rule, rule_line, reached = finding.empty_office
        return [
            source.at(
                "warning",
                node.pos,
                f"during {named} callers hear `{greeting}`, but route rule {rule} (line {rule_line}) "
                f"still puts calls through to {reached}: an empty office?",
                f"add `and not {word}` to that rule's condition, or to {window}",
            )
        ]
    return []


def effect(without: m.Client, client: m.Client, spans: list[tuple[datetime, datetime]]) -> Finding:
    """What `client` decides differently from `without` over `spans`.

    Both clients have the same people and on-call calendars, so only the rules that apply can
    differ: each pair of time keys is compared once without who is on call. Two routes by
    different rules count as a change even where their actions happen to agree, so that no
    warning ever rests on such a coincidence (at worst one is not given)."""
    explorer = Explorer([without, client])
    clocks = (Clock(without), Clock(client))
    finding = Finding()
    seen: set[tuple] = set()
    for lo, hi in spans:
        for segment in segments(clocks, lo, hi):
            keys = tuple(key.without_holders() for key in segment.keys)
            if keys in seen or keys[0] == keys[1]:  # equal time facts for both: equal decisions
                continue
            seen.add(keys)
            at = segment.start.astimezone(clocks[1].tz)
            greeted = [
                leaf
                for leaf in explorer.explore(at, parts=("greeting",), keys=keys)
                if not same(leaf.decisions[0], leaf.decisions[1], "greeting")
            ]
            finding.changes = (
                finding.changes
                or bool(greeted)
                or any(
                    changed(*leaf.decisions)
                    for part in PARTS[1:]
                    for leaf in explorer.explore(at, parts=(part,), keys=keys)
                )
            )
            if greeted and finding.empty_office is None:
                finding.empty_office = empty_office(explorer, at, keys)
    return finding


def changed(before: Decision, after: Decision) -> bool:
    moved = before.route is not None and after.route is not None and before.route.rule != after.route.rule
    return moved or not all(same(before, after, part) for part in PARTS)


def empty_office(explorer: Explorer, at: datetime, keys: tuple) -> tuple[str, int, int, str] | None:
    """A class of calls routed alike, by the same rule, to a contact, but greeted differently."""
    for leaf in explorer.explore(at, parts=("route",), keys=keys):
        before, after = leaf.decisions
        if after.route is None or changed_route(before, after):
            continue
        reached = [
            t
            for action in after.route.actions
            if action.kind == "patch"
            for t in action.targets
            if t.contact is not None and t.team is None
        ]
        if not reached:
            continue
        for sub in explorer.explore(at, base=leaf.assignment, parts=("greeting",), keys=keys):
            if not same(sub.decisions[0], sub.decisions[1], "greeting"):
                return (
                    sub.decisions[1].greeting.id,
                    after.route.rule,
                    after.route.line,
                    f"{reached[0].name} ({reached[0].contact})",
                )
    return None


def changed_route(before: Decision, after: Decision) -> bool:
    return (
        before.route is None
        or after.route is None
        or before.route.rule != after.route.rule
        or not same(before, after, "route")
    )
