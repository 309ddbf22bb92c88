"""What the history page shows of a client's versions: each with its time in the client's
zone and its unified diff to the version before, as lines the template escapes and marks."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime

from ..schedule.clock import zone
from .publishing import Version


@dataclass(frozen=True)
class DiffLine:
    kind: str  # add, remove, hunk, same
    text: str


@dataclass(frozen=True)
class VersionView:
    version: Version
    when: str  # local time in the client's zone
    diff: list[DiffLine]  # to the version before; empty for the first
    first: bool
    newest: bool


def when(at: str, timezone: str) -> str:
    """An ISO 8601 UTC time as read in `timezone`."""
    local = datetime.fromisoformat(at).astimezone(zone(timezone))
    return local.strftime("%a %d %b %Y %H:%M %Z")


def diff_lines(before: str, after: str) -> list[DiffLine]:
    lines = difflib.unified_diff(before.splitlines(), after.splitlines(), "before", "after", lineterm="", n=2)
    found = []
    for line in lines:
        if line.startswith(("---", "+++")):
            continue
        kind = {"+": "add", "-": "remove", "@": "hunk"}.get(line[:1], "same")
        found.append(DiffLine(kind, line))
    return found


def history_views(versions: list[Version], timezone: str, older: Version | None = None) -> list[VersionView]:
    """`versions` newest first; `older`: the version before the last one listed (a page cut
    short), so the last listed still has its diff."""
    views = []
    for index, version in enumerate(versions):
        before = versions[index + 1] if index + 1 < len(versions) else older
        views.append(
            VersionView(
                version,
                when(version.at, timezone),
                diff_lines(before.text, version.text) if before else [],
                before is None,
                index == 0,
            )
        )
    return views


def last_publish(version: Version | None, timezone: str) -> str | None:
    """The clients list's "last publish": who and when."""
    return f"{version.author}, {when(version.at, timezone)}" if version else None
