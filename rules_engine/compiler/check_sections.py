"""Static checks: an assembled `Client` → diagnostics, one section of the file after another.

Each section's own checks are here (time zone, languages, numbers, holiday regions, the
calendar, people, escalations, greetings, scripts, urgency, routes, definitions never
used); what sections share (conditions, rule order, texts) is in `check_refs.py`.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from datetime import date

import holidays as holiday_calendars
from holidays.registry import EntityLoader

from .. import caller_languages
from .. import model as m
from ..errors import did_you_mean
from ..forwarding import written_reason_hint
from ..schedule import clock, public_holidays
from .build import Statement
from .check_refs import ARRIVAL_FACTS, INTAKE_FACTS, TIME_FACTS, ReferenceChecks
from .logic import implies


@functools.cache
def holiday_countries() -> list[str]:
    """The codes the `holidays` package knows, aliases included, read from its registry: asking
    `list_supported_countries` instead loads every country's module, a tenth of a second of each
    `check` (subdivisions are read from the one country a file names)."""
    return sorted(EntityLoader.get_country_codes(include_aliases=True))


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PRIORITIES = ("low", "normal", "high", "urgent")


class Checker(ReferenceChecks):
    """Every static check of one client, section by section; the diagnostics collect in its `Report`."""

    def check(self, client: m.Client, singles: dict[str, Statement]) -> None:
        self.client = client
        self.singles = singles  # the one-line statements by kind, where errors about them are placed
        self.asks = self.asked_fields()  # the client no longer changes: collect its questions once
        self.used = defaultdict(set)
        self.tz = self.check_timezone(client)
        self.check_languages(client)
        self.check_numbers(client)
        self.check_forwarding(client)
        self.check_regions(client)
        self.check_calendar(client)
        self.check_people(client)
        self.check_escalations(client)
        self.check_greetings(client)
        self.check_scripts(client)
        self.check_urgency(client)
        self.check_routes(client)
        self.check_unused(client)

    # ---- time zone, languages, numbers, holiday regions ---------------------------------------
    def check_timezone(self, client: m.Client):
        if not client.timezone:
            return None
        try:
            return clock.zone(client.timezone)
        except clock.UnknownTimezone:
            import zoneinfo

            where = self.singles["timezone"].pos
            self.error(
                where,
                f"unknown time zone `{client.timezone}`",
                did_you_mean(client.timezone, zoneinfo.available_timezones())
                or 'time zones are written as in the IANA database, e.g. "Europe/London"',
            )
            return None

    def check_listed_once(self, names: tuple[m.Name, ...], word: str) -> None:
        seen = set()
        for name in names:
            if name.value in seen:
                self.error(name, f"{word} `{name.value}` is listed twice")
            seen.add(name.value)

    def check_languages(self, client: m.Client) -> None:
        """Each language a code; a language's name (`english`) is one error that names its code,
        and the rest of the file is checked as if the code were written (no error per text)."""
        codes = []
        for name in client.languages:
            code = name.value
            if not caller_languages.is_code(code):
                meant = caller_languages.code_for_name(code)
                self.error(
                    name,
                    f"`{code}` is not a language code",
                    f"write `{meant}`" if meant else "use two-letter codes such as en, es, fr",
                )
                code = meant or code
            if code in codes:
                self.error(name, f"language `{name.value}` is listed twice")
            codes.append(code)
        self.language_codes = codes or ["en"]

    def check_numbers(self, client: m.Client) -> None:
        for number in client.numbers:
            self.check_phone(number, number.value)
        self.check_listed_once(client.numbers, "number")
        for phone_list in client.lists.values():
            for number in phone_list.numbers:
                self.check_phone(number, number.value)

    def check_forwarding(self, client: m.Client) -> None:
        for reason in client.forwarding:
            if reason.value not in m.FORWARDING_REASONS:
                self.error(
                    reason,
                    f"unknown forwarding reason `{reason.value}`",
                    written_reason_hint(reason.value)
                    or did_you_mean(reason.value, m.FORWARDING_REASONS)
                    or "reasons: " + ", ".join(m.FORWARDING_REASONS),
                )
        self.check_listed_once(client.forwarding, "forwarding reason")

    def check_regions(self, client: m.Client) -> None:
        supported = holiday_countries()
        known = [
            region
            for region in client.regions
            if region.country in supported
            and (
                not region.subdivision or region.subdivision in getattr(holiday_calendars, region.country).subdivisions
            )
        ]
        selection = client.regions[0].selection if client.regions else None
        if selection is not None and len(known) == len(client.regions):
            self.check_holiday_names(client, selection, known)
        for region in client.regions:
            if region.country not in supported:
                self.error(
                    region,
                    f"unknown holiday country `{region.country}`",
                    did_you_mean(region.country, supported) or "use an ISO country code such as US, GB, AU",
                )
            elif region.subdivision and region.subdivision not in (
                subdivisions := list(getattr(holiday_calendars, region.country).subdivisions)
            ):
                self.error(
                    region,
                    f"`{region.subdivision}` is not a subdivision of `{region.country}`",
                    did_you_mean(region.subdivision, subdivisions)
                    or (
                        "subdivisions: " + ", ".join(subdivisions[:12]) + (" …" if len(subdivisions) > 12 else "")
                        if subdivisions
                        else f"`{region.country}` has no subdivisions; write just `{region.country}`"
                    ),
                )

    def check_holiday_names(self, client: m.Client, selection: m.HolidaySelection, regions: list[m.Region]) -> None:
        """Each name of `except`/`only` is a holiday the line's calendars give, in some year from
        five years back to five ahead (a holiday can be new, or moved off a year)."""
        this_year = date.today().year
        names = public_holidays.names_over(regions, range(this_year - 5, this_year + 6))
        codes = ", ".join(f"{r.country}-{r.subdivision}" if r.subdivision else r.country for r in regions)
        seen: dict[str, m.Name] = {}
        for name in selection.names:
            key = public_holidays.key(name.value)
            if key in seen:
                self.warn(name, f'"{name.value}" is listed twice on this line', "keep one")
            elif key not in names:
                self.error(
                    name,
                    f'{codes} has no holiday named "{name.value}"',
                    did_you_mean(name.value, names.values())
                    or containing(key, names.values())
                    or f"write a name as `rules-engine holidays {client.path} --client {client.id}` lists it",
                )
            seen.setdefault(key, name)

    # ---- calendar ----------------------------------------------------------------------------------
    def check_calendar(self, client: m.Client) -> None:
        for window in client.windows.values():
            self.check_cond(window.cond, "window", TIME_FACTS)
        self.check_window_cycles(client)
        seen_dates: dict[date, m.HolidayDate] = {}
        for day in client.holiday_dates:
            if day.date in seen_dates:
                self.warn(day, f"{day.date} is already a holiday (line {seen_dates[day.date].line})")
            seen_dates[day.date] = day
        for closure in client.closures:
            self.check_range(closure.start, closure.end, "closure")

    def check_window_cycles(self, client: m.Client) -> None:
        def refs(name):
            return [
                a.name
                for a in m.atoms(client.windows[name].cond)
                if isinstance(a, m.WindowRef) and a.name in client.windows
            ]

        state: dict[str, int] = {}

        def visit(name, path):
            if state.get(name) == 2:
                return
            if state.get(name) == 1:
                cycle = [*path[path.index(name) :], name]
                self.error(
                    client.windows[name],
                    "windows refer to each other in a circle: " + " → ".join(cycle),
                    "a window cannot be defined through itself",
                )
                return
            state[name] = 1
            for ref in refs(name):
                visit(ref, [*path, name])
            state[name] = 2

        for name in client.windows:
            visit(name, [])

    def check_datetime(self, value: m.DateTimeLit) -> None:
        if self.tz is None:
            return
        text = value.local.strftime("%Y-%m-%d %H:%M")
        if clock.is_skipped(value.local, self.tz):
            actual = clock.to_instant(value.local, self.tz).astimezone(self.tz).strftime("%H:%M")
            self.warn(
                value,
                f"{text} does not exist in {self.client.timezone}: the clocks jump forward that night",
                f"it is read as {actual}",
            )
        elif clock.is_repeated(value.local, self.tz):
            self.warn(
                value,
                f"{text} happens twice in {self.client.timezone}: the clocks go back that night",
                "the first occurrence is meant",
            )

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
                    self.error(
                        rotation,
                        f"this rotation of team `{team.name}` has no members",
                        "list who takes turns, e.g. `{ alice, bob }`",
                    )
                for member in rotation.members:
                    self.check_member(member)
                if len({m_.value for m_ in rotation.members}) != len(rotation.members):
                    self.warn(
                        rotation, "a member is listed twice in this rotation", "each listing is a turn of its own"
                    )
                if rotation.only is not None:
                    self.check_cond(rotation.only, "window", TIME_FACTS)
            for override in team.overrides:
                self.check_range(override.start, override.end, "override")
                self.check_member(override.member)

    def check_member(self, member: m.Name) -> None:
        self.refer(member, "contacts", "contact", member.value)

    def team_members(self, team: m.Team) -> list[str]:
        names = [mem.value for rot in team.rotations for mem in rot.members] + [o.member.value for o in team.overrides]
        return list(dict.fromkeys(names))

    def check_target(self, target: m.Target, method: str) -> None:
        if isinstance(target, m.ContactTarget):
            contact = self.refer(target, "contacts", "contact", target.contact)
            if contact is not None and method not in contact.addresses:
                self.error(
                    target,
                    f"contact `{target.contact}` has no `{method}` address",
                    f'add `{method} "…"` to contact `{target.contact}`, or use another method',
                )
        elif isinstance(target, m.TeamTarget):
            team = self.refer(target, "teams", "on-call team", target.team)
            if team is None:
                return
            for name in self.team_members(team):
                contact = self.client.contacts.get(name)
                if contact is not None and method not in contact.addresses:
                    self.warn(
                        target,
                        f"`{name}` of team `{target.team}` has no `{method}` address; "
                        f"while {contact.title} is on call this target is skipped",
                        f'add `{method} "…"` to contact `{name}`',
                    )
        elif isinstance(target, m.NumberTarget):
            if method == "email":
                self.error(target, "a phone number cannot receive email", "email a contact instead")
            else:
                self.check_phone(target, target.number)

    def check_action(self, action: m.Action, owner: str, condition: m.Cond | None, final: bool = False) -> None:
        if action.say is not None:
            self.check_text(action.say, owner, [condition], list(self.asks))
        if isinstance(action, m.Patch):
            self.check_target(action.target, "call")
        elif isinstance(action, m.Escalate):
            if final:
                self.used["escalations"].add(action.policy)
                self.error(
                    action,
                    "`finally` cannot escalate",
                    "use `take message`, `voicemail`, `callback` or `say … then hangup`",
                )
            else:
                self.refer(action, "escalations", "escalation", action.policy)
        elif isinstance(action, m.Message):
            if action.priority not in PRIORITIES:
                self.error(
                    self.word_pos(action, action.priority),
                    f"unknown priority `{action.priority}`",
                    did_you_mean(action.priority, PRIORITIES) or "priorities: " + ", ".join(PRIORITIES),
                )
            for notify in action.deliveries:
                self.check_target(notify.target, notify.method)

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
        self.check_rule_order(
            list(client.greetings),
            "no greeting is for every call: the last one has a condition",
            '`greeting default { en "…" }`',
        )

    def check_scripts(self, client: m.Client) -> None:
        choices = list(client.script_choices)
        for choice in choices:
            self.check_cond(choice.when, "`choose script`", TIME_FACTS + ARRIVAL_FACTS)
            self.refer(self.word_pos(choice, choice.script), "scripts", "script", choice.script)
        if client.scripts and not choices:
            self.error(
                next(iter(client.scripts.values())),
                "scripts are defined but no `choose script` picks one",
                "add `choose script NAME otherwise`",
            )
        self.check_rule_order(
            choices,
            "no script is chosen for every call: the last `choose script` has a condition",
            "`choose script NAME otherwise`",
        )
        for script in client.scripts.values():
            self.check_script(script, [c.when for c in choices if c.script == script.name])
        self.check_number_questions()

    def check_number_questions(self) -> None:
        """A field asked as a `number` in one script is asked as a number everywhere: its
        answers are checked, and its conditions compared, as numbers."""
        for field, asks in self.asks.items():
            first = next((ask for ask in asks if ask.number is not None), None)
            if first is None:
                continue
            for ask in asks:
                if ask.number is None:
                    self.error(
                        ask,
                        f"`{field}` is asked as a number on line {first.line}, but not here",
                        f"ask it as a number here too: `ask {field} … number`",
                    )

    def check_script(self, script: m.Script, conditions: list) -> None:
        """Each question once, choices once, and texts that use only answers already given."""
        fields = [step.field for step in script.steps if isinstance(step, m.Ask)]
        asked: list[str] = []
        for step in script.steps:
            later = set(fields) - set(asked)
            if isinstance(step, m.Ask):
                if step.field in asked:
                    self.error(
                        step, f"script `{script.name}` asks for `{step.field}` twice", "keep one of the questions"
                    )
                self.check_cond(step.when, "a question", TIME_FACTS + ARRIVAL_FACTS + INTAKE_FACTS)
                if step.choices and len({c.value for c in step.choices}) != len(step.choices):
                    self.error(step, f"a choice of `{step.field}` is listed twice")
                kinds = [
                    kind
                    for kind, given in (("choice", step.choices), ("phone", step.phone), ("number", step.number))
                    if given
                ]
                if len(kinds) > 1:
                    self.error(
                        step,
                        f"question `{step.field}` is both a {kinds[0]} and a {kinds[1]}",
                        "keep one of `choice (…)`, `phone` and `number`",
                    )
                self.check_text(step.prompt, f"question `{step.field}`", conditions, asked, later)
                asked.append(step.field)
            else:
                self.check_cond(step.when, "a `say` step", TIME_FACTS + ARRIVAL_FACTS + INTAKE_FACTS)
                self.check_text(step.text, f"script `{script.name}`", conditions, asked, later)

    def check_urgency(self, client: m.Client) -> None:
        for rule in client.urgency:
            self.check_cond(rule.when, "urgency", TIME_FACTS + ARRIVAL_FACTS + INTAKE_FACTS)
        self.check_rule_order(
            list(client.urgency), "`urgency` has no `otherwise` level at the end", "`routine otherwise`"
        )

    def check_routes(self, client: m.Client) -> None:
        for rule in client.routes:
            self.check_cond(rule.when, "a route", TIME_FACTS + ARRIVAL_FACTS + INTAKE_FACTS + (m.UrgencyIs,))
            for index, action in enumerate(rule.actions):
                self.check_action(action, "this route", rule.when)
                if index + 1 < len(rule.actions) and isinstance(action, (m.Voicemail, m.Callback, m.Message, m.Hangup)):
                    self.warn(
                        rule.actions[index + 1],
                        "this fallback is never used: the action before it cannot fail",
                        "`, else` belongs after `patch` or `escalate`",
                    )
        self.check_rule_order(
            list(client.routes), "`route` has no `otherwise` rule at the end", "`otherwise -> take message`"
        )
        self.check_route_fields_per_script(client)

    def check_route_fields_per_script(self, client: m.Client) -> None:
        """A route on an answer that a script chosen for the same calls never asks.

        For those calls the answer is absent and the condition false, silently. Calls of a
        script stop being followed at the first route rule that surely catches them all
        (its condition is implied by the script's `choose` condition).
        """
        for choice in client.script_choices:
            script = client.scripts.get(choice.script)
            if script is None:
                continue
            asked = {step.field for step in script.steps if isinstance(step, m.Ask)}
            for index, rule in enumerate(client.routes):
                if any(implies(choice.when, earlier.when) for earlier in client.routes[:index]):
                    break
                fields = (
                    a.field
                    for a in m.atoms(rule.when)
                    if isinstance(a, (m.FieldSet, m.FieldIs, m.FieldIn, m.FieldCompare))
                )
                for field in dict.fromkeys(fields):
                    if field not in asked and field in self.asks:  # no script at all: warned already
                        self.warn(
                            rule,
                            f"this route depends on `{field}`, which script `{script.name}` (chosen on "
                            f"line {choice.line}) never asks: for those calls the condition is false",
                            f"ask for `{field}` in script `{script.name}`, or catch its calls with an earlier rule",
                        )

    def check_unused(self, client: m.Client) -> None:
        """Warn about definitions nothing refers to.

        Windows are deliberately exempt: every window that holds is listed in the decision's
        `windows`, so a window no rule uses still tells the agent and the daemon something
        ("lunch"), and account managers define them for that reason.
        """
        kinds = (
            ("contacts", "contact"),
            ("lists", "list"),
            ("teams", "on-call team"),
            ("escalations", "escalation"),
            ("scripts", "script"),
        )
        for key, word in kinds:
            if key == "scripts" and not client.script_choices:
                continue  # already an error: scripts are defined but none is chosen
            for name, item in getattr(client, key).items():
                if name not in self.used[key] and (word, name) not in self.suggested:
                    self.warn(item, f"{word} `{name}` is never used", "remove it, or refer to it in a rule")


def containing(written: str, names) -> str | None:
    """A hint naming the one holiday whose name contains what was written (`"Juneteenth"`)."""
    found = [name for name in names if written and written in name.casefold()]
    return f"did you mean `{found[0]}`?" if len(found) == 1 else None
