"""`rules-engine explain`: a logged decision, read back from the decision log alone, shows as
`decide` showed it when the call came, but for what only the rule file says."""

from __future__ import annotations

import json
import re
from pathlib import Path

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.serve.decision_log import DecisionLog
from tests.support import ACME, client_text

SPEC_CALL = dict(client="acme_plumbing", at="2026-11-28T23:15:00-06:00", forwarded="busy",
                 answers={"type": "burst_pipe"})
SPEC_DECIDE = ["decide", ACME, "--client", "acme_plumbing", "--at", "2026-11-28T23:15", "--forwarded", "busy",
               "--answer", "type=burst_pipe"]


def logged(tmp_path: Path, engine: Engine, call: dict, call_id: str = "sip-4711") -> tuple[Path, dict]:
    """A decision log holding the decision for `call`, and that record as written."""
    path = tmp_path / "decisions.jsonl"
    log = DecisionLog(path)
    log.write(Call(**call), engine.decide(Call(**call)), call_id=call_id)
    log.close()
    return path, json.loads(path.read_text(encoding="utf-8"))


def test_explain_shows_which_call_and_when_then_the_decision_and_the_lines_that_decided(tmp_path, cli):
    (tmp_path / "desk_only.rules").write_text(client_text("desk_only", "Desk Only, good day"), encoding="utf-8")
    engine = Engine(tmp_path)
    path, record = logged(tmp_path, engine, dict(client="desk_only", at="2026-07-07T09:30:00-05:00",
                                                 forwarded="user-busy", caller="+13125550177", answers={"name": "Sam"}))
    assert cli("explain", path, "--call-id", "sip-4711") == (0, f"""\
Call sip-4711, decided {record["logged_at"]}
desk_only, rules version {engine.client("desk_only").rules_version}
Call:      Tue 07 Jul 2026 09:30 (UTC-05:00)
           forwarded busy, caller +13125550177, language not given
           name = Sam
Windows:   none of the named windows holds

GREETING  default, in en
  "Desk Only, good day"
  decided by line 6

SCRIPT    none

ROUTE     rule 1 of `route`
  decided by line 7
  1. put the caller through to Front desk (desk) at +13125550999
""", "")


def test_explain_reads_as_decide_did_but_for_what_only_the_rule_file_says(tmp_path, cli, engine):
    path, _ = logged(tmp_path, engine, SPEC_CALL)
    decided = cli(*SPEC_DECIDE).out
    code, explained, _ = cli("explain", path, "--call-id", "sip-4711")
    assert code == 0
    heading, rest = explained.split("\n", 1)
    assert heading.startswith("Call sip-4711, decided ")
    # The log has no title, no zone name and no rule text: the rules are named by their line.
    from_the_log = decided.replace("Acme Plumbing & Heating (acme_plumbing)", "acme_plumbing")
    from_the_log = from_the_log.replace(" CST (UTC-06:00, America/Chicago)", " (UTC-06:00)")
    from_the_log = re.sub(r"\(line (\d+): .*\)$", r"(line \1)", from_the_log, flags=re.M)
    from_the_log = re.sub(r"line (\d+): .*$", r"line \1", from_the_log, flags=re.M)
    assert from_the_log != decided and "\n  decided by line 72\n" in from_the_log
    assert rest == from_the_log


def test_explain_shows_what_the_agent_noted(tmp_path, cli, engine):
    path, _ = logged(tmp_path, engine, dict(SPEC_CALL, answers={}, said="Water is flooding the basement"))
    out = cli("explain", path, "--call-id", "sip-4711").out
    assert out.splitlines()[1] == 'Said:      "Water is flooding the basement"'
    assert "\nURGENCY   emergency\n  decided by line 66\n" in out


def test_explain_of_an_unknown_call_id_says_so(tmp_path, cli, engine):
    path, _ = logged(tmp_path, engine, SPEC_CALL)
    assert cli("explain", path, "--call-id", "sip-4712") == (1, "", (
        f"{path}: error: no decision is logged under call id `sip-4712`\n"
        "  hint: the engine logs each decision under the call id it was given, or a random one it returns\n"))


def test_explain_of_a_log_that_cannot_be_read_says_why(tmp_path, cli):
    missing = tmp_path / "decisions.jsonl"
    assert cli("explain", missing, "--call-id", "sip-4711") == (
        1, "", f"{missing}: error: cannot read the decision log: No such file or directory\n")


def test_explain_json_prints_the_record_as_logged(tmp_path, cli, engine):
    path, record = logged(tmp_path, engine, SPEC_CALL)
    code, out, _ = cli("explain", path, "--call-id", "sip-4711", "--json")
    assert code == 0 and json.loads(out) == record
