"""Rule sources by version: the text of every version of a rule file that served, kept by its
`rules_version` (the start of the sha256 of the text), so that the version which decided a call
can be read again after the file has changed (`rules-engine explain`) and the last good version
of a file can be served again after a restart (`last_good`).

One JSON file per version, `<rules_version>.json`: the text, the path it was read from and its
client id. Content-addressed, so a version is written once and never changes; reading one checks
that the text still hashes to its name, so a damaged or altered file reads as missing.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path

from ..compiler.assemble import rules_version_of
from .files import Shelf

PRUNE_GRACE_S = 60.0


@dataclass(frozen=True)
class Source:
    """One version of a rule file as it was read, with what a rendering of its decisions
    shows of the client (`cli/render.py`): its title (or id) and time zone."""

    rules_version: str
    path: str
    client: str
    title: str
    timezone: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)

    @classmethod
    def of(cls, data: object) -> Source | None:
        """A source from its stored form, if it is one whose text matches its version."""
        try:
            source = cls(**{key: str(data[key]) for key in FIELDS})  # type: ignore[index]
        except (KeyError, TypeError):
            return None
        return source if rules_version_of(source.text) == source.rules_version else None


class SourceArchive:
    """Sources kept as files in `directory` (created when the first is kept)."""

    def __init__(self, directory: str | Path):
        self.shelf = Shelf(directory)

    def keep(self, source: Source) -> None:
        """Keep `source` unless it is kept already; a failure to write only loses that source."""
        self.shelf.put(source.rules_version, source.as_dict())

    def get(self, rules_version: str) -> Source | None:
        data = self.shelf.get(rules_version)
        return Source.of(data) if data is not None else None

    def prune(self, needed: set[str], grace_seconds: float | None = None) -> int:
        """Delete the sources of versions not `needed` that were kept more than `grace_seconds`
        ago (a source just kept may belong to a record another engine is about to write);
        returns how many went."""
        older_than = time.time() - (PRUNE_GRACE_S if grace_seconds is None else grace_seconds)
        return sum(self.shelf.discard(key, older_than) for key in self.shelf.kept() if key not in needed)


FIELDS = tuple(field.name for field in dataclasses.fields(Source))
