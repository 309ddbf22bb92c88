"""The types the package ships hold: mypy runs here, as CI runs the suite.

- the whole package passes `mypy rules_engine` under the configuration in pyproject.toml;
- the public surface (what `rules_engine` exports, the decision and its parts, `Call`, the
  errors, `Settings`, `Engine`) passes `--strict`;
- a typed daemon (`tests/typing/daemon.py`) passes `--strict` against those types, and a copy
  of it with a mistake planted fails with that mistake named (a wrong field, an unknown
  keyword, a kind of action without a case);
- a daemon outside the checkout finds the package through the install `./dev` makes (an
  editable install mypy can follow), not through the working directory.

The strict check is a second invocation, `--strict --follow-imports=silent` on the public
modules, rather than a per-module section of the configuration: `strict` is a global-only
option there, and copying its flags one by one would drift from what `--strict` means in the
next mypy. `silent` checks what those modules import without reporting it, which the plain
run covers.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rules_engine import Call

from .support import ROOT

DAEMON = ROOT / "tests" / "typing" / "daemon.py"
ASYNC_DAEMON = ROOT / "tests" / "typing" / "async_daemon.py"  # the async face and the health API
# The public surface: what a daemon imports, and the types those names hand it.
PUBLIC = [
    "rules_engine/__init__.py",
    "rules_engine/engine.py",
    "rules_engine/engine_async.py",
    "rules_engine/sip.py",
    "rules_engine/errors.py",
    "rules_engine/decide/call.py",
    "rules_engine/decide/decision.py",
    "rules_engine/runtime/settings.py",
    "rules_engine/compiler/compile.py",
    "rules_engine/model.py",  # the compiled `Client` that `compile_file` and `Engine.clients` give
    "rules_engine/live.py",  # the live state `Engine.live_state` gives
]


@pytest.fixture(scope="module")
def mypy(tmp_path_factory):
    """Run mypy with the venv's Python; returns (exit status, output). One cache for the module."""
    message = "mypy is not installed: install the test extra (`./dev test` does) to check the shipped types"
    try:
        import mypy.api  # noqa: F401
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    cache = tmp_path_factory.mktemp("mypy_cache")

    def run(*args: str | Path, cwd: Path = ROOT, env: dict[str, str] | None = None) -> tuple[int, str]:
        done = subprocess.run(
            [sys.executable, "-m", "mypy", "--cache-dir", str(cache), *map(str, args)],
            check=False,
            cwd=cwd,
            env=env if env is not None else os.environ,
            capture_output=True,
            text=True,
            timeout=600,
        )
        return done.returncode, done.stdout + done.stderr

    return run


def from_checkout() -> dict[str, str]:
    """The environment for checking a file outside the package against the checkout's code."""
    return {**os.environ, "MYPYPATH": str(ROOT)}


def test_the_package_type_checks(mypy):
    status, output = mypy()  # the files and options of [tool.mypy] in pyproject.toml
    assert status == 0 and output.startswith("Success"), output


def test_the_public_surface_passes_strict(mypy):
    status, output = mypy("--strict", "--follow-imports=silent", *PUBLIC)
    assert status == 0 and output.startswith("Success"), output


def test_the_typed_daemon_passes_strict(mypy):
    status, output = mypy("--strict", "--follow-imports=silent", DAEMON, env=from_checkout())
    assert status == 0 and output.startswith("Success"), output


def test_the_typed_asyncio_daemon_passes_strict_and_runs(mypy, tmp_path):
    status, output = mypy("--strict", "--follow-imports=silent", ASYNC_DAEMON, env=from_checkout())
    assert status == 0 and output.startswith("Success"), output
    planted = tmp_path / "async_daemon.py"
    # Awaiting `decide`, a plain call, is a mistake mypy must name.
    planted.write_text(
        ASYNC_DAEMON.read_text("utf-8").replace("engine.decide(call, call_id=", "await engine.decide(call, call_id="),
        "utf-8",
    )
    status, output = mypy("--strict", "--follow-imports=silent", planted, env=from_checkout())
    assert status == 1 and 'Incompatible types in "await" (actual type "Decision"' in output, output
    done = subprocess.run(
        [sys.executable, str(ASYNC_DAEMON), str(ROOT / "client_configs"), str(tmp_path)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "switch-4711: emergency"
    assert done.stdout.splitlines()[-2:] == ["refused: call_id", "ready: True"]


# (what the daemon says, the mistake planted in its place, what mypy must report)
PLANTED = {
    "a method that does not exist": (
        'method="call", address="+13125550112"',
        'method="fax", address="+13125550112"',
        '"method" to "Target" has incompatible type "Literal[\'fax\']"',
    ),
    "a misspelt field of a call": ("Call(number=", "Call(nunber=", 'Unexpected keyword argument "nunber" for "Call"'),
    "an answer that is not text": (
        '"type": "burst_pipe"}',
        '"type": 1}',
        'Dict entry 0 has incompatible type "str": "int"',
    ),
    "a kind of action without a case": (
        '        case Voicemail():\n            return "send to voicemail"\n',
        "",
        'Argument 1 to "assert_never" has incompatible type "Voicemail"',
    ),
    "a kind of script step without a case": (
        '            case Say(text=text):\n                lines.append(f"say: {text}")\n',
        "",
        'Argument 1 to "assert_never" has incompatible type "Say"',
    ),
}


@pytest.mark.parametrize("mistake", PLANTED)
def test_a_mistake_planted_in_the_daemon_fails_type_checking(mypy, tmp_path, mistake):
    written, planted, reported = PLANTED[mistake]
    text = DAEMON.read_text("utf-8")
    assert text.count(written) == 1, f"the daemon no longer says {written!r}: update PLANTED"
    copy = tmp_path / "daemon.py"
    copy.write_text(text.replace(written, planted), "utf-8")
    status, output = mypy("--strict", "--follow-imports=silent", copy, env=from_checkout())
    assert status == 1 and reported in output and "Found 1 error" in output, output


def test_a_daemon_outside_the_checkout_finds_the_package_through_the_install(mypy, tmp_path):
    # As a daemon's author runs it: its own directory, no configuration, no MYPYPATH.
    (tmp_path / "daemon.py").write_text(DAEMON.read_text("utf-8"), "utf-8")
    env = {name: value for name, value in os.environ.items() if name not in ("MYPYPATH", "PYTHONPATH")}
    status, output = mypy("--strict", "daemon.py", cwd=tmp_path, env=env)
    assert status == 0 and output.startswith("Success"), (
        f"{output}\nmypy in this venv does not see the installed package: `./dev` installs it with "
        "`pip install -e . --config-settings editable_mode=compat`; rebuild with `DEV_FRESH=1 ./dev test`"
    )


def test_the_typed_daemon_runs():
    done = subprocess.run(
        [sys.executable, str(DAEMON), str(ROOT / "client_configs")],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    # Saturday 23:15, a burst pipe: the decision's escalation, read through the daemon's `match`
    assert "escalate emergency (2x): step 1: call Bob Ortiz (plumbers) at +13125550112, wait PT5M" in done.stdout
    assert any(line.startswith("refused: answers.type: `burst-pipe` is not one of the choices") for line in lines)
    assert lines[-2:] == ["send to voicemail", "urgency: emergency"]  # the decision it built itself


def test_the_typed_constructor_of_a_call_names_every_field_the_model_has():
    """`Call.__init__` as type checkers see it is written out (the run-time one takes the
    fields as given, so pydantic names any that is wrong): it must list the model's fields,
    the required ones without a default."""
    tree = ast.parse((ROOT / "rules_engine" / "decide" / "call.py").read_text("utf-8"))
    call = next(node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "Call")
    typed = next(
        item
        for node in call.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
        for item in node.body
        if isinstance(item, ast.FunctionDef) and item.name == "__init__"
    )
    names = [arg.arg for arg in typed.args.kwonlyargs]
    required = [
        arg.arg for arg, default in zip(typed.args.kwonlyargs, typed.args.kw_defaults, strict=True) if not default
    ]
    assert names == list(Call.model_fields)
    assert required == [name for name, field in Call.model_fields.items() if field.is_required()]
