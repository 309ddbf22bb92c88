"""Build: Lark parse tree → syntax nodes (the model's classes, references still by name).

One transformer method per grammar rule. Values that the grammar cannot check (a time
of 25:00, a date of February 30th) are reported here, collected, and the build goes on so
that the compiler can report every other mistake of the file in the same run.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from lark import Token, Transformer, Tree
from lark.exceptions import VisitError

from .. import model as m
from ..errors import Diagnostic, did_you_mean
from .parser import position
from .report import Report
from .templates import TemplateSyntaxError, split

ALL_DAYS = frozenset(range(7))
# `during nov 15 to mar 15`: month names, and each month's days in a leap year (`feb 29` holds
# only in leap years).
MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
DURATION_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
METHODS: dict[str, m.Method] = {"call": "call", "sms": "sms", "email": "email"}  # the grammar's METHOD
# Words of the language that may never name a thing (docs/language.md). The contextual
# lexer reads them as names wherever only a name can follow, so they are refused here.
RESERVED = frozenset(m.DAY_NAMES) | {
    "daily",
    "not",
    "and",
    "or",
    "is",
    "in",
    "when",
    "otherwise",
    "holiday",
    "closed",
    "status",
    "forwarded",
    "said",
    "dialed",
    "language",
    "caller",
    "urgency",
    "answer",
}
NUMBER_BOUNDS = re.compile(r"(-?[\d.]+)-(-?[\d.]+)")  # the grammar's NUMBER_RANGE, split at the dash between
# Dates and durations far outside a business's horizon are mistakes, and would overflow
# date arithmetic when the engine evaluates them.
YEARS = range(1970, 2200)
MAX_DURATION = timedelta(days=366)


@dataclass(frozen=True)
class Statement:
    """A client-level statement that is not a model node of its own (timezone, languages…)."""

    kind: str
    value: Any
    pos: m.Pos


@dataclass(frozen=True)
class ClientSource:
    """A whole file as written: the client header and its statements in file order."""

    id: str
    title: str | None
    pos: m.Pos
    items: tuple


def unquote(token: Token) -> str:
    return re.sub(r'\\(["\\])', r"\1", str(token)[1:-1])


class Builder(Transformer):
    """Each rule's method is called as `method(meta, children)`, `meta` being Lark's positions.

    The tree is walked by `build_tree` rather than Lark's `v_args(meta=True)`, which makes a
    new `functools.wraps` wrapper for every node (a sixth of a compile). Failures are still
    raised as Lark's `VisitError` carrying the tree, so the compiler can place them.
    """

    def __init__(self, path: str, text: str):
        super().__init__(visit_tokens=False)
        self.path = path
        self.report = Report(path, text)  # where the values the grammar cannot check are reported

    def transform(self, tree: Tree):
        return self.build_tree(tree)

    def build_tree(self, tree: Tree):
        children = [self.build_tree(c) if isinstance(c, Tree) else c for c in tree.children]
        method = getattr(self, tree.data, None)
        if method is None:
            return self.__default__(tree.data, children, tree.meta)
        try:
            return method(tree.meta, children)
        except Exception as exc:
            raise VisitError(tree.data, tree, exc) from exc

    # ---- helpers ------------------------------------------------------------------
    def pos(self, where) -> m.Pos:
        if isinstance(getattr(where, "pos", None), m.Pos):  # a node built already
            return where.pos
        line, column = position(where)
        return m.Pos(file=self.path, line=line, column=column)

    def error(self, where, message: str, hint: str | None = None) -> None:
        self.report.error(self.pos(where), message, hint)

    def template(self, token: Token) -> m.Template:
        """A quoted text split into literal parts and placeholders (checked by the compiler)."""
        source, pos = unquote(token), self.pos(token)
        try:
            parts = split(source, pos)
        except TemplateSyntaxError as exc:
            where = m.Pos(file=pos.file, line=pos.line, column=pos.column + 1 + exc.offset)
            self.error(where, str(exc), exc.hint)
            parts = (source,)
        return m.Template(source=source, parts=parts, pos=pos)

    def name(self, token: Token) -> m.Name:
        return m.Name(value=str(token), pos=self.pos(token))

    def quoted_name(self, token: Token) -> m.Name:
        """A quoted value whose own position matters (a phone number, an address)."""
        return m.Name(value=unquote(token), pos=self.pos(token))

    def by_language(self, texts: list, owner: str | None = None) -> dict[str, m.Template]:
        """`(language, template)` pairs as one text per language, a language given twice reported."""
        by_language: dict[str, m.Template] = {}
        for language, template in texts:
            if language.value in by_language:
                twice = f"two `{language.value}` texts"
                self.error(language, f"{owner} has {twice}" if owner else twice, "keep one per language")
            by_language[language.value] = template
        return by_language

    def minutes(self, token: Token, text: str) -> int:
        hours, minutes = (int(part) for part in text.split(":"))
        if hours > 24 or minutes > 59 or (hours == 24 and minutes):
            self.error(token, f"`{text}` is not a time of day", "times run from 00:00 to 24:00")
            return 0
        return hours * 60 + minutes

    def date(self, token: Token) -> date:
        try:
            day = date.fromisoformat(str(token))
        except ValueError:
            self.error(token, f"`{token}` is not a date", "dates are written YYYY-MM-DD, e.g. 2026-12-24")
            return date(2000, 1, 1)
        if day.year not in YEARS:
            self.error(token, f"`{token}` is too far in the past or the future", "check the year")
            return date(2000, 1, 1)
        return day

    def duration(self, token: Token) -> timedelta:
        amount, unit = int(str(token)[:-1]), str(token)[-1]
        if amount == 0:
            self.error(token, "a duration of zero makes no sense here")
        if amount > MAX_DURATION / timedelta(**{DURATION_UNITS[unit]: 1}):
            self.error(token, f"`{token}` is longer than a year", "check the number and the unit (s, m, h, d)")
            return MAX_DURATION
        return timedelta(**{DURATION_UNITS[unit]: amount})

    # ---- client ---------------------------------------------------------------------
    def start(self, meta, children):
        return children[0]

    def client(self, meta, children):
        name, title, *items = children
        return ClientSource(
            id=str(name),
            title=unquote(title) if title is not None else None,
            pos=self.pos(name),
            items=tuple(items),
        )

    def timezone(self, meta, children):
        return Statement("timezone", unquote(children[0]), self.pos(children[0]))

    def languages(self, meta, children):
        return Statement("languages", tuple(self.name(t) for t in children), self.pos(meta))

    def numbers(self, meta, children):
        return Statement("numbers", tuple(self.quoted_name(t) for t in children), self.pos(meta))

    def forwarding(self, meta, children):
        return Statement("forwarding", tuple(self.name(t) for t in children), self.pos(meta))

    def holidays(self, meta, children):
        *regions, selection = children
        return Statement(
            "holidays", tuple(region.model_copy(update={"selection": selection}) for region in regions), self.pos(meta)
        )

    def region(self, meta, children):
        token = children[0]
        code = unquote(token) if token.type == "STRING" else str(token)
        country, _, subdivision = code.partition("-")
        return m.Region(country=country, subdivision=subdivision or None, pos=self.pos(token))

    def holidays_except(self, meta, children):
        return m.HolidaySelection(keep="except", names=tuple(self.quoted_name(t) for t in children), pos=self.pos(meta))

    def holidays_only(self, meta, children):
        return m.HolidaySelection(keep="only", names=tuple(self.quoted_name(t) for t in children), pos=self.pos(meta))

    def holiday_date(self, meta, children):
        title, day = children
        return m.HolidayDate(title=unquote(title), date=self.date(day), pos=self.pos(meta))

    # ---- calendar --------------------------------------------------------------------
    def window(self, meta, children):
        name, cond = children
        return m.Window(name=str(name), cond=cond, pos=self.pos(name))

    def closed(self, meta, children):
        title, start, end = children
        return m.Closure(title=unquote(title) if title is not None else None, start=start, end=end, pos=self.pos(meta))

    def datetime(self, meta, children):
        day, time = children
        minutes = self.minutes(time, str(time))
        if minutes == 1440:
            self.error(time, "24:00 is only allowed as the end of a time range", "write 00:00 of the next day")
            minutes = 0
        local = datetime.combine(self.date(day), datetime.min.time()) + timedelta(minutes=minutes)
        return m.DateTimeLit(local=local, pos=self.pos(day))

    def schedule(self, meta, children):
        segments = []
        days = ALL_DAYS
        for _kind, token, day_set, start, end in children:
            if day_set is None:
                day_set = days
            days = day_set
            segments.append(m.Segment(days=day_set, start=start, end=end, pos=self.pos(token)))
        return m.Schedule(segments=tuple(segments), pos=self.pos(meta))

    def days_segment(self, meta, children):
        days_token, time_range = children[0], (children[1] if len(children) > 1 else None)
        start, end = self.time_range(time_range) if time_range is not None else (0, 1440)
        return ("days", days_token, self.day_set(days_token), start, end)

    def time_segment(self, meta, children):
        start, end = self.time_range(children[0])
        return ("times", children[0], None, start, end)

    def day_set(self, token: Token) -> frozenset[int]:
        text = str(token)
        if text == "daily":
            return ALL_DAYS
        first, _, last = text.partition("-")
        a = m.DAY_NAMES.index(first)
        b = m.DAY_NAMES.index(last) if last else a
        return frozenset((a + i) % 7 for i in range((b - a) % 7 + 1))

    def time_range(self, token: Token) -> tuple[int, int]:
        first, last = str(token).split("-")
        start, end = self.minutes(token, first), self.minutes(token, last)
        if start == 1440:
            self.error(token, "a time range cannot start at 24:00", "write 00:00")
        if start == end:
            self.error(
                token,
                f"the time range `{token}` is empty",
                "a range that ends before it starts crosses midnight; a whole day needs no times",
            )
        return start, end

    # ---- people --------------------------------------------------------------------------
    def contact(self, meta, children):
        name, title, *addresses = children
        by_method: dict[str, m.Name] = {}
        for method, address in addresses:
            if method in by_method:
                self.error(address, f"contact `{name}` has two `{method}` addresses", "keep one")
            by_method[method] = address
        return m.Contact(name=str(name), title=unquote(title), addresses=by_method, pos=self.pos(name))

    def address(self, meta, children):
        method, value = children
        return str(method), self.quoted_name(value)

    def list(self, meta, children):
        name, *numbers = children
        return m.PhoneList(
            name=str(name),
            numbers=tuple(self.quoted_name(t) for t in numbers),
            pos=self.pos(name),
        )

    def oncall(self, meta, children):
        name, *parts = children
        return m.Team(
            name=str(name),
            rotations=tuple(p for p in parts if isinstance(p, m.Rotation)),
            overrides=tuple(p for p in parts if isinstance(p, m.Override)),
            pos=self.pos(name),
        )

    def rotation(self, meta, children):
        period, start, *members, only = children
        return m.Rotation(
            period_days=period, start=start, members=tuple(self.name(t) for t in members), only=only, pos=self.pos(meta)
        )

    def only(self, meta, children):
        return children[0]

    def daily(self, meta, children):
        return 1

    def weekly(self, meta, children):
        return 7

    def every_days(self, meta, children):
        count = int(children[0])
        if not 1 <= count <= MAX_DURATION.days:
            self.error(children[0], f"a rotation must hand over every 1 to {MAX_DURATION.days} days")
            return 1
        return count

    def override(self, meta, children):
        start, end, member = children
        return m.Override(start=start, end=end, member=self.name(member), pos=self.pos(meta))

    def escalation(self, meta, children):
        name, *steps, repeat, final = children
        return m.Escalation(
            name=str(name),
            steps=tuple(steps),
            repeat=repeat if repeat is not None else 1,
            final=final,
            pos=self.pos(name),
        )

    def step(self, meta, children):
        *notify, wait = children
        return m.Step(notify=tuple(notify), wait=self.duration(wait), pos=self.pos(meta))

    def notify(self, meta, children):
        method, target = children
        return m.Notify(method=METHODS[str(method)], target=target, pos=self.pos(meta))

    def repeat(self, meta, children):
        count = int(children[0])
        if count < 1:
            self.error(children[0], "`repeat` needs a count of 1 or more")
            return 1
        return count

    def finally_(self, meta, children):
        return children[0]

    # ---- greetings and scripts -----------------------------------------------------------------
    def greeting(self, meta, children):
        name, title, when, *texts = children
        return m.Greeting(
            name=str(name),
            title=unquote(title) if title is not None else None,
            when=when,
            texts=self.by_language(texts, f"greeting `{name}`"),
            pos=self.pos(name),
        )

    def lang_text(self, meta, children):
        language, text = children
        return self.name(language), self.template(text)

    def when(self, meta, children):
        return children[0]

    def otherwise(self, meta, children):
        return None

    def plain_text(self, meta, children):
        return m.Text(by_language={"": self.template(children[0])}, pos=self.pos(meta))

    def lang_texts(self, meta, children):
        return m.Text(by_language=self.by_language(children), pos=self.pos(meta))

    def script(self, meta, children):
        name, *steps = children
        return m.Script(name=str(name), steps=tuple(steps), pos=self.pos(name))

    def ask(self, meta, children):
        field, prompt, *options = children
        settings: dict[str, Any] = {}
        for key, value, where in options:
            if key in settings:
                self.error(where, f"question `{field}` says `{key if key != 'when' else 'when'}` twice")
            settings[key] = value
        return m.Ask(field=str(field), prompt=prompt, pos=self.pos(field), **settings)

    def required(self, meta, children):
        return "required", True, meta

    def phone(self, meta, children):
        return "phone", True, meta

    def choice(self, meta, children):
        return "choices", tuple(self.name(t) for t in children), meta

    def ask_when(self, meta, children):
        return "when", children[0], meta

    def number(self, meta, children):
        """`number` or `number LO-HI` (`number -20-130`: a bound may be negative)."""
        token = children[0]
        if token is None:
            return "number", m.NumberRange(pos=self.pos(meta)), meta
        low, high = (Decimal(text) for text in NUMBER_BOUNDS.fullmatch(str(token)).groups())  # type: ignore[union-attr]
        if low > high:
            self.error(
                token, f"the range `{token}` is empty: {low} is more than {high}", f"write `number {high}-{low}`"
            )
        return "number", m.NumberRange(low=low, high=high, pos=self.pos(meta)), meta

    def say(self, meta, children):
        text, when = children
        return m.Say(text=text, when=when, pos=self.pos(meta))

    def choose_script(self, meta, children):
        name, when = children
        return m.ScriptChoice(script=str(name), when=when, pos=self.pos(meta))

    # ---- urgency and routes -------------------------------------------------------------------
    def urgency_section(self, meta, children):
        return Statement("urgency", tuple(children), self.pos(meta))

    def urgency_rule(self, meta, children):
        level, when = children
        return m.UrgencyRule(level=str(level), when=when, pos=self.pos(level))

    def route_section(self, meta, children):
        return Statement("route", tuple(children), self.pos(meta))

    def route_rule(self, meta, children):
        when, *actions = children
        return m.RouteRule(when=when, actions=tuple(a for a in actions if isinstance(a, m.Action)), pos=self.pos(meta))

    def patch(self, meta, children):
        return m.Patch(target=children[0], pos=self.pos(meta))

    def escalate(self, meta, children):
        return m.Escalate(policy=str(children[0]), pos=self.pos(children[0]))

    def message(self, meta, children):
        priority, deliveries = children
        return m.Message(
            priority=str(priority) if priority is not None else "normal",
            deliveries=deliveries or (),
            pos=self.pos(meta),
        )

    def priority(self, meta, children):
        return children[0]

    def deliveries(self, meta, children):
        return tuple(children)

    def voicemail(self, meta, children):
        return m.Voicemail(pos=self.pos(meta))

    def callback(self, meta, children):
        return m.Callback(within=self.duration(children[0]), pos=self.pos(meta))

    def hangup(self, meta, children):
        return m.Hangup(say=children[0], pos=self.pos(meta))

    def said_then(self, meta, children):
        """`say TEXT then ACTION`: the action, carrying the words the agent says first."""
        text, action = children
        if action.say is not None:
            self.error(
                meta,
                "an action can be preceded by one `say` only",
                'put all the words in one `say`, e.g. `say "Leave the house. Call the gas company." then …`',
            )
            return action
        return action.model_copy(update={"say": text})

    def contact_target(self, meta, children):
        return m.ContactTarget(contact=str(children[0]), pos=self.pos(children[0]))

    def team_target(self, meta, children):
        return m.TeamTarget(team=str(children[0]), pos=self.pos(children[0]))

    def number_target(self, meta, children):
        return m.NumberTarget(number=unquote(children[0]), pos=self.pos(children[0]))

    # ---- conditions ------------------------------------------------------------------------------
    def or_(self, meta, children):
        return m.Or(items=flattened(m.Or, children), pos=self.pos(meta))

    def and_(self, meta, children):
        return m.And(items=flattened(m.And, children), pos=self.pos(meta))

    def not_(self, meta, children):
        return m.Not(item=children[0], pos=self.pos(meta))

    def window_ref(self, meta, children):
        return m.WindowRef(name=str(children[0]), pos=self.pos(children[0]))

    def holiday(self, meta, children):
        return m.Holiday(pos=self.pos(meta))

    def during(self, meta, children):
        start_month, start_day, end_month, end_day = children
        return m.During(
            start=self.month_day(start_month, start_day), end=self.month_day(end_month, end_day), pos=self.pos(meta)
        )

    def month_day(self, month_token: Token, day_token: Token) -> tuple[int, int]:
        """A yearly date of `during` (`nov 15`); a day the month lacks is reported, and the
        month's last day stands in so that the other checks go on."""
        month = MONTHS.get(str(month_token))
        if month is None:
            self.error(
                month_token,
                f"`{month_token}` is not a month",
                did_you_mean(str(month_token), MONTHS) or "months are written " + ", ".join(MONTHS),
            )
            return (1, 1)
        day, last = int(str(day_token)), MONTH_DAYS[month - 1]
        if not 1 <= day <= last:
            days = "28 days, 29 in a leap year" if month == 2 else f"{last} days"
            self.error(day_token, f"{calendar.month_name[month]} has {days}", f"write a day from 1 to {last}")
            return (month, min(max(day, 1), last))
        return (month, day)

    def closed_now(self, meta, children):
        return m.Closed(pos=self.pos(meta))

    def status(self, meta, children):
        return m.Status(pos=self.pos(meta))

    def forwarded(self, meta, children):
        return m.Forwarded(reasons=tuple(str(c) for c in children), pos=self.pos(meta))

    def caller_is(self, meta, children):
        return m.CallerIs(number=unquote(children[0]), pos=self.pos(children[0]))

    def caller_in(self, meta, children):
        return m.CallerIn(list=str(children[0]), pos=self.pos(children[0]))

    def dialed_is(self, meta, children):
        return m.DialedIs(number=unquote(children[0]), pos=self.pos(children[0]))

    def dialed_in(self, meta, children):
        return m.DialedIn(list=str(children[0]), pos=self.pos(children[0]))

    def language_is(self, meta, children):
        return m.LanguageIs(language=str(children[0]), pos=self.pos(children[0]))

    def field_set(self, meta, children):
        return m.FieldSet(field=str(children[0]), pos=self.pos(children[0]))

    def field_is(self, meta, children):
        field, value = children
        return m.FieldIs(field=str(field), value=self.value(value), pos=self.pos(field))

    def field_in(self, meta, children):
        field, *values = children
        return m.FieldIn(field=str(field), values=tuple(self.value(v) for v in values), pos=self.pos(field))

    def field_compare(self, meta, children):
        field, op, number = children
        comparison = cast(m.Comparison, str(op))  # the grammar's COMPARISON: one of the four
        return m.FieldCompare(field=str(field), op=comparison, value=Decimal(str(number)), pos=self.pos(field))

    def value(self, token: Token) -> str:
        return unquote(token) if token.type == "STRING" else str(token)

    def said(self, meta, children):
        return m.Said(phrases=tuple(unquote(t) for t in children), pos=self.pos(meta))

    def urgency_is(self, meta, children):
        return m.UrgencyIs(level=str(children[0]), pos=self.pos(children[0]))


def flattened(kind: type[m.And] | type[m.Or], children: list[m.Cond]) -> tuple[m.Cond, ...]:
    """The parts of an `a or b or c` (of `kind`) as one list: the grammar nests them by twos."""
    return tuple(item for child in children for item in (child.items if isinstance(child, kind) else (child,)))


# `finally` is a Python keyword; Lark looks the rule up by name.
setattr(Builder, "finally", Builder.finally_)


def build(tree: Tree, path: str, text: str) -> tuple[ClientSource, list[Diagnostic]]:
    builder = Builder(path, text)
    for token in tree.scan_values(lambda v: isinstance(v, Token) and v.type == "NAME" and v in RESERVED):
        builder.error(token, f"`{token}` is a reserved word and cannot be used as a name", "choose another name")
    source = builder.transform(tree)
    return source, builder.report.diagnostics
