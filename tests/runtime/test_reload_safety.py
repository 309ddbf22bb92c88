"""A reload that finds no rule file at all never takes every client off the phones."""

from __future__ import annotations

import shutil

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from tests.support import client_text

AT = "2026-11-27T10:00:00-06:00"


def greeting(engine: Engine, client: str) -> str:
    return engine.decide(Call(client=client, at=AT)).greeting.text


def test_an_emptied_directory_keeps_every_client_serving_and_says_so(rules_dir):
    engine = Engine(rules_dir)
    for file in rules_dir.iterdir():
        file.unlink()
    report = engine.reload()
    assert report.removed == ()
    assert greeting(engine, "alpha") == "Alpha speaking" and greeting(engine, "beta") == "Beta speaking"
    assert [p.message for p in engine.problems] == [
        "no rule files here any more; the 2 client(s) that were serving keep serving"
    ]
    (rules_dir / "alpha.rules").write_text(client_text("alpha", "Alpha is back", "+13125550200"))
    report = engine.reload()
    assert report.removed == ("beta",)  # with a file back, beta's absence is deliberate
    assert greeting(engine, "alpha") == "Alpha is back"
    assert engine.problems == ()


def test_a_vanished_directory_keeps_every_client_serving(rules_dir):
    engine = Engine(rules_dir)
    shutil.rmtree(rules_dir)
    engine.reload()
    assert greeting(engine, "beta") == "Beta speaking"
    assert "the rules are gone" in engine.problems[0].message


def test_a_single_served_file_deleted_keeps_serving(tmp_path):
    path = tmp_path / "alpha.rules"
    path.write_text(client_text("alpha", "Alpha speaking", "+13125550200"))
    engine = Engine(path)
    path.unlink()
    engine.reload()
    assert greeting(engine, "alpha") == "Alpha speaking"


def test_deleting_one_file_while_others_remain_stops_serving_it(rules_dir):
    engine = Engine(rules_dir)
    (rules_dir / "beta.rules").unlink()
    assert engine.reload().removed == ("beta",)
    assert set(engine.clients) == {"alpha"}
