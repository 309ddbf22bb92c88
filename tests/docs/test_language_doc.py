"""docs/language.md, the account managers' reference, says what the engine does.

The conventions of its fenced blocks (stated again in an HTML comment at the top of the file):

- ```` ```rules ````: a whole rule file. `rules-engine check` finds nothing in it — unless a
  ```` ```console ```` block running `$ rules-engine check FILE …` follows: the file is then
  saved as FILE and the command must print exactly the rest of that block.
- ```` ```rules fragment ````: a few lines of a client. They are put inside a client with a
  `timezone`, a `greeting default` and a `route` (each only when the lines have none of
  their own), and `check` finds nothing in it.
- ```` ```console ```` running `$ rules-engine decide … --json`, followed by ```` ```json ````:
  every key the JSON shows has exactly that value in the decision the command prints (keys
  left out are allowed, so a section can show just the route).

`check` runs with `--from 2026-12-01`, so that its on-call and closure warnings do not
depend on the day the tests run. Any other kind of block fails the test: every example
is checked. The tables of forwarding reasons, `said` matches, decision keys and action
kinds are compared with the engine, its links and anchors are followed, and nothing in
the project points outside the repository for the language's reference.
"""

from __future__ import annotations

import json
import re
import shlex
import typing
from dataclasses import dataclass, fields
from pathlib import Path

import pytest

from rules_engine import Call, Engine
from rules_engine.decide import decision
from rules_engine.forwarding import REASONS, normalise_reason
from rules_engine.model import FORWARDING_REASONS
from tests.support import ROOT

DOC = ROOT / "docs" / "language.md"
TEXT = DOC.read_text(encoding="utf-8")
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```$", re.S | re.M)
CHECK_FROM = "2026-12-01"


@dataclass(frozen=True)
class Block:
    info: str
    body: str
    line: int  # of the opening fence, for the test's id and messages


@dataclass(frozen=True)
class Example:
    kind: str  # "file", "fragment", "check" or "decision"
    line: int
    rules: str = ""  # the rule text (file, fragment, check)
    command: str = ""  # what follows `$ rules-engine ` (check, decision)
    shown: str = ""  # what the doc shows it prints (check: the output; decision: the JSON)


def blocks(text: str) -> list[Block]:
    return [Block(m.group(1).strip(), m.group(2), text.count("\n", 0, m.start()) + 1) for m in FENCE.finditer(text)]


def examples(text: str) -> tuple[list[Example], list[str]]:
    """The doc's examples, and a complaint for each block that follows none of the conventions."""
    found, problems = [], []
    pending = blocks(text)
    while pending:
        block = pending.pop(0)
        following = pending[0] if pending else None
        command, _, output = (following.body if following else "").partition("\n")
        if (
            block.info == "rules"
            and following
            and following.info == "console"
            and command.startswith("$ rules-engine check ")
        ):
            pending.pop(0)
            found.append(Example("check", block.line, block.body, command.removeprefix("$ rules-engine "), output))
        elif block.info == "rules":
            found.append(Example("file", block.line, block.body))
        elif block.info == "rules fragment":
            found.append(Example("fragment", block.line, block.body))
        elif block.info == "console" and block.body.startswith("$ rules-engine decide ") and following:
            if block.body.count("\n") != 1 or following.info != "json":
                problems.append(f"line {block.line}: a decide command is followed by the ```json it prints, alone")
                continue
            pending.pop(0)
            command = block.body.strip().removeprefix("$ rules-engine ")
            found.append(Example("decision", block.line, command=command, shown=following.body))
        else:
            problems.append(f"line {block.line}: a ```{block.info} block that no convention checks")
    return found, problems


EXAMPLES, PROBLEMS = examples(TEXT)


def of_kind(kind: str) -> list[Example]:
    return [example for example in EXAMPLES if example.kind == kind]


def ids(example: Example) -> str:
    return f"line {example.line}"


def wrapped(fragment: str) -> str:
    """A fragment inside the smallest client that compiles, as the doc says."""
    lines = ['client example "Example" {']
    if not re.search(r"^\s*timezone\b", fragment, re.M):
        lines.append('    timezone "America/Chicago"')
    lines += [("    " + line) if line else "" for line in fragment.splitlines()]
    if not re.search(r"^\s*greeting\s+default\b", fragment, re.M):
        lines.append('    greeting default { en "Hello." }')
    if not re.search(r"^\s*route\s*\{", fragment, re.M):
        lines.append("    route { otherwise -> voicemail }")
    return "\n".join([*lines, "}", ""])


def test_every_block_of_the_reference_is_an_example_that_is_checked():
    assert PROBLEMS == []
    kinds = {kind: len(of_kind(kind)) for kind in ("file", "fragment", "check", "decision")}
    assert all(kinds.values()), f"a kind of example disappeared from the reference: {kinds}"


@pytest.mark.parametrize("example", of_kind("file") + of_kind("fragment"), ids=ids)
def test_rule_examples_compile_and_check_finds_nothing(example, tmp_path, cli):
    text = example.rules if example.kind == "file" else wrapped(example.rules)
    path = tmp_path / "example.rules"
    path.write_text(text, encoding="utf-8")
    result = cli("check", path, "--from", CHECK_FROM)
    assert (result.code, result.err) == (0, ""), f"docs/language.md line {example.line}:\n{result.err}"
    *notes, summary = result.out.splitlines()  # a `holidays` line's count of public holidays, then the summary
    assert summary == "checked 1 file: no errors, no warnings"
    assert all(": public holidays (" in note for note in notes) and len(notes) <= 1


@pytest.mark.parametrize("example", of_kind("check"), ids=ids)
def test_check_examples_print_exactly_what_the_reference_shows(example, tmp_path, monkeypatch, cli):
    argv = shlex.split(example.command)
    files = [arg for arg in argv if arg.endswith(".rules")]
    assert len(files) == 1, f"line {example.line}: the command checks the one file shown"
    (tmp_path / files[0]).write_text(example.rules, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    if "--from" not in argv:
        argv += ["--from", CHECK_FROM]
    result = cli(*argv)
    assert result.err + result.out == example.shown


@pytest.mark.parametrize("example", of_kind("decision"), ids=ids)
def test_decisions_shown_are_what_decide_answers(example, monkeypatch, cli):
    monkeypatch.chdir(ROOT)  # the commands name client_configs/ as a user's checkout has it
    result = cli(*shlex.split(example.command))
    assert result.code == 0, result.err
    decided = json.loads(result.out)
    shown = json.loads(example.shown)
    assert shown and set(shown) <= set(decided), f"line {example.line}: keys the decision does not have"
    assert {key: decided[key] for key in shown} == shown


# ---- the tables -----------------------------------------------------------------------------


def table(header: str) -> list[list[str]]:
    """The rows of the Markdown table whose header row starts with `header`, as cell texts."""
    start = TEXT.index("\n" + header) + 1
    rows = []
    for line in TEXT[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def codes(cell: str) -> list[str]:
    """The `code` spans of a cell, backticks removed."""
    return re.findall(r"`([^`]+)`", cell)


def test_the_forwarding_reasons_are_the_engines():
    rows = table("| Short name |")
    assert [codes(short)[0] for short, _, _ in rows] == list(FORWARDING_REASONS)
    for short, _, rfc in rows:
        name = codes(short)[0]
        aliases = {key for key, value in REASONS.items() if value == name and key != name}
        assert set(codes(rfc)) == aliases, f"the RFC 5806 reasons read as `{name}`"
        assert all(normalise_reason(reason) == name for reason in codes(rfc))


def test_the_said_table_is_how_the_engine_matches(tmp_path):
    rows = table("| Phrase |")
    phrases = sorted({json.loads(codes(phrase)[0]) for phrase, _, _ in rows})
    for index, phrase in enumerate(phrases):
        (tmp_path / f"said_{index}.rules").write_text(
            f'client said_{index} {{\n    timezone "America/Chicago"\n    greeting default {{ en "Hello." }}\n'
            f"    urgency {{\n        heard when said ({json.dumps(phrase)})\n        other otherwise\n    }}\n"
            "    route { otherwise -> voicemail }\n}\n",
            encoding="utf-8",
        )
    engine = Engine.from_path(tmp_path)
    for phrase, said, matches in rows:
        client = f"said_{phrases.index(json.loads(codes(phrase)[0]))}"
        call = Call(client=client, at="2026-11-24T10:00:00-06:00", said=codes(said)[0])
        heard = engine.decide(call).urgency == "heard"
        assert heard is (matches == "yes"), f"{phrase} in {said}: the reference says {matches}"


def test_the_decision_keys_described_are_the_decisions():
    described = [codes(key)[0] for key, _ in table("| Key |")]
    assert described == [key for _, key, _, _ in decision.SHAPES[decision.Decision]]  # what `to_json` writes


def test_the_action_kinds_described_are_the_decisions():
    union = typing.get_args(typing.get_args(decision.Action)[0])
    kinds = [next(f.default for f in fields(action) if f.name == "kind") for action in union]
    assert sorted(codes(row[1])[0] for row in table("| Rule text |")) == sorted(kinds)


# ---- links, and nothing outside the repository --------------------------------------------------


def anchor(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces as `-`."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_links_of_the_reference_lead_somewhere():
    anchors = {anchor(h) for h in re.findall(r"^#+ (.*)$", TEXT, re.M)}
    for target in re.findall(r"\]\(([^)\s]+)\)", TEXT):
        path, _, fragment = target.partition("#")
        if path:
            assert (DOC.parent / path).exists(), f"docs/language.md links to {target}, which is not there"
        elif fragment:
            assert fragment in anchors, f"docs/language.md links to #{fragment}, no such heading"


def test_the_readme_tour_links_to_the_reference():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tour = readme.split("## The language in five minutes", 1)[1].split("\n## ", 1)[0]
    assert "(docs/language.md)" in tour


# The tests that compare the Acme example with the specification's section 1 read it from
# beside the project when it is there, and skip when it is not: the one reference allowed.
OUTSIDE = re.compile(r"shared/design|LANGUAGE\.md")
ALLOWED_OUTSIDE = {Path("tests/compiler/test_compile.py")}
PROJECT = (
    "README.md",
    "SECURITY.md",
    "CHANGELOG.md",
    "pyproject.toml",
    "dev",
    ".ci",
    "docs",
    "rules_engine",
    "tests",
    "benchmarks",
    "deploy",
    "client_configs",
    "features",
)


def test_nothing_in_the_project_points_outside_it_for_the_language():
    pointing = []
    for top in PROJECT:
        path = ROOT / top
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        for file in files:
            relative = file.relative_to(ROOT)
            if (
                relative in ALLOWED_OUTSIDE
                or relative == Path(__file__).relative_to(ROOT)
                or file.suffix in (".pyc", ".png")
            ):
                continue
            text = file.read_text(encoding="utf-8", errors="replace")
            pointing += [f"{relative}:{text.count(chr(10), 0, m.start()) + 1}" for m in OUTSIDE.finditer(text)]
    assert pointing == [], "point to docs/language.md instead"
