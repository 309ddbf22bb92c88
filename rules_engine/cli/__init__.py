"""The `rules-engine` command line: one module per sub-command, each with `add_arguments` and
`run`; `options` holds what they share (PATH, `--store`, `--at`, input errors) and `render`
shows a decision for people (`decide`, `explain`).

The command line starts quickly because it imports only what the command asks for: the
module of the one sub-command named (the others appear in `--help` by their one-line help
alone), and for `--version` none. An account manager runs `check` and `decide` dozens of
times an hour; the service, report and scenario stacks load only for `serve`, `report` and
`test`, and a missing extra is told in one line (`extras.py`).

Exit codes: 0 ok, 1 rule or input errors (or a missing extra), 2 usage errors (argparse's own).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any

from ..extras import MissingExtraError

# Sub-commands, in the order `--help` lists them: each names a module of this package, and
# gives the one line `--help` shows for it.
COMMANDS = {
    "check": "compile rule files; exit 0 clean, 1 errors",
    "decide": "decide one call: greeting, script, urgency and route, with the rules that decided",
    "oncall": "who is on call now, at an instant or over a week; JSON or an iCalendar feed",
    "holidays": "the dates on which `holiday` holds for a client, by name and source line",
    "matrix": "what callers hear per forwarding reason, hour by hour; text, JSON or an HTML page",
    "diff": "what an edit changes: every kind of call decided differently, with an example each",
    "test": "run Gherkin acceptance scenarios",
    "explain": "show a decision from the decision log: what was decided, and why",
    "serve": "serve decisions over HTTP (for Kamailio, Asterisk, FreeSWITCH, …)",
    "report": "calls received, answered, abandoned, resolved; escalations; by rule and hour",
    "users": "add, remove, list and reset the console's accounts (who logs in to its pages)",
    "rules": "export the console's published rule files to a directory, or import them from one",
}


class Version(argparse.Action):
    """`--version`: the version is looked up only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: Any):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        print(f"{parser.prog} {version()}")
        parser.exit()


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser for `argv`: the sub-command `argv` names is imported and given its arguments;
    the others are listed by name and help only (`rules-engine COMMAND --help` imports that one)."""
    parser = argparse.ArgumentParser(
        prog="rules-engine",
        description="Check, try and test answering-service rule files.",
    )
    parser.add_argument("--version", action=Version)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    named = next((arg for arg in argv if not arg.startswith("-")), None)
    for name, help in COMMANDS.items():
        command = sub.add_parser(name, help=help)
        if name == named:
            module = importlib.import_module(f"{__name__}.{name}")
            module.add_arguments(command)
            command.set_defaults(run=module.run)
    return parser


def version() -> str:
    """The installed package's version (pyproject.toml's), or `unknown` when run from a bare tree."""
    from importlib import metadata

    try:
        return metadata.version("rules-engine")
    except metadata.PackageNotFoundError:
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    try:
        args = build_parser(arguments).parse_args(arguments)
        code: int = args.run(args)
        return code
    except MissingExtraError as exc:
        print(exc, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `rules-engine … | head` is not an error
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
