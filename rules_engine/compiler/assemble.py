"""Assemble: a file's statements (`ClientSource`) → one `Client`, duplicates and missing parts reported."""

from __future__ import annotations

import hashlib
from collections import defaultdict

from .. import model as m
from .build import ClientSource, Statement
from .report import Report


def assemble(source: ClientSource, path: str, text: str, report: Report) -> tuple[m.Client, dict[str, Statement]]:
    """Gather the statements into one `Client`, reporting duplicates and missing parts."""
    fields: dict = defaultdict(list)
    named: dict[str, dict] = {k: {} for k in ("windows", "contacts", "lists", "teams", "escalations", "scripts")}
    kinds: dict[type[m.Node], tuple[str, str]] = {
        m.Window: ("windows", "window"),
        m.Contact: ("contacts", "contact"),
        m.PhoneList: ("lists", "list"),
        m.Team: ("teams", "on-call team"),
        m.Escalation: ("escalations", "escalation"),
        m.Script: ("scripts", "script"),
    }
    singles: dict[str, Statement] = {}
    greetings: dict[str, m.Greeting] = {}
    for item in source.items:
        if isinstance(item, Statement):
            if item.kind in singles:
                report.error(
                    item.pos,
                    f"`{item.kind}` is given twice; the first is on line {singles[item.kind].pos.line}",
                    "keep one" if item.kind in ("timezone", "urgency", "route") else "list all values in one line",
                )
                continue
            singles[item.kind] = item
        elif type(item) in kinds:
            key, word = kinds[type(item)]
            if item.name in named[key]:
                first = named[key][item.name]
                report.error(
                    item,
                    f"{word} `{item.name}` is defined twice; the first is on line {first.pos.line}",
                    "rename one of them or merge them",
                )
            else:
                named[key][item.name] = item
        elif isinstance(item, m.Greeting):
            if item.name in greetings:
                report.error(
                    item,
                    f"greeting `{item.name}` is defined twice; the first is on line {greetings[item.name].line}",
                    "rename one of them",
                )
            greetings[item.name] = item
            fields["greetings"].append(item)
        elif isinstance(item, m.HolidayDate):
            fields["holiday_dates"].append(item)
        elif isinstance(item, m.Closure):
            fields["closures"].append(item)
        elif isinstance(item, m.ScriptChoice):
            fields["script_choices"].append(item)
    values = {kind: st.value for kind, st in singles.items()}
    if "timezone" not in values:
        report.error(
            source.pos, f"client `{source.id}` has no `timezone`", 'add a line such as `timezone "America/Chicago"`'
        )
    if "route" not in values:
        report.error(
            source.pos,
            f"client `{source.id}` has no `route` section",
            "every client needs a `route { … otherwise -> … }`",
        )
    if not fields["greetings"]:
        report.error(source.pos, f"client `{source.id}` has no greeting", 'add at least `greeting default { en "…" }`')
    client = m.Client(
        id=source.id,
        title=source.title,
        path=path,
        source=text,
        timezone=values.get("timezone", ""),
        languages=values.get("languages", ()),
        numbers=values.get("numbers", ()),
        forwarding=values.get("forwarding", ()),
        regions=values.get("holidays", ()),
        holiday_dates=tuple(fields["holiday_dates"]),
        closures=tuple(fields["closures"]),
        greetings=tuple(fields["greetings"]),
        script_choices=tuple(fields["script_choices"]),
        urgency=values.get("urgency", ()),
        routes=values.get("route", ()),
        rules_version=rules_version_of(text),
        pos=source.pos,
        **named,
    )
    return client, singles


def rules_version_of(text: str) -> str:
    """A version of a rule file's text: the start of its sha256, so the same text is always the same version."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
