"""What a store's tables are, for the migration routines of `sqlite` and `postgres`.

Each store (the live state, the outcomes, the decision log) names its schema and lists its
migrations: entry N holds the statements that take its tables from version N to N + 1, so the
schema's version is the number of entries. Its version is kept in a table of its own,
`<name>_schema` (one integer column; the highest row counts), in the same database: stores
that share a database migrate independently, and never misread each other.

A database whose version is higher than the code knows was written by a newer engine: it is
refused (`newer`), never read as if it were this version's.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import RulesEngineError


@dataclass(frozen=True)
class Schema:
    """A store's tables: its `name` (its version table is `<name>_schema`), its migrations, and
    for a store made before the version table, `legacy`: a query that reads the version where
    that engine kept it (one integer; SQLite's `PRAGMA user_version` for the live state)."""

    name: str
    migrations: tuple[tuple[str, ...], ...]
    legacy: str | None = None

    @property
    def version(self) -> int:
        return len(self.migrations)

    @property
    def table(self) -> str:
        return f"{self.name}_schema"


def newer(error: type[RulesEngineError], what: str, version: int, schema: Schema) -> RulesEngineError:
    """The refusal of a database written by a newer engine; `what` names it ("the live-state store …")."""
    return error(
        f"{what} has schema version {version}, newer than this engine knows ({schema.version}); upgrade the engine"
    )


def not_current(error: type[RulesEngineError], what: str, version: int, schema: Schema) -> RulesEngineError:
    """Why a reader (which never changes a database) cannot read it: too new, too old, or empty."""
    if version > schema.version:
        return newer(error, what, version, schema)
    if version == 0:
        return error(f"{what} has no tables yet: no engine has written to it")
    return error(
        f"{what} has schema version {version}, older than this engine reads ({schema.version}); "
        "start the engine that writes it (rules-engine serve, or the daemon) once to upgrade it"
    )
