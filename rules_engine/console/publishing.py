"""Publishing rule files from the console, with their history.

A publish is the same checks as `rules-engine check` on the text (errors block; warnings are
shown and must be acknowledged), then the file written into the directory the engine serves
(replaced whole: a reader never sees half a file), a row in `console_rules_version` (who,
when, why, the text) and an entry in the audit log, and the engine reloaded at once. The
directory stays what the engine serves, so teams that deploy from git keep working
(docs/console.md says how the two meet); the table is the history and, for a fleet sharing
a PostgreSQL database, how the other instances learn of a publish (`Follower`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .. import model as m
from ..analysis.checks import check_warnings
from ..compiler.assemble import rules_version_of
from ..compiler.compile import compile_text
from ..engine import Engine
from ..errors import Diagnostic, RulesEngineError, RulesError
from ..runtime.catalog import ClientVersion, cross_file_problems
from ..runtime.files import replace_file
from .audit import Audit
from .db import Database

COLUMNS = "id, client, number, rules_version, text, author, at, message, action, source"


@dataclass(frozen=True)
class Version:
    """One published version of a client's rule file."""

    id: int
    client: str
    number: int
    rules_version: str
    text: str
    author: str
    at: str  # ISO 8601, UTC
    message: str
    action: str  # publish, rollback, import, approve
    source: int | None  # rollback: the number published again; approve: the proposal's id


@dataclass(frozen=True)
class Checked:
    """What `check` says of a text: its diagnostics, errors first."""

    diagnostics: tuple[Diagnostic, ...]

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "warning")


class PublishRefused(RulesEngineError):
    """A publish that did not happen: errors in the text, or warnings not acknowledged."""

    def __init__(self, message: str, checked: Checked):
        super().__init__(message)
        self.checked = checked


def check_text(client: str, text: str, path: str, others: list[m.Client]) -> Checked:
    """The diagnostics `rules-engine check` gives for `text` as `client`'s file at `path`,
    beside `others` (an id or a number one of them has is an error)."""
    return compile_and_place(client, text, path, others, over_time=True)[0]


def compile_and_place(
    client: str, text: str, path: str, others: list[m.Client], over_time: bool
) -> tuple[Checked, m.Client | None]:
    """`text` compiled as `client`'s file and placed beside `others`: its diagnostics (with
    the warnings over time of `analysis.checks` when `over_time`) and the client compiled
    (None when it does not compile)."""
    try:
        compiled, found = compile_text(text, path)
    except RulesError as exc:
        return Checked(tuple(exc.diagnostics)), None
    problems = [*found, *(check_warnings(compiled, compiled=found) if over_time else ())]
    if compiled.id != client:
        problems.append(
            Diagnostic(
                "error",
                f"this file defines client `{compiled.id}`, not `{client}`",
                path,
                compiled.pos.line if compiled.pos else 0,
                compiled.pos.column if compiled.pos else 0,
                hint=f"keep `client {client}` at the top: a client's id does not change",
            )
        )
    placed = [ClientVersion(c) for c in others if c.id != client]
    problems.extend(p for p in cross_file_problems([*placed, ClientVersion(compiled)]) if p.file == path)
    ordered = tuple(sorted(problems, key=lambda d: (d.severity != "error", d.line, d.column)))
    return Checked(ordered), compiled


class Versions:
    """The recorded versions of every client's rule file (the table `console_rules_version`)."""

    def __init__(self, db: Database):
        self.db = db

    def record(self, client: str, text: str, author: str, message: str, action: str, source: int | None) -> Version:
        """Add a version row (its number one more than the client's newest)."""
        for _ in range(3):  # two instances numbering the same client at once: one retries
            number = self.newest_number(client) + 1
            try:
                self.insert(client, number, text, author, message, action, source)
            except Exception:
                continue
            found = self.version(client, number)
            if found is not None:
                return found
        raise RulesEngineError(f"cannot record a new version of {client}")

    def insert(
        self, client: str, number: int, text: str, author: str, message: str, action: str, source: int | None = None
    ) -> None:
        """One version row; raises when `number` is taken (UNIQUE (client, number))."""
        at = datetime.now(UTC).isoformat(timespec="milliseconds")
        self.db.execute(
            "INSERT INTO console_rules_version (client, number, rules_version, text, author, at, message, "
            "action, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (client, number, rules_version_of(text), text, author, at, message, action, source),
        )

    def newest_number(self, client: str) -> int:
        rows = self.db.rows("SELECT MAX(number) FROM console_rules_version WHERE client = ?", (client,))
        return int(rows[0][0] or 0)

    def version(self, client: str, number: int) -> Version | None:
        rows = self.db.rows(
            f"SELECT {COLUMNS} FROM console_rules_version WHERE client = ? AND number = ?", (client, number)
        )
        return Version(*rows[0]) if rows else None

    def current(self, client: str) -> Version | None:
        """The newest version recorded for `client` (None: never published from here)."""
        return self.version(client, self.newest_number(client))

    def last_publishes(self) -> dict[str, Version]:
        """Each client's newest version (the clients list's "last publish")."""
        return newest_versions(self.db)

    def history(self, client: str, limit: int = 200) -> list[Version]:
        """`client`'s versions, newest first."""
        rows = self.db.rows(
            f"SELECT {COLUMNS} FROM console_rules_version WHERE client = ? ORDER BY number DESC LIMIT ?",
            (client, limit),
        )
        return [Version(*row) for row in rows]


class Publisher(Versions):
    """Publishes a client's text: checked beside the clients served, written into the served
    directory, recorded, audited, and served at once."""

    def __init__(self, db: Database, engine: Engine, audit: Audit):
        super().__init__(db)
        self.engine, self.audit = engine, audit

    def check(self, client: str, text: str) -> Checked:
        """The diagnostics `rules-engine check` gives for `text` as `client`'s file, beside the
        other clients served (an id or a number taken by another file is an error)."""
        others = [c for _, c in sorted(self.engine.clients.items())]
        return check_text(client, text, str(self.file_of(client)), others)

    def file_of(self, client: str) -> Path:
        """The file that serves `client`, or where a new client's file goes."""
        served = self.engine.clients.get(client)
        if served is not None and served.path:
            return Path(served.path)
        root = self.engine.path
        return (root if root.is_dir() else root.parent) / f"{client}.rules"

    def publish(
        self,
        client: str,
        text: str,
        author: str,
        message: str,
        *,
        acknowledged: bool = False,
        action: str = "publish",
        source: int | None = None,
        address: str | None = None,
    ) -> Version:
        """Check `text`, serve it as `client`'s file and record it; `PublishRefused` if the
        checks find an error, or warnings that were not `acknowledged`."""
        checked = self.check(client, text)
        if checked.errors:
            raise PublishRefused(f"{len(checked.errors)} error(s) in the file: nothing was published", checked)
        if checked.warnings and not acknowledged:
            raise PublishRefused("the file has warnings: read them and acknowledge them to publish", checked)
        if not replace_file(self.file_of(client), text.encode(), durable=True):
            raise PublishRefused(f"cannot write {self.file_of(client)}: nothing was published", checked)
        version = self.record(client, text, author, message, action, source)
        self.engine.reload()
        self.audit.record(author, action, client, address, number=version.number, message=message)
        return version

    def rollback(
        self, client: str, number: int, author: str, *, acknowledged: bool = False, address: str | None = None
    ) -> Version:
        """Publish version `number`'s text again, as a new version (action `rollback`, source
        `number`), through the same checks as any publish."""
        old = self.version(client, number)
        if old is None:
            raise RulesEngineError(f"{client} has no version {number}")
        return self.publish(
            client,
            old.text,
            author,
            f"Rolled back to version {number}",
            acknowledged=acknowledged,
            action="rollback",
            source=number,
            address=address,
        )


def newest_versions(db: Database) -> dict[str, Version]:
    """Each client's newest version, by client id."""
    rows = db.rows(
        f"SELECT {', '.join('v.' + c for c in COLUMNS.split(', '))} FROM console_rules_version v JOIN "
        "(SELECT client, MAX(number) AS number FROM console_rules_version GROUP BY client) newest "
        "ON v.client = newest.client AND v.number = newest.number"
    )
    return {row[1]: Version(*row) for row in rows}
