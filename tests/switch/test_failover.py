"""When the service stalls or stops: two `rules-engine serve` instances behind Kamailio
(deploy/kamailio/kamailio.cfg with RULES_ENGINE_FAILOVER_URL), carriers played by SIPp
(deploy/kamailio/carrier.xml), instances stalled with SIGSTOP for 3 s, as a process stuck in a
long garbage collection, a swap storm or a hung disk would be.

What the caller and the agents must see: `100 Trying` at once, so that carriers stop
retransmitting; one INVITE per call at the agents, whatever the carrier retransmits; each call
asked once of each instance; the call decided by the second instance when the first does not
answer within a second; and, when no instance answers, the call at an agent within two seconds
marked `X-Decision: none; reason=timeout`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from tests.support import eventually
from tests.switch.harness import CARRIER, Service, Switch, lost_trying, messages_of, require_switch_tools

SERVICE = "+18005550000"
MAIN = "+13125550400"
CALLER = "+17735550123"
STALL_SECONDS = 3.0
TIMEOUT_SECONDS = 1  # RULES_ENGINE_TIMEOUT, the config's default


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    require_switch_tools()
    running = Switch(tmp_path_factory.mktemp("fleet"), rules=Path(__file__).with_name("rules"), instances=2)
    try:
        yield running
    finally:
        running.stop()


@contextmanager
def stalled(*services: Service) -> Iterator[float]:
    """The services stopped (SIGSTOP) for STALL_SECONDS from entering the block (which may end
    sooner); yields the time (`time.time()`) at which they go on again."""
    started = time.time()
    with ExitStack() as stack:
        for service in services:
            stack.enter_context(service.stalled())
        yield started + STALL_SECONDS
        time.sleep(max(0.0, started + STALL_SECONDS - time.time()))


class Calls(threading.Thread):
    """`count` calls of `scenario` placed at once, in a thread of their own; `done()` waits for
    them and fails with SIPp's report unless every call went as scripted."""

    def __init__(self, fleet: Switch, name: str, count: int, scenario: Path = CARRIER):
        super().__init__()
        self.fleet, self.name, self.count, self.scenario = fleet, name, count, scenario
        self.start()

    def run(self) -> None:
        self.result = self.fleet.call(self.scenario, self.name, [[SERVICE, CALLER, MAIN, "no-answer"]] * self.count)

    def done(self) -> None:
        self.join(timeout=60)
        assert self.result.returncode == 0, self.result.stdout[-2000:] + self.result.stderr[-2000:]


def call_ids(name: str, count: int) -> list[str]:
    return [f"{name}-{n}@switch-test" for n in range(1, count + 1)]


def sent_and_answered(fleet: Switch, name: str, call_id: str) -> tuple[list[dict], list[dict], list[dict]]:
    """The carrier's INVITEs and the 100 Trying it received, and the agents' INVITEs, of one call."""
    carrier = fleet.messages(name)
    return (
        messages_of(carrier, call_id, "INVITE", "sent"),
        messages_of(carrier, call_id, "SIP/2.0 100"),
        messages_of(fleet.agent_log, call_id, "INVITE"),
    )


def asked_at_most_once(fleet: Switch, ids: list[str]) -> None:
    """Each instance decided each call at most once — once it has caught up with what it was sent."""
    for service in fleet.services:
        eventually(lambda s=service: all(s.decisions(call_id) for call_id in ids), within=10)
        assert all(service.decisions(call_id) <= 1 for call_id in ids), service.name


def test_with_the_whole_service_stalled_the_caller_gets_100_at_once_and_an_agent_without_a_decision(fleet):
    with stalled(*fleet.services) as resumes:
        plain = Calls(fleet, "stalled", 3)
        impatient = Calls(fleet, "lost-trying", 1, lost_trying(fleet.folder))
        plain.done()
        impatient.done()

    placed = [("stalled", call_id) for call_id in call_ids("stalled", 3)] + [
        ("lost-trying", "lost-trying-1@switch-test")
    ]
    for name, call_id in placed:
        invites, tryings, at_agents = sent_and_answered(fleet, name, call_id)
        assert invites and tryings, f"{call_id}: {len(invites)} INVITEs sent, {len(tryings)} 100 Trying received"
        assert float(tryings[0]["_at"]) - float(invites[0]["_at"]) < 0.5, f"{call_id}: no 100 Trying at once"
        # one INVITE at the agents, within the two timeouts, before the service wakes up
        assert len(at_agents) == 1, f"{call_id}: the agents got {len(at_agents)} INVITEs"
        assert float(at_agents[0]["_at"]) < resumes, f"{call_id}: the agents waited for the service"
        assert at_agents[0]["x-decision"] == "none; reason=timeout" and "x-greeting" not in at_agents[0]
        if name == "stalled":
            assert len(invites) == 1, f"{call_id}: the carrier had to retransmit"
        else:  # its 100s were lost: it retransmitted at 0.5 s and 1.5 s, and the transaction absorbed them
            assert len(invites) >= 3, f"{call_id}: the carrier sent {len(invites)} INVITEs"

    asked_at_most_once(fleet, [call_id for _, call_id in placed])
    log = (fleet.folder / "kamailio.out").read_text(errors="replace")
    assert (
        f"rules-engine: no decision for call stalled-1@switch-test: {fleet.services[0].url} did not answer "
        f"within {TIMEOUT_SECONDS} s (curl error 28); then {fleet.services[1].url} did not answer within "
        f"{TIMEOUT_SECONDS} s (curl error 28); sent to an agent with X-Decision: none; reason=timeout"
    ) in log
    assert "answered 28" not in log


def test_with_the_first_instance_stalled_the_second_decides_each_call_once(fleet):
    first, second = fleet.services
    with stalled(first) as resumes:
        Calls(fleet, "failover", 3).done()

    for call_id in call_ids("failover", 3):
        invites, tryings, at_agents = sent_and_answered(fleet, "failover", call_id)
        assert float(tryings[0]["_at"]) - float(invites[0]["_at"]) < 0.5
        assert (len(invites), len(at_agents)) == (1, 1)
        assert float(at_agents[0]["_at"]) < resumes
        assert (at_agents[0]["x-decision"], at_agents[0]["x-greeting"]) == ("made", "no_answer")
        assert second.decisions(call_id) == 1
        # its outcome goes to the instance that decided it
        assert eventually(lambda c=call_id: [e["status"] for e in second.requests(f"/v1/calls/{c}/outcome")], 15) == [
            201
        ]
    asked_at_most_once(fleet, call_ids("failover", 3))
    log = (fleet.folder / "kamailio.out").read_text(errors="replace")
    assert (
        f"rules-engine: {first.url} did not answer within {TIMEOUT_SECONDS} s (curl error 28); "
        f"call failover-1@switch-test asked of {second.url} instead"
    ) in log


def test_with_the_first_instance_stopped_the_second_decides_at_once(fleet):
    first, second = fleet.services
    first.stop()
    try:
        result = fleet.call(CARRIER, "first-stopped", [[SERVICE, CALLER, MAIN, "user-busy"]])
    finally:
        first.start()
    assert result.returncode == 0, result.stdout[-2000:]
    invites, _, at_agents = sent_and_answered(fleet, "first-stopped", "first-stopped-1@switch-test")
    assert (at_agents[0]["x-decision"], at_agents[0]["x-greeting"]) == ("made", "busy")
    assert float(at_agents[0]["_at"]) - float(invites[0]["_at"]) < TIMEOUT_SECONDS  # refused: no wait
    assert (first.decisions("first-stopped-1@switch-test"), second.decisions("first-stopped-1@switch-test")) == (0, 1)
    assert f"{first.url} cannot be reached: connection refused (curl error 7)" in (
        fleet.folder / "kamailio.out"
    ).read_text(errors="replace")

    # started again, it decides again
    result = fleet.call(CARRIER, "first-back", [[SERVICE, CALLER, MAIN, "user-busy"]])
    assert result.returncode == 0, result.stdout[-2000:]
    assert (first.decisions("first-back-1@switch-test"), second.decisions("first-back-1@switch-test")) == (1, 0)
