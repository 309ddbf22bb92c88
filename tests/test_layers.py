"""The layers drawn in docs/architecture.md, held: no module imports a package its layer may not.

The rule is read from the document itself (its table of which package may import which, and
its picture of the layers), so the drawing and this test cannot drift apart. Every import
counts: at the top of a module, inside a function, under `TYPE_CHECKING`, and
`importlib.import_module` of a name written out.
"""

from __future__ import annotations

import ast
import re
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "rules_engine"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
TOP = "rules_engine"  # the package's own __init__.py: its row in the table
TABLE_HEADING = "## Which package may import which"
ROW = re.compile(r"^\|\s*`([a-z_]+)`\s*\|([^|]*)\|")
NAME = re.compile(r"`([a-z_]+)`")


# ---- the drawing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Drawing:
    """What docs/architecture.md says: each package's row (the packages it may import directly)
    and the picture's lines of packages, top first."""

    rows: Mapping[str, tuple[str, ...]]
    picture: tuple[tuple[str, ...], ...]

    def allowed(self) -> dict[str, frozenset[str]]:
        """Each package's imports allowed: its row's packages, and theirs, all the way down."""
        found: dict[str, frozenset[str]] = {}

        def below(package: str, seen: tuple[str, ...]) -> frozenset[str]:
            if package in found:
                return found[package]
            if package in seen:
                raise AssertionError(f"docs/architecture.md: the table goes round in a circle: {' → '.join(seen)}")
            reach: set[str] = set()
            for lower in self.rows.get(package, ()):
                reach |= {lower, *below(lower, (*seen, package))}
            found[package] = frozenset(reach)
            return found[package]

        for package in self.rows:
            below(package, ())
        return found


def read_drawing(text: str) -> Drawing:
    """The table under TABLE_HEADING and the code block of plain package names just above it."""
    start = text.index(TABLE_HEADING)
    section = text[start:]
    end = section.find("\n## ", 1)
    section = section if end < 0 else section[:end]
    rows: dict[str, tuple[str, ...]] = {}
    for line in section.splitlines():
        found = ROW.match(line)
        if found:
            rows[found.group(1)] = tuple(NAME.findall(found.group(2)))
    blocks = re.findall(r"```\n(.*?)```", section, re.DOTALL)
    picture = tuple(tuple(line.split()) for line in blocks[0].splitlines() if line.strip()) if blocks else ()
    return Drawing(rows, picture)


def drawing_problems(drawing: Drawing) -> list[str]:
    """Where the table and the picture disagree, or the table names a package it has no row for."""
    problems = []
    level = {package: height for height, line in enumerate(reversed(drawing.picture)) for package in line}
    for package, lower in drawing.rows.items():
        if package not in level:
            problems.append(f"`{package}` has a row in the table but no place in the picture")
        for name in lower:
            if name not in drawing.rows:
                problems.append(f"`{package}` may import `{name}`, which has no row in the table")
            elif package in level and name in level and level[name] >= level[package]:
                problems.append(f"`{package}` may import `{name}`, which the picture does not draw below it")
    drawn = [package for line in drawing.picture for package in line]
    for package in drawn:
        if package not in drawing.rows:
            problems.append(f"`{package}` is in the picture but has no row in the table")
        if drawn.count(package) > 1:
            problems.append(f"`{package}` is drawn on more than one line")
    return sorted(set(problems))


# ---- the code --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Import:
    file: Path  # relative to the folder holding the package
    line: int
    module: str  # the importing module, dotted
    target: str  # what it imports, dotted (a module, or the package a name is taken from)


def module_name(file: Path, base: Path) -> tuple[str, bool]:
    """The dotted name of `file` (under `base`, the folder holding the package) and whether it is
    a package's `__init__.py`."""
    parts = file.relative_to(base).with_suffix("").parts
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def imports_in(package: Path) -> Iterator[Import]:
    """Every import of `package`'s own modules made by a module of `package`, wherever it stands."""
    base = package.parent
    for file in sorted(package.rglob("*.py")):
        module, is_package = module_name(file, base)
        here = module if is_package else module.rpartition(".")[0]
        tree = ast.parse(file.read_bytes(), filename=str(file))
        for node in ast.walk(tree):
            for target in targets(node, here, package):
                if target == package.name or target.startswith(package.name + "."):
                    yield Import(file.relative_to(base), getattr(node, "lineno", 0), module, target)


def targets(node: ast.AST, here: str, package: Path) -> list[str]:
    """The dotted names `node` imports, resolved against `here` (the importing module's package)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level:
            parts = here.split(".")
            source = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
        else:
            source = node.module or ""
        if source == package.name:  # `from .. import model`: the module, not the front door
            return [f"{source}.{alias.name}" if is_module(package, alias.name) else source for alias in node.names]
        return [source]
    if (
        isinstance(node, ast.Call)
        and (getattr(node.func, "attr", None) or getattr(node.func, "id", None)) == "import_module"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return [node.args[0].value]
    return []


def is_module(package: Path, name: str) -> bool:
    return (package / name).is_dir() or (package / f"{name}.py").is_file()


def layer_of(dotted: str) -> str:
    """The package of the layer table a module belongs to: `rules_engine.decide.plan` → `decide`."""
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else TOP


def wrong_way_imports(package: Path, drawing: Drawing) -> list[str]:
    """Each import the drawing does not allow, as `file:line: what was imported: the rule broken`;
    and each module whose package has no row in the drawing."""
    allowed = drawing.allowed()
    problems = []
    unplaced: set[str] = set()
    for file in sorted(package.rglob("*.py")):
        layer = layer_of(module_name(file, package.parent)[0])
        if layer not in drawing.rows and layer not in unplaced:
            unplaced.add(layer)
            problems.append(
                f"{file.relative_to(package.parent)}: `{layer}` has no row in docs/architecture.md's table: "
                "give it one, and a place in the picture"
            )
    for found in imports_in(package):
        mine, theirs = layer_of(found.module), layer_of(found.target)
        if mine == theirs or mine not in drawing.rows or theirs in allowed[mine]:
            continue
        direct = ", ".join(f"`{name}`" for name in drawing.rows[mine]) or "nothing"
        problems.append(
            f"{found.file}:{found.line}: `{found.module}` imports `{found.target}`: "
            f"`{mine}` may not import `{theirs}` (docs/architecture.md: `{mine}` may import {direct}, "
            "and what those may import)"
        )
    return problems


# ---- the tests -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def drawing() -> Drawing:
    return read_drawing(ARCHITECTURE.read_text(encoding="utf-8"))


def test_the_table_and_the_picture_draw_the_same_layers(drawing):
    assert len(drawing.rows) >= 20, "the table of docs/architecture.md was not found or not read"
    assert drawing.picture, "the picture of docs/architecture.md was not found"
    assert drawing_problems(drawing) == []
    drawing.allowed()  # and no circle


def test_every_import_follows_the_drawn_layers(drawing):
    problems = wrong_way_imports(PACKAGE, drawing)
    assert not problems, "\n".join(problems)


def planted(copy: Path, drawing: Drawing) -> list[str]:
    """What the checker reports of `copy` beyond what it reports of the package itself (nothing,
    unless another test fails): what the planting made."""
    already = set(wrong_way_imports(PACKAGE, drawing))
    return [problem for problem in wrong_way_imports(copy, drawing) if problem not in already]


@pytest.fixture
def copy(tmp_path) -> Path:
    """A copy of the package's code, to plant wrong-way imports in."""
    target = tmp_path / "rules_engine"
    shutil.copytree(PACKAGE, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.lark"))
    return target


PLANTED = {
    "at the top": "from ..engine import Engine\n",
    "in a function": "def planted():\n    from ..engine import Engine\n\n    return Engine\n",
    "under TYPE_CHECKING": "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from ..engine import Engine\n",
    "absolute": "import rules_engine.engine\n",
    "by import_module": "import importlib\n\nimportlib.import_module('rules_engine.engine')\n",
}


@pytest.mark.parametrize("where", PLANTED)
def test_a_planted_wrong_way_import_is_reported_with_its_module_line_and_rule(copy, drawing, where):
    clock = copy / "schedule" / "clock.py"
    before = clock.read_text(encoding="utf-8")
    clock.write_text(before + PLANTED[where], encoding="utf-8")
    code = PLANTED[where].splitlines()
    line = (
        before.count("\n")
        + 1
        + next(i for i, text in enumerate(code) if "rules_engine.engine" in text or "..engine" in text)
    )
    assert planted(copy, drawing) == [
        f"rules_engine/schedule/clock.py:{line}: `rules_engine.schedule.clock` imports `rules_engine.engine`: "
        "`schedule` may not import `engine` (docs/architecture.md: `schedule` may import `model`, `live`, "
        "and what those may import)"
    ]


def test_a_sideways_import_between_packages_of_one_level_is_reported(copy, drawing):
    explore = copy / "analysis" / "explore.py"
    explore.write_text(explore.read_text(encoding="utf-8") + "from ..outcomes import records\n", encoding="utf-8")
    problems = planted(copy, drawing)
    assert len(problems) == 1
    assert "`analysis` may not import `outcomes`" in problems[0]


def test_a_package_the_drawing_does_not_place_is_reported(copy, drawing):
    (copy / "gadgets").mkdir()
    (copy / "gadgets" / "__init__.py").write_text("", encoding="utf-8")
    assert planted(copy, drawing) == [
        "rules_engine/gadgets/__init__.py: `gadgets` has no row in docs/architecture.md's table: "
        "give it one, and a place in the picture"
    ]


def test_a_table_that_points_both_ways_is_refused(drawing):
    text = ARCHITECTURE.read_text(encoding="utf-8").replace(
        "| `schedule` | `model`, `live` |", "| `schedule` | `model`, `live`, `decide` |"
    )
    changed = read_drawing(text)
    assert changed.rows["schedule"] == ("model", "live", "decide")
    assert drawing_problems(changed) == ["`schedule` may import `decide`, which the picture does not draw below it"]
    with pytest.raises(AssertionError, match="circle"):
        changed.allowed()
