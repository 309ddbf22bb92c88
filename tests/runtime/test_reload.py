"""Serving a directory while account managers deploy: incremental reload, last good version,
deletions, clashes between files, and automatic reload on save."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest

from rules_engine.decide.call import Call
from rules_engine.engine import Engine
from rules_engine.errors import UnknownClientError
from tests.support import client_text

AT = "2026-11-27T10:00:00-06:00"


def save(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def greeting(engine: Engine, **call) -> str:
    return engine.decide(Call(at=AT, **call)).greeting.text


def test_calls_are_found_by_client_id_or_by_any_number(rules_dir):
    engine = Engine.from_path(rules_dir)
    assert greeting(engine, client="alpha") == "Alpha speaking"
    assert greeting(engine, number="+13125550300") == "Beta speaking"
    with pytest.raises(UnknownClientError):
        engine.decide(Call(number="+13125550400", at=AT))


def test_reload_recompiles_only_the_files_that_changed(rules_dir):
    engine = Engine.from_path(rules_dir)
    save(rules_dir, "alpha.rules", client_text("alpha", "Alpha, version two"))
    os.utime(rules_dir / "beta.rules")  # touched, content unchanged
    report = engine.reload()
    assert report.recompiled == (str(rules_dir / "alpha.rules"),)
    assert (report.added, report.changed, report.removed, report.problems) == ((), ("alpha",), (), ())
    assert greeting(engine, client="alpha") == "Alpha, version two"

    nothing = engine.reload()
    assert (nothing.recompiled, nothing.changed, str(nothing)) == ((), (), "no change")


def test_a_broken_save_keeps_the_last_good_version_serving_until_fixed(rules_dir):
    engine = Engine.from_path(rules_dir)
    save(rules_dir, "alpha.rules", client_text("alpha", "Alpha, broken", broken=True))
    report = engine.reload()
    assert not report.ok
    assert (report.changed, report.removed) == ((), ())
    error, note = report.problems
    assert (error.severity, error.file, error.line, error.column) == ("error", str(rules_dir / "alpha.rules"), 7, 5)
    assert re.fullmatch(
        re.escape(
            f"{rules_dir / 'alpha.rules'}: warning: not served as saved; its last good version serves instead "
            f"(rules version {engine.client('alpha').rules_version}, serving since "
        )
        + r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00\)\n  hint: fix the errors above and save: the fixed version replaces it",
        note.render(),
    )
    assert engine.problems == report.problems
    assert greeting(engine, client="alpha") == "Alpha speaking"
    assert greeting(engine, number="+13125550200") == "Alpha speaking"

    report = engine.reload()  # still broken: still reported, still the last good version, serving since then
    assert report.problems == (error, note) and greeting(engine, client="alpha") == "Alpha speaking"

    save(rules_dir, "alpha.rules", client_text("alpha", "Alpha, fixed"))
    report = engine.reload()
    assert (report.changed, report.problems, engine.problems) == (("alpha",), (), ())
    assert greeting(engine, client="alpha") == "Alpha, fixed"


def test_a_new_file_that_does_not_compile_is_not_served(rules_dir):
    engine = Engine.from_path(rules_dir)
    save(rules_dir, "gamma.rules", client_text("gamma", "Gamma", "+13125550500", broken=True))
    report = engine.reload()
    assert report.added == () and len(report.problems) == 1
    with pytest.raises(UnknownClientError):
        engine.decide(Call(client="gamma", at=AT))


def test_a_deleted_file_stops_being_served_and_the_report_says_so(rules_dir):
    engine = Engine.from_path(rules_dir)
    (rules_dir / "beta.rules").unlink()
    report = engine.reload()
    assert (report.removed, str(report)) == (("beta",), "removed beta")
    with pytest.raises(UnknownClientError):
        engine.decide(Call(client="beta", at=AT))
    with pytest.raises(UnknownClientError):
        engine.decide(Call(number="+13125550300", at=AT))
    assert greeting(engine, client="alpha") == "Alpha speaking"


def test_a_new_file_is_added(rules_dir):
    engine = Engine.from_path(rules_dir)
    save(rules_dir, "gamma.rules", client_text("gamma", "Gamma speaking", "+13125550500"))
    report = engine.reload()
    assert (report.added, str(report)) == (("gamma",), "added gamma")
    assert greeting(engine, number="+13125550500") == "Gamma speaking"


def test_editor_swap_files_are_not_rules(rules_dir):
    save(rules_dir, ".alpha.rules.swp", "not rules at all")
    save(rules_dir, ".#alpha.rules", "not rules either")
    engine = Engine.from_path(rules_dir)
    assert (sorted(engine.clients), engine.problems) == (["alpha", "beta"], ())


def test_the_same_number_in_two_clients_is_an_error_naming_both_files(rules_dir):
    save(rules_dir, "gamma.rules", client_text("gamma", "Gamma speaking", "+13125550300"))
    engine = Engine.from_path(rules_dir)
    [problem] = engine.problems
    assert problem.render() == (
        f"{rules_dir / 'gamma.rules'}:4:15: error: number +13125550300 belongs to two clients: "
        f"`beta` ({rules_dir / 'beta.rules'}:4:15) and `gamma` ({rules_dir / 'gamma.rules'}:4:15)\n"
        "  hint: a dialled number must lead to one client; this file is not served"
    )
    assert greeting(engine, number="+13125550300") == "Beta speaking"


def test_a_client_id_in_two_files_is_an_error_naming_both_files(rules_dir):
    save(rules_dir, "alpha-copy.rules", client_text("alpha", "Alpha's twin", "+13125550600"))
    engine = Engine.from_path(rules_dir)
    [problem] = engine.problems
    assert problem.render() == (
        f"{rules_dir / 'alpha.rules'}:1:8: error: client `alpha` is also defined in {rules_dir / 'alpha-copy.rules'}:1:8\n"
        "  hint: each client id must be unique; this file is not served"
    )


def test_a_client_id_in_a_file_refused_for_a_number_is_an_error_beside_the_number(rules_dir):
    save(rules_dir, "beta_two.rules", client_text("gamma", "Gamma speaking", "+13125550300"))  # beta's number
    save(rules_dir, "gamma.rules", client_text("gamma", "Gamma's twin", "+13125550700"))  # that file's id
    engine = Engine.from_path(rules_dir)
    assert [p.render() for p in engine.problems] == [
        f"{rules_dir / 'beta_two.rules'}:4:15: error: number +13125550300 belongs to two clients: "
        f"`beta` ({rules_dir / 'beta.rules'}:4:15) and `gamma` ({rules_dir / 'beta_two.rules'}:4:15)\n"
        "  hint: a dialled number must lead to one client; this file is not served",
        f"{rules_dir / 'beta_two.rules'}:1:8: error: client `gamma` is also defined in {rules_dir / 'gamma.rules'}:1:8\n"
        "  hint: each client id must be unique; this file is not served",
    ]
    assert greeting(engine, number="+13125550700") == "Gamma's twin"  # which file serves is unchanged


def test_an_edit_that_takes_another_clients_number_keeps_the_last_good_version(rules_dir):
    engine = Engine.from_path(rules_dir)
    save(rules_dir, "alpha.rules", client_text("alpha", "Alpha, greedy", "+13125550300"))
    report = engine.reload()
    assert report.changed == () and [p.severity for p in report.problems] == ["error", "warning"]
    assert greeting(engine, number="+13125550200") == "Alpha speaking"
    assert greeting(engine, number="+13125550300") == "Beta speaking"


def test_a_clashing_file_is_served_once_the_clash_is_gone(rules_dir):
    save(rules_dir, "gamma.rules", client_text("gamma", "Gamma speaking", "+13125550300"))
    engine = Engine.from_path(rules_dir)
    (rules_dir / "beta.rules").unlink()
    report = engine.reload()
    assert (report.added, report.removed, report.problems) == (("gamma",), ("beta",), ())
    assert greeting(engine, number="+13125550300") == "Gamma speaking"


# ---- watching --------------------------------------------------------------------------------


class Reloads:
    """Collects the reports of a watch; `next()` waits for the next one."""

    def __init__(self) -> None:
        self.reports: list = []
        self._arrived = threading.Condition()

    def __call__(self, report) -> None:
        with self._arrived:
            self.reports.append(report)
            self._arrived.notify_all()

    def wait_for(self, count: int):
        with self._arrived:
            assert self._arrived.wait_for(lambda: len(self.reports) >= count, timeout=10), "no reload came"
            return self.reports[count - 1]


def test_watching_reloads_on_save_keeps_the_last_good_version_and_stops_cleanly(rules_dir):
    reloads = Reloads()
    engine = Engine.from_path(rules_dir)
    with engine.watch(debounce=0.05, on_reload=reloads) as watcher:
        save(rules_dir, "alpha.rules", client_text("alpha", "Alpha, saved"))
        assert reloads.wait_for(1).changed == ("alpha",)
        assert greeting(engine, client="alpha") == "Alpha, saved"

        save(rules_dir, "alpha.rules", client_text("alpha", "Alpha, broken", broken=True))
        assert [p.severity for p in reloads.wait_for(2).problems] == ["error", "warning"]
        assert greeting(engine, client="alpha") == "Alpha, saved"

        (rules_dir / "beta.rules").unlink()
        assert reloads.wait_for(3).removed == ("beta",)
    assert not watcher.running


def test_closing_the_engine_stops_its_watch(rules_dir):
    engine = Engine.from_path(rules_dir)
    watcher = engine.watch(debounce=0.05)
    assert watcher.running
    engine.close()
    assert not watcher.running


def test_a_change_made_just_before_watching_is_caught_up_on(rules_dir):
    engine = Engine.from_path(rules_dir)
    save(rules_dir, "alpha.rules", client_text("alpha", "Alpha, saved while starting"))
    with engine.watch(debounce=0.05):
        assert greeting(engine, client="alpha") == "Alpha, saved while starting"
