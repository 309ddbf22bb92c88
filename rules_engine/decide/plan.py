"""Plan: a compiled `Client` → its `ClientPlan`, all of a decision that does not depend on the call.

A plan is made once per client, eagerly and whole, on the client's first use in the
catalog (`runtime/catalog.py`), and a decision only reads it (`decider.Decider`):

- the first-match sections' rules, each with its condition compiled to a closure
  (`conditions.py`) and its trace entry for each result the condition can give;
- the calendar (with its per-day table of the windows that hold) and the on-call calendars;
- per text language (each language the client speaks; a call in another is answered in
  the default one), a `LanguagePlan`: each greeting as a finished part or a function that
  renders it, each script as step objects (`script_plan.py`), each route as a finished
  part or a function of who is on call (`resolve.py`).

Plans are never stored: the compile cache keeps compiled clients, and a plan is made
again from the client. Every part a plan holds is frozen and `finished` (its JSON
written), so any number of decisions on any number of threads share them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from .. import model as m
from ..schedule.calendar import Calendar
from ..schedule.oncall import OnCall
from . import decision as d
from .call import AnswerRule, answer_rules
from .conditions import Condition, compile_condition, phone_key, phone_lists, possible_results
from .resolve import ContactTargets, Maker, RoutePlanner, route_texts
from .script_plan import ScriptPlan, script_texts
from .texts import Wording, person_title, speaks, wording
from .why import condition_line

N = TypeVar("N", m.Greeting, m.ScriptChoice, m.UrgencyRule, m.RouteRule)


@dataclass(frozen=True, slots=True)
class Rule(Generic[N]):
    """A rule of a first-match section: the model's rule, its 1-based place, its compiled
    condition, and the trace entry of each result the condition can give."""

    node: N  # an `m.Greeting`, `m.ScriptChoice`, `m.UrgencyRule` or `m.RouteRule`
    index: int
    condition: Condition
    entries: Mapping[bool | None, d.TraceEntry]


@dataclass(frozen=True, slots=True)
class LanguagePlan:
    """What a client says and does in one text language, rule by rule: each greeting and
    route finished, or a function of the decision that makes it (`resolve.resolved`)."""

    greetings: tuple[d.Greeting | Maker[d.Greeting], ...]  # by greeting rule
    scripts: Mapping[str, ScriptPlan]  # by script name
    routes: tuple[d.Route | Maker[d.Route], ...]  # by route rule


@dataclass(frozen=True, slots=True)
class ClientPlan:
    """One client, planned for deciding (see the module docstring)."""

    client: m.Client
    calendar: Calendar
    oncall: OnCall
    number_keys: frozenset[str]  # the client's own numbers, as `phone_key` compares them
    answers: Mapping[str, AnswerRule]  # the fields its scripts ask, and what their answers may be
    language_tags: tuple[str, ...]  # the client's languages, its default first (a call's tag is matched to one)
    greetings: tuple[Rule[m.Greeting], ...]
    choices: tuple[Rule[m.ScriptChoice], ...]
    urgency: tuple[Rule[m.UrgencyRule], ...]
    routes: tuple[Rule[m.RouteRule], ...]
    languages: Mapping[str, LanguagePlan]  # by text language: every language the client's texts may have
    default: LanguagePlan  # the default language's: for a call in a language the client lacks
    nobody_on_call: Mapping[str, d.TraceEntry]  # by team: the note when nobody holds it
    # (team, person, how, source line) → the note that they hold it, for each member of the
    # file's rotations and overrides (a live override's note is made by the decision it serves)
    holder_notes: Mapping[tuple[str, str, str, int], d.TraceEntry]

    @classmethod
    def of(cls, client: m.Client) -> ClientPlan:
        lists = phone_lists(client)

        def rules(
            section: str,
            nodes: Iterable[N],
            label: Callable[[N, int], str | int],
            title: Callable[[N], str | None] = lambda node: None,
        ) -> tuple[Rule[N], ...]:
            return tuple(
                Rule(
                    node,
                    index,
                    compile_condition(node.when, lists),
                    d.tried(
                        section, label(node, index), condition_line(node), title(node), possible_results(node.when)
                    ),
                )
                for index, node in enumerate(nodes, start=1)
            )

        asks = {
            name: {
                index: compile_condition(step.when, lists)
                for index, step in enumerate(script.steps)
                if step.when is not None  # `ask … when` and `say … when`
            }
            for name, script in client.scripts.items()
        }
        calendar = Calendar(client)
        contact_targets: ContactTargets = {}  # finished targets, shared by the languages' route planners
        default = language_plan(client, client.default_language, asks, contact_targets)
        languages = {
            language: language_plan(client, language, asks, contact_targets, default)
            for language in [n.value for n in client.languages][1:]
        }
        languages[client.default_language] = default
        return cls(
            client=client,
            calendar=calendar,
            oncall=OnCall(client, calendar),
            number_keys=frozenset(filter(None, (phone_key(n.value) for n in client.numbers))),
            answers=answer_rules(client),
            language_tags=tuple(name.value for name in client.languages) or (client.default_language,),
            greetings=rules("greeting", client.greetings, lambda node, _: node.name, lambda node: node.title),
            choices=rules("script", client.script_choices, lambda node, _: node.script),
            urgency=rules("urgency", client.urgency, lambda node, _: node.level),
            routes=rules("route", client.routes, lambda _, index: index),
            languages=languages,
            default=default,
            nobody_on_call={
                name: d.finished(
                    d.TraceEntry(section="oncall", rule=name, line=team.line, result=False, note="nobody is on call")
                )
                for name, team in client.teams.items()
            },
            holder_notes={key: d.finished(holder_note(client, *key)) for key in holders(client)},
        )

    def in_language(self, language: str) -> LanguagePlan:
        """The plan of the call's language; the default language's when the client lacks it."""
        return self.languages.get(language) or self.default


def holders(client: m.Client) -> Iterator[tuple[str, str, str, int]]:
    """Every (team, person, how, source line) the on-call lookup can find in the file."""
    for name, team in client.teams.items():
        for rotation in team.rotations:
            for member in rotation.members:
                yield name, member.value, "rotation", rotation.line
        for override in team.overrides:
            yield name, override.member.value, "override", override.line


def holder_note(client: m.Client, team: str, person: str, how: str, line: int) -> d.TraceEntry:
    return d.TraceEntry(
        section="oncall",
        rule=team,
        line=line,
        result=True,
        note=f"{person_title(client, person)} ({person}) is on call, by {how}",
    )


def language_plan(
    client: m.Client,
    language: str,
    asks: Mapping[str, Mapping[int, Condition]],
    contact_targets: ContactTargets,
    default: LanguagePlan | None = None,
) -> LanguagePlan:
    """The plan of one text language. Given the `default` language's plan, it shares each
    greeting, script and route that has no text in `language` (it says the default's)."""
    routes = RoutePlanner(client, language, contact_targets)
    return LanguagePlan(
        greetings=tuple(
            greeting(rule, wording(rule.texts, language, client.default_language))
            if default is None or speaks([rule.texts], language)
            else default.greetings[index]
            for index, rule in enumerate(client.greetings)
        ),
        scripts={
            name: ScriptPlan.of(script, language, client.default_language, asks[name])
            if default is None or speaks(script_texts(script), language)
            else default.scripts[name]
            for name, script in client.scripts.items()
        },
        routes=tuple(
            routes.route(rule, index)
            if default is None or speaks(route_texts(client, rule), language)
            else default.routes[index - 1]
            for index, rule in enumerate(client.routes, start=1)
        ),
    )


def greeting(rule: m.Greeting, worded: Wording) -> d.Greeting | Maker[d.Greeting]:
    """The greeting, finished when its text is the same for every call; else a function
    that fills its placeholders for the call."""
    if worded.text is not None:
        return d.finished(d.Greeting(id=rule.name, title=rule.title, language=worded.language, text=worded.text))
    name, title, language, parts = rule.name, rule.title, worded.language, worded.parts
    return lambda decider: d.Greeting(id=name, title=title, language=language, text=decider.render(parts))
