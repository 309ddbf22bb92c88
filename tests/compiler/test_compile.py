"""The compiler as a whole: the spec's client, the example clients, all errors at once,
the grammar built once, speed, and no foreign exception for any input."""

from __future__ import annotations

import json
import re

import pydantic
import pytest

from rules_engine.compiler import parser
from rules_engine.compiler.compile import compile_file, compile_text
from rules_engine.compiler.logic import implies
from rules_engine.errors import RulesError
from tests.support import ACME, CONFIGS, ROOT

SPEC = ROOT.parent / "shared" / "design" / "LANGUAGE.md"
EXAMPLES = sorted(CONFIGS.glob("*.rules"))


def section_one() -> str:
    """The complete client of LANGUAGE.md section 1; the tests that compare with it skip when the
    spec is not beside the project (a clone on its own has only the example and docs/language.md)."""
    if not SPEC.is_file():
        pytest.skip(f"{SPEC} is not here: the spec is kept beside the project, in ../shared/design/")
    spec = SPEC.read_text("utf-8")
    section = spec[spec.index("## 1. A complete client") :]
    found = re.search(r"```\n(.*?)```", section, re.S)
    assert found is not None, "section 1 of LANGUAGE.md has no fenced client"
    return found.group(1)


def test_section_one_compiles_verbatim_without_an_error_or_a_warning():
    client, warnings = compile_text(section_one(), "LANGUAGE.md")
    assert [w.render().splitlines()[0] for w in warnings] == []
    assert client.id == "acme_plumbing"
    assert [r.level for r in client.urgency] == ["emergency", "urgent", "routine"]
    assert len(client.routes) == 6


def test_acme_example_is_section_one_byte_for_byte():
    assert ACME.read_text("utf-8") == section_one()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_client_compiles_cleanly(path):
    client, warnings = compile_file(path)
    assert [d.render().splitlines()[0] for d in warnings] == []
    assert client.path == str(path)


def test_examples_span_at_least_three_time_zones():
    zones = {compile_file(path)[0].timezone for path in EXAMPLES}
    assert len(zones) >= 3


def test_every_error_of_a_file_is_reported_at_once():
    text = ACME.read_text("utf-8")
    text = text.replace("call bob, wait 10m", "call bobb, wait 10m")
    text = text.replace('"America/Chicago"', '"America/Chicag"')
    text = text.replace("-> take message deliver sms alice", "-> take message deliver sms alicia")
    with pytest.raises(RulesError) as caught:
        compile_text(text, "acme.rules")
    messages = [d.message for d in caught.value.errors]
    assert messages == ["unknown time zone `America/Chicag`", "unknown contact `bobb`", "unknown contact `alicia`"]
    assert str(caught.value).endswith("… and 2 more")


def test_nodes_are_frozen_and_know_their_position():
    client, _ = compile_text(ACME.read_text("utf-8"), "acme.rules")
    contact = client.contacts["bob"]
    assert (contact.pos.file, contact.pos.line, contact.pos.column) == ("acme.rules", 17, 13)
    with pytest.raises(pydantic.ValidationError):
        contact.title = "Robert"


def test_grammar_is_built_once_per_process(monkeypatch):
    parser.grammar()
    built = []
    monkeypatch.setattr(parser, "Lark", lambda *a, **k: built.append(a))
    for _ in range(3):
        compile_text(ACME.read_text("utf-8"), "acme.rules")
    assert built == []
    assert parser.grammar() is parser.grammar()


def test_no_foreign_exception_for_any_truncation_or_deleted_character():
    """Every prefix of the spec's client, and the client less any one character, either
    compiles or fails with positioned diagnostics: never a Lark, pydantic or Python error."""
    text = ACME.read_text("utf-8")
    variants = [text[:i] for i in range(0, len(text), 47)]
    variants += [text[:i] + text[i + 1 :] for i in range(0, len(text), 31)]
    for variant in variants:
        try:
            compile_text(variant, "cut.rules")
        except RulesError as exc:
            positioned = [d for d in exc.diagnostics if d.severity != "note"]
            assert exc.errors and all(d.line >= 1 and d.column >= 1 for d in positioned), variant


# ---- rules-engine check --------------------------------------------------------------------


WARNS_ONLY = (
    'client w "W" { timezone "UTC" contact bob "Bob" { call "+13125550112" } '
    'greeting default { en "Hi" } route { otherwise -> voicemail } }'
)
BROKEN = 'client b "B" { timezone "UTC" greeting default { en "Hi" } route { otherwise -> patch bob } }'


def test_check_clean_directory_exits_0_with_a_summary(cli, tmp_path):
    clean = [path for path in EXAMPLES if path != ACME]
    for path in clean:
        (tmp_path / path.name).write_bytes(path.read_bytes())
    code, out, err = cli("check", str(tmp_path))
    assert (code, err) == (0, "")
    *holidays, summary = out.splitlines()  # each client's public holidays: tests/cli/test_cli_holidays.py
    assert summary == f"checked {len(clean)} files: no errors, no warnings"
    assert len(holidays) == len(clean)
    assert len(clean) >= 3


def test_check_errors_exit_1_on_stderr(tmp_path, cli):
    (tmp_path / "b.rules").write_text(BROKEN)
    code, out, err = cli("check", str(tmp_path))
    assert (code, out) == (1, "")
    assert err == (
        f"{tmp_path / 'b.rules'}:1:87: error: unknown contact `bob`\n"
        f"    {BROKEN}\n"
        f"    {' ' * 86}^\n"
        "  hint: no contact is defined in this file\n"
        "checked 1 file: 1 error, no warnings\n"
    )


def test_check_warnings_pass_unless_strict(tmp_path, cli):
    path = tmp_path / "w.rules"
    path.write_text(WARNS_ONLY)
    code, out, err = cli("check", str(path))
    assert code == 0 and "warning: contact `bob` is never used" in err
    assert out == "checked 1 file: no errors, 1 warning\n"
    code, out, err = cli("check", "--strict", str(path))
    assert code == 1
    assert err.endswith("checked 1 file: no errors, 1 warning (--strict: warnings count as errors)\n")


def test_check_usage_errors_exit_2(tmp_path, cli):
    code, _, err = cli("check", tmp_path / "missing.rules")
    assert code == 2 and "no such file or directory" in err
    code, _, err = cli("check", "--colour", ACME)
    assert code == 2 and "unrecognized arguments: --colour" in err


def test_check_empty_directory_is_an_error(tmp_path, cli):
    code, _, err = cli("check", str(tmp_path))
    assert code == 1 and "no .rules files found" in err


def test_check_json_is_machine_readable(tmp_path, cli):
    (tmp_path / "b.rules").write_text(BROKEN)
    (tmp_path / "w.rules").write_text(WARNS_ONLY)
    code, out, err = cli("check", "--format", "json", str(tmp_path))
    report = json.loads(out)
    assert (code, err) == (1, "")
    assert report["ok"] is False
    assert (report["errors"], report["warnings"]) == (1, 1)
    assert report["clients"] == {str(tmp_path / "w.rules"): "w"}
    assert report["diagnostics"][0] == {
        "severity": "error",
        "file": str(tmp_path / "b.rules"),
        "line": 1,
        "column": 87,
        "message": "unknown contact `bob`",
        "hint": "no contact is defined in this file",
    }


# ---- shadowed rules: the implication test ----------------------------------------------------


def cond(text: str):
    """The condition of `when TEXT` in a route, compiled in a client where it makes sense."""
    source = (
        'client c { timezone "UTC" window open = daily 08:00-17:00 window lunch = daily 12:00-13:00 '
        'greeting default { en "Hi" } script s { ask type "?" choice (a, b, c) } choose script s otherwise '
        f"route {{ when {text} -> voicemail otherwise -> voicemail }} }}"
    )
    return compile_text(source, "c.rules")[0].routes[0].when


@pytest.mark.parametrize(
    "narrow, wide",
    [
        ("open and lunch", "open"),
        ("lunch", "open or lunch"),
        ("type is a", "type in (a, b)"),
        ("type in (a, b)", "type in (a, b, c)"),
        ("type is a", "type is set"),
        ("forwarded busy", "forwarded (busy, no_answer)"),
        ('said ("flood")', 'said ("flood", "leak")'),
        ("open and (lunch or holiday)", "open"),
        ("not open", "not open or lunch"),
    ],
)
def test_implies_catches_narrower_conditions(narrow, wide):
    assert implies(cond(narrow), cond(wide))
    assert not implies(cond(wide), cond(narrow))


@pytest.mark.parametrize("a, b", [("open", "lunch"), ("type is a", "type is b"), ("not open", "open")])
def test_implies_is_not_fooled_by_unrelated_conditions(a, b):
    assert not implies(cond(a), cond(b))


SKIPPED = (
    "the other checks (names, numbers, times, rule order, on-call cover) run once the syntax errors above are fixed"
)


def test_a_syntax_error_in_each_of_several_statements_is_reported_at_once():
    text = ACME.read_text("utf-8")
    text = text.replace("window lunch = mon-fri 12:00-13:00", "window lunch = mon-fri 12:00 - 13:00")
    text = text.replace("step call oncall plumbers, wait 5m", "step call oncall plumbers wait 5m")
    text = text.replace("when lunch                          ->", "when lunch")
    with pytest.raises(RulesError) as caught:
        compile_text(text, "acme.rules")
    assert [(d.line, d.message) for d in caught.value.diagnostics] == [
        (10, "a time range is written HH:MM-HH:MM, without spaces"),
        (31, "each step ends with a comma and `wait`"),
        (78, "`->` is missing before the action"),
        (0, SKIPPED),
    ]
