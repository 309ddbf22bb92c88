"""Publishing's server time over a fleet of 200 clients (copies of Acme Plumbing): the console
mounting (the history started with what serves: 200 imports the first time, none after), one
publish (checks beside the 199 others, the file written, the engine reloaded), the history
page of a client with 20 versions, and the follower's look at the table when nothing changed.

    .venv/bin/python benchmarks/publishing.py

In-process, best and median of the rounds; every answer is checked before it counts.
"""

from __future__ import annotations

import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.console import FLEET, PASSWORD, fleet, timed
from rules_engine.console.accounts import Accounts
from rules_engine.console.mount import mount
from rules_engine.engine import Engine
from rules_engine.http import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def line(what: str, best: float, median: float) -> None:
    print(f"{what:<52} best {best * 1000:8.1f} ms   median {median * 1000:8.1f} ms")


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        rules = fleet(folder)
        engine = Engine(rules)
        assert len(engine.clients) == FLEET
        store = folder / "console.db"
        mounts = []

        def mount_once() -> None:
            mounts.append(mount(create_app(engine), engine, store))

        line(f"mount, the first time ({FLEET} imports)", *timed(mount_once, 1))
        mounts.pop().close()
        line(
            "mount again (nothing to record)",
            *timed(lambda: mounts.append(mount(create_app(engine), engine, store)), 3),
        )
        for opened in mounts:
            opened.close()
        app = create_app(engine)
        mounted = mount(app, engine, store)
        Accounts(mounted).add("bench", "admin", PASSWORD)
        publisher = mounted.follower.publisher
        text = engine.client("acme_000").source
        count = iter(range(1, 1000))

        def publish() -> None:
            edited = text.replace("Acme Plumbing", f"Acme Plumbing {next(count)}", 1)
            assert publisher.publish("acme_000", edited, "bench", "timing", acknowledged=True).number > 1

        line("a publish (checks, write, reload)", *timed(publish, 19))
        line("the follower's look when nothing changed", *timed(mounted.follower.poll, 50))
        with TestClient(app, base_url="https://testserver") as client:
            page = client.get("/console/login")
            token = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
            client.post("/console/login", data={"csrf": token, "name": "bench", "password": PASSWORD})

            def history() -> None:
                page = client.get("/console/clients/acme_000/history")
                assert page.status_code == 200 and page.text.count('class="version"') == 20

            line("the history page (20 versions, each with its diff)", *timed(history, 10))
        mounted.close()
        engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
