"""Reading a decision log back, for a daemon (`Engine.explain`, `Engine.logged`) and for
`rules-engine explain`: one call's record by its call id, or a client's records over a span.

The log is read as plain data, without a lock, while it is written (`decision_log_file`'s
readers, or a read-only connection to PostgreSQL: `decision_log_pg`). A file log's torn lines
(a record cut short by a crash) are skipped and counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from ..extras import needs
from . import decision_log_file
from .decision_record import with_steps
from .rule_sources import Source
from .stores import is_database_url


@dataclass(frozen=True)
class Explained:
    """What `rules-engine explain` shows, as data: the record logged under the call id (its
    script's steps read back in full), the text of the rules version that decided it (None
    when it is not kept), and how many torn lines the search skipped."""

    record: dict[str, Any]
    source: Source | None
    torn: int = 0


def reader_of(location: str | Path) -> ModuleType:
    """The module that reads the log at `location`: a file, or a `postgresql://` database."""
    if is_database_url(location):
        with needs("postgres", "a postgresql:// decision log"):
            from . import decision_log_pg

        return decision_log_pg
    return decision_log_file


def explain(location: str | Path, call_id: str, with_source: bool = True) -> Explained | None:
    """The newest record logged under `call_id` at `location`, or None; OSError or
    `DecisionLogError` when the log cannot be read."""
    reader = reader_of(location)
    if reader is decision_log_file:
        record, torn = decision_log_file.lookup(location, call_id)
    else:
        record, torn = reader.find(str(location), call_id), 0
    if record is None:
        return None
    if not with_source:
        return Explained(record, None, torn)
    source = reader.source(location, str(record.get("rules_version")))
    record["decision"] = with_steps(record.get("decision") or {}, lambda ref: reader.script_steps(location, ref))
    return Explained(record, source, torn)


def logged(
    location: str | Path, client: str, start: datetime, end: datetime, limit: int = 1000
) -> list[dict[str, Any]]:
    """The records of `client`'s calls logged from `start` (included) to `end` (excluded), the
    oldest first, `limit` at most. OSError or `DecisionLogError` when the log cannot be read."""
    reader = reader_of(location)
    if reader is not decision_log_file:
        found: list[dict[str, Any]] = reader.logged(str(location), client, start, end, limit)
        return found
    records = []
    for file in decision_log_file.log_files(location):
        for record in decision_log_file.records(file):
            if record.get("client") != client:
                continue
            when = logged_at(record)
            if when is not None and start <= when < end:
                records.append((when, record))
    records.sort(key=lambda pair: pair[0])
    return [record for _, record in records[:limit]]


def logged_at(record: dict[str, Any]) -> datetime | None:
    try:
        when = datetime.fromisoformat(str(record.get("logged_at")))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
