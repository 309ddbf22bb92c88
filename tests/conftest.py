"""Fixtures that many test modules share: the example clients' engine, small rules
directories, the command line run in-process, a PostgreSQL database of a test's own, and a
PostgreSQL server of a test module's own (to stop and restart).

Plain values (paths, small client texts) live in `tests/support.py`: modules need them at
import time, for `parametrize`.
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
from tests.support import ACME, CONFIGS, client_text


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
