"""The persistent compile cache: a restart serves what the files say without compiling them
again, and nothing in the cache directory can make it serve anything else."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import lark
import pytest

from rules_engine.compiler.compile import compile_file
from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.runtime import compile_cache
from rules_engine.runtime.compile_cache import CacheError, CompileCache
from rules_engine.runtime.settings import Settings
from tests.support import ACME, CONFIGS, client_text

AT = "2026-11-27T10:00:00-06:00"
# Calls over the day and the week, so that windows, holidays and on-call all take part.
TIMES = (
    "2026-11-26T09:00:00-06:00",
    "2026-11-27T03:30:00-06:00",
    "2026-11-28T13:15:00-06:00",
    "2026-12-24T18:00:00-06:00",
    "2026-03-08T02:30:00-06:00",
)


@pytest.fixture
def rules(rules_dir) -> Path:
    """The two small clients, and Acme Plumbing for windows, holidays and on-call."""
    shutil.copy(ACME, rules_dir / "acme_plumbing.rules")
    return rules_dir


@pytest.fixture
def cache_dir(tmp_path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def parsed(monkeypatch) -> list[str]:
    """The client id of every rule text the parser reads while the test runs."""
    seen: list[str] = []
    parse = lark.Lark.parse

    def counting_parse(self, text, *args, **kwargs):
        seen.append(text.split()[1])
        return parse(self, text, *args, **kwargs)

    monkeypatch.setattr(lark.Lark, "parse", counting_parse)
    return seen


def decisions(engine: Engine, client: str) -> list[dict]:
    return [engine.decide(Call(client=client, at=at)).to_dict() for at in TIMES]


def entries(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.glob("*.json"))


def test_a_restart_serves_from_the_cache_without_compiling_and_decides_the_same(rules, cache_dir, parsed):
    Engine(rules, cache_dir=cache_dir)
    assert sorted(parsed) == ["acme_plumbing", "alpha", "beta"]
    assert len(entries(cache_dir)) == 3
    parsed.clear()

    restarted = Engine(rules, cache_dir=cache_dir)
    assert restarted.client(number="+13125550300").id == "beta"  # numbers known before any client is built
    assert parsed == []
    uncached = Engine(rules)
    for client in ("acme_plumbing", "alpha", "beta"):
        assert restarted.client(client) == uncached.client(client)
        assert decisions(restarted, client) == decisions(uncached, client)
    assert restarted.warnings == uncached.warnings
    assert parsed == ["acme_plumbing", "alpha", "beta"]  # only the engine without a cache compiled


def test_every_example_client_comes_back_from_the_cache_as_compiled(tmp_path, cache_dir, parsed):
    """Every construct the examples use (number questions' bounds, `during`, holiday selections…)
    is stored and read back exactly: a restart serves what a compile gives."""
    Engine(CONFIGS, cache_dir=cache_dir)
    parsed.clear()
    restarted, uncached = Engine(CONFIGS, cache_dir=cache_dir), Engine(CONFIGS)
    for client in uncached.clients:
        assert restarted.client(client) == uncached.client(client)
    assert len(parsed) == len(uncached.clients)  # only the engine without a cache compiled


def test_an_edited_file_misses_the_cache_and_is_compiled(rules, cache_dir, parsed):
    Engine(rules, cache_dir=cache_dir)
    (rules / "alpha.rules").write_text(client_text("alpha", "Alpha, new text", "+13125550200"), encoding="utf-8")
    parsed.clear()

    restarted = Engine(rules, cache_dir=cache_dir)
    assert parsed == ["alpha"]
    assert restarted.decide(Call(client="alpha", at=AT)).greeting.text == "Alpha, new text"
    assert restarted.decide(Call(client="beta", at=AT)).greeting.text == "Beta speaking"


def test_a_reload_stores_what_it_compiles(rules, cache_dir, parsed):
    engine = Engine(rules, cache_dir=cache_dir)
    (rules / "beta.rules").write_text(client_text("beta", "Beta, reloaded", "+13125550300"), encoding="utf-8")
    engine.reload()
    parsed.clear()
    assert Engine(rules, cache_dir=cache_dir).decide(Call(client="beta", at=AT)).greeting.text == "Beta, reloaded"
    assert parsed == []


@pytest.mark.parametrize("damage", ["truncated", "flipped byte", "empty", "not json"])
def test_a_damaged_entry_is_ignored_and_rewritten(rules, cache_dir, parsed, damage):
    Engine(rules, cache_dir=cache_dir)
    for entry in entries(cache_dir):
        data = entry.read_bytes()
        entry.write_bytes(
            {
                "truncated": data[: len(data) // 2],
                "flipped byte": data[:-10] + bytes([data[-10] ^ 0x01]) + data[-9:],
                "empty": b"",
                "not json": b"\x80\x81 not an entry",
            }[damage]
        )
    parsed.clear()

    restarted = Engine(rules, cache_dir=cache_dir)
    assert sorted(parsed) == ["acme_plumbing", "alpha", "beta"]
    assert restarted.decide(Call(client="alpha", at=AT)).greeting.text == "Alpha speaking"
    parsed.clear()
    Engine(rules, cache_dir=cache_dir)
    assert parsed == []  # the entries were written again


def test_another_files_entry_in_place_of_this_ones_is_not_served(rules, cache_dir, parsed):
    cache = CompileCache(cache_dir)
    alpha, beta = str(rules / "alpha.rules"), str(rules / "beta.rules")
    Engine(rules, cache_dir=cache_dir)
    alpha_entry = next(p for p in entries(cache_dir) if b'"id":"alpha"' in p.read_bytes())
    beta_data = (rules / "beta.rules").read_bytes()
    import hashlib

    beta_entry = cache.entry(beta, hashlib.sha256(beta_data).hexdigest())
    shutil.copy(alpha_entry, beta_entry)  # a complete, self-consistent entry, but alpha's
    parsed.clear()

    restarted = Engine(rules, cache_dir=cache_dir)
    assert parsed == ["beta"]
    assert restarted.client("beta").path == beta
    assert restarted.client("alpha").path == alpha
    assert restarted.decide(Call(number="+13125550300", at=AT)).greeting.text == "Beta speaking"


def rewrite_body(entry: Path, change) -> None:
    """Change an entry's body and give it a valid checksum, as someone able to write the
    cache directory could: the entry verifies, its content is wrong."""
    import hashlib

    _, rest = entry.read_bytes().split(b"\n", 1)
    head, body = rest.split(b"\n", 1)
    rest = head + b"\n" + json.dumps(change(json.loads(body))).encode()
    entry.write_bytes(hashlib.sha256(rest).hexdigest().encode() + b"\n" + rest)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda body: {**body, "@": "os.system"}, id="a class outside the model"),
        pytest.param(lambda body: {**body, "routes": "rm -rf /"}, id="a field of the wrong type"),
        pytest.param(lambda body: {**body, "id": "someone_else"}, id="another client"),
    ],
)
def test_a_forged_body_is_never_served_the_file_is_compiled_instead(rules, cache_dir, parsed, change):
    Engine(rules, cache_dir=cache_dir)
    for entry in entries(cache_dir):
        if b'"id":"alpha"' in entry.read_bytes():
            rewrite_body(entry, change)
    parsed.clear()

    restarted = Engine(rules, cache_dir=cache_dir)
    assert parsed == []  # the header verifies: alpha is indexed from the cache…
    assert restarted.client("alpha") == compile_file(rules / "alpha.rules")[0]  # …and compiled on use
    assert parsed == ["alpha", "alpha"]


def test_clashing_numbers_are_found_from_the_cache_as_from_the_files(rules, cache_dir):
    (rules / "gamma.rules").write_text(client_text("gamma", "Gamma", "+13125550200"), encoding="utf-8")
    first = Engine(rules, cache_dir=cache_dir)
    restarted = Engine(rules, cache_dir=cache_dir)
    assert [p.message for p in restarted.problems] == [p.message for p in first.problems]
    assert "belongs to two clients" in restarted.problems[0].message
    assert sorted(restarted.clients) == sorted(first.clients) == ["acme_plumbing", "alpha", "beta"]


def test_threads_asking_for_a_cached_client_at_once_get_one_complete_client(rules, cache_dir):
    Engine(rules, cache_dir=cache_dir)
    restarted = Engine(rules, cache_dir=cache_dir)
    start = threading.Barrier(8)
    got, texts = [], []

    def ask():
        start.wait()
        got.append(restarted.client("acme_plumbing"))
        texts.append(restarted.decide(Call(client="alpha", at=AT)).greeting.text)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got) == 8 and all(client is got[0] for client in got)
    assert got[0] == compile_file(rules / "acme_plumbing.rules")[0]
    assert texts == ["Alpha speaking"] * 8


def test_concurrent_writers_leave_only_complete_entries(rules, cache_dir, parsed):
    start = threading.Barrier(6)
    errors = []

    def serve():
        start.wait()
        try:
            Engine(rules, cache_dir=cache_dir)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=serve) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(entries(cache_dir)) == 3
    assert [p.name for p in cache_dir.rglob(".tmp-*")] == []  # no temporary left, here or in last-good/
    parsed.clear()
    Engine(rules, cache_dir=cache_dir)
    assert parsed == []


def test_the_cache_directory_is_created_private(cache_dir, rules):
    Engine(rules, cache_dir=cache_dir / "nested")
    assert (os.stat(cache_dir / "nested").st_mode & 0o777) == 0o700
    assert all((os.stat(e).st_mode & 0o077) == 0 for e in entries(cache_dir / "nested"))


def test_a_cache_directory_open_to_others_is_refused(cache_dir, rules):
    cache_dir.mkdir(mode=0o700)
    os.chmod(cache_dir, 0o770)
    with pytest.raises(CacheError, match="0770"):
        Engine(rules, cache_dir=cache_dir)


def test_a_link_as_cache_directory_is_refused(tmp_path, rules):
    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(target)
    with pytest.raises(CacheError, match="not a link"):
        Engine(rules, cache_dir=tmp_path / "link")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving a directory away needs root")
def test_a_cache_directory_of_another_user_is_refused(cache_dir, rules):
    cache_dir.mkdir(mode=0o700)
    os.chown(cache_dir, 65534, 65534)
    with pytest.raises(CacheError, match="another user"):
        Engine(rules, cache_dir=cache_dir)


def test_settings_name_the_cache_directory_relative_to_the_settings_file(tmp_path, rules, parsed):
    settings = tmp_path / "engine.yaml"
    settings.write_text("rules: rules\ncache_dir: cache\n", encoding="utf-8")
    assert Settings.from_yaml(settings).cache_dir == tmp_path / "cache"
    with Engine.from_settings(settings):
        pass
    parsed.clear()
    with Engine.from_settings(settings) as engine:
        assert engine.decide(Call(client="beta", at=AT)).greeting.text == "Beta speaking"
    assert parsed == []


# ---- the fingerprint: what makes every older entry unreachable --------------------------------

# Print the source file of every module of the package that compiling imports.
COMPILER_MODULES = """
import sys
import rules_engine.compiler.compile
print("\\n".join(sorted(m.__file__ for n, m in sys.modules.items() if n.startswith("rules_engine") and m.__file__)))
"""


def compiler_sources() -> list[Path]:
    """The package's files a compile reads, found in a fresh interpreter: every module the compiler
    imports, however indirectly, and the grammar."""
    listed = subprocess.run(
        [sys.executable, "-c", COMPILER_MODULES], check=True, capture_output=True, text=True, timeout=120
    ).stdout.split()
    return [Path(p) for p in listed] + [compile_cache.PACKAGE / "compiler" / "rules.lark"]


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory) -> Path:
    """A copy of the package's source tree, to edit."""
    copy = tmp_path_factory.mktemp("package") / "rules_engine"
    shutil.copytree(compile_cache.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def key(package: Path, **versions: str) -> str:
    return compile_cache.fingerprint_of(package, {**compile_cache.library_versions(), **versions}, "3.11.7")


def test_the_key_depends_on_the_sources_not_on_where_the_package_is(package_copy):
    assert key(package_copy) == key(compile_cache.PACKAGE)
    versions = compile_cache.library_versions()
    python = platform.python_version()
    assert compile_cache.fingerprint() == compile_cache.fingerprint_of(compile_cache.PACKAGE, versions, python)


def test_editing_any_module_the_compiler_imports_changes_the_key(package_copy):
    sources = compiler_sources()
    # The compiler's own modules and what they stand on: a hand-kept list of files missed these.
    names = {p.relative_to(compile_cache.PACKAGE).as_posix() for p in sources}
    assert {"compiler/compile.py", "model.py", "phones.py", "caller_languages.py", "forwarding.py"} <= names
    before = key(package_copy)
    for source in sources:
        copied = package_copy / source.relative_to(compile_cache.PACKAGE)
        original = copied.read_bytes()
        copied.write_bytes(original + b"\n# an edit that changes no behaviour still makes a new key\n")
        try:
            assert key(package_copy) != before, f"editing {copied.name} left the key as it was"
        finally:
            copied.write_bytes(original)
    assert key(package_copy) == before


def test_a_module_added_anywhere_in_the_package_changes_the_key(package_copy):
    before = key(package_copy)
    added = package_copy / "schedule" / "new_rule_kind.py"
    added.write_text('"""A module no list names yet."""\n', encoding="utf-8")
    try:
        assert key(package_copy) != before
    finally:
        added.unlink()


@pytest.mark.parametrize("library", compile_cache.LIBRARIES)
def test_another_version_of_a_library_that_decides_the_compile_changes_the_key(library):
    assert key(compile_cache.PACKAGE, **{library: "0.0.1"}) != key(compile_cache.PACKAGE)


def test_the_key_covers_the_libraries_whose_data_changes_decisions_and_python():
    covered = set(compile_cache.LIBRARIES)
    assert {"lark", "pydantic", "pendulum", "holidays", "phonenumbers", "langcodes"} <= covered
    versions = compile_cache.library_versions()
    package = compile_cache.PACKAGE
    assert compile_cache.fingerprint_of(package, versions, "3.11.7") != compile_cache.fingerprint_of(
        package, versions, "3.12.1"
    )


def test_after_a_data_library_upgrade_a_restart_compiles_every_file_again(rules, cache_dir, parsed, monkeypatch):
    Engine(rules, cache_dir=cache_dir)
    parsed.clear()
    upgraded = compile_cache.fingerprint_of(
        compile_cache.PACKAGE, {**compile_cache.library_versions(), "holidays": "9.99"}, platform.python_version()
    )
    monkeypatch.setattr(compile_cache, "fingerprint", lambda: upgraded)

    restarted = Engine(rules, cache_dir=cache_dir)
    assert sorted(parsed) == ["acme_plumbing", "alpha", "beta"]
    assert restarted.decide(Call(client="alpha", at=AT)).greeting.text == "Alpha speaking"
