"""What the sub-commands share: the rules PATH and live-state options, reading date-times
and dates as the command line gives them, and bad input told as a diagnostic.

Date-times (`--at`, `--status-until`) follow docs/language.md ("Trying a file"): with an offset, that
instant; without one, the client's local wall-clock time, a repeated hour meaning its
first occurrence (fold=0). Input errors go to standard error in the diagnostics format,
named by the option (`--at: error: …`) or by the rules PATH for an unknown client.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path

from ..engine import Engine
from ..errors import CallError, Diagnostic, RulesEngineError, RulesError, UnknownClientError, did_you_mean
from ..runtime.state import OverlayStore
from ..runtime.stores import is_database_url, open_store
from ..schedule import clock
from .terminal import wants_colour

AT_HELP = "ISO 8601; with an offset it is that instant, without one the client's local time; or `now`"


def add_rules_path(parser) -> None:
    parser.add_argument("path", metavar="PATH", help="a .rules file or a directory of them")


def add_store_option(parser) -> None:
    parser.add_argument(
        "--store",
        metavar="FILE|URL",
        help="the daemon's live-state store (a SQLite file or a postgresql:// URL): include the statuses "
        "and on-call overrides set through the API; it is only read, never changed",
    )


def error(message: str, where: str, hint: str | None = None) -> None:
    """Tell one input error on standard error, in the diagnostics format."""
    print(Diagnostic("error", message, where, hint=hint).render(wants_colour(sys.stderr)), file=sys.stderr)


def open_engine(args) -> Engine | None:
    """The engine for one command: the rules of PATH, over the daemon's live state if `--store`
    (read, never written); None after telling on standard error why PATH or that store could not be read."""
    database = bool(args.store) and is_database_url(args.store)
    try:
        if not args.store:
            return Engine(args.path)
        if not database and not Path(args.store).is_file():
            raise CallError(f"no live-state store at {args.store}", field="store")
        return Engine(args.path, store=OverlayStore(open_store(args.store)))
    except RulesError as exc:  # no such PATH
        print("\n".join(d.render(wants_colour(sys.stderr)) for d in exc.diagnostics), file=sys.stderr)
        return None
    except RulesEngineError as exc:
        error(str(exc), "--store" if database else args.store)  # a URL may hold a password: never echo it
        return None


class UsageError(CallError):
    """An option's value the command line cannot read: a usage error (exit 2, docs/language.md)."""


def when(text: str, zone_name: str, option: str) -> datetime:
    """An ISO 8601 date-time, or `now`; without an offset, the client's local wall-clock time (fold=0)."""
    return clock.read_time(text, zone_name, option, UsageError)


def iso_date(text: str) -> date:
    """An argparse type: YYYY-MM-DD, with a message an account manager can act on."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a date (YYYY-MM-DD, e.g. 2026-12-21)") from None


def input_error(exc: CallError, engine: Engine, args) -> int:
    """Tell why the call or option was refused, after the problems of the rule files (a client
    that did not compile is often the unknown one); returns the exit code: 2 for an option
    the command line cannot read, else 1."""
    for problem in engine.problems:
        print(problem.render(wants_colour(sys.stderr)), file=sys.stderr)
    message = str(exc)[len(exc.field) + 2 :] if exc.field else str(exc)
    if isinstance(exc, UnknownClientError):
        error(message, args.path, hint=unknown_client_hint(engine, args))
    elif exc.field and exc.field.startswith("answers."):  # `answers.type` was given as `--answer type=…`
        error(message, f"--answer {exc.field.partition('.')[2]}")
    else:
        error(message, f"--{exc.field.replace('_', '-')}" if exc.field else "call")
    return 2 if isinstance(exc, UsageError) else 1


def unknown_client_hint(engine: Engine, args) -> str:
    """The closest served client or number, or the list of them."""
    known = engine.clients
    if not known:
        return f"no client could be served from {args.path}"
    number = getattr(args, "number", None)  # `oncall` names clients by id only
    if number is not None:
        numbers = {n.value: c.id for c in known.values() for n in c.numbers}
        return did_you_mean(number, numbers) or "served numbers: " + ", ".join(sorted(numbers))
    served = ", ".join(f"`{name}`" for name in sorted(known))
    return did_you_mean(args.client or "", known) or f"served clients: {served}"
