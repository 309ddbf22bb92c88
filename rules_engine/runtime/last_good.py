"""The last good version of each rule file, kept so that a restart serves it too.

A reload never replaces a serving version with a broken one (`catalog`); this module makes
that hold across restarts. For each rule file it records the version that serves (sha256,
rules version, client, and since when), and keeps that version's text in a source archive.
A start that finds a file broken, or clashing with another, serves the recorded version
again, and `problems` says so: the file's errors, then which version serves and since when.

On disk, in a private directory (`last-good/` in the compile cache, or one beside the SQLite
store: `Engine`):

    <sha256 of the rules root>.json    the records of one rules directory, replaced whole
    sources/<rules_version>.json       the text of each version recorded (`rule_sources`)

The archive is bounded: once a new version of a file is recorded, the source of the version it
replaced goes (a minute later, so that another engine sharing the directory never loses a
source it is about to record). It holds one source per rule file, about the size of the rules
directory itself, however many reloads there were. The decision log keeps its own copies of the
versions its records refer to (`decision_log_file`), for `explain`.

A file deleted while other files remain was deleted on purpose: its record goes, and no
restart serves it again. A start that finds no rule file at all serves every recorded
version, as a reload keeps serving (`catalog.keep_serving`): a mount gone is not every
client leaving. Without a directory the records are kept in memory only, so that a reload
still says which version serves instead of a broken file.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

from ..compiler.compile import compile_bytes
from ..errors import Diagnostic, RulesError
from . import catalog as catalogs
from .compile_cache import CacheError, CompileCache
from .files import private_directory, replace_file
from .rule_sources import Source, SourceArchive

FORMAT = 1


@dataclass(frozen=True)
class Version:
    """The version of one rule file that serves."""

    digest: str  # sha256 of the file's content
    rules_version: str
    client: str
    since: str  # when it began to serve: ISO 8601, UTC


class LastGood:
    """The records of the rules at `root`, on disk in `directory` (or in memory without one)."""

    def __init__(self, root: str | Path, directory: str | Path | None = None):
        self.root = Path(root)
        self._versions: dict[str, Version] = {}  # by the file's path, as the catalog spells it
        # The rules version of each file whose source `settle` returned last: a version that serves
        # again after another is returned again (the decision log may have pruned it meanwhile).
        self._announced: dict[str, str] = {}
        self._archive: SourceArchive | None = None
        self._records: Path | None = None
        if directory is not None:
            directory = private_directory(directory, "the last-good state", CacheError)
            self._archive = SourceArchive(directory / "sources")
            self._records = directory / (hashlib.sha256(os.path.abspath(self.root).encode()).hexdigest()[:32] + ".json")
            self._versions = self._read()

    # ---- the records on disk -------------------------------------------------------------------

    def _relative(self, path: str) -> str:
        return "." if path == str(self.root) else os.path.relpath(path, self.root)

    def _spelled(self, relative: str) -> str:
        return str(self.root) if relative == "." else str(self.root / relative)

    def _read(self) -> dict[str, Version]:
        if self._records is None:
            return {}
        try:
            data = json.loads(self._records.read_bytes())
            if data.get("format") != FORMAT:
                return {}
            return {self._spelled(name): Version(**fields) for name, fields in data["files"].items()}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):  # none yet, or damaged: none
            return {}

    def _write(self, records: Path) -> None:
        data = {
            "format": FORMAT,
            "root": os.path.abspath(self.root),
            "files": {self._relative(path): asdict(version) for path, version in sorted(self._versions.items())},
        }
        replace_file(records, json.dumps(data, indent=1).encode("utf-8"), durable=True)

    def _prune(self) -> None:
        """Delete the archived sources that no record of this directory refers to any more (of
        any rules root that shares it): the archive holds the last good version of each file."""
        if self._archive is None or self._records is None:
            return
        needed = {version.rules_version for version in self._versions.values()}
        for records in self._records.parent.glob("*.json"):
            try:
                data = json.loads(records.read_bytes())
                needed.update(str(fields["rules_version"]) for fields in data["files"].values())
            except (OSError, ValueError, TypeError, KeyError, AttributeError):
                continue  # unreadable records: what they referred to stays until it is readable or gone
        self._archive.prune(needed)

    # ---- at start ------------------------------------------------------------------------------

    def recover(self, catalog: catalogs.Catalog, cache: CompileCache | None) -> catalogs.Catalog | None:
        """At start: the recorded versions of the files that `catalog` does not serve as saved (of
        every recorded file when no rule file was found), as a catalog to load again over, so that
        they serve; None when there is nothing to recover."""
        if self._archive is None:
            return None
        failing = (
            [file for file, entry in catalog.files.items() if not serves_itself(catalog, entry)]
            if catalog.files
            else list(self._versions)
        )
        clients: dict[str, catalogs.ClientVersion] = {}
        by_number: dict[str, str] = {}
        for file in failing:
            client = self._rebuild(file, cache)
            if client is not None and not catalogs.clashes(client, clients, by_number):
                catalogs.admit(client, clients, by_number)
        if not clients:
            return None
        return catalogs.Catalog(
            clients=catalogs.Clients(clients), by_number=MappingProxyType(by_number), files=catalog.files
        )

    def _rebuild(self, file: str, cache: CompileCache | None) -> catalogs.ClientVersion | None:
        """The recorded version of `file`, compiled (or read from the compile cache); None if its
        source is not kept or no longer compiles (an engine upgrade changed the language)."""
        version = self._versions.get(file)
        if version is None or self._archive is None:
            return None
        source = self._archive.get(version.rules_version)
        if source is None:
            return None
        data = source.text.encode("utf-8")
        cached = cache.lookup(file, version.digest, data) if cache is not None else None
        if cached is not None:
            return catalogs.ClientVersion(cached)
        try:
            return catalogs.ClientVersion(compile_bytes(data, file)[0])
        except RulesError:
            return None

    # ---- after every load ----------------------------------------------------------------------

    def settle(self, catalog: catalogs.Catalog) -> tuple[catalogs.Catalog, list[Source]]:
        """Record the versions `catalog` serves and forget files deleted on purpose; returns the
        catalog with, for each file not served as saved, which version serves instead and since
        when added to its problems, and the sources of the versions that started serving since the
        last call (for the decision log to keep)."""
        serving = {client.path: client for client in catalog.clients.versions.values()}
        if catalog.clients and not catalog.files:  # no rule file found: everything keeps serving
            return catalog, self._sources(serving, catalog)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        versions: dict[str, Version] = {}
        notes = []
        for file, entry in catalog.files.items():
            recorded, client = self._versions.get(file), serving.get(file)
            if client is None:  # not served (new and broken, say): the record, if any, still stands
                if recorded is not None:
                    versions[file] = recorded
                continue
            if recorded is not None and recorded.rules_version == client.rules_version:
                versions[file] = recorded
            else:  # a new version serves
                versions[file] = Version(entry.digest, client.rules_version, client.id, now)
            if client is not entry.client:
                notes.append(
                    Diagnostic(
                        "warning",
                        f"not served as saved; its last good version serves instead (rules version "
                        f"{client.rules_version}, serving since {versions[file].since})",
                        file,
                        hint="fix the errors above and save: the fixed version replaces it",
                    )
                )
        sources = self._sources(serving, catalog)
        if versions != self._versions:
            self._versions = versions
            if self._records is not None:
                self._write(self._records)
                self._prune()
        if notes:
            catalog = replace(catalog, problems=catalog.problems + tuple(notes))
        return catalog, sources

    def _sources(self, serving: dict[str, catalogs.ClientVersion], catalog: catalogs.Catalog) -> list[Source]:
        """The sources of the versions serving that were not returned for their file the last time,
        each kept in the archive."""
        sources = []
        for file, client in serving.items():
            if self._announced.get(file) == client.rules_version:
                continue
            entry = catalog.files.get(file)
            source: Source | None
            if entry is not None and entry.client is client:
                source = Source(
                    client.rules_version,
                    os.path.abspath(file),
                    client.id,
                    client.title or client.id,
                    client.timezone,
                    entry.source.decode("utf-8"),
                )
            else:
                source = self._archive.get(client.rules_version) if self._archive is not None else None
                if source is None:
                    continue
            if self._archive is not None:
                self._archive.keep(source)
            self._announced[file] = client.rules_version
            sources.append(source)
        return sources


def serves_itself(catalog: catalogs.Catalog, entry: catalogs.FileEntry) -> bool:
    """Whether the file of `entry` serves what it holds now."""
    return entry.client is not None and catalog.clients.versions.get(entry.client.id) is entry.client
