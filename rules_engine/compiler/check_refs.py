"""Reference checks: the conditions, rule order and texts of an assembled `Client` → diagnostics.

Every atom of a condition names something known and depends only on facts known where it
is used; first-match sections end in one unconditional rule; texts exist in the default
language and use only placeholders that will have a value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from .. import caller_languages, phones
from .. import model as m
from ..errors import did_you_mean
from ..forwarding import written_reason_hint
from .logic import implies, requires_status
from .report import Report

TIME_FACTS = (m.Schedule, m.During, m.WindowRef, m.Holiday, m.Closed)
ARRIVAL_FACTS = (m.Forwarded, m.CallerIs, m.CallerIn, m.DialedIs, m.DialedIn, m.LanguageIs, m.Status)
INTAKE_FACTS = (m.FieldSet, m.FieldIs, m.FieldIn, m.FieldCompare, m.Said)


class ReferenceChecks(Report):
    """The checks a client's sections share; `Checker.check` sets the state they read."""

    client: m.Client
    asks: dict[str, list[m.Ask]]  # the questions of all scripts, by field
    used: dict[str, set[str]]  # the definitions referred to, by kind
    language_codes: list[str]  # the client's languages, the default first

    # ---- references ----------------------------------------------------------------------------------
    def refer(self, where, key: str, kind: str, name: str):
        """The definition `name` refers to among the client's `key` (contacts, teams…), noted as
        used; None, reported as unknown, when there is none."""
        self.used[key].add(name)
        defined = getattr(self.client, key)
        found = defined.get(name)
        if found is None:
            self.unknown(where, kind, name, defined)
        return found

    def check_language(self, where, language: str) -> None:
        if language not in self.language_codes:
            self.error(
                where,
                f"language `{language}` is not one of the client's languages",
                did_you_mean(language, self.language_codes) or "add it to `languages`",
            )

    # ---- phone numbers ---------------------------------------------------------------------------
    def check_phone(self, where, number: str) -> None:
        problem = phones.written_problem(number)
        if problem is not None:
            self.error(where, problem.message, problem.hint)

    # ---- conditions ---------------------------------------------------------------------------
    def check_cond(self, cond: m.Cond | None, context: str, allowed: tuple) -> None:
        """Check every atom of a condition: known names, and facts allowed in this context."""
        for atom in m.atoms(cond):
            if not isinstance(atom, allowed):
                self.error(atom, self.fact_message(atom, context), self.fact_hint(atom, context))
                continue
            self.check_atom(atom)

    def fact_message(self, atom: m.Cond, context: str) -> str:
        field = f"the answer `{getattr(atom, 'field', '')}`"
        what = {
            m.FieldSet: field,
            m.FieldIs: field,
            m.FieldIn: field,
            m.FieldCompare: field,
            m.Said: "what the caller said",
            m.UrgencyIs: "the urgency",
            m.Status: "the owner's status",
            m.Forwarded: "the forwarding reason",
            m.CallerIs: "the caller's number",
            m.CallerIn: "the caller's number",
            m.DialedIs: "the dialled number",
            m.DialedIn: "the dialled number",
            m.LanguageIs: "the caller's language",
        }[type(atom)]
        if context == "window":
            return f"a window can only depend on days, times, other windows, `holiday` and `closed`, not on {what}"
        if isinstance(atom, INTAKE_FACTS):
            return f"{context} cannot depend on {what}: it is not known yet when the call arrives"
        return f"{context} cannot depend on {what}"

    def fact_hint(self, atom: m.Cond, context: str) -> str | None:
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
                if reason not in m.FORWARDING_REASONS:
                    self.error(
                        atom,
                        f"unknown forwarding reason `{reason}`",
                        written_reason_hint(reason)
                        or did_you_mean(reason, m.FORWARDING_REASONS)
                        or "reasons: " + ", ".join(m.FORWARDING_REASONS),
                    )
        elif isinstance(atom, (m.CallerIs, m.DialedIs)):
            self.check_phone(atom, atom.number)
        elif isinstance(atom, (m.CallerIn, m.DialedIn)):
            self.refer(atom, "lists", "list", atom.list)
        elif isinstance(atom, m.LanguageIs):
            self.check_language(atom, atom.language)
        elif isinstance(atom, (m.FieldSet, m.FieldIs, m.FieldIn, m.FieldCompare)):
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
            # The engine refuses a call carrying an answer no script asks: the condition never holds.
            self.error(
                atom,
                f"no script asks `{atom.field}`, so this condition can never hold",
                did_you_mean(atom.field, self.asks)
                or f'add `ask {atom.field} "…"` to the script these calls get, or remove the condition',
            )
            return
        number = next((ask for ask in asks if ask.number is not None), None)
        if number is not None:
            self.check_number_field(atom, number)
            return
        choices = {c.value for ask in asks if ask.choices for c in ask.choices}
        if isinstance(atom, m.FieldCompare):
            self.error(
                atom,
                f"`{atom.field}` is not asked as a number, so it cannot be compared with `{atom.op}`",
                f"write `{atom.field} is {sorted(choices)[0]}` or `{atom.field} in (…)`"
                if choices
                else f'ask it as a number (`ask {atom.field} "…" number`), or compare it with `is`',
            )
            return
        if not choices:
            return
        values = [atom.value] if isinstance(atom, m.FieldIs) else list(getattr(atom, "values", ()))
        for value in values:
            if value not in choices:
                self.error(
                    atom,
                    f"`{value}` is not one of the choices for `{atom.field}`",
                    did_you_mean(value, choices) or "choices: " + ", ".join(sorted(choices)),
                )

    def check_number_field(self, atom: m.Cond, ask: m.Ask) -> None:
        """A field asked as a `number` is compared with numbers: `is set`, `<`, `<=`, `>`, `>=`,
        and `is N` or `in (N, …)` with numbers written as numbers; a comparison that no answer
        within the question's bounds can satisfy is warned about."""
        field = ask.field
        values = [atom.value] if isinstance(atom, m.FieldIs) else list(getattr(atom, "values", ()))
        for value in values:
            if m.number_of(value) is None:
                self.error(
                    atom,
                    f"`{field}` is asked as a number, so `{value}` can never be its answer",
                    f"compare it with a number, e.g. `{field} > 104` or `{field} is 104`",
                )
                return
        low, high = ask.number.low if ask.number else None, ask.number.high if ask.number else None
        if low is None or high is None or low > high:  # an empty range is an error of its own
            return
        numbers = [n for n in map(m.number_of, values) if n is not None]
        if isinstance(atom, m.FieldCompare):
            op, bound = atom.op, atom.value
            never = (
                (op == ">" and bound >= high)
                or (op == ">=" and bound > high)
                or (op == "<" and bound <= low)
                or (op == "<=" and bound < low)
            )
            written = f"{field} {op} {bound}"
        else:
            never = bool(numbers) and all(not low <= n <= high for n in numbers)
            written = f"{field} is {values[0]}" if isinstance(atom, m.FieldIs) else f"{field} in (…)"
        if never:
            self.warn(
                atom,
                f"`{written}` never holds: `{field}` is a number from {low} to {high} (line {ask.line})",
                "check the number, or widen the question's range",
            )

    def check_rule_order(self, rules: list, missing: str, fallback: str) -> None:
        """First-match sections: one unconditional rule, last; a rule covered by earlier ones warned."""
        if not rules:
            return
        unconditional = [i for i, rule in enumerate(rules) if rule.when is None]
        if not unconditional:
            self.error(rules[-1], missing, f"add {fallback} at the end, so that every call gets an answer")
        last = unconditional[0] if unconditional else len(rules)
        for rule in rules[last + 1 :]:
            self.error(
                rule,
                f"this rule can never be reached: the rule on line {rules[last].pos.line} matches every call",
                "move it above that rule, or delete it",
            )
        for i, rule in enumerate(rules[:last]):
            earlier = [r.when for r in rules[:i]]
            if earlier and implies(rule.when, m.Or(items=tuple(earlier))):
                lines = [str(r.pos.line) for r in rules[:i] if implies(rule.when, r.when)]
                by = (
                    f"the rule on line {lines[0]}"
                    if len(lines) == 1
                    else f"the rules on lines {', '.join(lines)}"
                    if lines
                    else "the rules above it"
                )
                self.warn(
                    rule,
                    f"this rule never applies: every call it matches is already taken by {by}",
                    "change its condition, move it up, or delete it",
                )

    # ---- texts ---------------------------------------------------------------------------------
    def check_text(
        self, text, owner: str, conditions: list, answers: list[str] | None, asked_later: Collection[str] = ()
    ) -> None:
        """Languages are declared, the default language is present, every placeholder is valid.

        `conditions`: every condition under which the text is used (for `{status.note}`);
        `answers`: the fields whose answers may be used, or None where no answer is known yet;
        `asked_later`: fields its script asks only after this text.
        """
        templates = text.by_language if isinstance(text, m.Text) else text
        default = self.language_codes[0]
        if "" not in templates:
            for language, template in templates.items():
                self.check_language(template, language)
            if default not in templates:
                first = next(iter(templates.values()))
                self.error(
                    first,
                    f"{owner} has no text in the default language `{default}`",
                    f"every text must exist in `{default}`, the first of `languages`",
                )
            else:
                self.check_translations(templates, owner, default)
        for template in templates.values():
            for part in template.parts:
                if isinstance(part, m.Placeholder):
                    where = self.word_pos(template, "{" + part.name)
                    self.check_placeholder(part.name, where, owner, conditions, answers, asked_later)

    def check_translations(self, templates: dict[str, m.Template], owner: str, default: str) -> None:
        """A text given per language but missing one of the client's languages: those callers
        hear the default language's text instead, which may not be what was meant. (A text
        written once, without a language, is meant for every caller: no warning.)"""
        first = next(iter(templates.values()))
        for language in self.language_codes[1:]:
            if language not in templates:
                name = caller_languages.name_of(language)
                self.warn(
                    first,
                    f"{owner} has no `{language}` text: {name} callers will hear it in "
                    f"{caller_languages.name_of(default)} (`{default}`)",
                    f'add `{language} "…"` beside `{default}`',
                )

    def check_placeholder(
        self,
        name: str,
        where: m.Pos | None,
        owner: str,
        conditions: list,
        answers: list[str] | None,
        asked_later: Collection[str],
    ) -> None:
        kind, _, rest = name.partition(".")
        if kind == "answer":
            if answers is None:
                self.error(
                    where,
                    f"{owner} cannot use `{{{name}}}`: answers are not known when the call arrives",
                    "use answers in the script after the question, or in a route's texts",
                )
            elif rest in asked_later:
                self.error(
                    where,
                    f"{owner} uses `{{{name}}}` before the question `{rest}` is asked",
                    "move this text after the question",
                )
            elif rest not in answers:
                self.unknown(where, "question", rest, answers)
        elif kind == "oncall":
            self.refer(where, "teams", "on-call team", rest)
        elif kind == "status" and (not conditions or not all(requires_status(c) for c in conditions)):
            self.error(
                where,
                f"{owner} uses `{{status.note}}` but can be used when no status is set",
                "use it only under a condition that requires `status`, e.g. `when forwarded manual and status`",
            )
