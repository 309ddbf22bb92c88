"""`--store FILE` for `decide` and `oncall`: read the daemon's live state, never write it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

from ..engine import Engine
from ..errors import CallError, Diagnostic, RulesEngineError
from ..serve.state import OverlayStore
from ..serve.store_sqlite import SQLiteStore


def add_store_option(parser) -> None:
    parser.add_argument(
        "--store", metavar="FILE",
        help="the daemon's live-state store (SQLite): include the statuses and on-call overrides "
             "set through the API; it is only read, never changed",
    )


def open_engine_or_report(args) -> Optional[Engine]:
    """The engine for one command: the rules of PATH, over the daemon's live state if `--store`;
    None after telling on standard error why that store could not be read."""
    if not args.store:
        return Engine(args.path)
    try:
        if not Path(args.store).is_file():
            raise CallError(f"no live-state store at {args.store}", field="store")
        return Engine(args.path, store=OverlayStore(SQLiteStore(args.store)))
    except RulesEngineError as exc:
        print(Diagnostic("error", str(exc), args.store).render(), file=sys.stderr)
        return None
