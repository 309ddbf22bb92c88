"""The processes of a switch test: one or two `rules-engine serve` instances, Kamailio with
deploy/kamailio/kamailio.cfg, and SIPp as the agent position, all on 127.0.0.1 and free ports;
every one is killed at the end. Carrier calls are SIPp too: deploy/kamailio/carrier.xml with
one injection line per call, or a scenario of tests/switch/carrier.py for the odd header.

Without Kamailio or SIPp the tests skip, saying how to install them, except under CI=true
(where `.ci/run` installs them), where their absence fails.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest

from tests.support import ROOT, wait_for

KAMAILIO = ROOT / "deploy" / "kamailio"
KAMAILIO_CFG = KAMAILIO / "kamailio.cfg"
CARRIER = KAMAILIO / "carrier.xml"
INSTALL = "apt-get update && apt-get install -y kamailio kamailio-utils-modules kamailio-json-modules sip-tester"
RULES_ENGINE = str(Path(sys.executable).parent / "rules-engine")
TOKEN = "switch-test-token-0123456789abcdef"
START_SECONDS = 20
CALL_SECONDS = 30  # the most one SIPp carrier run may take


def require_switch_tools() -> None:
    """Skip (fail under CI=true) when Kamailio, its modules or SIPp are missing."""
    missing = [tool for tool in ("kamailio", "sipp") if shutil.which(tool) is None]
    problem = f"not installed: {', '.join(missing)}" if missing else None
    if problem is None:
        check = subprocess.run(
            ["kamailio", "-c", "-f", str(KAMAILIO_CFG), "-A", "LISTEN=udp:127.0.0.1:5999"],
            check=False,  # the exit status is read below
            capture_output=True,
            text=True,
            timeout=30,
        )
        if check.returncode != 0:
            problem = "Kamailio cannot load deploy/kamailio/kamailio.cfg: " + check.stderr.strip()[-600:]
    if problem is None:
        return
    message = f"Kamailio/SIPp switch tests need the Debian packages ({problem}); install them with: {INSTALL}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def free_port(kind: int = socket.SOCK_DGRAM) -> int:
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Processes:
    """Started processes, each in its own process group, all killed by `stop()`."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen] = []

    def start(self, args: list[str], log: Path, cwd: Path) -> subprocess.Popen:
        process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=log.open("a"),
            stderr=subprocess.STDOUT,
            cwd=cwd,
            start_new_session=True,
        )
        self.started.append(process)
        return process

    def stop(self) -> None:
        """SIGCONT (a stalled one must hear the rest), SIGTERM to each process group (Kamailio then
        reaps its workers), SIGKILL after 5 s."""
        for process in reversed(self.started):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGCONT)
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)


class Service:
    """One `rules-engine serve` instance, with its own request log and decision log."""

    def __init__(self, processes: Processes, folder: Path, name: str, rules: Path, default_country: str | None):
        self.processes, self.folder, self.name = processes, folder, name
        self.log = folder / f"{name}.requests.log"
        self.decision_log = folder / f"{name}.decisions.jsonl"
        settings = folder / f"{name}.yaml"
        settings.touch(mode=0o600)  # it holds a token
        settings.write_text(
            json.dumps(
                {
                    "rules": str(rules),
                    "decision_log": str(self.decision_log),
                    "tokens": [{"name": "kamailio", "token": TOKEN, "scopes": ["decide", "admin"]}],
                }
            )
        )
        # --drain-seconds 0: stopped, an instance closes its port at once (no load balancer to tell)
        self.args = [RULES_ENGINE, "serve", "--settings", str(settings), "--log", str(self.log), "--drain-seconds", "0"]
        if default_country:
            self.args += ["--default-country", default_country]
        self.port = 0
        self.start()
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the instance: on a free port the first time, on the same port again after `stop`."""
        port_file = self.folder / f"{self.name}.port"
        port_file.unlink(missing_ok=True)
        self.process = self.processes.start(
            [*self.args, "--port", str(self.port), "--port-file", str(port_file)],
            self.folder / f"{self.name}.out",
            self.folder,
        )
        self.port = int(
            wait_for(
                lambda: port_file.exists() and port_file.read_text().strip(), f"{self.name} to listen", START_SECONDS
            )
        )
        wait_for(self.healthy, f"{self.name} to answer", START_SECONDS)  # the port is written before it accepts

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        """SIGTERM, as an operator stops it; it is gone when this returns."""
        self.process.terminate()
        self.process.wait(timeout=15)

    @contextmanager
    def stalled(self) -> Iterator[None]:
        """The process stopped (SIGSTOP) — it accepts no request and answers none — until the
        block ends (SIGCONT); connections queue in the kernel meanwhile, as with a hung process."""
        os.kill(self.process.pid, signal.SIGSTOP)
        try:
            yield
        finally:
            os.kill(self.process.pid, signal.SIGCONT)

    def api(self, method: str, path: str, body=None) -> tuple[int, dict]:
        request = urllib.request.Request(
            self.url + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as refused:
            return refused.code, json.loads(refused.read() or b"null")

    def decisions(self, call_id: str) -> int:
        """How many decisions this instance logged under `call_id`."""
        lines = self.decision_log.read_text().splitlines() if self.decision_log.exists() else []
        return sum(json.loads(line)["call_id"] == call_id for line in lines if line.strip())

    def requests(self, path: str) -> list[dict]:
        """The request log's entries for `path`."""
        lines = self.log.read_text().splitlines() if self.log.exists() else []
        return [entry for entry in map(json.loads, lines) if entry.get("path") == path]


class Switch:
    """The service (one instance, or two with failover), Kamailio and the agent position, ready for calls."""

    def __init__(self, folder: Path, rules: Path, instances: int = 1, default_country: str | None = None):
        self.folder = folder
        self.processes = Processes()
        self.services = [
            Service(self.processes, folder, f"instance{n}", rules, default_country) for n in range(1, instances + 1)
        ]
        self.agent_port = free_port()
        self.agent_log = folder / "agent_messages.log"
        self.agent = self.processes.start(
            [
                "sipp",
                "-sf",
                str(Path(__file__).with_name("agent.xml")),
                "-i",
                "127.0.0.1",
                "-p",
                str(self.agent_port),
                "-t",
                "u1",
                "-trace_msg",
                "-message_file",
                str(self.agent_log),
                "-nostdin",
            ],
            folder / "agent.out",
            folder,
        )
        self.kamailio_port = free_port()
        defines = {
            "LISTEN": f"udp:127.0.0.1:{self.kamailio_port}",
            "RULES_ENGINE_URL": f'"{self.services[0].url}"',
            "RULES_ENGINE_TOKEN": f'"{TOKEN}"',
            "AGENT_URI": f'"sip:agents@127.0.0.1:{self.agent_port}"',
            "TRANSFER_DOMAIN": '"carrier.example"',
        }
        if instances > 1:
            defines["RULES_ENGINE_FAILOVER_URL"] = f'"{self.services[1].url}"'
        self.kamailio = self.processes.start(
            [
                "kamailio",
                "-f",
                str(KAMAILIO_CFG),
                "-DD",
                "-E",
                "-m",
                "64",
                "-M",
                "8",
                "-Y",
                str(folder),
                "-P",
                str(folder / "kamailio.pid"),
                "-w",
                str(folder),
                *[argument for name, value in defines.items() for argument in ("-A", f"{name}={value}")],
            ],
            folder / "kamailio.out",
            folder,
        )
        wait_for(lambda: "ready" in self.status(), "Kamailio to listen", START_SECONDS)

    @property
    def service(self) -> Service:
        return self.services[0]

    def status(self) -> str:
        """'ready' once Kamailio answers an OPTIONS with its 405 (it refuses all but INVITE)."""
        if self.kamailio.poll() is not None:
            raise AssertionError("Kamailio exited:\n" + (self.folder / "kamailio.out").read_text()[-2000:])
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.settimeout(0.2)
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
            probe.sendto(
                (
                    f"OPTIONS sip:ping@127.0.0.1:{self.kamailio_port} SIP/2.0\r\n"
                    f"Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK-probe{time.monotonic_ns()}\r\n"
                    "From: <sip:probe@127.0.0.1>;tag=p\r\nTo: <sip:ping@127.0.0.1>\r\n"
                    f"Call-ID: probe-{time.monotonic_ns()}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 5\r\n"
                    "Content-Length: 0\r\n\r\n"
                ).encode(),
                ("127.0.0.1", self.kamailio_port),
            )
            try:
                return "ready" if probe.recv(4096).startswith(b"SIP/2.0 405") else ""
            except OSError:
                return ""

    def api(self, method: str, path: str, body=None) -> int:
        return self.service.api(method, path, body)[0]

    def call(
        self, scenario: Path, name: str | None = None, calls: list[list[str]] | None = None, extra: tuple[str, ...] = ()
    ) -> subprocess.CompletedProcess:
        """Run the carrier's SIPp; its exit status is 0 when every call went as scripted.

        `calls` gives the injection lines of deploy/kamailio/carrier.xml (one list of fields per
        call, all placed at once); the Call-IDs are then NAME-1@switch-test, NAME-2@…
        Without `calls`, one call of a scenario of carrier.py, Call-ID NAME@switch-test.
        """
        name = name or scenario.stem
        args = ["-m", "1", "-cid_str", f"{name}@switch-test"]
        if calls is not None:
            injection = self.folder / f"{name}.csv"
            injection.write_text("SEQUENTIAL\n" + "".join(";".join(fields) + "\n" for fields in calls))
            # Call-IDs NAME-1@…, NAME-2@…: SIPp's %u is the call's number, from 1
            args = ["-inf", str(injection), "-m", str(len(calls)), "-l", str(len(calls)), "-r", "100"]
            args += ["-cid_str", f"{name}-%u@switch-test", "-d", "200"]
        return subprocess.run(
            [
                "sipp",
                f"127.0.0.1:{self.kamailio_port}",
                "-sf",
                str(scenario),
                *args,
                *extra,
                "-i",
                "127.0.0.1",
                "-p",
                str(free_port()),
                "-t",
                "u1",
                "-timeout",
                f"{CALL_SECONDS - 10}s",
                "-timeout_error",
                "-nostdin",
                "-trace_msg",
                "-message_file",
                str(self.messages(name)),
            ],
            stdin=subprocess.DEVNULL,
            check=False,  # the exit status is read below
            capture_output=True,
            text=True,
            timeout=CALL_SECONDS,
            cwd=self.folder,
        )

    def messages(self, name: str) -> Path:
        """The carrier's message log of the run `name`."""
        return self.folder / f"{name}.messages.log"

    def stop(self) -> None:
        self.processes.stop()


def lost_trying(folder: Path) -> Path:
    """deploy/kamailio/carrier.xml as played by a carrier whose `100 Trying`s are all lost on the
    way (SIPp drops them: `lost="100"`): it goes on retransmitting the INVITE per Timer A
    (0.5 s, 1 s, 2 s, …) until something rings."""
    text = CARRIER.read_text()
    trying = '<recv response="100" optional="true"/>'
    assert trying in text, "deploy/kamailio/carrier.xml no longer takes a 100 Trying as this test expects"
    path = folder / "lost_trying.xml"
    path.write_text(text.replace(trying, '<recv response="100" optional="true" lost="100"/>'))
    return path


def messages_of(log: Path, call_id: str, method_or_status: str, direction: str = "received") -> list[dict[str, str]]:
    """The headers (by lower-cased name) of each message of `call_id` that a SIPp `direction`
    (received or sent), starting with `method_or_status` (`INVITE`, `SIP/2.0 302`); `_at` is
    when SIPp logged it (seconds since the epoch)."""
    text = log.read_text(errors="replace") if log.exists() else ""
    found = []
    # SIPp's -trace_msg: "----…---- 2026-12-06 06:04:38.247383" / "UDP message sent (451 bytes):" / the message
    for block in text.split("-" * 47 + " ")[1:]:
        stamp, _, rest = block.partition("\n")
        heading, _, message = rest.partition("\n")
        if f"message {direction}" not in heading:
            continue
        lines = [line.rstrip("\r") for line in message.strip("\r\n").split("\n")]
        if not lines[0].startswith(method_or_status):
            continue
        headers = {"_at": str(datetime.fromisoformat(stamp.strip()).timestamp())}
        for line in lines[1:]:
            if not line.strip():
                break
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), value.strip())
        if headers.get("call-id") == call_id:
            found.append(headers)
    return found


def received(log: Path, call_id: str, method_or_status: str) -> dict[str, str]:
    """The headers of the first message of `call_id` a SIPp received that starts with `method_or_status`
    (`INVITE`, `SIP/2.0 302`), by lower-cased name; raises when there is none."""
    found = messages_of(log, call_id, method_or_status)
    if not found:
        text = log.read_text(errors="replace") if log.exists() else ""
        raise AssertionError(f"no {method_or_status} of call {call_id} in {log.name}:\n{text[-3000:]}")
    return found[0]
