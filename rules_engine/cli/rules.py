"""`rules-engine rules export|import DIR`: the console's published rule files to and from a
directory, for teams that keep their rules in git (docs/console.md, "Teams that deploy from git").

`export` writes each client's newest published text to `DIR/<client>.rules`. `import` records
each file of `DIR` whose text differs from its client's newest version as a new version
(action `import`, author `command line (USER)`), after the checks a publish makes: one error
in any file and nothing is recorded; warnings need `--accept-warnings`. Every instance of the
service follows the recorded versions within a second (its `Follower`): the import is the
deploy.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from ..errors import RulesEngineError
from .users import location


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Export the console's published rule files to a directory, or import them from one."
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--accounts", metavar="FILE|URL", help="the console's store: a SQLite file or postgresql:// URL")
    where.add_argument("--settings", metavar="FILE", help="a settings file whose `accounts:` names the store")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    export = actions.add_parser("export", parents=[where], help="write each client's newest version to DIR")
    export.add_argument("directory", metavar="DIR")
    imports = actions.add_parser("import", parents=[where], help="record each changed DIR/<client>.rules as a version")
    imports.add_argument("directory", metavar="DIR")
    imports.add_argument("--message", "-m", default="", help="why (shown in the console's history)")
    imports.add_argument("--accept-warnings", action="store_true", help="record files that have warnings")


def run(args: argparse.Namespace) -> int:
    from ..console.db import open_database  # the standard library's sqlite3 (psycopg: asked for by a URL)

    try:
        db = open_database(location(args))
    except RulesEngineError as exc:
        print(f"rules-engine rules: {exc}", file=sys.stderr)
        return 1
    try:
        directory = Path(args.directory)
        return export(db, directory) if args.action == "export" else import_(db, directory, args)
    except RulesEngineError as exc:
        print(f"rules-engine rules: {exc}", file=sys.stderr)
        return 1
    finally:
        db.close()


def export(db, directory: Path) -> int:
    from ..console.publishing import newest_versions
    from ..runtime.files import replace_file

    directory.mkdir(parents=True, exist_ok=True)
    versions = newest_versions(db)
    for client, version in sorted(versions.items()):
        target = directory / f"{client}.rules"
        if not replace_file(target, version.text.encode()):
            raise RulesEngineError(f"cannot write {target}")
        print(f"{target}\tversion {version.number}\t{version.author}\t{version.at}")
    print(f"{len(versions)} client(s) exported to {directory}", file=sys.stderr)
    return 0


def import_(db, directory: Path, args: argparse.Namespace) -> int:
    from ..console.audit import Audit
    from ..console.publishing import Versions, newest_versions

    files = sorted(directory.glob("*.rules"))
    if not files:
        raise RulesEngineError(f"no .rules file in {directory}")
    versions, audit = Versions(db), Audit(db)
    actor = f"command line ({getpass.getuser()})"
    texts = {file.stem: file.read_text(encoding="utf-8") for file in files}
    newest = newest_versions(db)
    changed = [c for c, text in texts.items() if c not in newest or newest[c].text != text]
    errors, warnings = check_changed(directory, changed, {**{c: v.text for c, v in newest.items()}, **texts})
    if errors or (warnings and not args.accept_warnings):
        why = "errors" if errors else "warnings (read them, then give --accept-warnings)"
        print(f"rules-engine rules: {why} in the files: nothing was imported", file=sys.stderr)
        return 1
    for client in changed:
        version = versions.record(client, texts[client], actor, args.message, "import", None)
        audit.record(actor, "import", client, None, number=version.number, message=args.message)
        print(f"{client}\tversion {version.number}")
    print(f"{len(changed)} of {len(files)} file(s) recorded", file=sys.stderr)
    return 0


def check_changed(directory: Path, changed: list[str], texts: dict[str, str]) -> tuple[bool, bool]:
    """Check each changed file as a publish would, beside every client as it would serve after
    the import (the directory's files, and the newest version of each client it does not hold);
    print the diagnostics as `file:line:column: …`. Whether there were errors, and warnings."""
    from ..compiler.compile import compile_text
    from ..console.publishing import check_text
    from ..errors import RulesError

    compiled = {}
    for client, text in sorted(texts.items()):
        try:
            compiled[client] = compile_text(text, str(directory / f"{client}.rules"))[0]
        except RulesError:
            continue  # its own errors are reported when it is checked (if it changed)
    errors = warnings = False
    for client in changed:
        path = str(directory / f"{client}.rules")
        checked = check_text(client, texts[client], path, [c for cid, c in compiled.items() if cid != client])
        for d in checked.diagnostics:
            print(f"{path}:{d.line}:{d.column}: {d.severity}: {d.message}{f' ({d.hint})' if d.hint else ''}")
        errors, warnings = errors or bool(checked.errors), warnings or bool(checked.warnings)
    return errors, warnings
