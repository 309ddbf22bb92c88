"""Load: a `.rules` file or a directory of them → an immutable catalog of compiled clients.

A catalog is one consistent version of everything the engine serves: clients by id and
by number, each with the warnings of its compile, and the problems of files that are not
served as saved. The engine swaps whole catalogs, never parts of one.

Loading is incremental: `load(path, previous)` recompiles only the files whose content
changed since `previous`, and a file that fails (to compile, or because its client id or
a number clashes with another file) never replaces the version of it that was serving.
With a compile cache, a file compiled before (by any process) is not compiled again: its
client comes from the cache, built on first use (`compile_cache.CachedClient`).

Each file's client is served with its plan for deciding (`decide.plan.ClientPlan`), made
on the client's first decision and kept for as long as the file's content is served.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import stat
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Protocol, TypeVar

from .. import model as m
from ..decide.call import Call, checked_answers
from ..decide.conditions import phone_key
from ..decide.plan import ClientPlan
from ..errors import CallError, Diagnostic, RulesError
from .compile_cache import CachedClient, CompileCache

# A file modified this close to the scan that saw it may change again within the same
# timestamp tick without its (mtime, size) changing; such a stamp is not trusted, and the
# next load compares the content instead (git's "racily clean" rule).
RACY_NS = 2_000_000_000
# A file that was served but is missing from a scan is looked for again for this long before it
# counts as deleted: a save that moves the old file away before writing the new one (vim's
# backup, some deploy tools) leaves a moment with no file at all.
LOOK_AGAIN_S = 0.25
LOOK_AGAIN_TICK_S = 0.01


@dataclass(frozen=True, slots=True)
class PlannedClient:
    """A client ready to decide calls: its compiled rules and its plan for deciding."""

    client: m.Client
    plan: ClientPlan

    def checked(self, call: Call) -> Call:
        """`call`, once it is known to be one for this client: its answers are ones the client's
        scripts ask (`decide.call.checked_answers`), and a dialled number given beside the
        client's id is one of the client's numbers. Otherwise a `CallError` naming the field."""
        if call.answers:
            call = checked_answers(self.client, self.plan.answers, call)
        if call.client is not None and call.number is not None and phone_key(call.number) not in self.plan.number_keys:
            raise CallError(f"{call.number} is not a number of client `{self.client.id}`", field="number")
        return call


class Placed(Protocol):
    """What placing a client beside others reads (`clashes`): a `ClientVersion`, or a compiled
    `Client` (`rules-engine check` compares files it compiled itself)."""

    @property
    def id(self) -> str: ...

    @property
    def path(self) -> str: ...

    @property
    def pos(self) -> m.Pos | None: ...

    @property
    def numbers(self) -> tuple[m.Name, ...]: ...


P = TypeVar("P", bound=Placed)


class ClientVersion:
    """The version of a client that one rule file serves: compiled, or read from the compile cache.

    It has what assembling a catalog reads (`id`, `path`, `pos`, `numbers`, `rules_version`)
    and what archiving a version's source does (`title`, `timezone`);
    `client()` gives the `Client` (building a cached one on first use) and `planned()` the
    client with its plan. The plan is made on the client's first decision, not when the
    file is loaded: a restart from the cache serves 1,000 clients in a fraction of a
    second, and a client nobody calls is never planned. A reload keeps this object for
    every unchanged file, so a client is planned once per content, not once per reload.
    `planned()` publishes the pair only when it is complete, under a lock, so a thread never
    sees half a plan and two threads never make two.
    """

    __slots__ = ("_lock", "_planned", "_source", "id", "numbers", "path", "pos", "rules_version", "timezone", "title")

    def __init__(self, source: m.Client | CachedClient):
        self.id, self.path, self.pos = source.id, source.path, source.pos
        self.numbers, self.rules_version = source.numbers, source.rules_version
        self.title, self.timezone = source.title, source.timezone
        self._source = source
        self._planned: PlannedClient | None = None
        self._lock = threading.Lock()

    def client(self) -> m.Client:
        source = self._source
        return source if isinstance(source, m.Client) else source.client()

    def planned(self) -> PlannedClient:
        planned = self._planned
        if planned is None:
            with self._lock:
                if self._planned is None:
                    client = self.client()
                    self._planned = PlannedClient(client, ClientPlan.of(client))
                planned = self._planned
        return planned


@dataclass(frozen=True)
class FileEntry:
    """What one rule file compiled to, and the version of it that serves."""

    path: str
    # (mtime_ns, size, inode) when the content below was read. The inode tells a file swapped in
    # by a deploy (a symbolic link moved to another release) from the old one even when the
    # copy kept the old file's size and modification time.
    stamp: tuple[int, int, int]
    trusted: bool  # the stamp was old enough at the scan to stand for the content
    digest: str  # sha256 of the content
    client: ClientVersion | None  # the compiled content, None if it failed
    warnings: tuple[Diagnostic, ...] = ()
    errors: tuple[Diagnostic, ...] = ()
    source: bytes = field(default=b"", repr=False)  # the content, kept so a version's source can be archived


class Clients(Mapping[str, m.Client]):
    """A catalog's clients by id, read-only; a client from the compile cache is built on first access.

    `versions` holds the version each id serves, as assembled; reloading reads it so that
    comparing versions never builds a client.
    """

    def __init__(self, versions: dict[str, ClientVersion] | None = None):
        self.versions: Mapping[str, ClientVersion] = MappingProxyType(versions or {})

    def __getitem__(self, client_id: str) -> m.Client:
        return self.versions[client_id].client()

    def __iter__(self) -> Iterator[str]:
        return iter(self.versions)

    def __len__(self) -> int:
        return len(self.versions)


@dataclass(frozen=True)
class Catalog:
    clients: Clients = field(default_factory=Clients)
    by_number: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    warnings: tuple[Diagnostic, ...] = ()
    problems: tuple[Diagnostic, ...] = ()
    files: Mapping[str, FileEntry] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class ReloadReport:
    """What a reload changed in what is served, and what is wrong with the files."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    recompiled: tuple[str, ...] = ()  # files compiled by this reload (unchanged files are not)
    problems: tuple[Diagnostic, ...] = ()

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    def __str__(self) -> str:
        parts = [
            f"{label} {', '.join(ids)}"
            for label, ids in (("added", self.added), ("changed", self.changed), ("removed", self.removed))
            if ids
        ]
        summary = "; ".join(parts) or "no change"
        errors = sum(p.severity == "error" for p in self.problems)
        return summary + (f"; {errors} problem(s)" if errors else "")


def rule_files(path: Path) -> list[tuple[str, os.stat_result]]:
    """The rule files under `path` with their status, in name order; hidden files (editors'
    swap and lock files) are skipped. OSError when the directory cannot be listed.

    One `os.scandir` and one `stat` per file, names sorted as strings: a reload with
    nothing changed costs little more than that listing (no `Path` object per file).
    """
    if not path.is_dir():
        try:
            return [(str(path), path.stat())] if path.is_file() else []
        except OSError:
            return []
    prefix = str(path / "_")[:-1]  # how pathlib spells a child of `path` ("a/" or "" for ".")
    found = []
    with os.scandir(path) as listing:  # a directory that cannot be listed raises OSError
        for entry in listing:
            if entry.name.endswith(".rules") and not entry.name.startswith("."):
                try:
                    status = entry.stat()  # follows symbolic links, as `is_file` did
                except OSError:  # vanished, or a dangling link
                    continue
                if stat.S_ISREG(status.st_mode):
                    found.append((entry.name, status))
    found.sort(key=lambda item: item[0])
    return [(prefix + name, status) for name, status in found]


class _CollectorPause:
    """How many loads have the cycle collector paused, and whether it ran before the first."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pausers = 0
        self.was_enabled = False


_collector = _CollectorPause()


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cycle collector off while a first load compiles, as it was before afterwards.

    A compile makes many short-lived objects, which start collections that each walk every
    client compiled so far: a cold start of 1,000 clients spent ~4 s of ~16 in them. Paused,
    the one full collection made at the end costs ~1.8 s, here rather than in the first
    calls served. Loads in several threads share one count, so the last to finish restores
    what the first found.
    """
    with _collector.lock:
        if _collector.pausers == 0:
            _collector.was_enabled = gc.isenabled()
            gc.disable()
        _collector.pausers += 1
    try:
        yield
    finally:
        with _collector.lock:
            _collector.pausers -= 1
            if _collector.pausers == 0 and _collector.was_enabled:
                gc.collect()
                gc.enable()


def keep_serving(previous: Catalog, root: Path, unreadable: str | None) -> Catalog:
    """The catalog that was serving, when a reload finds no rule file at all.

    A deleted file stops being served when the deletion is deliberate: the other files are
    still there. A rules directory (or file) that has vanished, cannot be listed or holds no
    rule file at all is far more often a deploy half done or a mount gone away than every
    client leaving, so the clients that were serving keep serving, and the problem says so.
    """
    why = (
        f"cannot list the rules: {unreadable}"
        if unreadable
        else ("no rule files here any more" if root.exists() else "the rules are gone (no such file or directory)")
    )
    problem = Diagnostic(
        "error",
        f"{why}; the {len(previous.clients)} client(s) that were serving keep serving",
        str(root),
        hint="put the rule files back; to stop serving a client, delete its file while the others remain",
    )
    return replace(previous, problems=(problem,))


def load(path: str | Path, previous: Catalog | None = None, cache: CompileCache | None = None) -> Catalog:
    """Compile the rule files under `path`, reusing what `previous` compiled from the same content,
    and what `cache` holds for it."""
    root = Path(path)
    old_files = previous.files if previous is not None else {}
    started = time.time_ns()  # before any file is looked at: see RACY_NS
    entries: dict[str, FileEntry] = {}
    unreadable: str | None = None
    try:
        listing = rule_files(root)
    except OSError as exc:
        listing, unreadable = [], exc.strerror or str(exc)
    if previous is not None and previous.clients and not listing:
        return keep_serving(previous, root, unreadable)
    # Only a first load compiles many files; a reload's collection would cost more than it saves.
    with gc_paused() if previous is None else contextlib.nullcontext():
        for file, status in listing:
            entry = scan(file, status, started, old_files.get(file), cache)
            if entry is not None:
                entries[file] = entry
        vanished = [file for file in old_files if file not in entries]
        if vanished:
            entries.update(look_again(vanished, started, old_files, cache))
            entries = dict(sorted(entries.items()))
    problems: list[Diagnostic] = []
    if unreadable is not None:
        problems.append(Diagnostic("error", f"cannot list the rules directory: {unreadable}", str(root)))
    elif not root.exists():
        problems.append(
            Diagnostic(
                "error",
                "no such file or directory",
                str(root),
                hint="the engine serves a .rules file or a directory of them",
            )
        )
    for entry in entries.values():
        problems.extend(entry.errors)
    serving = previous.clients.versions if previous is not None else {}
    clients, by_number = assemble(entries, serving, problems)
    warnings = [
        w
        for entry in entries.values()
        if entry.client is not None and clients.get(entry.client.id) is entry.client
        for w in entry.warnings
    ]
    return Catalog(
        clients=Clients(clients),
        by_number=MappingProxyType(by_number),
        warnings=tuple(warnings),
        problems=tuple(problems),
        files=MappingProxyType(entries),
    )


def look_again(
    files: list[str], started: int, old_files: Mapping[str, FileEntry], cache: CompileCache | None
) -> dict[str, FileEntry]:
    """Entries for files that were served but are missing from this scan, if they come back
    within LOOK_AGAIN_S; a file still missing then has been deleted."""
    found: dict[str, FileEntry] = {}
    deadline = time.monotonic() + LOOK_AGAIN_S
    while True:
        for file in files:
            try:
                status = os.stat(file)
            except OSError:
                continue
            entry = scan(file, status, started, old_files.get(file), cache) if stat.S_ISREG(status.st_mode) else None
            if entry is not None:
                found[file] = entry
        files = [file for file in files if file not in found]
        if not files or time.monotonic() >= deadline:
            return found
        time.sleep(LOOK_AGAIN_TICK_S)


def scan(
    file: str, status: os.stat_result, started: int, old: FileEntry | None, cache: CompileCache | None = None
) -> FileEntry | None:
    """The entry for `file`: the old one if its content is unchanged, else the cache's entry
    for this content, else a fresh compile (then stored in the cache).

    `status` is the file's stat from the listing, taken after `started`. None when the file
    vanished between listing and reading (it is being deleted).
    """
    stamp = (status.st_mtime_ns, status.st_size, status.st_ino)
    if old is not None and old.trusted and old.stamp == stamp:
        return old
    try:
        data = Path(file).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        error = Diagnostic("error", f"cannot read the file: {exc.strerror}", file)
        return FileEntry(file, (0, 0, 0), False, "", None, errors=(error,))
    trusted = stamp[0] < started - RACY_NS and stamp[1] == len(data)
    digest = hashlib.sha256(data).hexdigest()
    if old is not None and old.digest == digest:
        return replace(old, stamp=stamp, trusted=trusted)
    cached = cache.lookup(file, digest, data) if cache is not None else None
    if cached is not None:
        return FileEntry(file, stamp, trusted, digest, ClientVersion(cached), cached.warnings, source=data)
    from ..compiler.compile import compile_bytes  # only on a cache miss: Lark and the checks cost a quarter second

    try:
        client, warnings = compile_bytes(data, file)
    except RulesError as exc:  # a note (checks held back by a syntax error) is for whoever edits the file
        problems = tuple(d for d in exc.diagnostics if d.severity != "note")
        return FileEntry(file, stamp, trusted, digest, None, errors=problems, source=data)
    if cache is not None:
        cache.store(file, digest, client, warnings)
    return FileEntry(file, stamp, trusted, digest, ClientVersion(client), warnings, source=data)


def assemble(
    entries: Mapping[str, FileEntry], serving: Mapping[str, ClientVersion], problems: list[Diagnostic]
) -> tuple[dict[str, ClientVersion], dict[str, str]]:
    """Pick the version of each file to serve so that client ids and numbers stay unique.

    A file serves its new content if that compiled and clashes with nothing, else the
    version of it that was serving (the last good one), if any. Versions that keep serving
    are placed first, so a new or edited file can never push out a client that was
    serving; a clash is a problem naming both files.
    """
    serving_by_path = {client.path: client for client in serving.values()}
    clients: dict[str, ClientVersion] = {}
    by_number: dict[str, str] = {}
    kept = dict.fromkeys(
        path
        for path, e in entries.items()
        if path in serving_by_path and (e.client is None or e.client is serving_by_path[path])
    )
    for path in kept:
        admit(serving_by_path[path], clients, by_number)
    refused = []
    for path, entry in entries.items():
        if path in kept:
            continue
        if entry.client is not None:
            found = clashes(entry.client, clients, by_number)
            if not found:
                admit(entry.client, clients, by_number)
                continue
            problems.extend(found)
            if entry.client.id not in clients:  # refused for a number: its id may be taken later
                refused.append(entry.client)
        last_good = serving_by_path.get(entry.path)
        if last_good is not None and not clashes(last_good, clients, by_number):
            admit(last_good, clients, by_number)
    problems.extend(ids_taken_later(refused, clients))
    return clients, by_number


def admit(client: P, clients: dict[str, P], by_number: dict[str, str]) -> None:
    clients[client.id] = client
    for number in client.numbers:
        by_number[number.value] = client.id


def clashes(client: Placed, clients: Mapping[str, Placed], by_number: Mapping[str, str]) -> list[Diagnostic]:
    """Why `client` cannot be served beside `clients`: its id, and each number, that another
    file has already taken; each names both files and lines. Empty when nothing clashes."""
    found = []
    if client.id in clients:
        found.append(same_id(client, clients[client.id]))
    for number in client.numbers:
        owner = by_number.get(number.value)
        if owner is not None and owner != client.id:
            theirs = next((n for n in clients[owner].numbers if n.value == number.value), None)
            found.append(
                Diagnostic(
                    "error",
                    f"number {number.value} belongs to two clients: `{owner}` ({where(clients[owner], theirs)}) "
                    f"and `{client.id}` ({where(client, number)})",
                    client.path,
                    *line_column(number),
                    hint="a dialled number must lead to one client; this file is not served",
                )
            )
    return found


def same_id(client: Placed, other: Placed) -> Diagnostic:
    return Diagnostic(
        "error",
        f"client `{client.id}` is also defined in {where(other)}",
        client.path,
        *line_column(client),
        hint="each client id must be unique; this file is not served",
    )


def ids_taken_later(refused: Iterable[Placed], clients: Mapping[str, Placed]) -> list[Diagnostic]:
    """Each client refused for a number whose id a file taken after it also defines: said
    beside the number's clash, which would otherwise hide it."""
    return [
        same_id(client, clients[client.id])
        for client in refused
        if client.id in clients and clients[client.id].path != client.path
    ]


def line_column(node: object) -> tuple[int, int]:
    pos = getattr(node, "pos", None)
    return (pos.line, pos.column) if pos else (0, 0)


def where(client: Placed, node: object = None) -> str:
    """`path:line:column` of `node` (the client itself by default) in `client`'s file."""
    line, column = line_column(node if node is not None else client)
    return f"{client.path}:{line}:{column}" if line else client.path


def cross_file_problems(clients: Iterable[Placed]) -> list[Diagnostic]:
    """Every clash among clients of different files, each client taken in the order given
    (the first keeps its id and numbers): what `rules-engine check` reports over several files."""
    admitted: dict[str, Placed] = {}
    by_number: dict[str, str] = {}
    problems: list[Diagnostic] = []
    refused = []
    for client in clients:
        found = clashes(client, admitted, by_number)
        problems.extend(found)
        if not found:
            admit(client, admitted, by_number)
        elif client.id not in admitted:  # refused for a number: its id may be taken later
            refused.append(client)
    return problems + ids_taken_later(refused, admitted)


def report(old: Catalog, new: Catalog, recompiled: Iterable[str] = ()) -> ReloadReport:
    """What changed between two catalogs, in client ids."""
    before, after = old.clients.versions, new.clients.versions
    return ReloadReport(
        added=tuple(sorted(set(after) - set(before))),
        changed=tuple(
            sorted(
                c
                for c in after
                if c in before and (after[c].rules_version, after[c].path) != (before[c].rules_version, before[c].path)
            )
        ),
        removed=tuple(sorted(set(before) - set(after))),
        recompiled=tuple(recompiled),
        problems=new.problems,
    )


def recompiled_files(old: Catalog, new: Catalog) -> list[str]:
    """Files whose entry in `new` came from a compile during its load."""
    return [
        path
        for path, entry in new.files.items()
        if (prior := old.files.get(path)) is None or prior.digest != entry.digest
    ]
