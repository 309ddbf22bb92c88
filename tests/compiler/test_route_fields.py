"""`check` warns when a route depends on an answer that a script chosen for the same calls never asks."""

from __future__ import annotations

from rules_engine.compiler.compile import compile_text
from tests.support import GOLDEN

CASE = GOLDEN / "diagnostics" / "route_field_not_asked_by_chosen_script.rules"


def warnings_of(text: str) -> list[str]:
    return [d.message for d in compile_text(text, "late.rules")[1]]


def test_a_route_on_an_answer_the_evening_script_never_asks_is_warned():
    assert warnings_of(CASE.read_text()) == [
        "this route depends on `matter`, which script `short` (chosen on line 12) never asks: "
        "for those calls the condition is false"
    ]


def test_no_warning_once_an_earlier_route_catches_every_call_of_that_script():
    text = CASE.read_text()
    reordered = text.replace(
        "        when matter is court_deadline -> patch desk\n        when evening                  -> take message deliver email desk\n",
        "        when evening                  -> take message deliver email desk\n        when matter is court_deadline -> patch desk\n",
    )
    assert reordered != text
    assert warnings_of(reordered) == []
