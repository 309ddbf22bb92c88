"""`rules-engine explain`: a logged decision, read back from the decision log alone, shows as
`decide` showed it when the call came: with the rules as they were written then, which the
log keeps, even after the file has changed; without them, rules are named by their line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.runtime.decision_log_file import FileDecisionLog, script_steps
from rules_engine.runtime.decision_record import with_steps
from tests.support import ACME, DESK_ONLY, client_text

SPEC_CALL = dict(
    client="acme_plumbing", at="2026-11-28T23:15:00-06:00", forwarded="busy", answers={"type": "burst_pipe"}
)
SPEC_DECIDE = [
    "decide",
    ACME,
    "--client",
    "acme_plumbing",
    "--at",
    "2026-11-28T23:15",
    "--forwarded",
    "busy",
    "--answer",
    "type=burst_pipe",
]


def logged(tmp_path: Path, engine: Engine, call: dict, call_id: str = "sip-4711") -> tuple[Path, dict]:
    """A decision log holding the decision for `call`, and that record as written."""
    path = tmp_path / "decisions.jsonl"
    log = FileDecisionLog(path)
    log.write(Call(**call), engine.decide(Call(**call)), call_id=call_id)
    log.close()
    return path, json.loads(path.read_text(encoding="utf-8"))


def test_explain_shows_which_call_and_when_then_the_decision_and_the_lines_that_decided(tmp_path, cli):
    # the answer `name` needs a script that asks it: one, after the rules the output names by line
    rules = client_text("desk_only", "Desk Only, good day").replace(
        "\n}\n", '\n    script intake { ask name "May I have your name?" }\n    choose script intake otherwise\n}\n'
    )
    (tmp_path / "desk_only.rules").write_text(rules, encoding="utf-8")
    engine = Engine(tmp_path)
    path, record = logged(
        tmp_path,
        engine,
        dict(
            client="desk_only",
            at="2026-07-07T09:30:00-05:00",
            forwarded="user-busy",
            caller="+13125550177",
            answers={"name": "Sam"},
        ),
    )
    version = engine.client("desk_only").rules_version
    assert cli("explain", path, "--call-id", "sip-4711") == (
        0,
        f"""\
Call sip-4711, decided {record["logged_at"]}
Rules:     the text of rules version {version} is not kept with this log: rules are named by their line
desk_only, rules version {engine.client("desk_only").rules_version}
Call:      Tue 07 Jul 2026 09:30 (UTC-05:00)
           forwarded busy, caller +13125550177, language not given
           name = Sam
Windows:   none of the named windows holds

GREETING  default, in en
  "Desk Only, good day"
  decided by line 6

SCRIPT    intake
  chosen by line 9
  1. ask name: "May I have your name?"
       already answered: Sam

ROUTE     rule 1 of `route`
  decided by line 7
  1. put the caller through to Front desk (desk) at +13125550999
""",
        "",
    )


def test_explain_reads_as_decide_did_but_for_what_only_the_rule_file_says(tmp_path, cli, engine):
    path, _ = logged(tmp_path, engine, SPEC_CALL)
    decided = cli(*SPEC_DECIDE).out
    code, explained, _ = cli("explain", path, "--call-id", "sip-4711")
    assert code == 0
    heading, kept, rest = explained.split("\n", 2)
    assert heading.startswith("Call sip-4711, decided ")
    assert kept.startswith("Rules:     the text of rules version ") and kept.endswith(
        " is not kept with this log: rules are named by their line"
    )
    # The log has no title, no zone name and no rule text: the rules are named by their line.
    from_the_log = decided.replace("Acme Plumbing & Heating (acme_plumbing)", "acme_plumbing")
    from_the_log = from_the_log.replace(" CST (UTC-06:00, America/Chicago)", " (UTC-06:00)")
    from_the_log = re.sub(r"\(line (\d+): .*\)$", r"(line \1)", from_the_log, flags=re.M)
    from_the_log = re.sub(r"line (\d+): .*$", r"line \1", from_the_log, flags=re.M)
    assert from_the_log != decided and "\n  decided by line 75\n" in from_the_log
    assert rest == from_the_log


def test_explain_shows_what_the_agent_noted(tmp_path, cli, engine):
    path, _ = logged(tmp_path, engine, dict(SPEC_CALL, answers={}, said="Water is flooding the basement"))
    out = cli("explain", path, "--call-id", "sip-4711").out
    assert out.splitlines()[1] == 'Said:      "Water is flooding the basement"'
    assert "\nURGENCY   emergency\n  decided by line 69\n" in out


def test_explain_of_an_unknown_call_id_says_so(tmp_path, cli, engine):
    path, _ = logged(tmp_path, engine, SPEC_CALL)
    assert cli("explain", path, "--call-id", "sip-4712") == (
        1,
        "",
        (
            f"{path}: error: no decision is logged under call id `sip-4712`\n"
            "  hint: the engine logs each decision under the call id it was given, or a random one it returns\n"
        ),
    )


def test_explain_of_a_log_that_cannot_be_read_says_why(tmp_path, cli):
    missing = tmp_path / "decisions.jsonl"
    assert cli("explain", missing, "--call-id", "sip-4711") == (
        1,
        "",
        f"{missing}: error: cannot read the decision log: No such file or directory\n",
    )


def test_explain_json_prints_the_record_as_logged(tmp_path, cli, engine):
    path, record = logged(tmp_path, engine, SPEC_CALL)
    code, out, _ = cli("explain", path, "--call-id", "sip-4711", "--json")
    assert code == 0 and json.loads(out) == record


# ---- the rules as they were ---------------------------------------------------------------------

DESK_CALL = dict(client="desk_only", at="2026-07-07T09:30:00+01:00", forwarded="user-busy", caller="+447700900123")
DESK_DECIDE = [
    "--client",
    "desk_only",
    "--at",
    "2026-07-07T09:30:00+01:00",
    "--forwarded",
    "user-busy",
    "--caller",
    "+447700900123",
]
# The same client a week later: a line added above the route, which now goes to voicemail.
DESK_LATER = DESK_ONLY.replace(
    "    route { otherwise -> patch desk }   # everyone to the desk\n",
    "    window lunch = mon-fri 12:00-13:00\n    route { otherwise -> voicemail }\n",
)


@pytest.fixture
def daemon_log(tmp_path) -> Path:
    """A daemon's log with one call, sip-4711, decided by the first version of desk_only.rules."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "desk_only.rules").write_text(DESK_ONLY, encoding="utf-8")
    with Engine.from_settings(rules=tmp_path / "rules", decision_log=tmp_path / "decisions.jsonl") as engine:
        engine.decide(Call(**DESK_CALL), call_id="sip-4711")
    return tmp_path / "decisions.jsonl"


def test_with_the_rules_kept_explain_reads_exactly_as_decide_did(daemon_log, cli):
    rules = daemon_log.parent / "rules" / "desk_only.rules"
    decided = cli("decide", rules, *DESK_DECIDE).out
    [record] = [json.loads(line) for line in daemon_log.read_text().splitlines()]
    assert cli("explain", daemon_log, "--call-id", "sip-4711") == (
        0,
        (f"Call sip-4711, decided {record['logged_at']}\nRules:     as written in {rules} when the call came\n")
        + decided,
        "",
    )
    assert "  decided by line 7: route { otherwise -> patch desk }\n" in decided


def test_after_the_file_changed_explain_quotes_the_version_that_decided_and_says_so(daemon_log, cli):
    """Issue 14, failure 7: the rules were read as they are now, naming the wrong rule text."""
    rules = daemon_log.parent / "rules" / "desk_only.rules"
    rules.write_text(DESK_LATER, encoding="utf-8")
    now = Engine(rules.parent).client("desk_only").rules_version
    out = cli("explain", daemon_log, "--call-id", "sip-4711").out
    assert out.splitlines()[1:3] == [
        f"Rules:     as written in {rules} when the call came",
        f"           (the file has changed since: it is rules version {now} now; the lines quoted are as they were)",
    ]
    assert "  decided by line 7: route { otherwise -> patch desk }\n" in out
    assert "voicemail" not in out and "lunch" not in out


def test_a_deleted_rule_file_is_quoted_as_it_was(daemon_log, cli):
    (daemon_log.parent / "rules" / "desk_only.rules").unlink()
    out = cli("explain", daemon_log, "--call-id", "sip-4711").out
    assert out.splitlines()[2] == "           (the file is not there now; the lines quoted are as they were)"
    assert '  decided by line 6: greeting default { en "Desk Only, good day" }\n' in out


def test_the_log_may_be_given_as_an_option(daemon_log, cli):
    assert (
        cli("explain", "--log", daemon_log, "--call-id", "sip-4711").out
        == cli("explain", daemon_log, "--call-id", "sip-4711").out
    )


def test_the_log_is_given_once(daemon_log, cli):
    told = "rules-engine explain: error: give the decision log once: a file, or --log postgresql://…\n"
    assert cli("explain", "--call-id", "x") == (2, "", told)
    assert cli("explain", daemon_log, "--log", daemon_log, "--call-id", "x") == (2, "", told)


def test_compressed_rotated_files_are_not_searched_and_explain_says_so(daemon_log, cli):
    (daemon_log.parent / "decisions.jsonl-20261101.gz").write_bytes(b"\x1f\x8b")
    assert cli("explain", daemon_log, "--call-id", "sip-0001") == (
        1,
        "",
        (
            f"{daemon_log}: error: no decision is logged under call id `sip-0001`\n"
            "  hint: the engine logs each decision under the call id it was given, or a random one it returns; "
            "1 compressed file(s) of this log were not searched (such as decisions.jsonl-20261101.gz): "
            "uncompress them beside it to search them\n"
        ),
    )


def test_records_written_before_the_compact_record_still_show(tmp_path, cli, engine):
    """Once a record held its script's steps in full, and its trace as objects."""
    path, record = logged(tmp_path, engine, SPEC_CALL)
    record["decision"] = with_steps(record["decision"], lambda ref: script_steps(path, ref))
    assert record["decision"]["script"]["steps"][0]["text"] == "May I have your name?"
    record["trace"] = [
        dict(zip(("section", "rule", "line", "result", "note"), entry, strict=False)) for entry in record["trace"]
    ]
    (tmp_path / "old.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert (
        cli("explain", tmp_path / "old.jsonl", "--call-id", "sip-4711").out
        == cli("explain", path, "--call-id", "sip-4711").out
    )
