"""Many threads deciding while the rule files are edited, broken, fixed, deleted and reloaded.

Every saved version of a file has a greeting of its own, so each decision shows which
version decided it; the test checks that the greeting always belongs to the
`rules_version` the decision names, and that no decision ever came from a broken file.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.errors import UnknownClientError
from tests.support import client_text

DECIDERS = 8
CYCLES = 12  # each: a good save, a broken save, a fix; every third also deletes and restores a client
AT = "2026-11-27T10:00:00-06:00"


class Deploys:
    """The account manager: saves versions of the files and reloads, recording each good version."""

    def __init__(self, directory: Path, engine: Engine):
        self.directory = directory
        self.engine = engine
        self.greeting_of: dict[tuple[str, str], str] = {}  # (client, rules_version) → the greeting saved with it
        self.saves = Counter()

    def save(self, client: str, number: str, broken: bool = False) -> None:
        self.saves[client] += 1
        label = "BROKEN" if broken else "version"
        path = self.directory / f"{client}.rules"
        path.write_text(client_text(client, f"{client} {label} {self.saves[client]}", number, broken), encoding="utf-8")

    def good(self, client: str, number: str) -> None:
        self.save(client, number)
        report = self.engine.reload()
        assert client in report.changed + report.added, report
        assert not [p for p in report.problems if p.file == str(self.directory / f"{client}.rules")], report
        version = self.engine.client(client).rules_version
        self.greeting_of[(client, version)] = f"{client} version {self.saves[client]}"

    def broken(self, client: str, number: str) -> None:
        self.save(client, number, broken=True)
        report = self.engine.reload()
        assert report.changed == (), report
        problems = [(p.severity, p.file) for p in report.problems]
        assert problems.count(("error", str(self.directory / f"{client}.rules"))) == 1, report
        assert problems.count(("warning", str(self.directory / f"{client}.rules"))) == 1, report  # what serves

    def delete(self, client: str) -> None:
        (self.directory / f"{client}.rules").unlink()
        assert self.engine.reload().removed == (client,)


def test_deciding_in_eight_threads_while_files_change_and_reload(tmp_path):
    engine = Engine.from_path(tmp_path)
    deploys = Deploys(tmp_path, engine)
    deploys.good("alpha", "+13125550200")
    deploys.good("gamma", "+13125550300")

    stop = threading.Event()
    failures: list[BaseException] = []
    seen: list[Counter] = [Counter() for _ in range(DECIDERS)]
    unserved = Counter()

    def decide_continuously(index: int) -> None:
        try:
            while not stop.is_set():
                time.sleep(0)  # a daemon's threads wait on the network between calls: let the others run
                decision = engine.decide(Call(client="alpha", at=AT))
                seen[index][(decision.client, decision.rules_version, decision.greeting.text)] += 1
                try:
                    decision = engine.decide(Call(number="+13125550300", at=AT))
                except UnknownClientError:
                    unserved[index] += 1  # gamma's file is deleted for now: the only error allowed
                    continue
                seen[index][(decision.client, decision.rules_version, decision.greeting.text)] += 1
        except BaseException as exc:
            failures.append(exc)

    def deploy() -> None:
        try:
            for cycle in range(CYCLES):
                deploys.good("alpha", "+13125550200")
                time.sleep(0.005)  # let the deciders serve this version for a moment
                deploys.broken("alpha", "+13125550200")
                time.sleep(0.005)
                if cycle % 3 == 2:
                    deploys.delete("gamma")
                    time.sleep(0.005)
                    deploys.good("gamma", "+13125550300")
                else:
                    deploys.broken("gamma", "+13125550300")
                    deploys.good("gamma", "+13125550300")
        except BaseException as exc:
            failures.append(exc)
        finally:
            stop.set()

    deciders = [threading.Thread(target=decide_continuously, args=(i,)) for i in range(DECIDERS)]
    writer = threading.Thread(target=deploy)
    for thread in [*deciders, writer]:
        thread.start()
    writer.join(timeout=60)
    stop.set()
    for thread in deciders:
        thread.join(timeout=10)

    assert failures == []
    decided = sum(seen, Counter())
    assert all(sum(counts.values()) > 0 for counts in seen), "every thread decided"
    assert not [greeting for (_, _, greeting) in decided if "BROKEN" in greeting]
    mismatched = {
        (client, version): greeting
        for (client, version, greeting) in decided
        if deploys.greeting_of.get((client, version)) != greeting
    }
    assert mismatched == {}
    # The deciders were really serving across the reloads, not before or after them.
    assert len({version for (client, version, _) in decided if client == "alpha"}) >= 2
