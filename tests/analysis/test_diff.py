"""`rules-engine diff`: exact both ways on random edits of the example clients, and nothing for a tidy-up."""

from __future__ import annotations

import json
import random
import re
import shutil
from datetime import date, timedelta
from itertools import pairwise

import pytest

from rules_engine.analysis.classes import Dims
from rules_engine.analysis.diff import Change, changes_between, diff_clients, span_of
from rules_engine.analysis.explore import WITH_STATUS
from rules_engine.analysis.parts import PARTS, same, shown
from rules_engine.compiler.compile import compile_file, compile_text
from rules_engine.decide import ClientPlan, Decider
from rules_engine.decide.call import Call
from rules_engine.live import EMPTY
from rules_engine.model import FORWARDING_REASONS
from tests.support import ACME, CLIENTS, CONFIGS

FIRST = date(2026, 12, 14)  # three weeks with holidays and the example clients' Christmas closures
DAYS = 21
CALLS = 400  # random calls per edited client: 6,400 over the sixteen edits


# ---- random edits of the example clients, as an account manager would make them -----------------


def move_a_window_edge(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    candidates = [
        i for i, line in enumerate(lines) if line.lstrip().startswith("window") and re.search(r"\d\d:\d\d", line)
    ]
    i = rng.choice(candidates)
    times = list(re.finditer(r"(\d\d):(\d\d)", lines[i]))
    hit = rng.choice(times)
    minutes = (int(hit.group(1)) * 60 + int(hit.group(2)) + rng.choice((-60, -30, 30, 60))) % 1440 or 30
    lines[i] = lines[i][: hit.start()] + f"{minutes // 60:02d}:{minutes % 60:02d}" + lines[i][hit.end() :]
    return "\n".join(lines) + "\n"


def reorder_two_route_rules(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    rules = [i for i, line in enumerate(lines) if re.match(r"\s*when .*->", line)]
    pairs = [(a, b) for a, b in pairwise(rules) if b == a + 1]
    a, b = rng.choice(pairs)
    lines[a], lines[b] = lines[b], lines[a]
    return "\n".join(lines) + "\n"


def swap_rotation_members(text: str, rng: random.Random) -> str:
    """Two members of a rotation swapped; for a client without one, two people of an escalation step."""
    found = [m for m in re.finditer(r"(rotation [^{]*\{)([^}]*)\}", text) if "," in m.group(2)]
    if not found:
        found = list(re.finditer(r"step ((?:call|sms|email) \w+, (?:call|sms|email) \w+)", text))
    hit = rng.choice(found)
    members = [name.strip() for name in hit.group(hit.lastindex).split(",")]
    i = rng.randrange(len(members) - 1)
    members[i], members[i + 1] = members[i + 1], members[i]
    return text[: hit.start(hit.lastindex)] + ", ".join(members) + text[hit.end(hit.lastindex) :]


def change_a_greeting_condition(text: str, rng: random.Random) -> str:
    found = list(re.finditer(r"(greeting \w+(?: \"[^\"]*\")?\s+when )([^{]*?)(\s*\{)", text))
    hit = rng.choice(found)
    condition = rng.choice(
        (f"({hit.group(2)}) and not holiday", f"({hit.group(2)}) or closed", f"({hit.group(2)}) and not forwarded busy")
    )
    return text[: hit.start(2)] + condition + text[hit.end(2) :]


def limit_a_window_to_part_of_the_year(text: str, rng: random.Random) -> str:
    """A window that now holds only from a date to a date (`during`), both within the span or the
    second in the new year, so that the diff must cut at local midnights."""
    found = list(re.finditer(r"^(\s*window \w+\s*=\s*)([^#\n]*?)(\s*(#.*)?)$", text, re.M))
    hit = rng.choice(found)
    first, last = rng.randint(14, 31), rng.choice(("dec 24", "dec 31", "jan 1", "jan 3"))
    condition = f"({hit.group(2)}) and during dec {first} to {last}"
    return text[: hit.start(2)] + condition + text[hit.end(2) :]


EDITS = (
    move_a_window_edge,
    reorder_two_route_rules,
    swap_rotation_members,
    change_a_greeting_condition,
    limit_a_window_to_part_of_the_year,
)


def edited(name: str, edit, old) -> tuple[object, list[Change]]:
    """A random edit of an example client and the diff it makes: one that changes some call
    in the span if one of twenty tries does (an edit may also break the file, or touch a
    window no rule reads: then another is tried)."""
    text = (CONFIGS / f"{name}.rules").read_text(encoding="utf-8")
    rng = random.Random(f"{name} {edit.__name__}")
    found = None
    for _ in range(20):
        try:
            client, _ = compile_text(edit(text, rng), f"{name}.rules")
        except Exception:
            continue
        found = client, diff_clients(old, client, FIRST, DAYS)
        if found[1]:
            break
    if found is None:
        pytest.skip(f"no compiling {edit.__name__} of {name}")
    return found


def random_call(client, dims: Dims, at, rng: random.Random) -> tuple[Call, bool]:
    numbers = [n.value for lst in client.lists.values() for n in lst.numbers] + ["+15550001111", None]
    fields = {
        step.field: [c.value for c in step.choices or ()]
        for script in client.scripts.values()
        for step in script.steps
        if hasattr(step, "field")
    }
    number_answers = {  # fields asked as a number: numbers on, beside and between the ones the rules name
        step.field: [str(n) for n in (-20, 0, 32, 50, 90, 95, 100, 103.5, 104, 104.5, 110, 120)]
        for script in client.scripts.values()
        for step in script.steps
        if getattr(step, "number", None) is not None
    }
    answers = {
        field: rng.choice(number_answers.get(field) or [*choices, "Fever", "something"])
        for field, choices in fields.items()
        if rng.random() < 0.5
    }
    phrases = [p for name in dims.order if name == "said" for value in dims["said"].values for p in value.label]
    said = rng.choice([None, "", "nothing much", *phrases, " / ".join(phrases[:2]) or None])
    call = Call(
        client=client.id,
        at=at,
        forwarded=rng.choice(FORWARDING_REASONS),
        caller=rng.choice(numbers),
        number=rng.choice([None] + [n.value for n in client.numbers]),
        language=rng.choice([None, "xx"] + [n.value for n in client.languages]),
        answers=answers,
        said=said,
    )
    return call, rng.random() < 0.25


def covered(change: Change, dims: Dims, call: Call, status: bool, part: str) -> bool:
    if change.part != part or not change.start <= call.at < change.end or call.forwarded not in change.forwarded:
        return False
    point = dims.classify(call, status)
    fixed = {
        name: point[name]
        for name in dims.order
        if name != "forwarded"
        and (
            name.partition(".")[2] in change.when.get("answers", {})
            if name.startswith("answers.")
            else name in change.when
        )
    }
    return dims.when(fixed) == change.when


@pytest.mark.parametrize("edit", EDITS, ids=lambda e: e.__name__)
@pytest.mark.parametrize("name", CLIENTS)
def test_examples_reproduce_and_random_calls_never_differ_outside_the_changes(name, edit):
    old, _ = compile_file(CONFIGS / f"{name}.rules")
    new, changes = edited(name, edit, old)
    plans = ClientPlan.of(old), ClientPlan.of(new)  # each version planned once, as a server would

    def decided(version: int, call: Call, live):
        return Decider(plans[version], call, live).decision()

    for change in changes:  # every example decides differently, and as the change says
        live = WITH_STATUS if change.status else EMPTY
        before, after = decided(0, change.example, live), decided(1, change.example, live)
        assert not same(before, after, change.part)
        assert (shown(before, change.part), shown(after, change.part)) == (change.old, change.new)
    dims = Dims([old, new])
    start, end = span_of(new, FIRST, DAYS)
    rng = random.Random(f"{name} {edit.__name__} calls")
    for _ in range(CALLS):
        at = (start + (end - start) * rng.random()).replace(microsecond=0)
        call, status = random_call(new, dims, at, rng)
        live = WITH_STATUS if status else EMPTY
        before, after = decided(0, call, live), decided(1, call, live)
        for part in PARTS:
            if part == "script" and call.answers:
                continue  # a script shows the answers a call carries: compared on calls without (see docs)
            if not same(before, after, part):
                assert any(covered(c, dims, call, status, part) for c in changes), (part, call, status)


def tidied(text: str) -> str:
    """The same rules, reformatted, re-commented and with definitions reordered."""
    lines = [line.strip() for line in text.splitlines() if not line.strip().startswith("#")]
    contacts = [line for line in lines if line.startswith("contact ")]
    rest = [line for line in lines if not line.startswith("contact ")]
    at = rest.index(next(line for line in rest if line.startswith("oncall ")))
    rest[at:at] = ["# people, in another order", *contacts[::-1]]
    return "\n".join("  " + line if line else line for line in rest).replace(" -> ", "   ->   ") + "\n"


def test_a_tidied_file_gives_no_change_even_when_analysed_in_full():
    old, _ = compile_file(ACME)
    new, _ = compile_text(tidied(ACME.read_text(encoding="utf-8")), "tidied.rules")
    assert new.rules_version != old.rules_version
    assert diff_clients(old, new, FIRST, 90) == []
    assert changes_between(old, new, *span_of(new, FIRST, 28)) == []  # the same, without the short cut


def test_cli_text_says_no_change_for_a_tidied_file(tmp_path, cli):
    tidy = tmp_path / "acme.rules"
    tidy.write_text(tidied(ACME.read_text(encoding="utf-8")), encoding="utf-8")
    assert cli("diff", ACME, tidy, "--from", "2026-12-02") == (
        0,
        (
            f"rules-engine diff {ACME} → {tidy}, 28 days from Wed 2026-12-02\n\n"
            "Acme Plumbing & Heating (acme_plumbing, America/Chicago): no change\n"
        ),
        "",
    )


def lunch_moved(tmp_path):
    path = tmp_path / "acme_plumbing.rules"
    path.write_text(
        ACME.read_text(encoding="utf-8").replace(
            "window lunch = mon-fri 12:00-13:00", "window lunch = mon-fri 12:30-13:30"
        ),
        encoding="utf-8",
    )
    return path


def test_json_lists_each_change_with_an_example_call(tmp_path, cli):
    new = lunch_moved(tmp_path)
    code, out, _ = cli("diff", ACME, new, "--from", "2026-12-07", "--days", "1", "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["from"], data["days"], data["added"], data["removed"]) == ("2026-12-07", 1, [], [])
    script = [c for c in data["changes"] if c["part"] == "script" and c["from"].endswith("12:00:00-06:00")]
    assert script[0] == {
        "client": "acme_plumbing",
        "from": "2026-12-07T12:00:00-06:00",
        "to": "2026-12-07T12:30:00-06:00",
        "forwarded": list(FORWARDING_REASONS),
        "when": {"language": ["not given", "en", "any other"], "dialed": ["not given", "+13125550100", "any other"]},
        "part": "script",
        "old": script[0]["old"],
        "new": script[0]["new"],
        "example": {"client": "acme_plumbing", "at": "2026-12-07T12:00:00-06:00", "forwarded": "always"},
    }
    assert (script[0]["old"]["id"], script[0]["new"]["id"]) == ("lunch", "intake")
    assert {c["from"][11:16] for c in data["changes"]} == {"12:00", "13:00"}
    assert {c["to"][11:16] for c in data["changes"]} == {"12:30", "13:30"}


def test_cli_text_names_what_changes_when_and_how_to_see_it(tmp_path, cli):
    new = lunch_moved(tmp_path)
    code, out, _ = cli("diff", ACME, new, "--from", "2026-12-07", "--days", "14")
    assert code == 0
    assert (
        "    12:00-12:30 CST on 10 days from Mon 07 Dec to Fri 18 Dec (mon, tue, wed, thu, fri), 5 h in all\n"
        "      script: lunch (asks name, message) → intake (asks name, callback, type); "
        "for dialed not given or +13125550100 or any other (2 kinds of call)\n"
        "      urgency: routine → not known yet; for caller not given or any other, dialed not given or "
        "+13125550100 or any other, type not given, said nothing a rule looks for\n"
    ) in out
    assert (
        "      route: take a message for text Alice Ng (route rule 3, line 77) → not decided yet (waits for type); "
        "for forwarded manual, status set, dialed not given or +13125550100 or any other, type not given, "
        "said nothing a rule looks for (2 kinds of call)\n"
        f"      try: rules-engine decide {new} --client acme_plumbing --at 2026-12-07T12:00:00-06:00 --forwarded always\n"
    ) in out


def test_directories_list_clients_added_and_removed(tmp_path, cli):
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(CONFIGS, old)
    shutil.copytree(CONFIGS, new)
    (new / "hale_law.rules").unlink()
    (new / "tiny.rules").write_text(
        'client tiny "Tiny" { timezone "UTC" contact desk "Desk" { call "+13125550999" } '
        'greeting default { en "Hi" } route { otherwise -> patch desk } }\n'
    )
    code, out, _ = cli("diff", old, new, "--from", "2026-12-02", "--days", "7", "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["added"], data["removed"], data["changes"]) == (["tiny"], ["hale_law"], [])


def test_a_version_that_does_not_compile_is_named_and_nothing_is_compared(tmp_path, cli):
    broken = tmp_path / "acme.rules"
    broken.write_text(ACME.read_text(encoding="utf-8").replace("patch office", "patch ofice"), encoding="utf-8")
    code, out, err = cli("diff", ACME, broken)
    assert (code, out) == (1, "")
    assert f"{broken}:76:" in err and "unknown contact `ofice`" in err
    assert err.endswith("rules-engine diff: both versions must compile to be compared\n")


def test_usage_errors(tmp_path, cli):
    assert cli("diff", ACME, ACME, "--days", "0") == (2, "", "--days: error: give 1 to 366 days\n")
    assert cli("diff", CONFIGS, CONFIGS, "--client", "acme_plumbin") == (
        1,
        "",
        "--client: error: no client `acme_plumbin` in either version\n  hint: did you mean `acme_plumbing`?\n",
    )
    code, _, err = cli("diff", tmp_path / "gone", ACME)
    assert code == 1 and f"{tmp_path / 'gone'}: error: no such file or directory" in err


def test_the_span_is_whole_local_days_across_a_dst_change():
    old, _ = compile_file(ACME)
    start, end = span_of(old, date(2026, 10, 31), 2)
    assert (start.isoformat(), end.isoformat()) == ("2026-10-31T05:00:00+00:00", "2026-11-02T06:00:00+00:00")
    assert end - start == timedelta(hours=49)
