"""Compile: syntax nodes → a validated, immutable `Client`, with every static check run.

The whole pipeline reads top to bottom in `compile_text`: parse, build, assemble, check.
All diagnostics of a file are collected and raised once (`RulesError`); warnings travel
beside a compiled client.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from pathlib import Path
from typing import Collection, Iterable, Optional

import holidays as holiday_calendars

from . import clock, limits
from . import model as m
from .build import ClientSource, Statement, build
from .cond_logic import implies, requires_status, walk
from .errors import Diagnostic, RulesError, did_you_mean
from .parser import parse

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
REASONS = ("always", "scheduled", "manual", "busy", "no_answer", "unavailable", "direct", "unknown")
PRIORITIES = ("low", "normal", "high", "urgent")

TIME_FACTS = (m.Schedule, m.WindowRef, m.Holiday, m.Closed)
ARRIVAL_FACTS = (m.Forwarded, m.CallerIs, m.CallerIn, m.DialedIs, m.DialedIn, m.LanguageIs, m.Status)
INTAKE_FACTS = (m.FieldSet, m.FieldIs, m.FieldIn, m.Said)


def compile_file(path: str | Path) -> tuple[m.Client, tuple[Diagnostic, ...]]:
    """Compile one `.rules` file; returns the client and its warnings, or raises RulesError."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RulesError([Diagnostic("error", f"cannot read the file: {exc.strerror}", str(path))]) from None
    return compile_bytes(data, str(path))


def compile_bytes(data: bytes, path: str) -> tuple[m.Client, tuple[Diagnostic, ...]]:
    if len(data) > limits.MAX_FILE_BYTES:  # before decoding: a huge file is never read as text
        raise RulesError([Diagnostic("error", f"the file is larger than {limits.MAX_FILE_BYTES // 1000} kB", path,
                                     hint="one client's rules fit in far less; is this the right file?")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        source = data.decode("utf-8", errors="replace").splitlines()[line - 1]
        raise RulesError([Diagnostic("error", "the file is not valid UTF-8 text", path, line, column,
                                     "save the file with the UTF-8 encoding (your editor's \"Save as\" offers it)",
                                     source)]) from None
    return compile_text(text, path)


def compile_text(text: str, path: str = "<rules>") -> tuple[m.Client, tuple[Diagnostic, ...]]:
    """The pipeline: text → parse tree → syntax nodes → checked `Client`."""
    try:
        limits.check_text(text, path)
        tree = parse(text, path)
        limits.check_tree(tree, path, text)
        source, diagnostics = build(tree, path, text)
        checker = Compiler(source, path, text)
        client = checker.assemble()
        checker.check(client)
    except RulesError:
        raise
    except Exception as exc:  # noqa: BLE001 - the boundary: no traceback may reach a user
        raise RulesError([unexpected_failure(exc, path, text)]) from exc
    diagnostics = sorted(diagnostics + checker.diagnostics, key=lambda d: (d.line, d.column))
    if any(d.severity == "error" for d in diagnostics):
        raise RulesError(diagnostics)
    return client, tuple(diagnostics)


def unexpected_failure(exc: Exception, path: str, text: str) -> Diagnostic:
    """A diagnostic for a failure no check foresaw, placed where the builder was when it happened."""
    where = getattr(exc, "obj", None)  # lark's VisitError carries the tree or token it was on
    where = getattr(where, "meta", where)
    line = getattr(where, "line", None) or 1
    column = getattr(where, "column", None) or 1
    lines = text.splitlines() or [""]
    source = lines[line - 1] if line <= len(lines) else None
    cause = getattr(exc, "orig_exc", exc)
    if isinstance(cause, RecursionError):
        return Diagnostic("error", "this condition is nested too deeply", path, line, column,
                          "split it into named windows or simpler rules", source)
    return Diagnostic("error", "this part of the file could not be compiled", path, line, column,
                      f"please report this to the engine's developers ({type(cause).__name__})", source)


class Compiler:
    def __init__(self, source: ClientSource, path: str, text: str):
        self.source = source
        self.path = path
        self.text = text
        self.lines = text.splitlines()
        self.diagnostics: list[Diagnostic] = []
        self.suggested: set[tuple[str, str]] = set()

    # ---- reporting ------------------------------------------------------------------------
    def report(self, severity, where, message: str, hint: Optional[str] = None) -> None:
        pos = where if isinstance(where, m.Pos) else getattr(where, "pos", None)
        line, column = (pos.line, pos.column) if pos else (0, 0)
        source = self.lines[line - 1] if 0 < line <= len(self.lines) else None
        self.diagnostics.append(Diagnostic(severity, message, self.path, line, column, hint, source))

    def error(self, where, message: str, hint: Optional[str] = None) -> None:
        self.report("error", where, message, hint)

    def warn(self, where, message: str, hint: Optional[str] = None) -> None:
        self.report("warning", where, message, hint)

    def word_pos(self, node: m.Node, word: str) -> m.Pos:
        """Where `word` is written on the node's line, at or after the node: a caret under the
        name itself rather than under the statement that mentions it."""
        pos = node.pos
        line = self.lines[pos.line - 1] if 0 < pos.line <= len(self.lines) else ""
        found = re.compile(rf"(?<![a-z0-9_]){re.escape(word)}(?![a-z0-9_])").search(line, pos.column - 1)
        return pos if found is None else m.Pos(file=pos.file, line=pos.line, column=found.start() + 1)

    def unknown(self, where, kind: str, name: str, known: Iterable[str]) -> None:
        known = list(known)
        hint = did_you_mean(name, known)
        if hint:  # the misspelt reference means that one: do not also call it unused
            self.suggested.add((kind, hint.split("`")[1]))
        if hint is None:
            hint = f"known {kind}s: " + ", ".join(f"`{k}`" for k in sorted(known)) if known else f"no {kind} is defined in this file"
        self.error(where, f"unknown {kind} `{name}`", hint)

    # ---- assembly ------------------------------------------------------------------------
    def assemble(self) -> m.Client:
        """Gather the statements into one `Client`, reporting duplicates and missing parts."""
        fields: dict = defaultdict(list)
        named: dict[str, dict] = {k: {} for k in ("windows", "contacts", "lists", "teams", "escalations", "scripts")}
        kinds = {m.Window: ("windows", "window"), m.Contact: ("contacts", "contact"), m.PhoneList: ("lists", "list"),
                 m.Team: ("teams", "on-call team"), m.Escalation: ("escalations", "escalation"),
                 m.Script: ("scripts", "script")}
        singles: dict[str, Statement] = {}
        greetings: dict[str, m.Greeting] = {}
        for item in self.source.items:
            if isinstance(item, Statement):
                if item.kind in singles:
                    self.error(item.pos, f"`{item.kind}` is given twice; the first is on line {singles[item.kind].pos.line}",
                               "keep one" if item.kind in ("timezone", "urgency", "route") else "list all values in one line")
                    continue
                singles[item.kind] = item
            elif type(item) in kinds:
                key, word = kinds[type(item)]
                if item.name in named[key]:
                    first = named[key][item.name]
                    self.error(item, f"{word} `{item.name}` is defined twice; the first is on line {first.pos.line}",
                               "rename one of them or merge them")
                else:
                    named[key][item.name] = item
            elif isinstance(item, m.Greeting):
                if item.name in greetings:
                    self.error(item, f"greeting `{item.name}` is defined twice; the first is on line {greetings[item.name].pos.line}",
                               "rename one of them")
                greetings[item.name] = item
                fields["greetings"].append(item)
            elif isinstance(item, m.HolidayDate):
                fields["holiday_dates"].append(item)
            elif isinstance(item, m.Closure):
                fields["closures"].append(item)
            elif isinstance(item, m.ScriptChoice):
                fields["script_choices"].append(item)
        values = {kind: st.value for kind, st in singles.items()}
        self.singles = singles
        if "timezone" not in values:
            self.error(self.source.pos, f"client `{self.source.id}` has no `timezone`",
                       'add a line such as `timezone "America/Chicago"`')
        if "route" not in values:
            self.error(self.source.pos, f"client `{self.source.id}` has no `route` section",
                       "every client needs a `route { … otherwise -> … }`")
        if not fields["greetings"]:
            self.error(self.source.pos, f"client `{self.source.id}` has no greeting",
                       "add at least `greeting default { en \"…\" }`")
        return m.Client(
            id=self.source.id,
            title=self.source.title,
            path=self.path,
            timezone=values.get("timezone", ""),
            languages=values.get("languages", ()),
            numbers=values.get("numbers", ()),
            regions=values.get("holidays", ()),
            holiday_dates=tuple(fields["holiday_dates"]),
            closures=tuple(fields["closures"]),
            greetings=tuple(fields["greetings"]),
            script_choices=tuple(fields["script_choices"]),
            urgency=values.get("urgency", ()),
            routes=values.get("route", ()),
            rules_version=hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16],
            pos=self.source.pos,
            **named,
        )

    # ---- checks ------------------------------------------------------------------------------
    def check(self, client: m.Client) -> None:
        self.client = client
        self.asks = self.asked_fields()  # the client no longer changes: collect its questions once
        self.used: dict[str, set[str]] = defaultdict(set)
        self.tz = self.check_timezone(client)
        self.check_languages(client)
        self.check_numbers(client)
        self.check_regions(client)
        self.check_calendar(client)
        self.check_people(client)
        self.check_escalations(client)
        self.check_greetings(client)
        self.check_scripts(client)
        self.check_urgency(client)
        self.check_routes(client)
        self.check_unused(client)

    def check_timezone(self, client: m.Client):
        if not client.timezone:
            return None
        try:
            return clock.zone(client.timezone)
        except clock.UnknownTimezone:
            import zoneinfo

            where = self.singles["timezone"].pos
            self.error(where, f"unknown time zone `{client.timezone}`",
                       did_you_mean(client.timezone, zoneinfo.available_timezones())
                       or 'time zones are written as in the IANA database, e.g. "Europe/London"')
            return None

    def check_languages(self, client: m.Client) -> None:
        seen = set()
        for name in client.languages:
            if name.value in seen:
                self.error(name, f"language `{name.value}` is listed twice")
            if not re.fullmatch(r"[a-z]{2,3}", name.value):
                self.error(name, f"`{name.value}` is not a language code", "use two-letter codes such as en, es, fr")
            seen.add(name.value)
        self.language_codes = [n.value for n in client.languages] or ["en"]

    def check_phone(self, where, number: str, what: str = "phone number") -> None:
        if not E164.match(number):
            self.error(where, f"`{number}` is not a valid {what}",
                       'write numbers in international form: "+" country code and number, no spaces, e.g. "+13125550100"')

    def check_numbers(self, client: m.Client) -> None:
        seen: dict[str, m.Name] = {}
        for number in client.numbers:
            self.check_phone(number, number.value)
            if number.value in seen:
                self.error(number, f"number `{number.value}` is listed twice")
            seen[number.value] = number
        for phone_list in client.lists.values():
            for number in phone_list.numbers:
                self.check_phone(number, number.value)

    def check_regions(self, client: m.Client) -> None:
        supported = holiday_calendars.list_supported_countries()
        for region in client.regions:
            if region.country not in supported:
                self.error(region, f"unknown holiday country `{region.country}`",
                           did_you_mean(region.country, supported) or "use an ISO country code such as US, GB, AU")
            elif region.subdivision and region.subdivision not in supported[region.country]:
                subdivisions = supported[region.country]
                self.error(region, f"`{region.subdivision}` is not a subdivision of `{region.country}`",
                           did_you_mean(region.subdivision, subdivisions)
                           or ("subdivisions: " + ", ".join(subdivisions[:12]) + (" …" if len(subdivisions) > 12 else "")
                               if subdivisions else f"`{region.country}` has no subdivisions; write just `{region.country}`"))

    # ---- conditions ---------------------------------------------------------------------------
    def check_cond(self, cond: Optional[m.Cond], context: str, allowed: tuple) -> None:
        """Check every atom of a condition: known names, and facts allowed in this context."""
        for atom in walk(cond):
            if not isinstance(atom, allowed):
                self.error(atom, self.fact_message(atom, context), self.fact_hint(atom, context))
                continue
            self.check_atom(atom)

    def fact_message(self, atom: m.Cond, context: str) -> str:
        field = f"the answer `{getattr(atom, 'field', '')}`"
        what = {
            m.FieldSet: field, m.FieldIs: field, m.FieldIn: field, m.Said: "what the caller said",
            m.UrgencyIs: "the urgency", m.Status: "the owner's status", m.Forwarded: "the forwarding reason",
            m.CallerIs: "the caller's number", m.CallerIn: "the caller's number", m.DialedIs: "the dialled number",
            m.DialedIn: "the dialled number", m.LanguageIs: "the caller's language",
        }[type(atom)]
        if context == "window":
            return f"a window can only depend on days, times, other windows, `holiday` and `closed`, not on {what}"
        if isinstance(atom, INTAKE_FACTS):
            return f"{context} cannot depend on {what}: it is not known yet when the call arrives"
        return f"{context} cannot depend on {what}"

    def fact_hint(self, atom: m.Cond, context: str) -> Optional[str]:
        if context == "window":
            return "a window describes time only; put this in the condition of a greeting or a route"
        if isinstance(atom, INTAKE_FACTS):
            return "answers are known only after the script; use them in `urgency` or `route`"
        if isinstance(atom, m.UrgencyIs):
            return "the urgency is decided after the script; use it in `route`"
        return None

    def check_atom(self, atom: m.Cond) -> None:
        client = self.client
        if isinstance(atom, m.WindowRef):
            self.used["windows"].add(atom.name)
            if atom.name not in client.windows:
                # `holliday` is more likely a misspelt word of the language than a window
                keyword = did_you_mean(atom.name, ("holiday", "closed", "status"))
                if keyword and not did_you_mean(atom.name, client.windows):
                    self.error(atom, f"unknown window `{atom.name}`", keyword)
                else:
                    self.unknown(atom, "window", atom.name, client.windows)
        elif isinstance(atom, m.Forwarded):
            for reason in atom.reasons:
                if reason not in REASONS:
                    self.error(atom, f"unknown forwarding reason `{reason}`",
                               did_you_mean(reason, REASONS) or "reasons: " + ", ".join(REASONS))
        elif isinstance(atom, (m.CallerIs, m.DialedIs)):
            self.check_phone(atom, atom.number)
        elif isinstance(atom, (m.CallerIn, m.DialedIn)):
            self.used["lists"].add(atom.list)
            if atom.list not in client.lists:
                self.unknown(atom, "list", atom.list, client.lists)
        elif isinstance(atom, m.LanguageIs):
            if atom.language not in self.language_codes:
                self.error(atom, f"language `{atom.language}` is not one of the client's languages",
                           did_you_mean(atom.language, self.language_codes) or "add it to `languages`")
        elif isinstance(atom, (m.FieldSet, m.FieldIs, m.FieldIn)):
            self.check_field(atom)
        elif isinstance(atom, m.UrgencyIs):
            levels = [rule.level for rule in client.urgency]
            if atom.level not in levels:
                self.unknown(atom, "urgency level", atom.level, levels)

    def asked_fields(self) -> dict[str, list[m.Ask]]:
        fields: dict[str, list[m.Ask]] = defaultdict(list)
        for script in self.client.scripts.values():
            for step in script.steps:
                if isinstance(step, m.Ask):
                    fields[step.field].append(step)
        return fields

    def check_field(self, atom) -> None:
        asks = self.asks.get(atom.field)
        if not asks:
            self.warn(atom, f"no script asks for `{atom.field}`; this condition holds only when the call already carries it",
                      did_you_mean(atom.field, self.asks))
            return
        choices = {c.value for ask in asks if ask.choices for c in ask.choices}
        if not choices:
            return
        values = [atom.value] if isinstance(atom, m.FieldIs) else list(getattr(atom, "values", ()))
        for value in values:
            if value not in choices:
                self.error(atom, f"`{value}` is not one of the choices for `{atom.field}`",
                           did_you_mean(value, choices) or "choices: " + ", ".join(sorted(choices)))

    def check_rule_order(self, rules: list, missing: str, fallback: str) -> None:
        """First-match sections: one unconditional rule, last; a rule covered by earlier ones warned."""
        if not rules:
            return
        unconditional = [i for i, rule in enumerate(rules) if rule.when is None]
        if not unconditional:
            self.error(rules[-1], missing, f"add {fallback} at the end, so that every call gets an answer")
        last = unconditional[0] if unconditional else len(rules)
        for rule in rules[last + 1:]:
            self.error(rule, f"this rule can never be reached: the rule on line {rules[last].pos.line} matches every call",
                       "move it above that rule, or delete it")
        for i, rule in enumerate(rules[:last]):
            earlier = [r.when for r in rules[:i]]
            if earlier and implies(rule.when, m.Or(items=tuple(earlier))):
                lines = [str(r.pos.line) for r in rules[:i] if implies(rule.when, r.when)]
                by = (f"the rule on line {lines[0]}" if len(lines) == 1 else
                      f"the rules on lines {', '.join(lines)}" if lines else "the rules above it")
                self.warn(rule, f"this rule never applies: every call it matches is already taken by {by}",
                          "change its condition, move it up, or delete it")

    # ---- texts ---------------------------------------------------------------------------------
    def check_text(self, text, owner: str, conditions: list, answers: Optional[list[str]],
                   asked_later: Collection[str] = ()) -> None:
        """Languages are declared, the default language is present, every placeholder is valid.

        `conditions`: every condition under which the text is used (for `{status.note}`);
        `answers`: the fields whose answers may be used, or None where no answer is known yet;
        `asked_later`: fields its script asks only after this text.
        """
        templates = text.by_language if isinstance(text, m.Text) else text
        default = self.language_codes[0]
        if "" not in templates:
            for language, template in templates.items():
                if language not in self.language_codes:
                    self.error(template, f"language `{language}` is not one of the client's languages",
                               did_you_mean(language, self.language_codes) or "add it to `languages`")
            if default not in templates:
                first = next(iter(templates.values()))
                self.error(first, f"{owner} has no text in the default language `{default}`",
                           f"every text must exist in `{default}`, the first of `languages`")
        for template in templates.values():
            for part in template.parts:
                if isinstance(part, m.Placeholder):
                    where = self.word_pos(template, "{" + part.name)
                    self.check_placeholder(part.name, where, owner, conditions, answers, asked_later)

    def check_placeholder(self, name: str, where: m.Pos, owner: str, conditions: list,
                          answers: Optional[list[str]], asked_later: Collection[str]) -> None:
        kind, _, rest = name.partition(".")
        if kind == "answer":
            if answers is None:
                self.error(where, f"{owner} cannot use `{{{name}}}`: answers are not known when the call arrives",
                           "use answers in the script after the question, or in a route's texts")
            elif rest in asked_later:
                self.error(where, f"{owner} uses `{{{name}}}` before the question `{rest}` is asked",
                           "move this text after the question")
            elif rest not in answers:
                self.unknown(where, "question", rest, answers)
        elif kind == "oncall":
            self.used["teams"].add(rest)
            if rest not in self.client.teams:
                self.unknown(where, "on-call team", rest, self.client.teams)
        elif kind == "status":
            if not conditions or not all(requires_status(c) for c in conditions):
                self.error(where, f"{owner} uses `{{status.note}}` but can be used when no status is set",
                           "use it only under a condition that requires `status`, e.g. `when forwarded manual and status`")

    # ---- calendar ----------------------------------------------------------------------------------
    def check_calendar(self, client: m.Client) -> None:
        for window in client.windows.values():
            self.check_cond(window.cond, "window", TIME_FACTS)
        self.check_window_cycles(client)
        seen_dates = {}
        for day in client.holiday_dates:
            if day.date in seen_dates:
                self.warn(day, f"{day.date} is already a holiday (line {seen_dates[day.date].pos.line})")
            seen_dates[day.date] = day
        for closure in client.closures:
            self.check_range(closure.start, closure.end, "closure")

    def check_window_cycles(self, client: m.Client) -> None:
        def refs(name):
            return [a.name for a in walk(client.windows[name].cond) if isinstance(a, m.WindowRef) and a.name in client.windows]

        state: dict[str, int] = {}

        def visit(name, path):
            if state.get(name) == 2:
                return
            if state.get(name) == 1:
                cycle = path[path.index(name):] + [name]
                self.error(client.windows[name], "windows refer to each other in a circle: " + " → ".join(cycle),
                           "a window cannot be defined through itself")
                return
            state[name] = 1
            for ref in refs(name):
                visit(ref, path + [name])
            state[name] = 2

        for name in client.windows:
            visit(name, [])

    def check_datetime(self, value: m.DateTimeLit) -> None:
        if self.tz is None:
            return
        text = value.local.strftime("%Y-%m-%d %H:%M")
        if clock.is_skipped(value.local, self.tz):
            actual = clock.to_instant(value.local, self.tz).astimezone(self.tz).strftime("%H:%M")
            self.warn(value, f"{text} does not exist in {self.client.timezone}: the clocks jump forward that night",
                      f"it is read as {actual}")
        elif clock.is_repeated(value.local, self.tz):
            self.warn(value, f"{text} happens twice in {self.client.timezone}: the clocks go back that night",
                      "the first occurrence is meant")

    def check_range(self, start: m.DateTimeLit, end: m.DateTimeLit, what: str) -> None:
        self.check_datetime(start)
        self.check_datetime(end)
        if end.local <= start.local:
            self.error(end, f"this {what} ends before it starts", "the end must come after the start")

    # ---- people ---------------------------------------------------------------------------------------
    def check_people(self, client: m.Client) -> None:
        for contact in client.contacts.values():
            for method, address in contact.addresses.items():
                if method == "email":
                    if not EMAIL.match(address.value):
                        self.error(address, f"`{address.value}` is not an email address")
                else:
                    self.check_phone(address, address.value)
        for team in client.teams.values():
            if not team.rotations and not team.overrides:
                self.error(team, f"on-call team `{team.name}` has no rotation", "add `rotation weekly from … { … }`")
            for rotation in team.rotations:
                self.check_datetime(rotation.start)
                if not rotation.members:
                    self.error(rotation, f"this rotation of team `{team.name}` has no members",
                               "list who takes turns, e.g. `{ alice, bob }`")
                for member in rotation.members:
                    self.check_member(member)
                if len({m_.value for m_ in rotation.members}) != len(rotation.members):
                    self.warn(rotation, "a member is listed twice in this rotation", "each listing is a turn of its own")
                if rotation.only is not None:
                    self.check_cond(rotation.only, "window", TIME_FACTS)
            for override in team.overrides:
                self.check_range(override.start, override.end, "override")
                self.check_member(override.member)

    def check_member(self, member: m.Name) -> None:
        self.used["contacts"].add(member.value)
        if member.value not in self.client.contacts:
            self.unknown(member, "contact", member.value, self.client.contacts)

    def team_members(self, team: m.Team) -> list[str]:
        names = [mem.value for rot in team.rotations for mem in rot.members] + [o.member.value for o in team.overrides]
        return list(dict.fromkeys(names))

    def check_target(self, target: m.Target, method: str) -> None:
        client = self.client
        if isinstance(target, m.ContactTarget):
            self.used["contacts"].add(target.contact)
            contact = client.contacts.get(target.contact)
            if contact is None:
                self.unknown(target, "contact", target.contact, client.contacts)
            elif method not in contact.addresses:
                self.error(target, f"contact `{target.contact}` has no `{method}` address",
                           f"add `{method} \"…\"` to contact `{target.contact}`, or use another method")
        elif isinstance(target, m.TeamTarget):
            self.used["teams"].add(target.team)
            team = client.teams.get(target.team)
            if team is None:
                self.unknown(target, "on-call team", target.team, client.teams)
                return
            for name in self.team_members(team):
                contact = client.contacts.get(name)
                if contact is not None and method not in contact.addresses:
                    self.warn(target, f"`{name}` of team `{target.team}` has no `{method}` address; "
                                      f"while {contact.title} is on call this target is skipped",
                              f"add `{method} \"…\"` to contact `{name}`")
        elif isinstance(target, m.NumberTarget):
            if method == "email":
                self.error(target, "a phone number cannot receive email", "email a contact instead")
            else:
                self.check_phone(target, target.number)

    def check_action(self, action: m.Action, owner: str, condition: Optional[m.Cond], final: bool = False) -> None:
        client = self.client
        if isinstance(action, m.Patch):
            self.check_target(action.target, "call")
        elif isinstance(action, m.Escalate):
            self.used["escalations"].add(action.policy)
            if final:
                self.error(action, "`finally` cannot escalate", "use `take message`, `voicemail`, `callback` or `say … then hangup`")
            elif action.policy not in client.escalations:
                self.unknown(action, "escalation", action.policy, client.escalations)
        elif isinstance(action, m.Message):
            if action.priority not in PRIORITIES:
                self.error(self.word_pos(action, action.priority), f"unknown priority `{action.priority}`",
                           did_you_mean(action.priority, PRIORITIES) or "priorities: " + ", ".join(PRIORITIES))
            for notify in action.deliveries:
                self.check_target(notify.target, notify.method)
        elif isinstance(action, m.Hangup):
            self.check_text(action.say, owner, [condition], list(self.asks))

    def check_escalations(self, client: m.Client) -> None:
        for policy in client.escalations.values():
            for step in policy.steps:
                for notify in step.notify:
                    self.check_target(notify.target, notify.method)
            if policy.final is not None:
                self.check_action(policy.final, f"escalation `{policy.name}`", None, final=True)

    # ---- greetings, scripts, urgency, routes -----------------------------------------------------------
    def check_greetings(self, client: m.Client) -> None:
        for greeting in client.greetings:
            self.check_cond(greeting.when, "a greeting", TIME_FACTS + ARRIVAL_FACTS)
            self.check_text(greeting.texts, f"greeting `{greeting.name}`", [greeting.when], None)
        self.check_rule_order(list(client.greetings), "no greeting is for every call: the last one has a condition",
                              "`greeting default { en \"…\" }`")

    def check_scripts(self, client: m.Client) -> None:
        choices = list(client.script_choices)
        for choice in choices:
            self.check_cond(choice.when, "`choose script`", TIME_FACTS + ARRIVAL_FACTS)
            self.used["scripts"].add(choice.script)
            if choice.script not in client.scripts:
                self.unknown(self.word_pos(choice, choice.script), "script", choice.script, client.scripts)
        if client.scripts and not choices:
            self.error(next(iter(client.scripts.values())), "scripts are defined but no `choose script` picks one",
                       "add `choose script NAME otherwise`")
        self.check_rule_order(choices, "no script is chosen for every call: the last `choose script` has a condition",
                              "`choose script NAME otherwise`")
        for script in client.scripts.values():
            self.check_script(script, [c.when for c in choices if c.script == script.name])

    def check_script(self, script: m.Script, conditions: list) -> None:
        """Each question once, choices once, and texts that use only answers already given."""
        fields = [step.field for step in script.steps if isinstance(step, m.Ask)]
        asked: list[str] = []
        for step in script.steps:
            later = set(fields) - set(asked)
            if isinstance(step, m.Ask):
                if step.field in asked:
                    self.error(step, f"script `{script.name}` asks for `{step.field}` twice", "keep one of the questions")
                self.check_cond(step.when, "a question", TIME_FACTS + ARRIVAL_FACTS + INTAKE_FACTS)
                if step.choices and len({c.value for c in step.choices}) != len(step.choices):
                    self.error(step, f"a choice of `{step.field}` is listed twice")
                self.check_text(step.prompt, f"question `{step.field}`", conditions, asked, later)
                asked.append(step.field)
            else:
                self.check_text(step.text, f"script `{script.name}`", conditions, asked, later)

    def check_urgency(self, client: m.Client) -> None:
        for rule in client.urgency:
            self.check_cond(rule.when, "urgency", TIME_FACTS + ARRIVAL_FACTS + INTAKE_FACTS)
        self.check_rule_order(list(client.urgency), "`urgency` has no `otherwise` level at the end", "`routine otherwise`")

    def check_routes(self, client: m.Client) -> None:
        for rule in client.routes:
            self.check_cond(rule.when, "a route", TIME_FACTS + ARRIVAL_FACTS + INTAKE_FACTS + (m.UrgencyIs,))
            for index, action in enumerate(rule.actions):
                self.check_action(action, "this route", rule.when)
                if index + 1 < len(rule.actions) and isinstance(action, (m.Voicemail, m.Callback, m.Message, m.Hangup)):
                    self.warn(rule.actions[index + 1], "this fallback is never used: the action before it cannot fail",
                              "`, else` belongs after `patch` or `escalate`")
        self.check_rule_order(list(client.routes), "`route` has no `otherwise` rule at the end",
                              "`otherwise -> take message`")

    def check_unused(self, client: m.Client) -> None:
        """Warn about definitions nothing refers to.

        Windows are deliberately exempt: every window that holds is listed in the decision's
        `windows`, so a window no rule uses still tells the agent and the daemon something
        ("lunch"), and account managers define them for that reason.
        """
        kinds = (("contacts", "contact"), ("lists", "list"), ("teams", "on-call team"),
                 ("escalations", "escalation"), ("scripts", "script"))
        for key, word in kinds:
            if key == "scripts" and not client.script_choices:
                continue  # already an error: scripts are defined but none is chosen
            for name, item in getattr(client, key).items():
                if name not in self.used[key] and (word, name) not in self.suggested:
                    self.warn(item, f"{word} `{name}` is never used", "remove it, or refer to it in a rule")
