"""A real switch in the loop: SIPp as the carrier sends INVITEs the way carriers forward calls
(deploy/kamailio/carrier.xml, or carrier.py for the odd header), Kamailio
(deploy/kamailio/kamailio.cfg) asks `rules-engine serve` (started with --default-country US),
and SIPp as the agent position receives the call with the decision in its headers — or the
carrier gets the 302 of an immediate transfer, or the 404 of an unknown client. When a call
ends, Kamailio posts its outcome to the service."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.support import wait_for
from tests.switch.carrier import scenario
from tests.switch.harness import CARRIER, Switch, messages_of, received, require_switch_tools

MAIN = "+13125550400"  # the client's main line, forwarded to the service
DIRECT = "+13125550401"  # the owner's direct line, hosted by the service
SERVICE = "+18005550000"  # the number the carrier forwards to
CALLER = "+17735550123"
VIP = "+17735550199"
BUSY_AGENTS = "+17735550486"  # agent.xml answers a caller ending in 0486 with 486 Busy Here
RINGING = "+17735550487"  # and lets a caller ending in 0487 ring until they hang up


def diversion(reason: str, number: str = MAIN) -> str:
    return f"Diversion: <sip:{number}@carrier.example;user=phone>;reason={reason};counter=1;privacy=off"


def history(cause: int) -> str:
    return (
        f"History-Info: <sip:{MAIN}@carrier.example;user=phone>;index=1,"
        f" <sip:{SERVICE}@answering.example;user=phone;cause={cause}>;index=1.1"
    )


def decision_headers(invite: dict[str, str]) -> tuple[str | None, ...]:
    names = ("x-decision", "x-greeting", "x-script", "x-urgency", "x-forwarded-reason", "x-client")
    return tuple(invite.get(name) for name in names)


@pytest.fixture(scope="module")
def switch(tmp_path_factory):
    require_switch_tools()
    running = Switch(tmp_path_factory.mktemp("switch"), rules=Path(__file__).with_name("rules"), default_country="US")
    try:
        yield running
    finally:
        running.stop()


def ok(result) -> str:
    """What to show when a SIPp run failed."""
    return result.stdout[-2000:] + result.stderr[-2000:]


# (name, the client's number as the carrier sends it, reason, caller, X-Greeting, X-Urgency, X-Forwarded-Reason)
DIVERTED = [
    ("always-24-7", MAIN, "unconditional", CALLER, "always", "routine", "always"),
    ("time-of-day", MAIN, "time-of-day", CALLER, "scheduled", "routine", "scheduled"),
    ("user-busy", MAIN, "user-busy", VIP, "busy", "urgent", "busy"),
    ("no-answer", MAIN, "no-answer", CALLER, "no_answer", "routine", "no_answer"),
    ("national-number", "3125550400", "user-busy", "7735550199", "busy", "urgent", "busy"),
]


@pytest.mark.parametrize(
    "name, number, reason, caller, greeting, urgency, forwarded", DIVERTED, ids=[d[0] for d in DIVERTED]
)
def test_each_diversion_reaches_the_agent_with_the_decision(
    switch, name, number, reason, caller, greeting, urgency, forwarded
):
    result = switch.call(CARRIER, name, [[SERVICE, caller, number, reason]])
    assert result.returncode == 0, ok(result)
    invite = received(switch.agent_log, f"{name}-1@switch-test", "INVITE")
    assert decision_headers(invite) == ("made", greeting, "intake", urgency, forwarded, "switchboard")


# (name, headers, X-Greeting, X-Forwarded-Reason)
OTHER_HEADERS = [
    (
        "two-diversions",
        [
            f"Diversion: <sip:+13125559999@pbx.example>;reason=no-answer;counter=1, "
            f"<sip:{MAIN}@carrier.example>;reason=user-busy;counter=1"
        ],
        "busy",
        "busy",
    ),
    ("no-reason", [f"Diversion: <sip:{MAIN}@carrier.example;user=phone>;counter=1"], "default", "unknown"),
    ("history-486-busy", [history(486)], "busy", "busy"),
    ("history-408-no-reply", [history(408)], "no_answer", "no_answer"),
    ("history-302-unconditional", [history(302)], "always", "always"),
]


@pytest.mark.parametrize("name, headers, greeting, forwarded", OTHER_HEADERS, ids=[f[0] for f in OTHER_HEADERS])
def test_other_forwarding_headers_reach_the_agent_with_the_decision(switch, name, headers, greeting, forwarded):
    result = switch.call(scenario(switch.folder, name, headers, SERVICE, CALLER, 200))
    assert result.returncode == 0, ok(result)
    invite = received(switch.agent_log, f"{name}@switch-test", "INVITE")
    assert decision_headers(invite) == ("made", greeting, "intake", "routine", forwarded, "switchboard")


@pytest.mark.parametrize(
    "name, reason", [("deflection-with-status", "deflection"), ("unconditional-with-status", "unconditional")]
)
def test_forwarded_by_hand_while_the_owner_left_a_status(switch, name, reason):
    assert switch.api("PUT", "/v1/clients/switchboard/status", {"note": "In court until 3pm"}) == 200
    try:
        result = switch.call(CARRIER, name, [[SERVICE, CALLER, MAIN, reason]])
    finally:
        switch.api("DELETE", "/v1/clients/switchboard/status")
    assert result.returncode == 0, ok(result)
    invite = received(switch.agent_log, f"{name}-1@switch-test", "INVITE")
    assert (invite["x-greeting"], invite["x-forwarded-reason"]) == (
        "away",
        "always" if reason == "unconditional" else "manual",
    )


def test_a_carrier_cannot_supply_the_decision_headers(switch):
    headers = [diversion("user-busy"), "X-Greeting: free_money", "X-Urgency: emergency", "X-Decision: made"]
    result = switch.call(scenario(switch.folder, "spoofed", headers, SERVICE, CALLER, 200))
    assert result.returncode == 0, ok(result)
    invite = received(switch.agent_log, "spoofed@switch-test", "INVITE")
    assert (invite["x-greeting"], invite["x-urgency"]) == ("busy", "routine")


def test_a_call_to_the_direct_line_is_redirected_with_302(switch):
    result = switch.call(scenario(switch.folder, "direct-line", [], DIRECT, CALLER, 302))
    assert result.returncode == 0, ok(result)
    reply = received(switch.messages("direct-line"), "direct-line@switch-test", "SIP/2.0 302")
    assert reply["contact"] == "<sip:+13125550499@carrier.example;user=phone>"
    assert not messages_of(switch.agent_log, "direct-line@switch-test", "INVITE")


def test_an_unknown_client_is_rejected_and_never_reaches_an_agent(switch):
    result = switch.call(CARRIER, "unknown-client", [[SERVICE, CALLER, "+19995550000", "user-busy"]])
    assert result.returncode == 0, ok(result)
    assert received(switch.messages("unknown-client"), "unknown-client-1@switch-test", "SIP/2.0 404")
    assert not messages_of(switch.agent_log, "unknown-client-1@switch-test", "INVITE")


def test_a_malformed_diversion_still_reaches_a_person_marked_undecided(switch):
    headers = [f"Diversion: <sip:{MAIN}@carrier.example>;reason=on-holiday"]
    result = switch.call(scenario(switch.folder, "malformed", headers, SERVICE, CALLER, 200))
    assert result.returncode == 0, ok(result)
    invite = received(switch.agent_log, "malformed@switch-test", "INVITE")
    assert decision_headers(invite) == ("none; reason=refused", None, None, None, None, None)


# ---- outcomes, posted when the call ends (the dialog module's events) ----------------------------------


def recorded_outcome(switch: Switch, call_id: str) -> dict:
    """The outcome Kamailio posted for `call_id` and the service recorded (201), as its log says."""
    path = f"/v1/calls/{call_id}/outcome"
    switch_path = path.replace("@", "%40")
    pattern = re.compile(r"recorded the outcome (\{.*\}) of " + re.escape(switch_path) + r"$", re.MULTILINE)

    def posted():
        found = pattern.search((switch.folder / "kamailio.out").read_text(errors="replace"))
        return found and [entry["status"] for entry in switch.service.requests(path)] == [201] and found

    return json.loads(wait_for(posted, f"the outcome of {call_id}", 10).group(1))


def test_an_answered_call_posts_its_outcome_when_the_caller_hangs_up(switch):
    result = switch.call(CARRIER, "answered", [[SERVICE, CALLER, MAIN, "user-busy"]])  # talks 0.2 s (-d 200)
    assert result.returncode == 0, ok(result)
    outcome = recorded_outcome(switch, "answered-1@switch-test")
    assert outcome["outcome"] == "answered"
    assert 0 <= outcome["waited_seconds"] < 5 and 0.2 <= outcome["handled_seconds"] < 5
    # the service holds it: a second outcome for the call is refused, naming the first
    status, body = switch.service.api("POST", "/v1/calls/answered-1@switch-test/outcome", {"outcome": "missed"})
    assert (status, "already has its outcome (answered)" in body["error"]["message"]) == (409, True)


def test_a_call_the_agents_do_not_take_posts_missed(switch):
    result = switch.call(CARRIER, "agents-busy", [[SERVICE, BUSY_AGENTS, MAIN, "user-busy"]])
    assert result.returncode == 0, ok(result)
    assert received(switch.messages("agents-busy"), "agents-busy-1@switch-test", "SIP/2.0 486")
    outcome = recorded_outcome(switch, "agents-busy-1@switch-test")
    assert outcome["outcome"] == "missed" and 0 <= outcome["waited_seconds"] < 5


def test_a_caller_who_hangs_up_while_it_rings_posts_abandoned(switch):
    result = switch.call(scenario(switch.folder, "hung-up", [diversion("user-busy")], SERVICE, RINGING, 487))
    assert result.returncode == 0, ok(result)
    assert received(switch.agent_log, "hung-up@switch-test", "CANCEL")
    outcome = recorded_outcome(switch, "hung-up@switch-test")
    assert outcome["outcome"] == "abandoned" and 0.3 <= outcome["waited_seconds"] < 5
