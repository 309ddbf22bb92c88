"""Written: a compiled condition → the text an account manager would write for it.

Warnings about a condition quote it (or a part of it) as written in the language, with
parentheses only where precedence (`not`, then `and`, then `or`) needs them.
"""

from __future__ import annotations

from .. import model as m

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def written(cond: m.Cond) -> str:
    """`cond` in the rule language."""
    if isinstance(cond, m.And):
        return " and ".join(grouped(item, m.Or) for item in cond.items)
    if isinstance(cond, m.Or):
        return " or ".join(written(item) for item in cond.items)
    if isinstance(cond, m.Not):
        return "not " + grouped(cond.item, (m.And, m.Or))
    return atom(cond)


def grouped(cond: m.Cond, looser: type | tuple[type, ...]) -> str:
    """`cond` inside a tighter connective: in parentheses when it binds more loosely."""
    text = written(cond)
    return f"({text})" if isinstance(cond, looser) else text


def atom(cond: m.Cond) -> str:
    if isinstance(cond, m.WindowRef):
        return cond.name
    if isinstance(cond, m.Schedule):
        return ", ".join(segment(s) for s in cond.segments)
    if isinstance(cond, m.During):
        return f"during {month_day(cond.start)} to {month_day(cond.end)}"
    if isinstance(cond, m.Forwarded):
        return "forwarded " + listed(cond.reasons)
    if isinstance(cond, m.CallerIs):
        return f'caller is "{cond.number}"'
    if isinstance(cond, m.CallerIn):
        return f"caller in {cond.list}"
    if isinstance(cond, m.DialedIs):
        return f'dialed "{cond.number}"'
    if isinstance(cond, m.DialedIn):
        return f"dialed in {cond.list}"
    if isinstance(cond, m.LanguageIs):
        return f"language {cond.language}"
    if isinstance(cond, m.FieldSet):
        return f"{cond.field} is set"
    if isinstance(cond, m.FieldIs):
        return f"{cond.field} is {cond.value}"
    if isinstance(cond, m.FieldIn):
        return f"{cond.field} in ({', '.join(cond.values)})"
    if isinstance(cond, m.FieldCompare):
        return f"{cond.field} {cond.op} {cond.value}"
    if isinstance(cond, m.Said):
        return "said (" + ", ".join(f'"{p}"' for p in cond.phrases) + ")"
    if isinstance(cond, m.UrgencyIs):
        return f"urgency is {cond.level}"
    # `holiday`, `closed`, `status` and any atom added later: its kind, as the keyword.
    return type(cond).__name__.lower()


def month_day(on: tuple[int, int]) -> str:
    return f"{MONTHS[on[0] - 1]} {on[1]}"


def listed(values: tuple[str, ...]) -> str:
    return values[0] if len(values) == 1 else "(" + ", ".join(values) + ")"


def segment(s: m.Segment) -> str:
    days = day_ranges(sorted(s.days))
    if (s.start, s.end) == (0, 1440):
        return days
    return f"{days} {clock(s.start)}-{clock(s.end)}"


def day_ranges(days: list[int]) -> str:
    if len(days) == 7:
        return "daily"
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ", ".join(DAYS[r[0]] if len(r) == 1 else f"{DAYS[r[0]]}-{DAYS[r[-1]]}" for r in runs)


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
