"""The editor's diagnostics as you type: round trips through
`POST /console/api/clients/ID/diagnostics` of a real `rules-engine serve` over HTTP on 127.0.0.1.

    .venv/bin/python benchmarks/console_diagnostics.py               # 200 round trips, 10 complete checks
    .venv/bin/python benchmarks/console_diagnostics.py --trips 50 --complete 3

The file is a 150-line client (Comfort Air's rules and more contacts and windows). Each round
trip sends the whole text as the editor does after a keystroke (with the autosave of the
draft), on one keep-alive connection with the session cookie and the CSRF header. Every
other text carries a mistake on a known line: **every** answer is checked (a 200; no error
for the good text, an error at that line for the other; the names the file defines) before
it counts, and the run fails (exit 1) otherwise. It prints the median and p95 of the round
trip in ms. The editor waits 150 ms after the last key before it asks, so the target (the
marker on screen within about 300 ms of the last keystroke) leaves the round trip ~150 ms.

Then `--complete` round trips of the complete check (`"complete": true`: the warnings over a
year of calls too, which the editor asks for 1 s after typing stops), each of a new text.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rules_engine.console.accounts import Accounts
from rules_engine.console.db import SQLiteDatabase

RULES_ENGINE = str(Path(sys.executable).parent / "rules-engine")
PASSWORD = "a long benchmark secret"
CLIENT = "comfort_air"
LINES = 150
DEBOUNCE_MS = 150
TARGET_MS = 300


def big_file() -> str:
    """Comfort Air's rule file grown to LINES lines with contacts and windows (still no error)."""
    text = (ROOT / "client_configs" / f"{CLIENT}.rules").read_text(encoding="utf-8").rstrip()
    assert text.endswith("}")
    body, extra, n = text[:-1].rstrip("\n"), [], 0
    while len(body.splitlines()) + len(extra) + 1 < LINES:
        n += 1
        extra.append(f'    contact extra{n:02d} "Extra person {n}" {{ call "+1702555{n + 7000:04d}" }}')
        extra.append(f"    window extra_{n:02d} = mon-fri 0{n % 9}:00-0{n % 9}:30")
    text = "\n".join([body, *extra[: LINES - len(body.splitlines()) - 1], "}"]) + "\n"
    assert len(text.splitlines()) == LINES, len(text.splitlines())
    return text


class Session:
    """One keep-alive connection with the console's session cookie and CSRF token."""

    def __init__(self, port: int):
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        self.http.request(method, path, body=body, headers={"Cookie": self.cookie, **(headers or {})})
        answer = self.http.getresponse()
        data = answer.read()
        for name, value in answer.getheaders():
            if name.lower() == "set-cookie" and value.startswith("rules-engine-console="):
                self.cookie = value.split(";")[0]
        return answer.status, data.decode("utf-8")

    def log_in(self) -> str:
        _, page = self.request("GET", "/console/login")
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        form = f"csrf={token}&name=bench&password={PASSWORD.replace(' ', '+')}".encode()
        status, _ = self.request("POST", "/console/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 303, status
        _, page = self.request("GET", f"/console/clients/{CLIENT}/edit")
        return re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trips", type=int, default=200)
    parser.add_argument("--complete", type=int, default=10)
    args = parser.parse_args()
    good = big_file()
    wrong_line = 120
    lines = good.splitlines()
    lines[wrong_line - 1] = "    contcat extra99 " + lines[wrong_line - 1].strip()  # a misspelt keyword
    bad = "\n".join(lines) + "\n"
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch)
        shutil.copytree(ROOT / "client_configs", home / "rules")
        db = SQLiteDatabase(home / "accounts.db")
        Accounts(db).add("bench", "admin", PASSWORD)
        db.close()
        (home / "service.yaml").write_text(
            "rules: rules\naccounts: accounts.db\nconsole_secure_cookies: false\n", encoding="utf-8"
        )
        port_file = home / "port"
        settings = str(home / "service.yaml")
        command = [RULES_ENGINE, "serve", "--settings", settings, "--port", "0", "--port-file", str(port_file)]
        process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while not (port_file.exists() and port_file.read_text().strip()):
                assert time.monotonic() < deadline, "the service did not start"
                time.sleep(0.1)
            time.sleep(0.3)
            session = Session(int(port_file.read_text()))
            token = session.log_in()
            code = trips(session, token, good, bad, wrong_line, args.trips)
            return code or complete_checks(session, token, good, args.complete)
        finally:
            process.terminate()
            process.wait(timeout=20)


def trips(session: Session, token: str, good: str, bad: str, wrong_line: int, count: int) -> int:
    headers = {"Content-Type": "application/json", "X-CSRF-Token": token}
    path = f"/console/api/clients/{CLIENT}/diagnostics"
    times, failures = [], []
    for i in range(count + 10):  # the first 10 warm up
        text = (bad if i % 2 else good) + f"# keystroke {i}\n"
        body = json.dumps({"text": text, "save": True}).encode()
        began = time.perf_counter()
        status, answer = session.request("POST", path, body, headers)
        elapsed = time.perf_counter() - began
        problem = check(status, answer, i % 2 == 1, wrong_line)
        if problem:
            failures.append(problem)
        elif i >= 10:
            times.append(elapsed * 1000)
    if failures:
        print(f"{len(failures)} wrong answer(s); the first: {failures[0]}")
        return 1
    times.sort()
    median, p95 = statistics.median(times), times[int(len(times) * 0.95) - 1]
    print(f"{len(times)} round trips of a {LINES}-line file ({len(good.encode())} bytes), every answer checked")
    print(f"round trip: median {median:.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms")
    print(
        f"with the editor's {DEBOUNCE_MS} ms wait: marker {DEBOUNCE_MS + median:.0f} ms (median), "
        f"{DEBOUNCE_MS + p95:.0f} ms (p95) after the last key; target {TARGET_MS} ms"
    )
    return 0


def complete_checks(session: Session, token: str, good: str, count: int) -> int:
    headers = {"Content-Type": "application/json", "X-CSRF-Token": token}
    path = f"/console/api/clients/{CLIENT}/diagnostics"
    times = []
    for i in range(count):
        body = json.dumps({"text": good + f"# pause {i}\n", "save": False, "complete": True}).encode()
        began = time.perf_counter()
        status, answer = session.request("POST", path, body, headers)
        elapsed = time.perf_counter() - began
        problem = check(status, answer, False, 0, saved=False)
        if problem or not json.loads(answer)["complete"]:
            print(f"a wrong answer to the complete check: {problem or answer[:200]}")
            return 1
        times.append(elapsed * 1000)
    if times:
        print(
            f"complete check (warnings over a year too), {count} texts: median {statistics.median(times):.0f} ms, "
            f"max {max(times):.0f} ms"
        )
    return 0


def check(status: int, answer: str, wrong: bool, wrong_line: int, saved: bool = True) -> str | None:
    if status != 200:
        return f"status {status}: {answer[:200]}"
    body = json.loads(answer)
    errors = [d for d in body["diagnostics"] if d["severity"] == "error"]
    if wrong and not any(d["line"] == wrong_line for d in errors):
        return f"no error at line {wrong_line}: {errors}"
    if not wrong and errors:
        return f"errors in the good text: {errors}"
    if "marco" not in body["names"]["contacts"] or ("saved" in body) != saved:
        return f"names or autosave missing: {sorted(body)}"
    return None


if __name__ == "__main__":
    sys.exit(main())
