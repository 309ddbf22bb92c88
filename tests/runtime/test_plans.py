"""Each served client is planned once for deciding: on its first use, once per content of its file.

The plan (`decide.plan.ClientPlan`) is made when a client is first used, kept while its
file is unchanged (a reload that finds the file as it was keeps it), made anew when the
file changes, and made once however many threads ask for it at the same time.
"""

from __future__ import annotations

import threading
from pathlib import Path

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from tests.support import client_text

AT = "2026-11-27T10:00:00-06:00"


def test_a_reload_keeps_the_plan_of_an_unchanged_file_and_replans_a_changed_one(tmp_path: Path):
    (tmp_path / "alpha.rules").write_text(client_text("alpha", "Alpha speaking"), encoding="utf-8")
    (tmp_path / "beta.rules").write_text(client_text("beta", "Beta speaking", "+13125550300"), encoding="utf-8")
    engine = Engine(tmp_path)
    alpha, beta = engine.plan("alpha"), engine.plan("beta")
    assert engine.plan("alpha") is alpha

    (tmp_path / "beta.rules").write_text(client_text("beta", "Beta, new text", "+13125550300"), encoding="utf-8")
    report = engine.reload()

    assert report.changed == ("beta",)
    assert engine.plan("alpha") is alpha
    assert engine.plan("beta") is not beta
    assert engine.decide(Call(client="beta", at=AT)).greeting.text == "Beta, new text"


def test_threads_that_first_use_a_client_together_share_one_plan(tmp_path: Path):
    (tmp_path / "alpha.rules").write_text(client_text("alpha", "Alpha speaking"), encoding="utf-8")
    engine = Engine(tmp_path)
    start = threading.Barrier(8)
    plans = []

    def first_use():
        start.wait(timeout=10)
        plans.append(engine.plan("alpha"))

    threads = [threading.Thread(target=first_use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(plans) == 8 and all(plan is plans[0] for plan in plans)
