"""A real switch in the loop: SIPp as the carrier sends INVITEs the way carriers forward calls,
Kamailio (deploy/kamailio/kamailio.cfg) asks `rules-engine serve`, and SIPp as the agent
position receives the call with the decision in its headers — or the carrier gets the 302 of
an immediate transfer, or the 404 of an unknown client."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.switch.carrier import scenario
from tests.switch.harness import Switch, received, require_switch_tools

MAIN = "+13125550400"  # the client's main line, forwarded to the service
DIRECT = "+13125550401"  # the owner's direct line, hosted by the service
SERVICE = "+18005550000"  # the number the carrier forwards to
CALLER = "+17735550123"
VIP = "+17735550199"


def diversion(reason: str, number: str = MAIN) -> str:
    return f"Diversion: <sip:{number}@carrier.example;user=phone>;reason={reason};counter=1;privacy=off"


def history(cause: int) -> str:
    return (
        f"History-Info: <sip:{MAIN}@carrier.example;user=phone>;index=1,"
        f" <sip:{SERVICE}@answering.example;user=phone;cause={cause}>;index=1.1"
    )


@pytest.fixture(scope="module")
def switch(tmp_path_factory):
    require_switch_tools()
    running = Switch(tmp_path_factory.mktemp("switch"), rules=Path(__file__).with_name("rules"))
    try:
        yield running
    finally:
        running.stop()


# (name, headers, caller, X-Greeting, X-Script, X-Urgency, X-Forwarded-Reason)
FORWARDED = [
    ("always-24-7", [diversion("unconditional")], CALLER, "always", "routine", "always"),
    ("time-of-day", [diversion("time-of-day")], CALLER, "scheduled", "routine", "scheduled"),
    ("user-busy", [diversion("user-busy")], VIP, "busy", "urgent", "busy"),
    ("no-answer", [diversion("no-answer")], CALLER, "no_answer", "routine", "no_answer"),
    (
        "two-diversions",
        [
            f"Diversion: <sip:+13125559999@pbx.example>;reason=no-answer;counter=1, "
            f"<sip:{MAIN}@carrier.example>;reason=user-busy;counter=1"
        ],
        CALLER,
        "busy",
        "routine",
        "busy",
    ),
    ("history-486-busy", [history(486)], CALLER, "busy", "routine", "busy"),
    ("history-408-no-reply", [history(408)], CALLER, "no_answer", "routine", "no_answer"),
    ("history-302-unconditional", [history(302)], CALLER, "always", "routine", "always"),
]


@pytest.mark.parametrize("name, headers, caller, greeting, urgency, reason", FORWARDED, ids=[f[0] for f in FORWARDED])
def test_each_forwarding_method_reaches_the_agent_with_the_decision(
    switch, name, headers, caller, greeting, urgency, reason
):
    result = switch.call(scenario(switch.folder, name, headers, SERVICE, caller, 200))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    invite = received(switch.agent_log, f"{name}@switch-test", "INVITE")
    assert (
        invite["x-greeting"],
        invite["x-script"],
        invite["x-urgency"],
        invite["x-forwarded-reason"],
        invite["x-client"],
    ) == (greeting, "intake", urgency, reason, "switchboard")


@pytest.mark.parametrize(
    "name, reason", [("deflection-with-status", "deflection"), ("unconditional-with-status", "unconditional")]
)
def test_forwarded_by_hand_while_the_owner_left_a_status(switch, name, reason):
    assert switch.api("PUT", "/v1/clients/switchboard/status", {"note": "In court until 3pm"}) == 200
    try:
        result = switch.call(scenario(switch.folder, name, [diversion(reason)], SERVICE, CALLER, 200))
    finally:
        switch.api("DELETE", "/v1/clients/switchboard/status")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    invite = received(switch.agent_log, f"{name}@switch-test", "INVITE")
    assert (invite["x-greeting"], invite["x-forwarded-reason"]) == (
        "away",
        "always" if reason == "unconditional" else "manual",
    )


def test_a_carrier_cannot_supply_the_decision_headers(switch):
    headers = [diversion("user-busy"), "X-Greeting: free_money", "X-Urgency: emergency"]
    result = switch.call(scenario(switch.folder, "spoofed", headers, SERVICE, CALLER, 200))
    assert result.returncode == 0, result.stdout[-2000:]
    invite = received(switch.agent_log, "spoofed@switch-test", "INVITE")
    assert (invite["x-greeting"], invite["x-urgency"]) == ("busy", "routine")


def test_a_call_to_the_direct_line_is_redirected_with_302(switch):
    result = switch.call(scenario(switch.folder, "direct-line", [], DIRECT, CALLER, 302))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    reply = received(switch.folder / "direct-line.messages.log", "direct-line@switch-test", "SIP/2.0 302")
    assert reply["contact"] == "<sip:+13125550499@carrier.example;user=phone>"
    with pytest.raises(AssertionError):
        received(switch.agent_log, "direct-line@switch-test", "INVITE")


def test_an_unknown_client_is_rejected_and_never_reaches_an_agent(switch):
    result = switch.call(
        scenario(switch.folder, "unknown-client", [diversion("user-busy", "+19995550000")], SERVICE, CALLER, 404)
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    with pytest.raises(AssertionError):
        received(switch.agent_log, "unknown-client@switch-test", "INVITE")


def test_a_malformed_diversion_still_reaches_a_person_without_decision_headers(switch):
    headers = [f"Diversion: <sip:{MAIN}@carrier.example>;reason=on-holiday"]
    result = switch.call(scenario(switch.folder, "malformed", headers, SERVICE, CALLER, 200))
    assert result.returncode == 0, result.stdout[-2000:]
    invite = received(switch.agent_log, "malformed@switch-test", "INVITE")
    assert "x-greeting" not in invite
