"""Fuzzing the rule language: whatever bytes arrive, the compiler answers in its own words.

Every input ends in either a compiled client or a `RulesError` whose diagnostics are
positioned (file, line ≥ 1, column ≥ 1, the line shown) — never another exception, never
a traceback. Inputs are mutations of the example clients (tokens and lines deleted,
duplicated, swapped; random bytes; invalid UTF-8; very long lines and names; deep
nesting) and rule files generated from the grammar's constructs.

The CI budget is small; a longer run is one command (see docs/robustness.md):

    FUZZ_EXAMPLES=20000 .venv/bin/pytest tests/compiler/test_fuzz_rules.py
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from rules_engine.compiler import limits
from rules_engine.compiler.compile import compile_bytes, compile_text
from rules_engine.decide.call import Call
from rules_engine.decide.decider import decide
from rules_engine.engine import Engine
from rules_engine.errors import RulesError
from rules_engine.live import LiveState
from tests.support import CONFIGS

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

CLIENTS = sorted(CONFIGS.glob("*.rules"))
SOURCES = {path.name: path.read_text("utf-8") for path in CLIENTS}
# Words, strings, comments, punctuation: the pieces an account manager moves around.
TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*|,\s*else\b|->|[A-Za-z0-9_:+.@-]+|\S')
TOKENS = sorted({t for text in SOURCES.values() for t in TOKEN.findall(text)})
PATH = "fuzz.rules"


def outcome(data: bytes) -> str:
    """Compile `data`; assert the outcome is a client or positioned diagnostics. Returns which.

    The time each file takes is recorded as a hypothesis event (shown with
    `--hypothesis-show-statistics`), not asserted: a loaded CI machine must not fail the run.
    """
    started = time.perf_counter()
    try:
        client, warnings = compile_bytes(data, PATH)
    except RulesError as exc:
        record_time(started)
        assert exc.diagnostics, "a RulesError must carry at least one diagnostic"
        assert exc.errors, "a RulesError must carry at least one error"
        text = data.decode("utf-8", errors="replace")
        for diagnostic in exc.diagnostics:
            assert_positioned(diagnostic, text)
        assert exc.render()  # renders without failing
        return "diagnostics"
    record_time(started)
    for diagnostic in warnings:
        assert diagnostic.severity == "warning"
        assert_positioned(diagnostic, data.decode("utf-8"))
    assert client.id
    return "client"


def record_time(started: float) -> None:
    if not currently_in_test_context():
        return
    took = time.perf_counter() - started
    event("compiled in " + ("under 0.1 s" if took < 0.1 else "under 1 s" if took < 1 else "1 s or more"))


def decides(client) -> None:
    """A client that compiled decides calls, at and around a DST change, without an exception."""
    for at in (
        "2026-03-08T07:59:00+00:00",
        "2026-03-08T08:30:00+00:00",
        "2026-11-01T06:30:00+00:00",
        "2026-12-25T18:00:00+00:00",
    ):
        call = Call(
            client=client.id,
            at=at,
            forwarded="busy",
            caller="+13125550100",
            agent="{agent}",
            answers={"type": "billing", "name": "{caller}"},
            said="flood",
        )
        assert decide(client, call, LiveState()).client == client.id


def assert_positioned(diagnostic, text: str) -> None:
    # Lines as the parser numbers them: only `\n` ends one (a form feed or U+2028 does not).
    lines = [line.removesuffix("\r") for line in text.removesuffix("\n").split("\n")]
    assert diagnostic.file == PATH
    assert diagnostic.message.strip()
    # A file as a whole (too large, or the note that syntax errors hold back the other
    # checks) has no line to point at; everything else does.
    if diagnostic.line == 0:
        assert diagnostic.message.startswith("the file is larger") or diagnostic.severity == "note", diagnostic.render()
        return
    assert 1 <= diagnostic.line <= len(lines) + 1, diagnostic.render()
    assert diagnostic.column >= 1, diagnostic.render()
    if diagnostic.line <= len(lines) and diagnostic.source_line is not None:
        assert diagnostic.source_line == lines[diagnostic.line - 1], diagnostic.render()


# ---- mutations of the example clients ---------------------------------------------------------


def tokens_of(text: str) -> list[str]:
    return TOKEN.findall(text)


def join(tokens: list[str]) -> str:
    return " ".join(tokens)


@st.composite
def token_mutation(draw) -> bytes:
    """Tokens of an example client deleted, duplicated, swapped or replaced, a few times."""
    tokens = tokens_of(SOURCES[draw(st.sampled_from(sorted(SOURCES)))])
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(tokens) - 1))
        j = draw(st.integers(0, len(tokens) - 1))
        op = draw(st.sampled_from(("delete", "duplicate", "swap", "replace", "insert")))
        if op == "delete":
            del tokens[i]
        elif op == "duplicate":
            tokens.insert(i, tokens[i])
        elif op == "swap":
            tokens[i], tokens[j] = tokens[j], tokens[i]
        elif op == "replace":
            tokens[i] = draw(st.sampled_from(TOKENS))
        else:
            tokens.insert(i, draw(st.sampled_from(TOKENS)))
    return join(tokens).encode("utf-8")


@st.composite
def line_mutation(draw) -> bytes:
    """Whole lines of an example client deleted, duplicated or swapped."""
    lines = SOURCES[draw(st.sampled_from(sorted(SOURCES)))].splitlines()
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        j = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(("delete", "duplicate", "swap")))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(j, lines[i])
        else:
            lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines).encode("utf-8")


@st.composite
def byte_mutation(draw) -> bytes:
    """Random bytes (invalid UTF-8, NUL, control characters, BOM, CR) spliced into a client."""
    data = bytearray(SOURCES[draw(st.sampled_from(sorted(SOURCES)))].encode("utf-8"))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        junk = draw(
            st.one_of(
                st.binary(min_size=1, max_size=8),
                st.sampled_from(
                    [
                        b"\x00",
                        b"\xff\xfe",
                        b"\xef\xbb\xbf",
                        b"\r",
                        b"\r\n",
                        b"\t",
                        b"\x1b[2J",
                        b"\xc3",
                        b"\xed\xa0\x80",
                        "\u202e".encode(),
                        "\u00a0".encode(),
                        "ß".encode(),
                    ]
                ),
            )
        )
        data[at:at] = junk
    return bytes(data)


@st.composite
def oversize_mutation(draw) -> bytes:
    """A very long name, text, comment or line put into a client."""
    text = SOURCES[draw(st.sampled_from(sorted(SOURCES)))]
    length = draw(st.sampled_from((300, 5_000, 50_000)))
    kind = draw(st.sampled_from(("name", "text", "comment", "line", "number")))
    if kind == "name":
        names = sorted(set(re.findall(r"\b(?:window|contact|script|escalation) ([a-z_]+)", text)))
        name = draw(st.sampled_from(names))
        return re.sub(rf"\b{name}\b", "n" * length, text).encode("utf-8")
    if kind == "text":
        return text.replace('"', '"' + "é" * length, 1).encode("utf-8")
    if kind == "comment":
        return text.replace("\n", "\n# " + "x" * length + "\n", 1).encode("utf-8")
    if kind == "number":
        return re.sub(r'"\+1\d+"', '"+' + "1" * length + '"', text, count=1).encode("utf-8")
    return text.replace("\n", " " * length + "\n", 1).encode("utf-8")


@st.composite
def nesting_mutation(draw) -> bytes:
    """A condition of an example client wrapped in deep parentheses, `not`s or long chains."""
    text = SOURCES[draw(st.sampled_from(sorted(SOURCES)))]
    depth = draw(st.sampled_from((10, 40, 100, 1_000, 20_000)))
    shape = draw(st.sampled_from(("parens", "not", "and", "or", "mixed", "braces")))
    conditions = re.findall(r"when (.+?) (?:->|\{)", text)
    cond = draw(st.sampled_from(conditions))
    if shape == "parens":
        new = "(" * depth + cond + ")" * depth
    elif shape == "not":
        new = "not " * (depth - depth % 2) + "(" + cond + ")"
    elif shape in ("and", "or"):
        new = f" {shape} ".join(["(" + cond + ")"] * depth)
    elif shape == "mixed":
        new = "".join(f"not ({cond} or " for _ in range(depth // 10)) + cond + ")" * (depth // 10)
    else:
        new = cond + " {" * depth
    return text.replace("when " + cond, "when " + new, 1).encode("utf-8")


# ---- generation from the grammar's constructs ------------------------------------------------

NAMES = st.sampled_from(
    [
        "open",
        "lunch",
        "night",
        "alice",
        "bob",
        "team",
        "intake",
        "type",
        "name",
        "vip",
        "urgent",
        "billing",
        "en",
        "es",
        "x",
    ]
)
DAYS = st.sampled_from(["mon", "tue-fri", "sat-sun", "fri-mon", "daily", "sun"])
TIMES = st.sampled_from(["08:00", "00:00", "24:00", "22:30", "01:00", "25:00", "9:05", "12:60"])
STRINGS = st.sampled_from(
    [
        '"Hello {agent}"',
        '"{answer.name}"',
        '"+13125550100"',
        '"a@b.example"',
        '"{caller} {{x}}"',
        '"{oncall.team}"',
        '"{status.note}"',
        '"}"',
        '"é ✓ 你好"',
        '"\\"quoted\\""',
        '"America/Chicago"',
        '"flood"',
        '""',
    ]
)


def conditions(max_leaves: int = 6):
    atom = st.one_of(
        NAMES,
        st.builds(lambda d, a, b: f"{d} {a}-{b}", DAYS, TIMES, TIMES),
        DAYS,
        st.sampled_from(
            [
                "holiday",
                "closed",
                "status",
                "forwarded busy",
                "forwarded (busy, no_answer)",
                "forwarded bogus",
                'caller is "+13125550100"',
                "caller in vip",
                'dialed "+13125550101"',
                "dialed in vip",
                "language es",
                "type is set",
                "type is billing",
                "type in (billing, other)",
                'said ("flood", "gas")',
                "urgency is urgent",
                'said "x"',
            ]
        ),
    )
    return st.recursive(
        atom,
        lambda inner: st.one_of(
            st.builds(lambda c: f"not {c}", inner),
            st.builds(lambda c: f"({c})", inner),
            st.builds(lambda a, b: f"{a} and {b}", inner, inner),
            st.builds(lambda a, b: f"{a} or {b}", inner, inner),
        ),
        max_leaves=max_leaves,
    )


CONDITION = conditions()
SMALL_CONDITION = conditions(3)
WHEN_OR_OTHERWISE = st.one_of(st.just("otherwise"), CONDITION.map(lambda c: f"when {c}"))


def actions():
    """Every kind of action, with targets that may or may not exist."""
    target = st.one_of(NAMES, NAMES.map(lambda n: f"oncall {n}"), STRINGS)
    notify = st.builds(lambda m, t: f"{m} {t}", st.sampled_from(["call", "sms", "email"]), target)
    return st.one_of(
        target.map(lambda t: f"patch {t}"),
        NAMES.map(lambda n: f"escalate {n}"),
        st.builds(
            lambda p, ds: (
                "take message" + (f" priority {p}" if p else "") + (" deliver " + ", ".join(ds) if ds else "")
            ),
            st.sampled_from([None, "high", "low", "bogus"]),
            st.lists(notify, max_size=2),
        ),
        st.just("voicemail"),
        st.sampled_from(["callback within 30m", "callback within 0s", "callback within 9999d"]),
        STRINGS.map(lambda s: f"say {s} then hangup"),
    )


ACTION = actions()


def statements():
    """One client-level statement of each kind the grammar knows, values often wrong."""
    datetime_ = st.builds(
        lambda d, t: f"{d} {t}",
        st.sampled_from(["2026-03-08", "2026-11-01", "2026-02-30", "1900-01-01", "2026-12-24"]),
        TIMES,
    )
    text = st.one_of(
        STRINGS,
        st.lists(st.builds(lambda n, s: f"{n} {s}", NAMES, STRINGS), min_size=1, max_size=2).map(
            lambda ts: "{ " + " ".join(ts) + " }"
        ),
    )
    return st.one_of(
        STRINGS.map(lambda s: f"timezone {s}"),
        st.sampled_from(
            [
                'timezone "America/Chicago"',
                'timezone "Europe/London"',
                'timezone "Mars/Base"',
                "languages en, es",
                "languages en",
                'numbers "+13125550100"',
                "holidays US-IL",
                "holidays GB-ENG, US",
                'holidays "XX"',
                'holiday "Picnic" 2026-07-17',
            ]
        ),
        st.builds(lambda n, c: f"window {n} = {c}", NAMES, CONDITION),
        st.builds(lambda s, a, b: f"closed {s} {a} to {b}", STRINGS, datetime_, datetime_),
        st.builds(
            lambda n, s, m: f"contact {n} {s} {{ {m} }}",
            NAMES,
            STRINGS,
            st.sampled_from(['call "+13125550111"', 'sms "+13125550111" email "a@b.example"', 'email "x"', ""]),
        ),
        st.builds(lambda n: f'list {n} = "+17735550199", "+17735550123"', NAMES),
        st.builds(
            lambda n, p, d, ms, o: f"oncall {n} {{ rotation {p} from {d} {{ {', '.join(ms)} }}{o} }}",
            NAMES,
            st.sampled_from(["daily", "weekly", "every 3 days", "every 0 days"]),
            datetime_,
            st.lists(NAMES, min_size=1, max_size=3),
            st.one_of(st.just(""), SMALL_CONDITION.map(lambda c: f" only {c}")),
        ),
        st.builds(
            lambda n, t, r, f: f"escalation {n} {{ step call {t}, wait 5m {r} {f} }}",
            NAMES,
            NAMES,
            st.sampled_from(["", "repeat 2", "repeat 0"]),
            ACTION.map(lambda a: f"finally {a}"),
        ),
        st.builds(
            lambda n, w, s: f"greeting {n} {w} {{ en {s} }}",
            NAMES,
            st.one_of(st.just(""), CONDITION.map(lambda c: f"when {c}")),
            STRINGS,
        ),
        st.just('greeting default { en "Hello, this is {agent}." }'),
        st.builds(
            lambda n, f, t, o: f"script {n} {{ ask {f} {t} {o} say {t} }}",
            NAMES,
            NAMES,
            text,
            st.sampled_from(["required", "phone", "choice (billing, other)", "when open", ""]),
        ),
        st.builds(lambda n, w: f"choose script {n} {w}", NAMES, WHEN_OR_OTHERWISE),
        st.lists(st.builds(lambda n, w: f"{n} {w}", NAMES, WHEN_OR_OTHERWISE), min_size=1, max_size=4).map(
            lambda rules: "urgency { " + " ".join(rules) + " }"
        ),
        st.lists(
            st.builds(
                lambda w, a, b: f"{w} -> {a}" + (f", else {b}" if b else ""),
                WHEN_OR_OTHERWISE,
                ACTION,
                st.one_of(st.none(), ACTION),
            ),
            min_size=1,
            max_size=4,
        ).map(lambda rules: "route { " + " ".join(rules) + " }"),
    )


STATEMENT = statements()


@st.composite
def generated_client(draw) -> bytes:
    """A rule file built from the grammar's constructs: often valid, often subtly not."""
    body = draw(st.lists(STATEMENT, min_size=0, max_size=12))
    if draw(st.integers(0, 4)) > 0:  # mostly: the parts every client needs, so that deeper checks run
        body = [
            'timezone "America/Chicago"',
            "languages en",
            'greeting default { en "Hello {agent}" }',
            "route { otherwise -> voicemail }",
            *body,
        ]
        body = draw(st.permutations(body))
    return ('client fuzzed "Fuzzed" {\n    ' + "\n    ".join(body) + "\n}\n").encode("utf-8")


# ---- the properties ------------------------------------------------------------------------------


def test_the_examples_compile():
    """The baseline the mutations start from: every example client compiles as it is."""
    assert CLIENTS, "client_configs/ has example clients"
    for path in CLIENTS:
        assert outcome(path.read_bytes()) == "client", path.name


@FUZZ
@given(st.one_of(token_mutation(), line_mutation()))
def test_mutated_clients_compile_or_explain(data):
    outcome(data)


@FUZZ
@given(byte_mutation())
def test_random_bytes_compile_or_explain(data):
    outcome(data)


@FUZZ
@given(st.one_of(oversize_mutation(), nesting_mutation()))
def test_long_and_deep_inputs_compile_or_explain(data):
    outcome(data)


@FUZZ
@given(generated_client())
def test_generated_clients_compile_or_explain_and_then_decide(data):
    try:
        client, _ = compile_bytes(data, PATH)
    except RulesError:
        client = None
    assert outcome(data) == ("client" if client else "diagnostics")
    if client is not None:
        decides(client)


@FUZZ
@given(st.binary(max_size=200) | st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass")))
def test_arbitrary_bytes_compile_or_explain(data):
    outcome(data)


# ---- limits: findings of the fuzzing, each pinned ---------------------------------------------

ACME = SOURCES["acme_plumbing.rules"]
LUNCH = "window lunch = mon-fri 12:00-13:00"


def errors_of(text: str) -> list:
    with pytest.raises(RulesError) as raised:
        compile_text(text, PATH)
    return list(raised.value.errors)


def where(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """Line and column (1-based) of the nth occurrence of `needle`, found by plain search."""
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def test_finding_long_not_chain_is_refused_where_it_is_not_with_a_recursion_error():
    """Finding 1: 500 `not`s in a row ended in Python's RecursionError, reported at 1:1."""
    text = ACME.replace(LUNCH, "window lunch = " + "not\n " * 500 + "open")
    [error] = errors_of(text)
    # One `not` a line: the 65th, past the limit of 64, is 64 lines below the window's line.
    assert (error.line, error.column) == (where(text, "window lunch")[0] + 64, 2)
    assert "nested too deeply" in error.message and "64" in error.message


def test_finding_long_and_chain_is_refused_at_the_condition():
    """Finding 1, second shape: a flat chain of 1000 `and`s nests as deep as 1000 `not`s."""
    text = ACME.replace(LUNCH, "window lunch = " + " and\n ".join(["open"] * 1000))
    [error] = errors_of(text)
    assert (error.line, error.column) == where(text, "open and")
    assert "too long" in error.message


def test_conditions_just_under_the_depth_limit_compile_and_decide():
    """Sixty `not`s and a 60-item `or` chain compile, and a call is decided through them."""
    deep_not = "not " * 60 + "open"  # an even number: the same as `open`
    chain = " or ".join([f'caller is "+1773555{i:04d}"' for i in range(60)])
    text = ACME.replace(LUNCH, f"window lunch = {deep_not}").replace(
        "when urgency is emergency           ->", f"when ({chain}) ->"
    )
    path = Path(os.environ.get("TMPDIR", "/tmp")) / "deep_rules"
    path.mkdir(exist_ok=True)
    (path / "acme.rules").write_text(text, "utf-8")
    decision = Engine(path).decide(
        Call(client="acme_plumbing", at="2026-11-24T12:30:00-06:00", caller="+17735550059", answers={"type": "billing"})
    )
    assert "lunch" in decision.windows  # a Tuesday at 12:30 local: `open` holds
    assert decision.route.rule == 2  # the caller is the last number of the chain


def test_finding_deep_brackets_are_refused_at_the_first_bracket_too_many():
    text = ACME.replace(LUNCH, "window lunch = " + "(" * 40 + "open" + ")" * 40)
    [error] = errors_of(text)
    line, column = where(text, "(" * 40)
    # The client's own `{` is open too: the 32nd `(` is the 33rd bracket.
    assert (error.line, error.column) == (line, column + limits.MAX_BRACKETS - 1)
    assert "brackets are nested more than 32 deep" in error.message


def test_brackets_inside_texts_and_comments_do_not_count():
    text = ACME.replace(LUNCH, LUNCH + "  # " + "(" * 100).replace(
        "How may I help you?", "How may I help you? " + "(" * 100
    )
    assert outcome(text.encode("utf-8")) == "client"


def test_a_very_long_line_is_refused_at_the_column_past_the_limit():
    text = ACME.replace("How may I help you?", "How may I help you?" + " please" * 400)
    [error] = errors_of(text)
    assert (error.line, error.column) == (where(text, "How may I help you?")[0], 2001)
    assert "longer than 2000 characters" in error.message


def test_finding_a_huge_file_is_refused_before_it_is_parsed():
    """Finding 2: a 1 MB file of windows took over ten seconds to compile; it stops at the word limit."""
    windows = "\n".join(f"    window w{i} = " + ", ".join(["mon 08:00-09:00"] * 20) for i in range(400))
    text = ACME.replace(LUNCH, LUNCH + "\n" + windows)
    [error] = errors_of(text)
    assert "more than 10000 words and symbols" in error.message
    assert error.line > where(text, "window w0")[0]


def test_a_file_over_the_size_limit_is_refused_by_name():
    data = (ACME + "#" * (1_000_001 - len(ACME))).encode("utf-8")
    with pytest.raises(RulesError) as raised:
        compile_bytes(data, PATH)
    assert "larger than 1000 kB" in raised.value.errors[0].message


def test_finding_too_many_route_rules_are_refused_at_the_first_one_too_many():
    """Finding 3: the shadowing check compares rules pairwise; 2,000 routes took over a minute."""
    rules = "".join(f'        when caller is "+1773555{i:04d}" -> voicemail\n' for i in range(120))
    text = ACME.replace("        when lunch ", rules + "        when lunch ")
    [error] = errors_of(text)
    # The acme route section has 3 rules before the inserted ones: the 101st is the 98th inserted.
    assert (error.line, error.column) == where(text, 'when caller is "+17735550097"')
    assert "more than 100 route rules" in error.message


def test_too_many_greetings_are_refused():
    greetings = "".join(f'    greeting g{i} when caller is "+1773555{i:04d}" {{ en "Hi" }}\n' for i in range(101))
    text = ACME.replace("    greeting busy", greetings + "    greeting busy")
    [error] = errors_of(text)
    assert (error.line, error.column) == where(text, "greeting g100")
    assert "more than 100 greetings" in error.message


def test_too_many_statements_are_refused():
    holidays = "".join(
        f'    holiday "Day {i}" {2030 + i // 300}-{1 + i // 28 % 12:02d}-{1 + i % 28:02d}\n' for i in range(1001)
    )
    text = ACME.replace(LUNCH, LUNCH + "\n" + holidays)
    errors = errors_of(text)
    assert any("more than 1000 statements" in e.message for e in errors)
