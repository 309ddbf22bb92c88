"""The `rules-engine` command line: one module per sub-command, each with `add_parser` and `run`;
`options` holds what they share (PATH, `--store`, `--at`, input errors) and `render` shows a
decision for people (`decide`, `explain`).

Exit codes: 0 ok, 1 rule or input errors, 2 usage errors (argparse's own).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from importlib import metadata

# Sub-commands, in the order `--help` lists them; each names a module of this package.
COMMANDS = ("check", "decide", "oncall", "matrix", "diff", "test", "explain", "serve", "report")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rules-engine",
        description="Check, try and test answering-service rule files.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"{__name__}.{name}")
        command = module.add_parser(sub)
        command.set_defaults(run=module.run)
    return parser


def version() -> str:
    """The installed package's version (pyproject.toml's), or `unknown` when run from a bare tree."""
    try:
        return metadata.version("rules-engine")
    except metadata.PackageNotFoundError:
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `rules-engine … | head` is not an error
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
