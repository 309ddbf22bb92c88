"""`rules-engine decide`: the readable report, `--json`, and errors in the diagnostics format."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from rules_engine.decide.call import Call

ACME = "client_configs/acme_plumbing.rules"  # as an account manager types it, from the project root
SPEC_CALL = [
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


def test_json_is_the_api_decision(cli, engine):
    code, out, err = cli(*SPEC_CALL, "--json")
    assert code == 0 and err == ""
    at = datetime(2026, 11, 28, 23, 15, tzinfo=ZoneInfo("America/Chicago"))
    expected = engine.decide(Call(client="acme_plumbing", at=at, forwarded="busy", answers={"type": "burst_pipe"}))
    assert json.loads(out) == json.loads(expected.to_json())


def test_the_spec_call_reads_in_full(cli, engine):
    """The whole report for the README's demo call, as an account manager reads it."""
    version = engine.client("acme_plumbing").rules_version
    assert cli(*SPEC_CALL) == (
        0,
        f"""\
Acme Plumbing & Heating (acme_plumbing), rules version {version}
Call:      Sat 28 Nov 2026 23:15 CST (UTC-06:00, America/Chicago)
           forwarded busy, caller not given, language not given
           type = burst_pipe
Windows:   night

GREETING  after_hours, in en
  "Thank you for calling Acme Plumbing. Our office is closed; I can take a message or reach the plumber on call for emergencies."
  decided by line 43: greeting after_hours when not open or holiday or closed {{
    after these did not hold: line 39 (busy)

SCRIPT    intake
  chosen by line 65: choose script intake otherwise
    after these did not hold: line 64 (lunch)
  1. ask name (required): "May I have your name?"
  2. ask callback (required; a phone number): "What is the best number to reach you?"
  3. ask address: "What is the service address?"
  4. ask type (required; one of burst_pipe, no_heat, gas_smell, estimate, billing, other): "What is the problem?"
       already answered: burst_pipe
  5. say: "Thank you, {{answer.name}}. I will pass this on right away."

URGENCY   emergency
  decided by line 69: emergency when type in (burst_pipe, gas_smell) or said ("flood", "gas leak")

ROUTE     rule 1 of `route`
  decided by line 75: when urgency is emergency and (not open or holiday or closed) -> escalate emergency
  1. escalate `emergency`, up to 2 rounds:
       step 1: call Bob Ortiz (bob, on call for plumbers) at +13125550112; then wait 5 min for an answer
       step 2: text Bob Ortiz (bob, on call for plumbers) at +13125550112; call Bob Ortiz (bob) at +13125550112; \
then wait 10 min for an answer
       if nobody answers: take a message (priority high), deliver by email to Front desk (office) at \
office@acme.example; by text to Bob Ortiz (bob) at +13125550112
  on call: plumbers: Bob Ortiz (bob) is on call, by rotation (line 26: rotation daily  from 2026-01-03 12:00 \
{{ carol, bob }} only sat-sun)
""",
        "",
    )


def test_readable_report_reads_top_to_bottom(cli):
    code, out, _ = cli(*SPEC_CALL)
    assert code == 0
    lines = out.splitlines()
    # the local time and windows, the greeting as said, the script, urgency, route, each with its rule line
    order = [
        "Sat 28 Nov 2026 23:15 CST",
        "Windows:   night",
        '"Thank you for calling Acme Plumbing. Our office is closed; I can take a message or reach the plumber '
        'on call for emergencies."',
        "decided by line 43: greeting after_hours when not open or holiday or closed {",
        "SCRIPT    intake",
        "URGENCY   emergency",
        "decided by line 69: emergency when type in",
        "ROUTE     rule 1 of `route`",
        "decided by line 75: when urgency is emergency and (not open or holiday or closed) -> escalate emergency",
        "step 1: call Bob Ortiz (bob, on call for plumbers) at +13125550112; then wait 5 min for an answer",
        "if nobody answers: take a message (priority high)",
    ]
    positions = [next(i for i, line in enumerate(lines) if text in line) for text in order]
    assert positions == sorted(positions)


def test_route_waiting_for_answers_says_what_to_ask(cli):
    code, out, _ = cli(
        "decide",
        ACME,
        "--client",
        "acme_plumbing",
        "--at",
        "2026-11-23T10:00",
        "--forwarded",
        "user-busy",
        "--agent",
        "Dana",
    )
    assert code == 0
    assert "ROUTE     not decided yet: ask type first" in out
    assert '"Acme Plumbing, this is Dana. The team is with another customer; how can I help?"' in out


def test_status_option_and_its_end(cli):
    args = [
        "decide",
        ACME,
        "--client",
        "acme_plumbing",
        "--at",
        "2026-11-23T10:00",
        "--forwarded",
        "manual",
        "--status",
        "In court",
        "--json",
    ]
    _, out, _ = cli(*args, "--status-until", "2026-11-23T11:00")
    assert json.loads(out)["greeting"]["id"] == "away"
    _, out, _ = cli(*args, "--status-until", "2026-11-23T09:00")
    assert json.loads(out)["greeting"]["id"] == "default"


def test_number_instead_of_client(cli):
    code, out, _ = cli("decide", ACME, "--number", "+13125550101", "--at", "2026-11-24T12:30", "--json")
    assert code == 0 and json.loads(out)["script"]["id"] == "intake"


def test_unknown_client_is_an_error_with_a_hint(cli):
    code, out, err = cli("decide", ACME, "--client", "acme_plumbin", "--at", "2026-11-23T10:00")
    assert code == 1 and out == ""
    assert err.splitlines() == [
        f"{ACME}: error: no client `acme_plumbin` is served",
        "  hint: did you mean `acme_plumbing`?",
    ]


def test_an_unreadable_datetime_is_a_usage_error_and_a_bad_reason_an_input_error(cli):
    code, _, err = cli("decide", ACME, "--client", "acme_plumbing", "--at", "tomorrow")
    assert code == 2 and err.startswith("--at: error: `tomorrow` is not an ISO 8601 date-time")
    code, _, err = cli(
        "decide", ACME, "--client", "acme_plumbing", "--at", "2026-11-23T10:00", "--forwarded", "sideways"
    )
    assert code == 1 and err.startswith("--forwarded: error: unknown forwarding reason `sideways`")


@pytest.mark.parametrize(
    "argv",
    [
        ["decide", ACME, "--at", "2026-11-23T10:00"],  # neither --client nor --number
        ["decide", ACME, "--client", "acme_plumbing", "--number", "+13125550100", "--at", "2026-11-23T10:00"],
        ["decide", ACME, "--client", "acme_plumbing", "--at", "2026-11-23T10:00", "--answer", "burst_pipe"],
        ["decide", ACME, "--client", "acme_plumbing", "--at", "2026-11-23T10:00", "--status-until", "2026-11-23T11:00"],
    ],
)
def test_usage_errors_exit_2(argv, cli):
    code, _, err = cli(*argv)
    assert code == 2
    assert "error" in err


def test_a_broken_rule_file_is_reported(tmp_path, cli):
    broken = tmp_path / "broken.rules"
    broken.write_text(
        'client broken "B" { timezone "Mars/Base" greeting default { en "x" } route { otherwise -> voicemail } }'
    )
    code, _, err = cli("decide", str(broken), "--client", "broken", "--at", "2026-11-23T10:00")
    assert code == 1
    assert "unknown time zone `Mars/Base`" in err
    assert "no client `broken` is served" in err


def test_quoted_rule_lines_leave_out_their_comments(cli):
    code, out, _ = cli(*SPEC_CALL)
    assert code == 0
    assert "(line 26: rotation daily  from 2026-01-03 12:00 { carol, bob } only sat-sun)" in out
    assert "# a higher layer" not in out


def test_an_answer_outside_the_choices_exits_1_in_the_engines_words(cli):
    code, out, err = cli(
        "decide", ACME, "--client", "acme_plumbing", "--at", "2026-11-28T23:15", "--answer", "type=burst-pipe"
    )
    assert (code, out) == (1, "")
    assert err == (
        "--answer type: error: `burst-pipe` is not one of the choices for `type` "
        "(burst_pipe, no_heat, gas_smell, estimate, billing, other); did you mean `burst_pipe`?\n"
    )


def test_a_rules_path_that_does_not_exist_is_named(cli):
    code, out, err = cli("decide", "no/such/dir", "--client", "acme_plumbing", "--at", "2026-11-28T23:15")
    assert (code, out) == (1, "")
    assert err == (
        "no/such/dir: error: no such file or directory\n"
        "  hint: the engine serves a .rules file or a directory of them\n"
    )
