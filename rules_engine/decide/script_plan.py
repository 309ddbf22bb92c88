"""Script plan: one script of a client, in one text language → its steps, made once per client.

A step is a `SayStep` or an `AskStep`. What is the same for every call is made here: the
wording of each text, each step's finished part when its text has no placeholder (for a
question: as a call that has not answered it gets it), and, for an `ask … when`, its
compiled condition with the trace entry of each result. `Decider.script` walks the steps
per call: it tests the conditions, and makes a part only for a question the call has
answered or whose condition waits for answers, or for a text with placeholders.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from .. import model as m
from . import decision as d
from .conditions import Condition, possible_results
from .texts import Wording, wording
from .why import condition_line


@dataclass(frozen=True, slots=True)
class SayStep:
    wording: Wording
    part: d.Say | None  # finished, when the text is the same for every call
    condition: Condition | None = None  # of `say … when`: said only while it holds
    entries: Mapping[bool | None, d.TraceEntry] = field(default_factory=dict)  # its trace entry by result


@dataclass(frozen=True, slots=True)
class AskStep:
    field: str
    prompt: Wording
    required: bool
    phone: bool
    choices: tuple[str, ...] | None
    number: d.NumberRange | None
    condition: Condition | None  # of `ask … when`: whether the question applies
    entries: Mapping[bool | None, d.TraceEntry]  # the condition's trace entry by result (none without one)
    unanswered: d.Ask | None  # finished: the question as a call without its answer gets it (a fixed prompt)

    def question(self, text: str, answer: str | None, waits_for: tuple[str, ...]) -> d.Ask:
        """The question for one call: its prompt as `text`, with the call's answer and what
        the question waits for."""
        return d.Ask(
            field=self.field,
            language=self.prompt.language,
            text=text,
            required=self.required,
            phone=self.phone,
            choices=self.choices,
            number=self.number,
            answer=answer,
            waits_for=waits_for,
        )


@dataclass(frozen=True, slots=True)
class ScriptPlan:
    name: str
    fields: tuple[str, ...]  # the fields its questions ask, in order
    all_fields: frozenset[str]
    steps: tuple[SayStep | AskStep, ...]

    @classmethod
    def of(cls, script: m.Script, language: str, default: str, conditions: Mapping[int, Condition]) -> ScriptPlan:
        """`conditions` holds the compiled condition of each `ask … when` and `say … when`, by
        its place in the script. A `say`'s trace entries name it by its place (1-based)."""
        steps: list[SayStep | AskStep] = []
        for index, step in enumerate(script.steps):
            condition = conditions.get(index)
            if isinstance(step, m.Say):
                worded = wording(step.text.by_language, language, default)
                part = (
                    d.finished(d.Say(language=worded.language, text=worded.text)) if worded.text is not None else None
                )
                said = SayStep(worded, part)
                if condition is not None:
                    entries = d.tried("say", index + 1, condition_line(step), None, possible_results(step.when))
                    said = SayStep(worded, part, condition, entries)
                steps.append(said)
                continue
            prompt = wording(step.prompt.by_language, language, default)
            entries = (
                d.tried("ask", step.field, condition_line(step), None, possible_results(step.when))
                if condition is not None
                else {}
            )
            ask = AskStep(
                step.field,
                prompt,
                step.required,
                step.phone,
                tuple(c.value for c in step.choices) if step.choices else None,
                number_part(step.number),
                condition,
                entries,
                None,
            )
            if prompt.text is not None:
                ask = replace(ask, unanswered=d.finished(ask.question(prompt.text, None, ())))
            steps.append(ask)
        fields = tuple(step.field for step in steps if isinstance(step, AskStep))
        return cls(script.name, fields, frozenset(fields), tuple(steps))


def number_part(number: m.NumberRange | None) -> d.NumberRange | None:
    """A `number` question's bounds as the decision writes them (JSON numbers: 150, 98.6)."""
    if number is None:
        return None
    return d.finished(d.NumberRange(min=json_number(number.low), max=json_number(number.high)))


def json_number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def script_texts(script: m.Script) -> Iterator[Mapping[str, m.Template]]:
    """The texts a script says: its prompts and its `say` steps."""
    for step in script.steps:
        yield (step.text if isinstance(step, m.Say) else step.prompt).by_language
