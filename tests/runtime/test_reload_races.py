"""Reloads racing with saves: a file moved away for a moment while a reload scans is not a
deletion, and a file swapped for another with the same size and time is still seen."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.runtime import catalog as catalogs
from tests.support import client_text

AT = "2026-11-27T10:00:00-06:00"


def greeting(engine: Engine, client: str) -> str:
    return engine.decide(Call(client=client, at=AT)).greeting.text


@pytest.fixture
def rules(tmp_path) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "alpha.rules").write_text(client_text("alpha", "Alpha speaking", "+13125550200"))
    (folder / "beta.rules").write_text(client_text("beta", "Beta speaking", "+13125550300"))
    return folder


def test_a_file_moved_away_between_the_listing_and_its_read_is_not_taken_as_deleted(rules, monkeypatch):
    """An editor that saves by moving the old file to a backup and writing the new one: the reload
    lists alpha.rules, the save moves it away before the reload reads it, and puts it back after."""
    engine = Engine(rules)
    (rules / "alpha.rules").write_text(client_text("alpha", "Alpha, saved", "+13125550200"))
    real_scan = catalogs.scan
    saves = [str(rules / "alpha.rules")]  # one save, during the first read of alpha.rules

    def scan_during_a_save(file, *args):
        if file not in saves:
            return real_scan(file, *args)
        saves.remove(file)
        os.rename(file, file + "~")  # the save begins: the old file is moved to a backup
        try:
            return real_scan(file, *args)
        finally:
            os.rename(file + "~", file)  # ... and the saved file is in place again

    monkeypatch.setattr(catalogs, "scan", scan_during_a_save)
    report = engine.reload()
    monkeypatch.undo()
    assert (report.removed, report.changed) == ((), ("alpha",))
    assert greeting(engine, "alpha") == "Alpha, saved"


def test_a_file_missing_from_the_listing_but_back_a_moment_later_is_not_taken_as_deleted(rules, monkeypatch):
    engine = Engine(rules)
    real_listing = catalogs.rule_files
    backup = rules / "alpha.rules~"

    def listing_during_a_save(path):
        os.rename(rules / "alpha.rules", backup)
        try:
            return real_listing(path)
        finally:
            os.rename(backup, rules / "alpha.rules")

    monkeypatch.setattr(catalogs, "rule_files", listing_during_a_save)
    report = engine.reload()
    monkeypatch.undo()
    assert report.removed == ()
    assert greeting(engine, "alpha") == "Alpha speaking"


def test_a_file_still_missing_after_looking_again_is_deleted(rules):
    engine = Engine(rules)
    (rules / "beta.rules").unlink()
    assert engine.reload().removed == ("beta",)


def test_a_file_swapped_for_one_of_the_same_size_and_time_is_recompiled(rules):
    """A deploy that copies a release with its files' times kept (`cp -p`, tar, rsync -t):
    the new file has the old one's size and modification time, but it is another file."""
    old = rules / "alpha.rules"
    an_hour_ago = old.stat().st_mtime_ns - 3600 * 10**9
    os.utime(old, ns=(an_hour_ago, an_hour_ago))  # old enough for the reload to trust its stamp
    engine = Engine(rules)
    stamp = old.stat()
    new = rules / "alpha.rules.new"
    text = client_text("alpha", "Alpha speaking", "+13125550200").replace("Alpha speaking", "Alpha speaks!!")
    assert len(text) == stamp.st_size
    new.write_text(text)
    os.utime(new, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    os.replace(new, old)
    assert engine.reload().changed == ("alpha",)
    assert greeting(engine, "alpha") == "Alpha speaks!!"
