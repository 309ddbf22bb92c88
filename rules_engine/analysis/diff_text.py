"""The diff for people: a one-paragraph summary, then each edit's changes by time and part, one line each.

Reads the groups of `analysis.digest`: per edit (the lines changed, and what they were), the
times it changes calls, and under each time one line per part and values, saying for which
calls (the facts all merged classes share, and how many classes it merges). A `rules-engine
decide` line under each time reproduces one example; `--json` keeps every change.

Shared by `rules-engine diff` and the console's preview page (which may not import `cli`).
"""

from __future__ import annotations

import shlex
from datetime import date, datetime, timedelta
from typing import Any

from .. import model as m
from ..decide.decision import METHOD_WORDS, spoken_duration
from .classes import describe
from .diff import Change, Comparison
from .digest import EVERY_REASON, Digest, Group, merged
from .edits import Edit
from .explore import STATUS_NOTE

MOST = 4  # intervals listed before "… and N more"
PART_WORDS = {"greeting": "the greeting", "script": "the script", "urgency": "the urgency", "route": "the route"}
KIND_WORDS = {"patch": "put through", "message": "take a message", "callback": "promise a call back"}
WEEKDAYS = {frozenset(range(5)): "weekdays", frozenset({5, 6}): "weekends", frozenset(range(7)): "every day"}


def text(
    comparison: Comparison, digests: dict[str, Digest], old_path: str, new_path: str, first: str, days: int
) -> str:
    out = [f"rules-engine diff {old_path} → {new_path}, {days} day{'s' if days != 1 else ''} from {first}"]
    out += [f"added: client `{name}`" for name in comparison.added]
    out += [f"removed: client `{name}`" for name in comparison.removed]
    for old, new in comparison.pairs:
        found = digests.get(new.id)
        renamed = f" (was `{old.id}`)" if old.id != new.id else ""
        head = f"{new.title or new.id} ({new.id}{renamed}, {new.timezone})"
        if found is None or not found.groups:
            out += ["", f"{head}: no change"]
            continue
        out += ["", f"{head}:", "  " + summary(found)]
        for edits, groups in found.by_edit():
            out += ["", *edit_head([found.edits[i] for i in edits])]
            out += timed(groups, new_path)
    return "\n".join(out)


# ---- the summary ------------------------------------------------------------------------------------


def summary(found: Digest) -> str:
    """`2 edits: window `lunch` (line 10) changes the script … on weekdays; … in 3 weeks.`"""
    clauses = []
    for edits, groups in found.by_edit():
        label = " and ".join(found.edits[i].label() for i in edits) + (" together" if len(edits) > 1 else "")
        label = label or "the edit"  # texts not at hand (a client compiled without its source)
        clauses.append(f"{label} changes {what(groups)} {times(merged(s for g in groups for s in g.spans()))}")
    quiet = found.quiet()
    if quiet:
        clauses.append(
            " and ".join(edit.label() for edit in quiet) + " change" + ("s" if len(quiet) == 1 else "") + " no call"
        )
    count = len(found.edits)
    return f"{count} edit{'s' if count > 1 else ''}: " + "; ".join(clauses) + "."


def what(groups: list[Group]) -> str:
    """The parts changed, as people say them (`who is called for emergency calls`)."""
    parts = list(dict.fromkeys(g.part for g in groups))
    words = []
    for part in parts:
        if part != "route":
            words.append(PART_WORDS[part])
            continue
        routes = [g for g in groups if g.part == "route"]
        word = "who is called" if all(g.people() for g in routes) else "the route"
        levels = {u for g in routes for u in g.urgencies}
        if len(levels) == 1 and None not in levels:
            word += f" for {next(iter(levels))} calls"
        words.append(word)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def times(spans: list[tuple[datetime, datetime]]) -> str:
    """When, in a few words: `for calls 12:00-12:30 and 13:00-13:30 on weekdays`, or `in 3 weeks`."""
    ranges = list(dict.fromkeys(f"{a:%H:%M}-{clock(b, a)}" for a, b in sorted(spans)))
    if all(b - a <= timedelta(days=1) for a, b in spans) and len(ranges) <= 3:
        days = frozenset(a.weekday() for a, _ in spans)
        on = WEEKDAYS.get(days) or ", ".join(m.DAY_NAMES[d] for d in sorted(days))
        clocks = "all day" if ranges == ["00:00-24:00"] else "for calls " + " and ".join(sorted(ranges))
        return f"{clocks} on {on}"
    days_touched = {day for a, b in spans for day in dates(a, b)}
    weeks = {day.isocalendar()[:2] for day in days_touched}
    hours = sum((b - a).total_seconds() for a, b in spans) / 3600
    where = (
        f"in {len(weeks)} weeks"
        if len(weeks) > 1
        else f"on {len(days_touched)} day{'s' if len(days_touched) > 1 else ''}"
    )
    return f"{where} ({hours:g} h in all)"


def dates(start: datetime, end: datetime) -> list[date]:
    """The local dates an interval touches (an end at midnight touches no more of that day)."""
    last = (end - timedelta(microseconds=1)).date()
    return [start.date() + timedelta(days=i) for i in range((last - start.date()).days + 1)]


def clock(end: datetime, start: datetime) -> str:
    return "24:00" if end.date() > start.date() and end.strftime("%H:%M") == "00:00" else end.strftime("%H:%M")


# ---- each edit, its times and its lines -------------------------------------------------------------


def edit_head(edits: list[Edit]) -> list[str]:
    out = []
    for edit in edits:
        out.append(f"  {edit.label()}:")
        out += [f"      was: {line.strip()}" for line in edit.old_text]
        out += [f"      now: {line.strip()}" for line in edit.text]
    return out


def timed(groups: list[Group], new_path: str) -> list[str]:
    """The groups under the time they happen, one heading per time, in order."""
    by_time: dict[str, list[Group]] = {}
    for group in groups:
        by_time.setdefault(when(group.spans()), []).append(group)
    out = []
    for heading, members in by_time.items():
        out.append(f"    {heading}")
        out += [f"      {line(group)}" for group in members]
        out.append("      try: " + command(members[0].example(), new_path))
    return out


def line(group: Group) -> str:
    """`script: lunch (asks name, message) → intake (…), for every call (2 kinds)`."""
    people = group.people()
    if people:
        head = route_kind(group.old)
        change = ", ".join(f"{a} → {b}" for a, b in people)
        said = f"{group.part}: {head}: {change}"
    else:
        said = f"{group.part}: {value(group.part, group.old)} → {value(group.part, group.new)}"
    return f"{said}; for {whom(group)}"


def whom(group: Group) -> str:
    bits = []
    if group.part == "route" and len(group.urgencies) == 1 and None not in group.urgencies:
        bits.append(f"{next(iter(group.urgencies))} calls")
    reasons = group.forwarded()
    if len(reasons) < EVERY_REASON:
        bits.append("forwarded " + ", ".join(reasons))
    facts = describe(group.facts())
    if facts:
        bits.append(facts)
    kinds = group.kinds()
    return (", ".join(bits) or "every call") + (f" ({kinds} kinds of call)" if kinds > 1 else "")


def route_kind(route: dict) -> str:
    """A route's actions by kind, with its rule: escalate `emergency` (route rule 1, line 75)."""
    kinds = []
    for act in route["actions"]:
        kind = act["kind"]
        kinds.append(
            f"escalate `{act['policy']}`"
            if kind == "escalate"
            else {"patch": "put through", "message": "take a message", "callback": "promise a call back"}.get(
                kind, kind
            )
        )
    return "; else ".join(kinds) + f" (route rule {route['rule']}, line {route['line']})"


def stamp(instant: datetime) -> str:
    return instant.strftime("%a %d %b %H:%M %Z")


def when(spans: list[tuple[datetime, datetime]]) -> str:
    """The intervals, as the same hours on many days where they are (`12:00-12:30 CST on 20 days …`)."""
    hours = {(a.strftime("%H:%M"), clock(b, a)) for a, b in spans}
    total = sum((b - a).total_seconds() for a, b in spans) / 3600
    if len(spans) > 1 and len(hours) == 1 and all(b - a < timedelta(days=1) for a, b in spans):
        ((start, end),) = hours
        weekdays = sorted({a.weekday() for a, _ in spans})
        return (
            f"{start}-{end} {spans[0][0]:%Z} on {len(spans)} days from {spans[0][0]:%a %d %b} to "
            f"{spans[-1][0]:%a %d %b} ({', '.join(m.DAY_NAMES[d] for d in weekdays)}), {total:g} h in all"
        )
    listed = ", ".join(f"{stamp(a)} to {stamp(b)}" for a, b in spans[:MOST])
    more = f", … and {len(spans) - MOST} more" if len(spans) > MOST else ""
    return f"{listed}{more}, {total:g} h in all"


def command(change: Change, path: str) -> str:
    """The `rules-engine decide` line that shows the new decision of the change's example."""
    call = change.example
    who = ["--number", call.number] if call.number else ["--client", call.client]
    argv = ["rules-engine", "decide", path, *who, "--at", call.at.isoformat(), "--forwarded", call.forwarded]
    for option, given in (("--caller", call.caller), ("--language", call.language), ("--said", call.said)):
        if given:
            argv += [option, given]
    for field, answer in call.answers.items():
        argv += ["--answer", f"{field}={answer}"]
    if change.status:
        argv += ["--status", STATUS_NOTE]
    return " ".join(shlex.quote(word) for word in argv)


# ---- one part's value, in a line ------------------------------------------------------------------


def value(part: str, shown: Any) -> str:
    if part == "greeting":
        return f'{shown["id"]} "{shown["text"]}"'
    if part == "script":
        if shown is None:
            return "no script"
        asks = [step["field"] for step in shown["steps"] if step["kind"] == "ask"]
        return f"{shown['id']} (asks {', '.join(asks) or 'nothing'})"
    if part == "urgency":
        return shown or "not known yet"
    if shown is None or "actions" not in shown:
        return "not decided yet" + (f" (waits for {', '.join(shown['needs'])})" if shown else "")
    return "; else ".join(action(a) for a in shown["actions"]) + f" (route rule {shown['rule']}, line {shown['line']})"


def action(act: dict[str, Any]) -> str:
    """One action in a line: who is reached, by name (`--json` has every address)."""
    kind = act["kind"]
    if kind == "patch":
        return "put through to " + (", ".join(name(t) for t in act["targets"]) or "nobody")
    if kind == "escalate":
        steps = "; ".join(
            ", ".join(f"{METHOD_WORDS[t['method']]} {name(t)}" for t in step["targets"])
            + f", wait {spoken_duration(step['wait'])}"
            for step in act["steps"]
        )
        rounds = f"; {act['repeat']} rounds" if act.get("repeat", 1) > 1 else ""
        final = f"; finally {action(act['finally'])}" if act.get("finally") else ""
        return f"escalate `{act['policy']}`: {steps}{rounds}{final}"
    if kind == "message":
        to = ", ".join(f"{METHOD_WORDS[t['method']]} {name(t)}" for t in act["targets"])
        priority = f" (priority {act['priority']})" if act["priority"] != "normal" else ""
        return f"take a message{priority}" + (f" for {to}" if to else "")
    if kind == "callback":
        return f"promise a call back within {spoken_duration(act['within'])}"
    if kind == "hangup":
        return f'say "{act["say"]}" and hang up'
    return "voicemail"


def name(target: dict[str, Any]) -> str:
    if target.get("contact") is None:
        return str(target["address"])
    return str(target["name"]) + (f" (on call for {target['team']})" if target.get("team") else "")
