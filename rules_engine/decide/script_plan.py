"""Script plan: one script of a client + a text language → its `ScriptPlan` (parts made once).

`evaluate.Decider.script` walks a plan per call; what does not depend on the call is made here,
once per client and language.
"""

from __future__ import annotations

from typing import Optional

from .. import model as m
from . import decision as d
from .plan import pos_line
from .resolve import Resolver

ANSWERED_MEMO = 64  # questions with their answer that a script plan remembers (see `ScriptPlan.asked`)


class ScriptPlan:
    """One script as asked in one text language, with what is the same for every call done once.

    `steps` holds one (is_say, step, condition, part, prompt) per step of the script:
    - a `say`: its `Say` part when its text has no placeholder (else None: rendered per call);
    - a question: the compiled condition of its `ask … when` (or None), its prompt as
      (language, text) when it has no placeholder (else None: rendered per call),
      and the `Ask` part a call without its answer gets (None when the prompt varies);
      a question with a condition also has its trace entries, by result, in `entries`.

    Made by the first decision that chooses the script in that language, kept in the
    client's `Prepared.parts`; the parts are frozen, so decisions on other threads share
    them. Its two memos (`scripts`, `answered`) are dicts read and written whole, which is
    atomic; a race only makes the same part twice.
    """

    __slots__ = ("name", "fields", "all_fields", "steps", "choices", "entries", "scripts", "answered")

    def __init__(self, decider: Resolver, script: m.Script):
        self.name = script.name
        self.fields = tuple(step.field for step in script.steps if isinstance(step, m.Ask))
        self.all_fields = frozenset(self.fields)
        steps, choices = [], []
        entries: dict[int, dict[Optional[bool], d.TraceEntry]] = {}  # position → trace entry by result
        for index, step in enumerate(script.steps):
            if isinstance(step, m.Say):
                language, text = decider.fixed_text(step.text)
                say = d.Say.trusted(language=language, text=text) if text is not None else None
                steps.append((True, step, None, say, None))
                choices.append(None)
                continue
            choices.append(tuple(c.value for c in step.choices) if step.choices else None)
            language, text = decider.fixed_text(step.prompt)
            prompt = (language, text) if text is not None else None
            unanswered = d.Ask.trusted(field=step.field, language=language, text=text, required=step.required,
                                       phone=step.phone, choices=choices[-1], answer=None,
                                       waits_for=()) if prompt else None
            condition = decider.prepared.asks.get((script.name, index))
            steps.append((False, step, condition, unanswered, prompt))
            if condition is not None:
                entries[len(steps) - 1] = {result: decider.prepared.entry("ask", step.field, pos_line(step), result, None)
                                           for result in (True, False, None)}
        self.steps = tuple(steps)
        self.entries = entries
        self.choices = tuple(choices)
        self.scripts: dict[tuple[str, ...], d.Script] = {}  # which questions apply → the shared script
        self.answered: dict[tuple[int, Optional[str], tuple[str, ...]], d.Ask] = {}

    def asked(self, position: int, answer: Optional[str], waits_for: tuple[str, ...]) -> d.Ask:
        """The question at `position` (its prompt without placeholder) carrying `answer` (one
        of its choices), or waiting for the answers `waits_for` names to know whether it applies.

        Remembered by (position, answer, waits_for): a choice comes from a short list, and
        what a question waits for from the script's few fields, so they recur call after call.
        Free-text answers (a name, a number) seldom do: `script` never asks for those here.
        Bounded all the same (answers are compared without case, so `Fever` and `fever` are
        two entries): at `ANSWERED_MEMO` entries the memo is emptied and fills again.
        """
        key = (position, answer, waits_for)
        part = self.answered.get(key)
        if part is None:
            if len(self.answered) >= ANSWERED_MEMO:
                self.answered.clear()
            _, step, _, _, (language, text) = self.steps[position]
            part = self.answered[key] = d.Ask.trusted(
                field=step.field, language=language, text=text, required=step.required, phone=step.phone,
                choices=self.choices[position], answer=answer, waits_for=waits_for)
        return part
