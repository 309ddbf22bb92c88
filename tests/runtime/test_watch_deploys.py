"""`engine.watch()` follows deploys that swap a symbolic link, within 2 seconds: a Kubernetes
ConfigMap volume (`..data` → a new timestamped folder) and a `current → releases/v2` link."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from tests.support import client_text

AT = "2026-11-27T10:00:00-06:00"
WITHIN_S = 2.0


def greeting(engine: Engine, client: str) -> str:
    return engine.decide(Call(client=client, at=AT)).greeting.text


def release(folder: Path, version: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "alpha.rules").write_text(client_text("alpha", f"Alpha {version}", "+13125550200"))
    (folder / "beta.rules").write_text(client_text("beta", f"Beta {version}", "+13125550300"))
    return folder


def swap(link: Path, target: str) -> None:
    """Point `link` at `target` in one step, as `ln -s target tmp && mv -T tmp link` does."""
    temporary = link.with_name(link.name + ".tmp")
    os.symlink(target, temporary)
    os.replace(temporary, link)


def seen_within(engine: Engine, client: str, expected: str, seconds: float = WITHIN_S) -> float:
    """How long until `client` answers with `expected` (fails after `seconds`)."""
    started = time.monotonic()
    while greeting(engine, client) != expected:
        assert time.monotonic() - started < seconds, f"still {greeting(engine, client)!r} after {seconds} s"
        time.sleep(0.02)
    return time.monotonic() - started


def test_a_configmap_update_is_followed(tmp_path):
    """The kubelet's atomic writer: files are links through `..data`, which is swapped to a new
    hidden folder; nothing named `*.rules` changes in the watched directory."""
    volume = tmp_path / "rules"
    release(volume / "..2026_11_27_10_00_00.1", "v1")
    os.symlink("..2026_11_27_10_00_00.1", volume / "..data")
    for name in ("alpha.rules", "beta.rules"):
        os.symlink(f"..data/{name}", volume / name)
    with Engine(volume) as engine, engine.watch(debounce=0.05):
        assert greeting(engine, "alpha") == "Alpha v1"
        release(volume / "..2026_11_27_11_00_00.2", "v2")
        swap(volume / "..data", "..2026_11_27_11_00_00.2")
        shutil.rmtree(volume / "..2026_11_27_10_00_00.1")
        seen_within(engine, "alpha", "Alpha v2")
        assert greeting(engine, "beta") == "Beta v2"


def test_a_current_link_moved_to_a_new_release_is_followed_and_then_its_edits(tmp_path):
    release(tmp_path / "releases" / "v1", "v1")
    os.symlink("releases/v1", tmp_path / "current")
    with Engine(tmp_path / "current") as engine, engine.watch(debounce=0.05):
        release(tmp_path / "releases" / "v2", "v2")
        swap(tmp_path / "current", "releases/v2")
        seen_within(engine, "alpha", "Alpha v2")
        # The watch now follows the new release: an edit made there is seen too.
        (tmp_path / "releases" / "v2" / "beta.rules").write_text(client_text("beta", "Beta edited", "+13125550300"))
        seen_within(engine, "beta", "Beta edited")
        # ... and the old release is no longer watched.
        (tmp_path / "releases" / "v1" / "alpha.rules").write_text(client_text("alpha", "Alpha old", "+13125550200"))
        time.sleep(0.5)
        assert greeting(engine, "alpha") == "Alpha v2"


def test_a_single_file_served_through_a_configmap_link_is_followed(tmp_path):
    volume = tmp_path / "rules"
    release(volume / "..v1", "v1")
    os.symlink("..v1", volume / "..data")
    os.symlink("..data/alpha.rules", volume / "alpha.rules")
    with Engine(volume / "alpha.rules") as engine, engine.watch(debounce=0.05):
        release(volume / "..v2", "v2")
        swap(volume / "..data", "..v2")
        seen_within(engine, "alpha", "Alpha v2")
