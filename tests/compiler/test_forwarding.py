"""`forwarding REASON, …`: how a client's phones forward, declared once; checked like any statement."""

from __future__ import annotations

import pytest

from rules_engine.compiler.compile import compile_text
from rules_engine.decide.call import Call
from rules_engine.decide.decider import decide
from rules_engine.errors import RulesError
from rules_engine.live import EMPTY


def client(forwarding: str) -> str:
    return f"""client fw "Fw" {{
    timezone "UTC"
{forwarding}
    contact desk "Desk" {{ call "+13125550999" }}
    greeting default {{ en "Hi" }}
    route {{ otherwise -> patch desk }}
}}
"""


SKIPPED = (
    "the other checks (names, numbers, times, rule order, on-call cover) run once the syntax errors above are fixed"
)


def errors(forwarding: str) -> list[str]:
    with pytest.raises(RulesError) as caught:
        compile_text(client(forwarding), "fw.rules")
    return [d.render() for d in caught.value.diagnostics]


def test_declared_reasons_are_kept_in_file_order():
    compiled, warnings = compile_text(client("    forwarding busy, no_answer, scheduled"), "fw.rules")
    assert [r.value for r in compiled.forwarding] == ["busy", "no_answer", "scheduled"]
    assert warnings == ()


def test_without_a_declaration_the_client_declares_nothing():
    compiled, _ = compile_text(client(""), "fw.rules")
    assert compiled.forwarding == ()


def test_an_unknown_or_repeated_reason_is_an_error_at_its_place():
    assert errors("    forwarding busy, no_anwser, busy") == [
        "fw.rules:3:22: error: unknown forwarding reason `no_anwser`\n"
        "        forwarding busy, no_anwser, busy\n"
        "                         ^\n"
        "  hint: did you mean `no_answer`?",
        "fw.rules:3:33: error: forwarding reason `busy` is listed twice\n"
        "        forwarding busy, no_anwser, busy\n"
        "                                    ^",
    ]


def test_a_second_declaration_is_an_error_that_names_the_first():
    assert errors("    forwarding busy\n    forwarding always") == [
        "fw.rules:4:5: error: `forwarding` is given twice; the first is on line 3\n"
        "        forwarding always\n"
        "        ^\n"
        "  hint: list all values in one line",
    ]


def test_a_misspelt_keyword_is_named_with_what_was_meant():
    assert errors("    forwardin always") == [
        "fw.rules:3:5: error: `forwardin` is not a word of the rule language\n"
        "        forwardin always\n"
        "        ^\n"
        "  hint: did you mean `forwarding`?",
        f"fw.rules: note: {SKIPPED}",
    ]


def test_deciding_does_not_depend_on_the_declaration():
    plain, _ = compile_text(client(""), "fw.rules")
    declared, _ = compile_text(client("    forwarding always"), "fw.rules")
    call = Call(client="fw", at="2026-12-02T10:00:00+00:00", forwarded="busy")
    assert decide(plain, call, EMPTY).route == decide(declared, call, EMPTY).route
