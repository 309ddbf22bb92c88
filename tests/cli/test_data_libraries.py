"""The libraries whose data changes decisions (holiday calendars, phone-number ranges, language
names and distances, time zones) are pinned by `constraints.txt` and bounded in pyproject.toml
at the series the golden decisions were checked with; upgrading one is deliberate
(docs/upgrading.md)."""

from __future__ import annotations

import tomllib
from importlib import metadata

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from rules_engine.runtime.compile_cache import LIBRARIES
from tests.support import ROOT


def pins() -> dict[str, str]:
    """`constraints.txt`: library → the exact version pinned."""
    pinned = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.partition("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            pinned[name.strip()] = version.strip()
    return pinned


def declared() -> dict[str, Requirement]:
    """pyproject.toml's core dependencies, by name."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {r.name: r for r in map(Requirement, project["dependencies"])}


PINS = pins()


def test_the_decisions_data_is_pinned():
    assert {"holidays", "phonenumbers", "langcodes", "language-data"} <= set(PINS)


@pytest.mark.parametrize("library", sorted(PINS))
def test_the_suite_runs_with_the_pinned_version(library):
    """The golden decisions are checked with exactly the pinned data: a venv built otherwise
    is told so here, rather than by goldens that drift for no reason in the rules."""
    installed = metadata.version(library)
    assert installed == PINS[library], (
        f"{library} {installed} is installed but constraints.txt pins {PINS[library]}: rebuild with DEV_FRESH=1 ./dev"
        " test, or upgrade it as docs/upgrading.md says"
    )


@pytest.mark.parametrize("library", sorted(set(PINS) & set(declared())))
def test_the_declared_range_admits_the_pin_and_stops_at_its_series(library):
    """A library's bound in pyproject.toml is the series that was checked: a newer series is not
    installed until someone has compared the decisions it gives (docs/upgrading.md)."""
    specifier = declared()[library].specifier
    pinned = Version(PINS[library])
    assert specifier.contains(pinned)
    next_series = Version(f"{pinned.major}.{pinned.minor + 1}")
    assert not specifier.contains(next_series), f"{library}: {specifier} lets {next_series} in unchecked"


def test_a_new_version_of_pinned_data_makes_the_compile_cache_compile_again():
    """Each pinned library is part of the compile cache's key (docs/compile-cache.md)."""
    assert {name.replace("-", "_") for name in PINS} <= set(LIBRARIES)
