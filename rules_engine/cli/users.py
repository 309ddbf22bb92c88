"""`rules-engine users add|remove|list|reset`: the people who log in to the console.

The accounts store is the settings' `accounts:` (`--settings FILE`) or `--accounts FILE|URL`.
A password is read from the terminal (asked twice, not echoed) or, when standard input is
not a terminal, from its first line: never from the command's arguments, which other users
of the machine can read. Each change is written to the console's audit log as made by
`command line (USER)`.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from ..errors import RulesEngineError
from ..extras import needs
from ..runtime.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Add, remove, list and reset the console's accounts (docs/console.md)."
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--accounts", metavar="FILE|URL", help="the accounts store: a SQLite file or postgresql:// URL")
    where.add_argument("--settings", metavar="FILE", help="a settings file whose `accounts:` names the store")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", parents=[where], help="add an account; the password is asked for")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=("admin", "account_manager", "client"))
    add.add_argument(
        "--client",
        action="append",
        default=[],
        metavar="ID",
        help="a client account's client; an account manager's assigned clients (repeat; none: all)",
    )
    remove = actions.add_parser("remove", parents=[where], help="remove an account and end its sessions")
    remove.add_argument("name")
    actions.add_parser("list", parents=[where], help="list the accounts: name, role, clients")
    reset = actions.add_parser("reset", parents=[where], help="set a new password and end the account's sessions")
    reset.add_argument("name")


def run(args: argparse.Namespace) -> int:
    with needs("console", "rules-engine users"):
        from ..console.accounts import Accounts
        from ..console.audit import Audit
        from ..console.db import open_database

    try:
        db = open_database(location(args))
    except RulesEngineError as exc:
        print(f"rules-engine users: {exc}", file=sys.stderr)
        return 1
    accounts, audit = Accounts(db), Audit(db)
    actor = f"command line ({getpass.getuser()})"
    try:
        if args.action == "list":
            for found in sorted(accounts.all(), key=lambda a: a.name):
                clients = " ".join(found.clients) or ("all clients" if found.role != "client" else "")
                print(f"{found.name}\t{found.role}\t{clients}")
            return 0
        if args.action == "remove":
            accounts.remove(args.name)
            audit.record(actor, "account_removed", account=args.name)
            print(f"removed {args.name}")
            return 0
        password = read_password()
        if args.action == "add":
            made = accounts.add(args.name, args.role, password, tuple(args.client))
            audit.record(actor, "account_added", account=made.name, role=made.role, clients=list(made.clients))
            print(f"added {made.name} ({made.role})")
        else:
            accounts.reset(args.name, password)
            audit.record(actor, "password_reset", account=args.name)
            print(f"new password set for {args.name}; their sessions have ended")
        return 0
    except RulesEngineError as exc:
        print(f"rules-engine users: {exc}", file=sys.stderr)
        return 1
    finally:
        db.close()


def location(args: argparse.Namespace):
    if args.accounts:
        return Settings.of({"rules": ".", "accounts": args.accounts}, "--accounts").accounts
    if args.settings:
        found = Settings.from_yaml(args.settings).accounts
        if found is None:
            raise RulesEngineError(f"{args.settings} has no `accounts:` setting (the console's accounts store)")
        return found
    raise RulesEngineError("give --accounts FILE|URL or --settings FILE (with `accounts:`)")


def read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise RulesEngineError("the two passwords differ")
        return first
    line = sys.stdin.readline()
    if not line:
        raise RulesEngineError("no password on standard input (one line)")
    return line.rstrip("\r\n")
