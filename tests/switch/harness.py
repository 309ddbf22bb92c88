"""The processes of a switch test: `rules-engine serve`, Kamailio with deploy/kamailio/kamailio.cfg,
and SIPp as the agent position, all on 127.0.0.1 and free ports; every one is killed at the end.

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
import urllib.request
from pathlib import Path

import pytest

from tests.support import ROOT, wait_for

KAMAILIO_CFG = ROOT / "deploy" / "kamailio" / "kamailio.cfg"
INSTALL = "apt-get update && apt-get install -y kamailio kamailio-utils-modules kamailio-json-modules sip-tester"
RULES_ENGINE = str(Path(sys.executable).parent / "rules-engine")
TOKEN = "switch-test-token-0123456789abcdef"
START_SECONDS = 20


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
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            cwd=cwd,
            start_new_session=True,
        )
        self.started.append(process)
        return process

    def stop(self) -> None:
        """SIGTERM to each process group (Kamailio then reaps its workers), SIGKILL after 5 s."""
        for process in reversed(self.started):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)


class Switch:
    """The service, Kamailio and the agent position, ready for calls."""

    def __init__(self, folder: Path, rules: Path):
        self.folder = folder
        self.processes = Processes()
        settings = folder / "engine.yaml"
        settings.write_text(
            json.dumps(
                {"rules": str(rules), "tokens": [{"name": "kamailio", "token": TOKEN, "scopes": ["decide", "admin"]}]}
            )
        )
        port_file = folder / "service.port"
        self.service = self.processes.start(
            [
                RULES_ENGINE,
                "serve",
                "--settings",
                str(settings),
                "--port",
                "0",
                "--port-file",
                str(port_file),
                "--log",
                str(folder / "service.log"),
            ],
            folder / "service.out",
            folder,
        )
        self.service_port = int(
            wait_for(lambda: port_file.exists() and port_file.read_text().strip(), "rules-engine serve", START_SECONDS)
        )
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
                "-A",
                f"LISTEN=udp:127.0.0.1:{self.kamailio_port}",
                "-A",
                f'RULES_ENGINE_URL="http://127.0.0.1:{self.service_port}"',
                "-A",
                f'RULES_ENGINE_TOKEN="{TOKEN}"',
                "-A",
                f'AGENT_URI="sip:agents@127.0.0.1:{self.agent_port}"',
                "-A",
                'TRANSFER_DOMAIN="carrier.example"',
            ],
            folder / "kamailio.out",
            folder,
        )
        wait_for(lambda: "ready" in self.status(), "Kamailio to listen", START_SECONDS)

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
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.service_port}{path}",
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status

    def call(self, scenario: Path) -> subprocess.CompletedProcess:
        """Run the carrier's SIPp for one call; its exit status is 0 when the call went as scripted."""
        messages = scenario.with_suffix(".messages.log")
        return subprocess.run(
            [
                "sipp",
                f"127.0.0.1:{self.kamailio_port}",
                "-sf",
                str(scenario),
                "-m",
                "1",
                "-i",
                "127.0.0.1",
                "-p",
                str(free_port()),
                "-t",
                "u1",
                "-cid_str",
                f"{scenario.stem}@switch-test",
                "-timeout",
                "15s",
                "-timeout_error",
                "-nostdin",
                "-trace_msg",
                "-message_file",
                str(messages),
            ],
            stdin=subprocess.DEVNULL,
            check=False,  # the exit status is read below
            capture_output=True,
            text=True,
            timeout=30,
            cwd=self.folder,
        )

    def stop(self) -> None:
        self.processes.stop()


def received(log: Path, call_id: str, method_or_status: str) -> dict[str, str]:
    """The headers of the first message of `call_id` a SIPp received that starts with `method_or_status`
    (`INVITE`, `SIP/2.0 302`), by lower-cased name; raises when there is none."""
    text = log.read_text(errors="replace") if log.exists() else ""
    for block in text.split("message received")[1:]:
        lines = block.split("\n")[1:]
        lines = [line.rstrip("\r") for line in lines]
        start = next((i for i, line in enumerate(lines) if line.strip()), None)
        if start is None or not lines[start].startswith(method_or_status):
            continue
        headers = {}
        for line in lines[start + 1 :]:
            if not line.strip():
                break
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), value.strip())
        if headers.get("call-id") == call_id:
            return headers
    raise AssertionError(f"no {method_or_status} of call {call_id} in {log.name}:\n{text[-3000:]}")
