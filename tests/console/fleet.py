"""A fleet of `rules-engine serve` processes sharing one PostgreSQL database for the console,
each with its own copy of a rules directory, and the console spoken to over HTTP as a browser
does (no redirects followed, the session cookie, the forms' CSRF token). Used by
`tests/console/test_fleet_postgres.py` and `benchmarks/fleet_publish.py`."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from email.message import Message
from pathlib import Path

from tests.support import wait_for

RULES_ENGINE = str(Path(sys.executable).parent / "rules-engine")
COOKIE = "rules-engine-console"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def request(url: str, form: dict | None = None, cookie: str | None = None) -> tuple[int, str, Message]:
    """(status, body, headers) of a GET, or of a form's POST when `form` is given."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    made = urllib.request.Request(url, data=data, headers={"Cookie": f"{COOKIE}={cookie}"} if cookie else {})
    try:
        with OPENER.open(made, timeout=10) as response:
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), exc.headers


def csrf_in(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "no CSRF token on the console's page"
    return found.group(1)


def cookie_in(headers: Message) -> str:
    found = re.search(rf"{COOKIE}=([^;]+)", headers.get("set-cookie", ""))
    assert found, "the console set no session cookie"
    return found.group(1)


def log_in(base: str, name: str, password: str) -> str:
    """The session cookie of `name` logged in to the console at `base`."""
    _, page, headers = request(f"{base}/console/login")
    form = {"csrf": csrf_in(page), "name": name, "password": password}
    status, _, headers = request(f"{base}/console/login", form, cookie_in(headers))
    assert status == 303, f"logging in answered {status}"
    return cookie_in(headers)


def served_versions(base: str) -> dict[str, str]:
    """Client id → the rules version the instance at `base` serves."""
    with urllib.request.urlopen(f"{base}/v1/clients", timeout=5) as response:
        return {c["id"]: c["rules_version"] for c in json.load(response)}


def start(rules: Path, folder: Path, accounts: str, count: int = 3) -> tuple[list[subprocess.Popen], list[str]]:
    """`count` instances started at once, each serving its copy of `rules` (folder/instanceN);
    their processes, and their base URLs once each serves its clients (60 s at most)."""
    processes: list[subprocess.Popen] = []
    try:
        for n in range(1, count + 1):
            home = folder / f"instance{n}"
            shutil.copytree(rules, home / "rules")
            (home / "service.yaml").write_text(
                f"rules: rules\naccounts: {accounts}\nconsole_secure_cookies: false\n", encoding="utf-8"
            )
            command = [RULES_ENGINE, "serve", "--settings", str(home / "service.yaml"), "--port", "0"]
            command += ["--port-file", str(home / "port"), "--log", str(home / "requests.log")]
            processes.append(subprocess.Popen(command, stderr=subprocess.DEVNULL))
        bases = []
        for n in range(1, count + 1):
            port_file = folder / f"instance{n}" / "port"
            port = int(wait_for(lambda f=port_file: f.exists() and f.read_text().strip(), f"instance {n}", 60))
            bases.append(f"http://127.0.0.1:{port}")
            wait_for(lambda b=bases[-1]: serves_clients(b), f"instance {n}'s clients", 60)
    except BaseException:
        stop(processes)
        raise
    return processes, bases


def serves_clients(base: str) -> bool:
    try:
        return bool(served_versions(base))
    except (OSError, ValueError):
        return False


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=20)


def followed(bases: list[str], client: str, wanted: str, since: float, within: float) -> dict[str, float]:
    """Seconds from the monotonic `since` until each of `bases` served version `wanted` of
    `client`; those that did not within `within` seconds are left out."""
    took: dict[str, float] = {}
    while len(took) < len(bases) and time.monotonic() - since < within:
        for base in bases:
            if base not in took and served_versions(base).get(client) == wanted:
                took[base] = time.monotonic() - since
        time.sleep(0.005)
    return took
