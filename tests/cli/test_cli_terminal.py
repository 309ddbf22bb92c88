"""The command line as a terminal shows it: `--version`, colour only on a terminal (never when
piped or with NO_COLOR set), `--at now`, and an option it cannot read as a usage error (exit 2)."""

from __future__ import annotations

import io
import json
import sys
from datetime import UTC, datetime, timedelta
from importlib import metadata

import pytest

from rules_engine.cli import main
from tests.support import GOLDEN

AM_PM = str(GOLDEN / "diagnostics" / "syntax_am_pm.rules")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_version(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"rules-engine {metadata.version('rules-engine')}\n"


def check_on(stream, monkeypatch) -> str:
    monkeypatch.setattr(sys, "stderr", stream)
    assert main(["check", AM_PM]) == 1
    return stream.getvalue()


def test_errors_are_coloured_on_a_terminal(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    first, _source, caret, hint = check_on(Terminal(), monkeypatch).splitlines()[:4]
    assert first == (
        f"\033[1m{AM_PM}:4:44:\033[0m \033[1;31merror:\033[0m `8am-2pm` is not a time of the rule language"
    )
    assert caret.endswith("\033[1;31m^\033[0m")
    assert hint == "  \033[1mhint:\033[0m times are 24-hour `HH:MM`: write `08:00-14:00`"


def test_no_colour_when_piped(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\033[" not in check_on(io.StringIO(), monkeypatch)


@pytest.mark.parametrize("variable, value", [("NO_COLOR", "1"), ("TERM", "dumb")])
def test_no_colour_on_a_terminal_that_asks_for_none(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    output = check_on(Terminal(), monkeypatch)
    assert "\033[" not in output
    assert output.startswith(f"{AM_PM}:4:44: error: `8am-2pm` is not a time of the rule language\n")


def test_an_unreadable_at_is_a_usage_error(cli):
    assert cli("decide", "client_configs", "--client", "acme_plumbing", "--at", "next tuesday") == (
        2,
        "",
        "--at: error: `next tuesday` is not an ISO 8601 date-time (e.g. 2026-11-28T23:15 or "
        "2026-11-28T23:15:00-06:00) or `now`\n",
    )


@pytest.mark.parametrize("command", ["decide", "oncall"])
def test_at_now_is_the_present(cli, command):
    before = datetime.now(UTC)
    code, out, err = cli(command, "client_configs", "--client", "acme_plumbing", "--at", "now", "--json")
    assert (code, err) == (0, "")
    at = datetime.fromisoformat(json.loads(out)["at"])
    assert before - timedelta(seconds=1) <= at <= datetime.now(UTC)


def test_decide_errors_are_coloured_on_a_terminal(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["decide", "client_configs", "--client", "acme_plumbing", "--at", "soon"]) == 2
    assert terminal.getvalue().startswith("\033[1m--at:\033[0m \033[1;31merror:\033[0m `soon` is not")
