"""YAML is data, never code: settings files that ask YAML to build Python objects are refused.

Each hostile document would run a command, import a module or build an object under an
unsafe loader; here it must end in a `SettingsError` that names the tag, and the command
must not have run. A static scan checks that no module of the package reads YAML any other
way, nor evaluates, unpickles or imports anything by name.
"""

from __future__ import annotations

import ast

import pytest

from rules_engine.engine import Engine
from rules_engine.runtime.settings import Settings, SettingsError
from tests.support import ROOT

PACKAGE = ROOT / "rules_engine"

HOSTILE = [
    ("!!python/object/apply:os.system", 'rules: !!python/object/apply:os.system ["touch {marker}"]\n'),
    (
        "!!python/object/apply:subprocess.check_output",
        'rules: !!python/object/apply:subprocess.check_output [["touch", "{marker}"]]\n',
    ),
    ("!!python/object/new:os.system", '!!python/object/new:os.system ["touch {marker}"]\n'),
    ("!!python/name:os.system", "rules: rules\nstore: !!python/name:os.system\n"),
    ("!!python/module:os", "rules: !!python/module:os\n"),
    ("!!python/object:pathlib.PosixPath", "rules: !!python/object:pathlib.PosixPath {{}}\n"),
    ("!!python/tuple", "rules: !!python/tuple [a, b]\n"),
]


@pytest.mark.parametrize("tag, document", HOSTILE, ids=[tag for tag, _ in HOSTILE])
def test_a_settings_file_that_builds_python_objects_is_refused(tmp_path, tag, document):
    marker = tmp_path / "ran"
    settings = tmp_path / "settings.yaml"
    settings.write_text(document.format(marker=marker), "utf-8")
    with pytest.raises(SettingsError) as raised:
        Settings.from_yaml(settings)
    assert "refused" in str(raised.value) and tag in str(raised.value)
    assert str(settings) in str(raised.value)
    assert not marker.exists(), "the command in the YAML ran"


def test_the_engine_refuses_a_hostile_settings_file_too(tmp_path):
    marker = tmp_path / "ran"
    settings = tmp_path / "settings.yaml"
    settings.write_text(f'rules: !!python/object/apply:os.system ["touch {marker}"]\n', "utf-8")
    with pytest.raises(SettingsError):
        Engine.from_settings(settings)
    assert not marker.exists()


def test_aliases_that_would_expand_a_billion_times_are_refused_quickly(tmp_path):
    """The "billion laughs": safe_load shares aliased nodes, and the settings want plain values."""
    lines = ['a0: &a0 ["lol"]'] + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    settings = tmp_path / "settings.yaml"
    settings.write_text("\n".join(lines) + "\nrules: *a9\n", "utf-8")
    with pytest.raises(SettingsError):
        Settings.from_yaml(settings)


def test_plain_settings_still_load(tmp_path):
    settings = tmp_path / "settings.yaml"
    settings.write_text("rules: client_configs\ndefault_language: en\n", "utf-8")
    loaded = Settings.from_yaml(settings)
    assert loaded.rules == tmp_path / "client_configs" and loaded.default_language == "en"


# ---- no unsafe reading anywhere in the package ---------------------------------------------------

UNSAFE_CALLS = {
    "eval",
    "exec",
    "compile",
    "__import__",
    "unsafe_load",
    "full_load",
    "load_all",
    "unsafe_load_all",
    "loads",
}
UNSAFE_MODULES = {"pickle", "marshal", "shelve", "dill"}


def calls_in(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            owner = (
                (func.value.id if isinstance(func.value, ast.Name) else "<an object>")
                if isinstance(func, ast.Attribute)
                else None  # a bare name: a builtin unless shadowed
            )
            yield node, name, owner


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_package_reads_yaml_safely_and_executes_nothing(path):
    tree = ast.parse(path.read_text("utf-8"))
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [alias.name for alias in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
            problems += [f"line {node.lineno}: imports {n}" for n in names if n and n.split(".")[0] in UNSAFE_MODULES]
    for node, name, owner in calls_in(tree):
        if owner == "yaml" and name not in ("safe_load", "safe_dump", "dump"):
            problems.append(f"line {node.lineno}: yaml.{name}")
        elif name in UNSAFE_CALLS and owner in (None, "builtins", "importlib", "yaml", "pickle", "marshal"):
            problems.append(f"line {node.lineno}: {name}()")
    assert not problems, f"{path.name}: " + "; ".join(problems)
