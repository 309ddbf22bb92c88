"""Fixtures that many test modules share: the example clients' engine, small rules
directories, the command line run in-process, a PostgreSQL database of a test's own, and a
PostgreSQL server of a test module's own (to stop and restart).

Plain values (paths, small client texts) live in `tests/support.py`: modules need them at
import time, for `parametrize`.

Markers, given here by path: `quick` for the tests of the compiler, schedule, decide, analysis
and the command line — the loop to run while changing the language or decisions,
`./dev test -m quick` — less those marked `slow`, which run with everything else.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest

from rules_engine.cli import main
from rules_engine.engine import Engine
from tests.postgres import new_database
from tests.postgres_cluster import private_cluster
from tests.support import ACME, CONFIGS, ROOT, client_text

# The folders of the quick loop: the pure stages and the command line over them.
QUICK_FOLDERS = ("compiler", "schedule", "decide", "analysis", "cli")
# Tests of those folders left out of the quick loop: each took 1.5 s or more on 2 cores
# (`pytest --durations=0`, load 4), or searches by property, fuzzes, drives a browser or
# opens the daemon's stores. A module, or a module's test function (all its parameters).
SLOW = frozenset(
    {
        "tests/compiler/test_fuzz_rules.py",  # generated and mutated files: 5 s
        "tests/compiler/test_compile.py::test_no_foreign_exception_for_any_truncation_or_deleted_character",
        "tests/schedule/test_oncall_property.py",  # on-call lookup against a walking reference: 2.3 s
        "tests/decide/test_decision_schema.py::test_every_golden_decision_validates_and_reads_back_to_the_same_bytes",
        "tests/analysis/test_diff.py::test_examples_reproduce_and_random_calls_never_differ_outside_the_changes",  # 16 s
        "tests/analysis/test_no_effect.py::test_the_example_clients_get_no_false_warning",  # 4 s
        "tests/analysis/test_diff_digest.py::test_each_change_is_caused_by_its_edit_applied_alone",  # 6 s
        "tests/analysis/test_diff_digest.py::test_json_keeps_every_change_and_groups_each_exactly_once",  # 2 s
        "tests/analysis/test_reach.py::test_the_example_clients_get_no_false_warning_over_four_start_dates",  # 5 s
        "tests/analysis/test_reach.py::test_random_calls_over_the_year_never_get_what_is_proven_unreachable",  # 2 s
        "tests/analysis/test_gaps.py::test_the_example_clients_have_no_gap_that_matters_over_four_start_dates",  # 3 s
        "tests/analysis/test_matrix.py::test_html_page_is_self_contained_and_renders_without_console_errors",  # Chromium
        "tests/analysis/test_matrix.py::test_the_page_printed_to_pdf_keeps_every_detail",  # Chromium
        "tests/cli/test_cli_report.py",  # generated outcome histories and charts: 16 s
        "tests/cli/test_cli_live_state.py",  # the daemon's SQLite and PostgreSQL stores: 4 s
        "tests/cli/test_core_install.py",  # a fresh venv installed from the package index: a minute or more
        "tests/cli/test_extras.py",  # a fresh interpreter per missing extra: 1-2 s each
    }
)


# The test files that take longest, longest first (their tests' time summed, `./dev test
# --junitxml`, 2 cores, load 5 to 13): they run first, so that on several workers (`./dev test`:
# one file per worker at a time, see `dev`) none of them starts last and keeps the run waiting on
# it alone. The other files keep their order.
FIRST = (
    "tests/test_types.py",  # mypy over the package, then strict checks and planted mistakes: 60-80 s
    "tests/cli/test_core_install.py",  # a fresh venv from the package index: 60-75 s
    "tests/console/test_browser.py",
    "tests/http/test_sip_api.py",
    "tests/console/test_publish_browser.py",
    "tests/runtime/test_multi_daemon.py",
    "tests/test_dev_command.py",
    "tests/test_engine_facade.py",
    "tests/analysis/test_diff.py",
    "tests/runtime/test_chaos.py",
    "tests/runtime/test_compile_cache.py",
    "tests/runtime/test_start_together.py",
    "tests/compiler/test_recovery.py",
    "tests/decide/test_call_property.py",
)


@pytest.fixture(scope="session", autouse=True)
def examples_kept():
    """The example rule files are the repository's, served by `engine` for reading: a test that
    writes them (a publish or an onboarding through the console over `engine`, say) makes the
    session fail here, naming the files, which are put back as they were."""
    before = {path: path.read_bytes() for path in CONFIGS.iterdir()}
    yield
    changed = sorted(path.name for path, data in before.items() if not path.exists() or path.read_bytes() != data)
    added = sorted(path.name for path in CONFIGS.iterdir() if path not in before)
    for path, data in before.items():
        if path.name in changed:
            path.write_bytes(data)
    for name in added:
        (CONFIGS / name).unlink()
    assert not changed and not added, f"a test wrote into client_configs/: changed {changed}, added {added}"


@pytest.fixture(scope="session")
def examples_engine() -> Engine:
    """The example clients compiled once for the whole session; tests take it as `engine`."""
    return Engine(CONFIGS)


@pytest.fixture
def engine(examples_engine: Engine):
    """An engine serving every example client (`client_configs/`) from memory.

    Compiled once per session; the live state a test sets on it (statuses, on-call
    overrides) is cleared when the test ends, so every test starts with none.
    """
    yield examples_engine
    for client_id in examples_engine.clients:
        examples_engine.clear_status(client_id)
        examples_engine.clear_overrides(client_id)


@pytest.fixture
def acme_dir(tmp_path: Path) -> Path:
    """A rules directory (`rules/` in the test's own folder) holding a copy of Acme Plumbing,
    as a daemon's deployment has it: free to edit, with room beside it for settings and state."""
    folder = tmp_path / "rules"
    folder.mkdir()
    shutil.copy(ACME, folder / ACME.name)
    return folder


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    """A rules directory of two small clients: `alpha` (dialled on +13125550200, greets
    "Alpha speaking") and `beta` (+13125550300, "Beta speaking")."""
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "alpha.rules").write_text(client_text("alpha", "Alpha speaking", "+13125550200"), encoding="utf-8")
    (folder / "beta.rules").write_text(client_text("beta", "Beta speaking", "+13125550300"), encoding="utf-8")
    return folder


class Run(NamedTuple):
    """What one `rules-engine` command gave back."""

    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys) -> Callable[..., Run]:
    """`cli("decide", path, "--client", …)` runs `rules-engine` in this process, as a user
    would from a shell, and returns its exit code, standard output and standard error.
    argparse's usage errors (exit 2) are returned like any other exit."""

    def run(*argv: str | Path) -> Run:
        capsys.readouterr()  # only this command's output
        try:
            code = main([str(arg) for arg in argv])
        except SystemExit as exit_:
            code = exit_.code
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def postgres_url():
    """A new PostgreSQL database for this test (`tests/postgres.py`), dropped afterwards."""
    with new_database() as url:
        yield url


@pytest.fixture(scope="module")
def private_postgres():
    """A throwaway PostgreSQL server for this test module alone (`tests/postgres_cluster.py`),
    which its tests may stop, start and restart; stopped and removed when the module ends.
    Tests make their own databases on it: `new_database(private_postgres.url)`."""
    cluster = private_cluster()
    try:
        yield cluster
    finally:
        cluster.close()


def pytest_collection_modifyitems(config, items):
    """Mark each test `quick` or `slow` by where it lives (see `QUICK_FOLDERS` and `SLOW`), and
    put the files of `FIRST` first (a stable sort: a file's tests stay together and in order)."""
    for item in items:
        path = item.path.relative_to(ROOT)
        if len(path.parts) < 3 or path.parts[1] not in QUICK_FOLDERS:
            continue
        module = path.as_posix()
        function = f"{module}::{getattr(item, 'originalname', item.name)}"
        item.add_marker(pytest.mark.slow if module in SLOW or function in SLOW else pytest.mark.quick)
    rank = {module: number for number, module in enumerate(FIRST)}
    items.sort(key=lambda item: rank.get(item.path.relative_to(ROOT).as_posix(), len(FIRST)))
