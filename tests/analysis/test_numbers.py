"""The analysis splits a numeric answer at the numbers the file compares it with, so the
diff (and the matrix, through the same classes) stays exact for `FIELD > N` rules."""

from __future__ import annotations

import random
from datetime import date

from rules_engine.analysis.classes import Dims
from rules_engine.analysis.diff import diff_clients, span_of
from rules_engine.analysis.explore import WITH_STATUS
from rules_engine.analysis.parts import PARTS, same, shown
from rules_engine.compiler.compile import compile_text
from rules_engine.decide import ClientPlan, Decider
from rules_engine.decide.call import Call
from rules_engine.live import EMPTY
from rules_engine.model import FORWARDING_REASONS
from tests.analysis.test_diff import covered

RULES = """client heat "Heat & Air" {
    timezone "America/Phoenix"
    contact tech "Tina Ruiz" { call "+16025550111" }
    window open = mon-fri 07:00-17:00
    greeting default { en "Hello" }
    script intake {
        ask problem "What is wrong?" choice (no_cool, other)
        ask outside "How hot is it outside (°F)?" number -40-150
        say "Stay out of the sun." when outside >= 110
    }
    choose script intake otherwise
    urgency {
        emergency when problem is no_cool and outside > 104
        urgent when outside is 90
        routine otherwise
    }
    route {
        when urgency is emergency -> patch tech
        when open and outside <= 32 -> say "Keep warm." then take message priority high
        otherwise -> take message
    }
}
"""
FIRST = date(2026, 7, 13)


def compiled(text: str):
    client, _ = compile_text(text, "heat.rules")
    return client


def test_a_number_field_is_split_at_each_number_its_rules_name_within_its_bounds():
    dims = Dims([compiled(RULES)])
    assert [value.label for value in dims["answers.outside"].values] == [
        ["not given"],
        ["-40", "between -40 and 32", "32"],
        ["between 32 and 90", "between 90 and 104", "104"],
        ["90"],
        ["between 104 and 110"],
        ["110", "between 110 and 150", "150"],
    ]


def test_moving_a_threshold_changes_exactly_the_numbers_between_the_old_and_new_one():
    old = compiled(RULES)
    new = compiled(RULES.replace("outside > 104", "outside > 100"))
    changes = diff_clients(old, new, FIRST, 7)
    # With no problem given yet, those numbers now leave the urgency waiting for it.
    assert sorted((c.part, c.when["answers"]["problem"][0], c.old, c.new) for c in changes if c.part == "urgency") == [
        ("urgency", "no_cool", "routine", "emergency"),
        ("urgency", "not given", "routine", None),
    ]
    assert {c.part for c in changes} == {"urgency", "route"}
    for change in changes:
        assert change.when["answers"]["outside"] == ["between 100 and 104", "104"]
        before = Decider(ClientPlan.of(old), change.example, EMPTY).decision()
        after = Decider(ClientPlan.of(new), change.example, EMPTY).decision()
        assert (shown(before, change.part), shown(after, change.part)) == (change.old, change.new)


def test_random_numbers_never_differ_outside_the_changes():
    """Numbers on, beside and between the thresholds, decimals among them, for edits that move,
    flip and add comparisons: any difference a decision shows is inside a change the diff lists."""
    old = compiled(RULES)
    edits = [
        RULES.replace("outside > 104", "outside >= 104"),
        RULES.replace("outside <= 32", "outside < 40.5"),
        RULES.replace("outside >= 110", "outside > 95").replace("outside is 90", "outside is 91"),
    ]
    rng = random.Random("numbers")
    numbers = [
        "-40",
        "0",
        "31.9",
        "32",
        "32.1",
        "40.5",
        "90",
        "91",
        "95",
        "100",
        "103.99",
        "104",
        "104.01",
        "110",
        "150",
    ]
    for text in edits:
        new = compiled(text)
        changes = diff_clients(old, new, FIRST, 7)
        assert changes
        plans = ClientPlan.of(old), ClientPlan.of(new)
        dims = Dims([old, new])
        start, end = span_of(new, FIRST, 7)
        for _ in range(300):
            answers = {"problem": rng.choice(["no_cool", "other"])} if rng.random() < 0.7 else {}
            if rng.random() < 0.8:
                answers["outside"] = rng.choice(numbers)
            call = Call(
                client="heat",
                at=(start + (end - start) * rng.random()).replace(microsecond=0),
                forwarded=rng.choice(FORWARDING_REASONS),
                answers=answers,
            )
            status = rng.random() < 0.2
            live = WITH_STATUS if status else EMPTY
            before, after = (Decider(plan, call, live).decision() for plan in plans)
            for part in PARTS:
                if part == "script" and call.answers:
                    continue  # a script shows the answers a call carries (see test_diff)
                if not same(before, after, part):
                    assert any(covered(c, dims, call, status, part) for c in changes), (text, part, call)
