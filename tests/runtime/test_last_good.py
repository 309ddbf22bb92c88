"""The last good version of each file survives a restart: a daemon restarted while a file is
broken keeps serving that client, says so, and never brings back a client deleted on purpose."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.errors import UnknownClientError
from rules_engine.runtime import rule_sources
from rules_engine.runtime.compile_cache import CacheError
from tests.support import client_text

AT = "2026-11-27T10:00:00-06:00"
SINCE = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00"


def greeting(engine: Engine, client: str) -> str:
    return engine.decide(Call(client=client, at=AT)).greeting.text


def save(rules: Path, client: str, greeting_text: str, number: str, broken: bool = False) -> None:
    (rules / f"{client}.rules").write_text(client_text(client, greeting_text, number, broken), encoding="utf-8")


@pytest.fixture
def rules(tmp_path) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    save(folder, "alpha", "Alpha speaking", "+13125550200")
    save(folder, "beta", "Beta speaking", "+13125550300")
    return folder


@pytest.fixture
def cache_dir(tmp_path) -> Path:
    return tmp_path / "cache"


def test_a_restart_that_finds_a_file_broken_serves_its_last_good_version_and_says_so(rules, cache_dir):
    """Issue 14, failure 1: the restart stopped serving the client ("no client `alpha` is served")."""
    with Engine(rules, cache_dir=cache_dir) as engine:
        version = engine.client("alpha").rules_version
    save(rules, "alpha", "Alpha, broken", "+13125550200", broken=True)

    with Engine(rules, cache_dir=cache_dir) as restarted:
        assert greeting(restarted, "alpha") == "Alpha speaking"
        assert restarted.decide(Call(number="+13125550200", at=AT)).rules_version == version
        error, note = restarted.problems
        assert error.render().startswith(f"{rules / 'alpha.rules'}:7:5: error: ")
        assert re.fullmatch(
            re.escape(
                f"{rules / 'alpha.rules'}: warning: not served as saved; its last good version serves "
                f"instead (rules version {version}, serving since "
            )
            + SINCE
            + r"\)\n"
            r"  hint: fix the errors above and save: the fixed version replaces it",
            note.render(),
        )


def test_a_good_save_replaces_the_last_good_version(rules, cache_dir):
    Engine(rules, cache_dir=cache_dir).close()
    save(rules, "alpha", "Alpha, broken", "+13125550200", broken=True)
    with Engine(rules, cache_dir=cache_dir) as engine:
        save(rules, "alpha", "Alpha, fixed", "+13125550200")
        assert engine.reload().changed == ("alpha",)
    save(rules, "alpha", "Alpha, broken again", "+13125550200", broken=True)
    with Engine(rules, cache_dir=cache_dir) as restarted:
        assert greeting(restarted, "alpha") == "Alpha, fixed"


def test_a_client_deleted_on_purpose_is_not_brought_back(rules, cache_dir):
    with Engine(rules, cache_dir=cache_dir) as engine:
        (rules / "beta.rules").unlink()
        assert engine.reload().removed == ("beta",)
    save(rules, "beta", "Beta, broken", "+13125550300", broken=True)  # a new beta, broken
    with Engine(rules, cache_dir=cache_dir) as restarted, pytest.raises(UnknownClientError):
        greeting(restarted, "beta")


def test_a_file_deleted_while_the_daemon_was_down_is_forgotten_too(rules, cache_dir):
    Engine(rules, cache_dir=cache_dir).close()
    (rules / "beta.rules").unlink()
    Engine(rules, cache_dir=cache_dir).close()  # starts without beta: deleted on purpose
    save(rules, "beta", "Beta, broken", "+13125550300", broken=True)
    with Engine(rules, cache_dir=cache_dir) as restarted:
        assert sorted(restarted.clients) == ["alpha"]


def test_a_start_that_finds_no_rule_file_serves_every_last_good_version(rules, cache_dir):
    Engine(rules, cache_dir=cache_dir).close()
    for file in rules.iterdir():
        file.unlink()
    with Engine(rules, cache_dir=cache_dir) as restarted:
        assert greeting(restarted, "beta") == "Beta speaking"
        assert restarted.decide(Call(number="+13125550200", at=AT)).greeting.text == "Alpha speaking"
        assert [p.message for p in restarted.problems] == [
            "no rule files here any more; the 2 client(s) that were serving keep serving"
        ]


def test_a_restart_that_finds_a_file_taking_anothers_number_serves_its_last_good_version(rules, cache_dir):
    Engine(rules, cache_dir=cache_dir).close()
    save(rules, "beta", "Beta, greedy", "+13125550200")  # alpha's number
    with Engine(rules, cache_dir=cache_dir) as restarted:
        assert greeting(restarted, "beta") == "Beta speaking"
        assert greeting(restarted, "alpha") == "Alpha speaking"


def test_with_a_store_and_no_cache_the_last_good_versions_are_kept_beside_the_store(rules, tmp_path):
    (tmp_path / "state").mkdir()
    Engine.from_settings(rules=rules, store=tmp_path / "state" / "live.db").close()
    assert (os.stat(tmp_path / "state" / "live.last-good").st_mode & 0o777) == 0o700
    save(rules, "alpha", "Alpha, broken", "+13125550200", broken=True)
    with Engine.from_settings(rules=rules, store=tmp_path / "state" / "live.db") as restarted:
        assert greeting(restarted, "alpha") == "Alpha speaking"


def test_keep_last_good_false_keeps_nothing_on_disk(rules, tmp_path):
    Engine.from_settings(rules=rules, store=tmp_path / "live.db", keep_last_good=False).close()
    assert not (tmp_path / "live.last-good").exists()
    save(rules, "alpha", "Alpha, broken", "+13125550200", broken=True)
    with Engine.from_settings(rules=rules, store=tmp_path / "live.db", keep_last_good=False) as restarted:
        assert sorted(restarted.clients) == ["beta"]


def test_without_a_store_or_cache_nothing_is_written(rules, tmp_path):
    Engine(rules).close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rules"]


def test_a_last_good_directory_open_to_others_is_refused(rules, tmp_path):
    (tmp_path / "shared").mkdir(mode=0o777)
    os.chmod(tmp_path / "shared", 0o777)
    with pytest.raises(CacheError) as caught:
        Engine(rules, last_good_dir=tmp_path / "shared")
    assert str(caught.value) == (
        f"{tmp_path / 'shared'}: the last-good state is open to other users (mode 0777); it must be 0700 (chmod 700)"
    )


def test_a_damaged_record_is_ignored(rules, cache_dir):
    Engine(rules, cache_dir=cache_dir).close()
    for record in (cache_dir / "last-good").glob("*.json"):
        record.write_text("{not json")
    save(rules, "alpha", "Alpha, broken", "+13125550200", broken=True)
    with Engine(rules, cache_dir=cache_dir) as restarted:
        assert sorted(restarted.clients) == ["beta"]
        assert [p.severity for p in restarted.problems] == ["error"]


def test_the_archive_keeps_the_last_good_version_of_each_file_however_many_reloads(rules, cache_dir, monkeypatch):
    """Issue 22, finding 8: after 2,000 reloads the archive held 1,338 files (11 MB)."""
    monkeypatch.setattr(rule_sources, "PRUNE_GRACE_S", 0.0)  # no other engine shares the directory here
    archive = cache_dir / "last-good" / "sources"
    with Engine(rules, cache_dir=cache_dir) as engine:
        for n in range(150):
            save(rules, "alpha", f"Alpha take {n}", "+13125550200")
            engine.reload()
            assert greeting(engine, "alpha") == f"Alpha take {n}"
        kept = {file.stem for file in archive.glob("*.json")}
        assert kept == {engine.client("alpha").rules_version, engine.client("beta").rules_version}
    save(rules, "alpha", "Alpha, broken", "+13125550200", broken=True)
    with Engine(rules, cache_dir=cache_dir) as restarted:  # what it kept is what a restart needs
        assert greeting(restarted, "alpha") == "Alpha take 149"


def test_a_source_kept_within_the_last_minute_is_never_pruned(rules, cache_dir):
    """Another engine sharing the directory may be about to record the version it just kept."""
    with Engine(rules, cache_dir=cache_dir) as engine:
        for n in range(3):
            save(rules, "alpha", f"Alpha take {n}", "+13125550200")
            engine.reload()
    assert len(list((cache_dir / "last-good" / "sources").glob("*.json"))) == 5
