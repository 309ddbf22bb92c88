"""`engine.watch()` cannot go blind (issue 22, findings 1 and 2): real filesystem operations
that events alone miss (a directory deleted and made again, a link dangling for a second, a
renamed parent, a change whose event never reaches the watch) are followed within the rescan,
and the watch says how it is doing."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from rules_engine.engine import Engine
from tests.runtime.test_watch_deploys import greeting, release, seen_within, swap
from tests.support import client_text

RESCAN = 0.5
WITHIN = RESCAN + 2.5  # the rescan, a reload, and a busy machine's scheduling


def rewrite(folder: Path, version: str) -> None:
    (folder / "alpha.rules").write_text(client_text("alpha", f"Alpha {version}", "+13125550200"))


def test_a_directory_deleted_and_made_again_is_followed_and_so_is_every_later_edit(tmp_path):
    rules = release(tmp_path / "rules", "v1")
    errors: list[BaseException] = []
    with Engine(rules) as engine, engine.watch(debounce=0.05, rescan=RESCAN, on_error=errors.append) as watcher:
        shutil.rmtree(rules)  # an `rm -rf` and copy deploy
        release(rules, "v2")
        seen_within(engine, "alpha", "Alpha v2", WITHIN)
        for version in ("v3", "v4"):  # the finding: after the first reload nothing was followed
            rewrite(rules, version)
            seen_within(engine, "alpha", f"Alpha {version}", WITHIN)
        health = watcher.health()
        assert health.running and health.current and health.reloads >= 3


def test_a_link_that_dangles_for_a_second_and_comes_back_is_followed(tmp_path):
    releases = tmp_path / "releases"
    release(releases / "v1", "v1")
    current = tmp_path / "current"
    os.symlink("releases/v1", current)
    errors: list[BaseException] = []
    with Engine(current) as engine, engine.watch(debounce=0.05, rescan=RESCAN, on_error=errors.append) as watcher:
        swap(current, "releases/v2")  # the link swapped before the release is unpacked
        deadline = time.monotonic() + WITHIN
        while watcher.health().last_error is None:
            assert time.monotonic() < deadline, "the dangling link was never noticed"
            time.sleep(0.05)
        assert greeting(engine, "alpha") == "Alpha v1"  # the last version read keeps serving
        time.sleep(1.0)
        release(releases / "v2", "v2")
        seen_within(engine, "alpha", "Alpha v2", WITHIN)
        assert watcher.running  # the finding: the thread died and every later deploy was ignored
        release(releases / "v3", "v3")
        swap(current, "releases/v3")
        seen_within(engine, "alpha", "Alpha v3", WITHIN)
        health = engine.rules_health()
        assert health.ready and health.watch is not None and health.watch.errors >= 1
        assert "not there" in str(health.watch.last_error) and errors


def test_a_renamed_parent_is_followed_where_the_path_leads_now(tmp_path):
    rules = release(tmp_path / "app" / "rules", "v1")
    with Engine(rules) as engine, engine.watch(debounce=0.05, rescan=RESCAN):
        (tmp_path / "app").rename(tmp_path / "app-old")
        release(rules, "v2")
        seen_within(engine, "alpha", "Alpha v2", WITHIN)
        rewrite(rules, "v3")
        seen_within(engine, "alpha", "Alpha v3", WITHIN)


def test_a_change_whose_event_never_reaches_the_watch_is_found_by_the_rescan(tmp_path):
    # A write through a hard link in another directory changes the file the rules directory
    # holds, but inotify reports it only to the directory it was written through: the event is lost.
    rules = release(tmp_path / "rules", "v1")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.link(rules / "alpha.rules", elsewhere / "alpha.rules")
    with Engine(rules) as engine, engine.watch(debounce=0.05, rescan=RESCAN) as watcher:
        with open(elsewhere / "alpha.rules", "r+", encoding="utf-8") as same_file:
            same_file.write(client_text("alpha", "Alpha v2 by the back door", "+13125550200"))
            same_file.truncate()
        took = seen_within(engine, "alpha", "Alpha v2 by the back door", WITHIN)
        assert took >= 0 and watcher.health().last_scan is not None


def test_health_says_when_the_watch_is_not_running(tmp_path):
    rules = release(tmp_path / "rules", "v1")
    with Engine(rules) as engine:
        assert engine.rules_health().watch is None and engine.rules_health().ready
        watcher = engine.watch(rescan=RESCAN)
        assert engine.rules_health().watch.running
        watcher.stop()
        stopped = engine.rules_health()
        assert not stopped.watch.running and not stopped.watch.current and not stopped.ready
