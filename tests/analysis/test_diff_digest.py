"""`rules-engine diff` for people: changes grouped by the edit that causes them, then part and time, a summary first."""

from __future__ import annotations

import json
from datetime import date

from rules_engine.analysis.diff import diff_clients
from rules_engine.analysis.digest import digest
from rules_engine.analysis.edits import alone, edits_between
from rules_engine.analysis.explore import WITH_STATUS
from rules_engine.analysis.parts import same
from rules_engine.compiler.compile import compile_file, compile_text
from rules_engine.decide import ClientPlan, Decider
from rules_engine.live import EMPTY
from tests.support import ACME

LUNCH = ("window lunch = mon-fri 12:00-13:00", "window lunch = mon-fri 12:30-13:30")
BOB = ("{ alice, bob, carol }", "{ bob, alice, carol }")


def edited(tmp_path, *replacements: tuple[str, str]):
    """Acme Plumbing with each (old, new) text replaced, written beside the test."""
    text = ACME.read_text(encoding="utf-8")
    for before, after in replacements:
        assert before in text
        text = text.replace(before, after)
    path = tmp_path / "acme_plumbing.rules"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_issues_edit_reads_as_two_edits_with_a_summary_first(tmp_path, cli):
    """USER-TASKS 9: lunch moved to 12:30 and Bob swapped into the rotation, four weeks ahead."""
    new = edited(tmp_path, LUNCH, BOB)
    code, out, err = cli("diff", ACME, new, "--from", "2026-12-07")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[2:4] == [
        "Acme Plumbing & Heating (acme_plumbing, America/Chicago):",
        "  2 edits: window `lunch` (line 10) changes the script, the urgency and the route for calls "
        "12:00-12:30 and 13:00-13:30 on weekdays; a rotation of `plumbers` (line 25) changes who is called "
        "for emergency calls in 4 weeks (352 h in all).",
    ]
    assert len(lines) < 40  # the diff's 855 changes, as 14 lines of change under 2 edits
    assert (
        "  window `lunch` (line 10):\n"
        "      was: window lunch = mon-fri 12:00-13:00\n"
        "      now: window lunch = mon-fri 12:30-13:30\n"
        "    12:00-12:30 CST on 20 days from Mon 07 Dec to Fri 01 Jan (mon, tue, wed, thu, fri), 10 h in all\n"
        "      script: lunch (asks name, message) → intake (asks name, callback, type); "
        "for dialed not given or +13125550100 or any other (2 kinds of call)\n"
    ) in out
    assert (
        "  a rotation of `plumbers` (line 25):\n"
        "      was: rotation weekly from 2026-01-05 08:00 { alice, bob, carol }\n"
        "      now: rotation weekly from 2026-01-05 08:00 { bob, alice, carol }\n"
        "    08:00-17:00 CST on 9 days from Mon 07 Dec to Thu 31 Dec (mon, tue, wed, thu, fri), 81 h in all\n"
        "      route: put through; else escalate `emergency` (route rule 2, line 76): "
        "Alice Ng (on call for plumbers) → Bob Ortiz (on call for plumbers); for emergency calls (15 kinds of call)\n"
        f"      try: rules-engine decide {new} --client acme_plumbing --at 2026-12-07T08:00:00-06:00 "
        "--forwarded always --said flood\n"
    ) in out
    # The language of a class is a fact neither edit reads: English and Spanish callers are one line.
    assert "language" not in out


def test_json_keeps_every_change_and_groups_each_exactly_once(tmp_path, cli):
    new = edited(tmp_path, LUNCH, BOB)
    code, out, _ = cli("diff", ACME, new, "--from", "2026-12-07", "--json")
    assert code == 0
    data = json.loads(out)
    assert len(data["changes"]) > 500  # the full detail, as before
    assert data["edits"]["acme_plumbing"] == [
        {
            "lines": [10, 10],
            "old_lines": [10, 10],
            "statements": ["window `lunch`"],
            "text": ["    window lunch = mon-fri 12:30-13:30"],
            "old_text": ["    window lunch = mon-fri 12:00-13:00"],
            "reads": [],
        },
        {
            "lines": [25, 25],
            "old_lines": [25, 25],
            "statements": ["a rotation of `plumbers`"],
            "text": ["        rotation weekly from 2026-01-05 08:00 { bob, alice, carol }"],
            "old_text": ["        rotation weekly from 2026-01-05 08:00 { alice, bob, carol }"],
            "reads": [],
        },
    ]
    grouped = sorted(i for group in data["groups"] for i in group["changes"])
    assert grouped == list(range(len(data["changes"])))
    for group in data["groups"]:
        members = [data["changes"][i] for i in group["changes"]]
        assert {c["part"] for c in members} == {group["part"]}
        assert group["kinds"] == len({(tuple(c["forwarded"]), json.dumps(c["when"])) for c in members})
    rotation = [g for g in data["groups"] if g["edits"] == [1]]
    assert {g["part"] for g in rotation} == {"route"}
    assert data["summary"]["acme_plumbing"].startswith("2 edits: window `lunch` (line 10) changes the script")


def test_each_change_is_caused_by_its_edit_applied_alone():
    """The attribution is exact for every example: the edit alone changes that part, and an
    earlier edit alone does not."""
    old, _ = compile_file(ACME)
    text = ACME.read_text(encoding="utf-8")
    new, _ = compile_text(text.replace(*LUNCH).replace(*BOB), str(ACME))
    changes = diff_clients(old, new, date(2026, 12, 7), 14)
    found = digest(old, new, changes)
    versions = [alone(old, edit) for edit in found.edits]
    plans = [ClientPlan.of(version) for version in versions if version is not None]
    assert len(plans) == len(found.edits)
    before_plan = ClientPlan.of(old)
    for group in found.groups:
        (cause,) = group.edits
        for change in group.changes[:: max(1, len(group.changes) // 25)]:
            live = WITH_STATUS if change.status else EMPTY
            before = Decider(before_plan, change.example, live).decision()
            for i, plan in enumerate(plans[: cause + 1]):
                after = Decider(plan, change.example, live).decision()
                assert same(before, after, change.part) is (i != cause)


SMALL = """client small "Small" {
    timezone "UTC"
    # people
    contact desk "Desk" { call "+13125550999" }
    greeting engaged when forwarded busy or forwarded no_answer { en "We are on another call." }
    greeting default { en "Hello." }
    list vip = "+17735550199"
    route { otherwise -> patch desk }
}
"""


def test_classes_the_edit_reads_stay_apart_and_edits_without_effect_are_named(tmp_path, cli):
    old = tmp_path / "old.rules"
    new = tmp_path / "new.rules"
    old.write_text(SMALL, encoding="utf-8")
    new.write_text(
        SMALL.replace("# people", "# who answers")
        .replace("forwarded busy or forwarded no_answer", "forwarded manual")
        .replace('    list vip = "+17735550199"\n', ""),
        encoding="utf-8",
    )
    code, out, _ = cli("diff", old, new, "--from", "2026-12-07", "--days", "1")
    assert code == 0
    assert out.splitlines()[3] == (
        "  3 edits: greeting `engaged` (line 5) changes the greeting all day on mon; "
        "comments or blank lines (line 3) and list `vip` (deleted at line 7) change no call."
    )
    # `forwarded` is read by the edited greeting: busy and no_answer stay two lines, though alike.
    assert (
        '      greeting: default "Hello." → engaged "We are on another call."; for forwarded manual\n'
        '      greeting: engaged "We are on another call." → default "Hello."; for forwarded busy\n'
        '      greeting: engaged "We are on another call." → default "Hello."; for forwarded no_answer\n'
    ) in out


def test_an_edit_names_the_statements_and_the_facts_they_read():
    old, _ = compile_file(ACME)
    text = ACME.read_text(encoding="utf-8")
    new, _ = compile_text(
        text.replace("routine   otherwise", "routine   otherwise  # the rest").replace(
            "when type is billing ", "when type is billing and caller in vip "
        ),
        str(ACME),
    )
    first, second = edits_between(old, new)
    assert (first.statements, first.reads, first.label()) == (
        ("urgency `routine` rule",),
        frozenset(),
        "urgency `routine` rule (line 71)",
    )
    assert second.statements == ("route rule 5",)
    assert second.reads == frozenset({"answers.type", "caller"})
