"""A condition on a field that no script of the client asks can never hold: a compile error.

The engine refuses a call carrying an answer that no script asks, so such a condition is a
mistake (most often a typo); a field asked only by a script other calls get stays a warning
(tests/compiler/test_route_fields.py)."""

from __future__ import annotations

import pytest

from rules_engine.compiler.compile import compile_text
from rules_engine.errors import RulesError, render_all

HVAC = """client hvac "Hot & Cold" {{
    timezone "America/Chicago"
    contact desk "Desk" {{ call "+13125550100" }}
    greeting default {{ en "Hot & Cold, how can I help?" }}
    script intake {{
        ask problem "What is the problem?" choice (no_heat, gas_smell, other) required
        ask cold "Is it cold inside?" choice (yes, no)
    }}
    choose script intake otherwise
    urgency {{
        {rule}
        routine otherwise
    }}
    route {{ otherwise -> patch desk }}
}}
"""


def errors_of(rule: str) -> str:
    with pytest.raises(RulesError) as raised:
        compile_text(HVAC.format(rule=rule), "hvac.rules")
    return render_all(raised.value.diagnostics)


def test_a_misspelt_field_in_a_condition_is_an_error_with_did_you_mean() -> None:
    assert errors_of("emergency when problem is no_heat and cld is yes") == (
        "hvac.rules:11:47: error: no script asks `cld`, so this condition can never hold\n"
        "            emergency when problem is no_heat and cld is yes\n"
        "                                                  ^\n"
        "  hint: did you mean `cold`?"
    )


def test_a_field_nothing_resembles_says_where_to_ask_it() -> None:
    assert errors_of("emergency when outside is set") == (
        "hvac.rules:11:24: error: no script asks `outside`, so this condition can never hold\n"
        "            emergency when outside is set\n"
        "                           ^\n"
        '  hint: add `ask outside "…"` to the script these calls get, or remove the condition'
    )


def test_a_field_the_script_asks_is_no_problem() -> None:
    _, found = compile_text(HVAC.format(rule="emergency when problem is no_heat and cold is yes"), "hvac.rules")
    assert list(found) == []
