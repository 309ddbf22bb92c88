"""`during MON D to MON D` in the analysis: matrix, diff and `decide` agree across its boundaries.

Acme Plumbing with part of the year written in: a `winter` window (crossing the new year) that
makes no heat urgent, and a greeting with its own `during` for the holidays' quiet fortnight.
The partition cuts at every local midnight, so these properties hold if the calendar, the
analysis and `decide` read `during` the same way: the matrix row at any instant is what
`decide` gives, and a diff that moves the dates lists every call decided differently.
"""

from __future__ import annotations

import random
from datetime import date

import pytest

from rules_engine.analysis.classes import Dims
from rules_engine.analysis.diff import diff_clients, span_of
from rules_engine.analysis.explore import WITH_STATUS
from rules_engine.analysis.matrix import matrix
from rules_engine.analysis.parts import PARTS, same
from rules_engine.compiler.compile import compile_text
from rules_engine.decide import ClientPlan, Decider
from rules_engine.decide.call import Call
from rules_engine.live import EMPTY
from rules_engine.model import FORWARDING_REASONS
from tests.analysis.test_diff import covered, random_call
from tests.support import ACME

QUIET = """    greeting quiet when not open and during dec 24 to jan 2 {
        en "Acme Plumbing, happy holidays. The office reopens after the new year."
    }
"""


def seasonal(winter: str = "during nov 15 to mar 15") -> str:
    text = ACME.read_text(encoding="utf-8")
    text = text.replace(
        "    window night = daily 22:00-06:00",
        f"    window winter = {winter}\n    window night = daily 22:00-06:00",
    )
    text = text.replace("        urgent    when type is no_heat", "        urgent    when type is no_heat and winter")
    text = text.replace("    greeting after_hours", QUIET + "    greeting after_hours", 1)
    assert text.count("during") == 2
    return text


# Weeks across each boundary: winter's end and start, the quiet fortnight and the new year.
WEEKS = (date(2026, 3, 12), date(2026, 11, 12), date(2026, 12, 22), date(2026, 12, 29))


def test_matrix_agrees_with_decide_across_during_boundaries():
    client, _ = compile_text(seasonal(), "acme_plumbing.rules")
    plan = ClientPlan.of(client)
    rng = random.Random("during matrix")
    seen = set()
    for first in WEEKS:
        rows = matrix(client, first, 7).reasons
        start, end = rows["always"][0].start, rows["always"][-1].end
        for _ in range(150):
            at = start + (end - start) * rng.random()
            reason = rng.choice(FORWARDING_REASONS)
            row = next(r for r in rows[reason] if r.start <= at < r.end)
            got = Decider(plan, Call(client=client.id, at=at, forwarded=reason), EMPTY).decision()
            assert (got.greeting.id, got.greeting.text, got.script.id, got.windows) == (
                row.greeting,
                row.text,
                row.script,
                row.windows,
            ), (at, reason)
            seen.add(("winter" in row.windows, row.greeting == "quiet"))
    assert seen >= {(True, True), (True, False), (False, False)}  # both sides of each boundary were tried


def test_a_row_ends_where_winter_ends():
    client, _ = compile_text(seasonal(), "acme_plumbing.rules")
    rows = matrix(client, date(2026, 3, 15), 2).reasons["always"]
    ends = [row.end.astimezone(rows[0].start.tzinfo) for row in rows if "winter" in row.windows]
    assert max(ends).isoformat() == "2026-03-16T00:00:00-05:00"  # the end of Mar 15 in Chicago (CDT)


@pytest.mark.parametrize(
    "winter", ["during nov 22 to mar 8", "during dec 1 to feb 29", "mon-fri and during oct 1 to dec 31"]
)
def test_diff_of_moved_dates_is_exact_both_ways(winter):
    old, _ = compile_text(seasonal(), "acme_plumbing.rules")
    new, _ = compile_text(seasonal(winter), "acme_plumbing.rules")
    first, days = date(2026, 11, 1), 150
    changes = diff_clients(old, new, first, days)
    assert changes and {c.part for c in changes} == {"urgency"}
    for change in changes:
        live = WITH_STATUS if change.status else EMPTY
        before = Decider(ClientPlan.of(old), change.example, live).decision()
        after = Decider(ClientPlan.of(new), change.example, live).decision()
        assert not same(before, after, change.part)
    plans = ClientPlan.of(old), ClientPlan.of(new)
    dims = Dims([old, new])
    start, end = span_of(new, first, days)
    rng = random.Random(f"during diff {winter}")
    for _ in range(400):
        at = (start + (end - start) * rng.random()).replace(microsecond=0)
        call, status = random_call(new, dims, at, rng)
        live = WITH_STATUS if status else EMPTY
        before, after = Decider(plans[0], call, live).decision(), Decider(plans[1], call, live).decision()
        for part in PARTS:
            if part == "script" and call.answers:
                continue
            if not same(before, after, part):
                assert any(covered(c, dims, call, status, part) for c in changes), (part, call, status)
