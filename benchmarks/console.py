"""The console's server time: logging in (one Argon2id check), a client's page, and the clients
list for the example clients and for a fleet of 200 (copies of Acme Plumbing).

    .venv/bin/python benchmarks/console.py

In-process (FastAPI's test client, no network), best and median of the rounds; every answer
is checked (status 200, the client's name on the page) before it counts.
"""

from __future__ import annotations

import re
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rules_engine.console.accounts import Accounts
from rules_engine.console.mount import mount
from rules_engine.engine import Engine
from rules_engine.http import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PASSWORD = "a long benchmark secret"
FLEET = 200


def timed(action, rounds: int) -> tuple[float, float]:
    seconds = []
    for _ in range(rounds):
        began = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - began)
    return min(seconds), statistics.median(seconds)


def fleet(folder: Path) -> Path:
    rules = folder / "fleet"
    rules.mkdir()
    text = (ROOT / "client_configs" / "acme_plumbing.rules").read_text(encoding="utf-8")
    for number in range(FLEET):
        copy = text.replace("client acme_plumbing", f"client acme_{number:03d}").replace(
            'numbers   "+13125550100", "+13125550101"', f'numbers   "+1646555{number:04d}"', 1
        )
        (rules / f"acme_{number:03d}.rules").write_text(copy, encoding="utf-8")
    return rules


def measure(rules: Path, folder: Path, label: str, first: str, count: int) -> None:
    engine = Engine(rules)
    assert len(engine.clients) == count, [p.render() for p in engine.problems[:3]]
    app = create_app(engine)
    db = mount(app, engine, folder / f"{label}.db", secure_cookies=True)
    Accounts(db).add("bench", "admin", PASSWORD)
    with TestClient(app, base_url="https://testserver") as client:

        def log_in() -> None:
            client.cookies.clear()
            page = client.get("/console/login")
            token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
            answer = client.post(
                "/console/login", data={"csrf": token, "name": "bench", "password": PASSWORD}, follow_redirects=False
            )
            assert answer.status_code == 303, answer.text

        best, median = timed(log_in, 5)
        print(
            f"{label}: log in (login page + Argon2id check)   best {best * 1000:7.1f} ms   median {median * 1000:7.1f} ms"
        )

        def client_page() -> None:
            page = client.get(f"/console/clients/{first}")
            assert page.status_code == 200 and "Acme Plumbing" in page.text

        best, median = timed(client_page, 50)
        print(
            f"{label}: a client's page                    best {best * 1000:7.1f} ms   median {median * 1000:7.1f} ms"
        )

        def clients_list() -> None:
            page = client.get("/console/clients")
            assert page.status_code == 200 and f"{count} of {count} clients" in page.text

        best, median = timed(clients_list, 10)
        print(
            f"{label}: the clients list ({count:3d} clients)      best {best * 1000:7.1f} ms   median {median * 1000:7.1f} ms"
        )
    db.close()
    engine.close()


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        shutil.copytree(ROOT / "client_configs", folder / "examples")
        examples = len(list((ROOT / "client_configs").glob("*.rules")))
        measure(folder / "examples", folder, "examples", "acme_plumbing", examples)
        measure(fleet(folder), folder, "fleet", "acme_000", FLEET)
    return 0


if __name__ == "__main__":
    sys.exit(main())
