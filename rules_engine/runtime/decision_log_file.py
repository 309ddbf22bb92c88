"""The decision log in files (`FileDecisionLog`): one JSON line per decision, so that "why did this call go there
last Tuesday?" can be answered later (`rules-engine explain LOGFILE --call-id …`).

Beside the log `decisions.jsonl` the engine keeps:

    decisions.jsonl.1 … .N      older files, when it rotates by size (`max_bytes`, `keep_files`)
    decisions.jsonl.index/      an index of each file's call ids (`log_index`), and the writer's lock
    decisions.jsonl.sources/    the source of each rules version the kept files' records refer to
                                or that serves now (`rule_sources`): pruned when the log rotates
    decisions.jsonl.scripts/    the steps of the scripts the kept files' records refer to
                                (`decision_record`): pruned when the log rotates

Each line (`decision_record`) is appended whole, under a lock, by the deciding thread itself:
it is in the file when `decide` returns, and a crash of the process loses nothing written.
With `batch_seconds` (what `rules-engine serve` uses: `decision_log_batch_seconds`) records are
written instead by a thread of their own, those of `batch_seconds` at a time, in one `write`
(and one for their index entries), so that the deciding thread makes no system call for them;
`flush`, `close` and a lookup (`logged`) write what waits first, and a crash (SIGKILL, a power
cut) can lose the last `batch_seconds` of records, never tear one.

Writing never fails a call. A record that cannot be written (the disk full, the file size limit
reached, the directory made read-only or removed) is cut back off the file if part of it was
written, so that the next record starts a line of its own, and waits in a backlog: a
`storage.writer.BoundedWriter` (BACKLOG records) whose thread writes it, and every record after
it, in order, once the log can be written again (tried after 0.1 s, then less and less often,
every 5 s at most); after that records are written by the deciding thread again. A record that
finds the backlog full is dropped and counted. The failure is logged at most once a minute and
`health()` tells it (written, queued, dropped, failed writes, the last error and when).

The file at the path is the one written: a file that was removed (with its directory, even) is
noticed at the next write, and one renamed away within a second; the log then opens the path
again (and while that fails, records wait in the backlog as above). Opening the log again ends a
line torn by a crash with a newline and indexes whatever the crash left unindexed. One engine
writes a log: a second one opening it is refused, saying whether the writer is this process or
which one; give each daemon its own, or use the PostgreSQL log (`decision_log_pg`) for a fleet.
Readers (`find`, `rules-engine explain`) take no lock and may read while it is written.

When the log rotates by size, the sources and scripts no kept file, nor the file written, nor
(for sources) a version serving now refers to are deleted (`_prune`; `log_versions` says how
what each file refers to is found without reading the kept files at every rotation): the log
on disk stays within `keep_files + 1` files of `max_bytes` and what those refer to.

For logrotate, rotate with its default `create` and call `Engine.reopen_logs()` afterwards
(docs/embedding.md has the snippet): the engine then writes to a new file at the path, and
the renamed one stays searchable by its index.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..storage.writer import BoundedWriter
from . import log_index, log_versions
from .decision_log import KEEP_FILES, LOOKUP_WAIT_S, DecisionLogError, DecisionLogHealth
from .decision_record import Script, record, with_steps
from .files import Shelf
from .rule_sources import Source, SourceArchive

if TYPE_CHECKING:
    from ..decide.call import Call
    from ..decide.decision import Decision

log = logging.getLogger(__name__)

COMPRESSED = (".gz", ".bz2", ".xz", ".zst")
BACKLOG = 10_000  # records waiting for a log that cannot be written: ~10 MB, minutes of a busy service
CHECK_PATH_EVERY_S = 1.0  # how often a write checks that the file at the path is still the one it writes


def beside(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


@dataclass(frozen=True)
class Pending:
    """A record to append: its line and call id, and the steps of the script it refers to."""

    line: bytes
    call_id: str
    rules_version: str
    script: Script | None


# The writer locks this process holds, by the (device, inode) of their lock file: a second log
# opened on the same file in this process is told so, not that another process writes it.
_held: set[tuple[int, int]] = set()
_held_lock = threading.Lock()


class FileDecisionLog:
    """Appends decisions to a JSON-lines file; safe to share between threads.

    With `max_bytes`, a write that would take the file past that size first moves it to
    `<log>.1` (the older ones one number up, the oldest beyond `keep_files` deleted).
    """

    def __init__(
        self,
        path: str | Path,
        max_bytes: int | None = None,
        keep_files: int = KEEP_FILES,
        backlog: int = BACKLOG,
        close_seconds: float = 5.0,
        batch_seconds: float = 0.0,
    ):
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.keep_files = max(keep_files, 1)
        self.sources = SourceArchive(beside(self.path, ".sources"))
        self.scripts = Shelf(beside(self.path, ".scripts"))
        self._scripts_kept: set[str] = set()
        self._unkept_sources: list[Source] = []  # sources that could not be kept yet: kept before the next record
        self._serving: dict[str, str] = {}  # client → the rules version last announced for it
        self._replaced: dict[str, str] = {}  # client → the version before: it may still be deciding a call
        self._live: log_versions.Referred | None = None  # what the file written refers to; None: not known
        self._index_directory = beside(self.path, ".index")
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._index_fd: int | None = None
        self._identity: tuple[int, int] | None = None  # (device, inode) of the file written
        self._checked = 0.0  # when the path was last compared with it (monotonic)
        self._torn = False  # part of a record could not be cut off: the next one starts with a newline
        self._index_behind = False  # an index entry could not be written: none until the index catches up
        self._failing = False  # records go to the backlog, in order, until it has written them all
        self._written = 0  # records the deciding threads wrote (the backlog counts its own)
        self._closed = False
        self.batch_seconds = batch_seconds  # > 0: records written in batches by the backlog's thread
        self._keep_file = False  # set while `reopen` writes what waits: no checking of the path meanwhile
        self._writer, self._lock_key = self._take_writer_lock()
        self._backlog: BoundedWriter[Pending] = BoundedWriter(
            self._write_backlog,
            what=f"decision log {self.path}",
            log=log,
            retry_on=(OSError,),
            capacity=backlog,
            retry_first=0.1,
            close_seconds=close_seconds,
            linger=batch_seconds,
            noun="decisions",
        )
        try:
            self._open()
        except OSError as exc:
            self._release_writer_lock()
            raise DecisionLogError(f"cannot open the decision log {self.path}: {exc.strerror or exc}") from None

    # ---- the writer's lock -----------------------------------------------------------------------

    def _take_writer_lock(self) -> tuple[int, tuple[int, int]]:
        lock_path = self._index_directory / "writer.lock"
        try:
            self._index_directory.mkdir(exist_ok=True)
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
            status = os.fstat(fd)
        except OSError as exc:
            raise DecisionLogError(f"cannot open the decision log {self.path}: {exc.strerror}") from None
        key = (status.st_dev, status.st_ino)
        with _held_lock:
            if key in _held:
                os.close(fd)
                raise DecisionLogError(
                    f"the decision log {self.path} is already being written by another decision log of this "
                    "process; close that one first, or share it (one engine, or the same FileDecisionLog)"
                )
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = writer_of(fd)
                os.close(fd)
                raise DecisionLogError(
                    f"the decision log {self.path} is being written by another process{holder}; give each engine "
                    "a log of its own, or log to PostgreSQL (decision_log: postgresql://…) from many"
                ) from None
            _held.add(key)
        try:  # who writes, for the message above in another process
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        except OSError:
            pass
        return fd, key

    def _release_writer_lock(self) -> None:
        with _held_lock:
            _held.discard(self._lock_key)
        os.close(self._writer)

    # ---- the files -----------------------------------------------------------------------------

    def _open(self) -> None:
        """Open the file at the path (a new one if it was moved away), end a torn last line, and
        bring its index up to date; OSError when that cannot be done."""
        self._index_directory.mkdir(exist_ok=True)  # a directory removed and made again comes back whole
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            status = os.fstat(fd)
            if status.st_size and os.pread(fd, 1, status.st_size - 1) != b"\n":
                os.write(fd, b"\n")  # a line torn by a crash: it stays unreadable, the next one is whole
                status = os.fstat(fd)
            index_fd = log_index.catch_up(
                self.path, log_index.index_file(self._index_directory, status), status.st_size
            )
        except OSError:
            os.close(fd)
            raise
        self._fd, self._index_fd = fd, index_fd
        self._identity = (status.st_dev, status.st_ino)
        self._live = log_versions.Referred() if status.st_size == 0 else None  # not new: read when rotated
        self._checked = time.monotonic()
        self._torn = self._index_behind = False
        try:
            self._forget_stale_indexes()
        except OSError:
            pass  # tidying only: tried again at the next open

    def _close_files(self) -> None:
        for fd in (self._fd, self._index_fd):
            if fd is not None:
                os.close(fd)
        self._fd = self._index_fd = None

    def _current(self) -> int:
        """The open file, opened again if it is not the one at the path any more (removed, or
        renamed away: checked once a second); OSError when the path cannot be opened."""
        if self._fd is not None:
            now = time.monotonic()
            if now - self._checked < CHECK_PATH_EVERY_S or self._keep_file:
                return self._fd
            self._checked = now
            try:
                status = os.stat(self.path)
                moved = (status.st_dev, status.st_ino) != self._identity
            except FileNotFoundError:
                moved = True
            if not moved:
                if self._index_behind:
                    self._reindex()
                return self._fd
            self._close_files()
        self._open()
        assert self._fd is not None
        return self._fd

    def _reindex(self) -> None:
        """Index what was written while the index could not be (a full disk), now that it can."""
        assert self._fd is not None
        status = os.fstat(self._fd)
        index_fd = log_index.catch_up(self.path, log_index.index_file(self._index_directory, status), status.st_size)
        if self._index_fd is not None:
            os.close(self._index_fd)
        self._index_fd, self._index_behind = index_fd, False

    def _forget_stale_indexes(self) -> None:
        """Delete the indexes of log files that are gone (rotated away and deleted)."""
        live = {log_index.index_file(self._index_directory, path.stat()).stem for path in log_files(self.path)}
        for index in [*self._index_directory.glob("*.idx"), *self._index_directory.glob("*.versions")]:
            if index.stem not in live:
                index.unlink(missing_ok=True)

    def _rotate(self, pending: Pending) -> None:
        assert self._fd is not None
        self._note_versions(os.fstat(self._fd))
        self._close_files()
        try:
            for number in range(self.keep_files, 0, -1):
                older = beside(self.path, f".{number}")
                if number == self.keep_files:
                    older.unlink(missing_ok=True)
                elif older.exists():
                    older.rename(beside(self.path, f".{number + 1}"))
            self.path.rename(beside(self.path, ".1"))
        finally:  # renamed or not, the engine goes on logging to the file at the path
            self._open()
        if not self._failing:  # records waiting in the backlog may need sources no file refers to yet
            try:
                self._prune(pending)
            except OSError as exc:  # tidying only: tried again at the next rotation
                log.debug("could not prune the sources and scripts of %s: %s", self.path, exc)

    def _note_versions(self, status: os.stat_result) -> None:
        """Write what the file being closed refers to beside its index, when it is known (the
        file was new when opened): its rotation then needs no reading of it."""
        if self._live is not None:
            log_versions.write(self._index_directory, status, self._live)

    def _prune(self, pending: Pending) -> None:
        """Delete the sources and scripts no record of a kept log file refers to, nor one of the
        file written, nor (for sources) one that may be written next: the version serving each
        client, whose source is handed over once, when it starts serving, the one it replaced (a
        call that version decided may not be logged yet), and the one of `pending`, the record
        about to be written; a script is kept again by the record that needs it. Called
        holding the lock, after a rotation: only then can a file have gone."""
        if self._live is None:  # the rotation could not move the file: it is still the one written
            self._live = log_versions.scan(self.path)
        needed = log_versions.Referred({*self._serving.values(), *self._replaced.values(), pending.rules_version})
        needed.versions.update(source.rules_version for source in self._unkept_sources)
        needed.update(self._live)
        for file in log_files(self.path):
            if file != self.path:
                needed.update(log_versions.referred_to(file, self._index_directory))
        # One writer only (the lock), so no grace: what a record needs is kept just before it.
        self.sources.prune(needed.versions, grace_seconds=0)
        unneeded = [ref for ref in self.scripts.kept() if ref not in needed.scripts]
        self._scripts_kept -= {ref for ref in unneeded if self.scripts.discard(ref, time.time())}

    def _append(self, pending: Pending) -> None:
        """Write one record (and what it refers to) at the end of the log; OSError if it could not
        be, with nothing of it left in the file. Called holding the lock."""
        fd = self._current()
        status = os.fstat(fd)
        if status.st_nlink == 0:  # removed (the file, or its directory): what is written now would be lost
            self._close_files()
            fd = self._current()
            status = os.fstat(fd)
        if self.max_bytes is not None and status.st_size and status.st_size + len(pending.line) > self.max_bytes:
            self._rotate(pending)  # before keeping what the record refers to: the rotation prunes
            fd = self._current()
            status = os.fstat(fd)
        # What the record refers to is kept first, once the log is known to be there (a shelf
        # would make a removed directory again, wherever it was).
        self._keep_unkept_sources()
        if pending.script is not None and pending.script.ref not in self._scripts_kept:
            self.scripts.put(pending.script.ref, pending.script.steps)
            if self.scripts.get(pending.script.ref) is None:  # the shelf does not raise: it tells by not having it
                raise OSError(errno.EIO, f"cannot keep a script's steps in {self.scripts.directory}")
            self._scripts_kept.add(pending.script.ref)
        start = status.st_size  # where the record goes (O_APPEND), wherever the file was truncated
        line = b"\n" + pending.line if self._torn else pending.line
        try:
            written = os.write(fd, line)
            while written < len(line):  # a write may take only part (a full disk, a network file system)
                written += os.write(fd, line[written:])
        except OSError:
            try:
                os.ftruncate(fd, start)  # the part written goes: the next record starts where this one did
            except OSError:
                self._torn = True  # it stays: the next record starts a line of its own
            raise
        self._torn = False
        if self._live is not None:
            self._live.note(pending.rules_version, pending.script.ref if pending.script is not None else None)
        self._index(pending.call_id, start + len(line) - len(pending.line))

    def _index(self, call_id: str, offset: int) -> None:
        if self._index_behind or self._index_fd is None:
            return
        try:
            os.write(self._index_fd, log_index.entry(call_id, offset))
        except OSError:
            self._index_behind = True  # the index covers a prefix: entries resume when it catches up

    def _keep_unkept_sources(self) -> None:
        while self._unkept_sources:
            source = self._unkept_sources[0]
            self.sources.keep(source)
            if self.sources.get(source.rules_version) is None:
                raise OSError(errno.EIO, f"cannot keep the text of rules version {source.rules_version}")
            del self._unkept_sources[0]

    def _append_batch(self, batch: list[Pending]) -> None:
        """Write a batch of records with one `write` (and one for their index entries), taking them
        off `batch` once written; OSError if it could not be, with nothing of it left in the file.
        A batch that would take the file past `max_bytes` is written record by record (`_append`
        rotates). Called holding the lock."""
        fd = self._current()
        status = os.fstat(fd)
        if status.st_nlink == 0:  # removed: see `_append`
            self._close_files()
            fd = self._current()
            status = os.fstat(fd)
        lines = b"".join([pending.line for pending in batch])
        if self.max_bytes is not None and status.st_size + len(lines) > self.max_bytes:
            while batch:
                self._append(batch[0])
                del batch[0]
            return
        self._keep_unkept_sources()
        for pending in batch:
            if pending.script is not None and pending.script.ref not in self._scripts_kept:
                self.scripts.put(pending.script.ref, pending.script.steps)
                if self.scripts.get(pending.script.ref) is None:
                    raise OSError(errno.EIO, f"cannot keep a script's steps in {self.scripts.directory}")
                self._scripts_kept.add(pending.script.ref)
        start = status.st_size
        if self._torn:
            lines = b"\n" + lines
        try:
            written = os.write(fd, lines)
            while written < len(lines):
                written += os.write(fd, lines[written:])
        except OSError:
            try:
                os.ftruncate(fd, start)
            except OSError:
                self._torn = True
            raise
        offset = start + (1 if self._torn else 0)
        self._torn = False
        entries = []
        for pending in batch:
            if self._live is not None:
                self._live.note(pending.rules_version, pending.script.ref if pending.script is not None else None)
            entries.append(log_index.entry(pending.call_id, offset))
            offset += len(pending.line)
        if not self._index_behind and self._index_fd is not None:
            try:
                os.write(self._index_fd, b"".join(entries))
            except OSError:
                self._index_behind = True
        del batch[:]

    def _write_backlog(self, batch: list[Pending]) -> None:
        """The backlog's thread: append the records in order, taking each off `batch` once written."""
        with self._lock:
            if self.batch_seconds > 0 and not self._failing:
                self._append_batch(batch)
            while batch:
                self._append(batch[0])
                del batch[0]
            if self._backlog.waiting() == 0:
                self._failing = False  # nothing left behind: the deciding threads write again

    # ---- what the engine calls -----------------------------------------------------------------

    def write(self, call: Call, decision: Decision, call_id: str | None = None) -> str:
        """Log one decision; returns its call id (a new random one unless the daemon gave its own).
        A record that cannot be written now waits in the backlog (see the module); never raises
        but for a closed log."""
        return self.write_items(call, decision, call_id, None)

    def write_items(
        self, call: Call, decision: Decision, call_id: str | None, items: list[tuple[str, str]] | None
    ) -> str:
        """`write`, the record made from the decision's JSON members as the engine wrote them."""
        made = record(call, decision, call_id, items)
        pending = Pending(made.line, made.call_id, made.rules_version, made.script)
        if self.batch_seconds > 0:  # written by the backlog's thread, in batches
            if self._closed:
                raise DecisionLogError(f"cannot write the decision log {self.path}: it is closed")
            self._backlog.offer(pending)
            return pending.call_id
        with self._lock:
            if self._closed:
                raise DecisionLogError(f"cannot write the decision log {self.path}: it is closed")
            if not self._failing:
                try:
                    self._append(pending)
                    self._written += 1
                    return pending.call_id
                except OSError as exc:
                    self._failing = True
                    self._backlog.failed(exc)
            self._backlog.offer(pending)
        return pending.call_id

    def keep_sources(self, sources: Iterable[Source]) -> None:
        """Keep the source of each rules version, so that `explain` can show its lines later (kept
        before the next record when it cannot be now)."""
        with self._lock:
            for source in sources:
                self._unkept_sources.append(source)
                replaced = self._serving.get(source.client)
                if replaced is not None and replaced != source.rules_version:
                    self._replaced[source.client] = replaced
                self._serving[source.client] = source.rules_version
            try:
                self._keep_unkept_sources()
            except OSError as exc:
                self._failing = True
                self._backlog.failed(exc)

    def reopen(self) -> None:
        """Close the file and open the one at the path: after logrotate has moved it away. A path
        that cannot be opened now is tried again by the next write. Records waiting for their
        batch are written first, to the file moved away."""
        if self.batch_seconds > 0:
            self._keep_file = True  # to the file they were decided with, moved away or not
            try:
                self._backlog.flush(1.0)
            finally:
                self._keep_file = False
        with self._lock:
            if self._closed:
                return
            self._close_files()
            try:
                self._open()
            except OSError as exc:
                self._backlog.failed(exc)

    def logged(self, call_id: str) -> dict[str, Any] | None:
        found = find(self.path, call_id)
        if found is None and self._backlog.stats().queued and self.flush(LOOKUP_WAIT_S):
            found = find(self.path, call_id)
        if found is not None:
            found["decision"] = with_steps(found.get("decision") or {}, self.scripts.get)
        return found

    def health(self) -> DecisionLogHealth:
        return DecisionLogHealth.of("file", str(self.path), self._backlog.stats(), written=self._written)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until the backlog is written; False if it was not within `timeout` seconds."""
        return self._backlog.flush(timeout)

    def close(self) -> None:
        """Write the backlog (for a few seconds at most), then close the files and the lock."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._backlog.close()
        with self._lock:
            self._close_files()
            self._release_writer_lock()


def writer_of(lock_fd: int) -> str:
    """ " (pid N)" of the process that holds the writer's lock, as it wrote there, or ""."""
    try:
        pid = int(os.pread(lock_fd, 32, 0).decode("ascii").strip())
    except (OSError, ValueError):
        return ""
    return f" (pid {pid})"


# ---- reading ----------------------------------------------------------------------------------


def log_files(path: str | Path) -> list[Path]:
    """The files of a log, newest first: the log, then the rotated ones (`.1`, `.2`…, or
    logrotate's dated names) by age. Compressed ones are left out: see `compressed_files`."""
    path = Path(path)
    older = [
        p
        for p in path.parent.glob(path.name + "[.-]*")
        if p.is_file() and not p.name.endswith(COMPRESSED) and not p.name.endswith((".tmp", ".idx"))
    ]
    older.sort(key=lambda p: p.stat().st_mtime_ns, reverse=True)
    return ([path] if path.is_file() else []) + older


def compressed_files(path: str | Path) -> list[Path]:
    """Rotated files someone compressed: `find` cannot search them (their index is of the plain file)."""
    path = Path(path)
    return sorted(p for p in path.parent.glob(path.name + "[.-]*") if p.name.endswith(COMPRESSED))


class Lookup(NamedTuple):
    """What a search of a log found: the newest record of the call id (or None), and how many
    torn lines it met and skipped (a record cut short by a crash, or glued to the next one by
    an engine before 0.2 when the disk was full)."""

    record: dict[str, Any] | None
    torn: int


def lookup(path: str | Path, call_id: str) -> Lookup:
    """Search the log at `path` and its rotated files for `call_id`, newest first. OSError when
    the log cannot be read. Takes no lock: the log may be written meanwhile."""
    path = Path(path)
    files = log_files(path)
    if not files:
        raise FileNotFoundError(2, "No such file or directory", str(path))
    torn = 0
    for file in files:
        found, skipped = log_index.search(file, beside(path, ".index"), call_id)
        torn += skipped
        if found is not None:
            return Lookup(found, torn)
    return Lookup(None, torn)


def records(file: Path) -> Iterator[dict[str, Any]]:
    """Every whole record of one log file, in the order written (torn lines skipped)."""
    with file.open("rb") as opened:
        for _, line in log_index.lines_from(opened, None):
            record, _ = log_index.parse(line)
            if record is not None:
                yield record


def find(path: str | Path, call_id: str) -> dict[str, Any] | None:
    """The newest record logged under `call_id` in the log at `path` or its rotated files, or None."""
    return lookup(path, call_id).record


def source(path: str | Path, rules_version: str) -> Source | None:
    """The kept source of a rules version that decided calls logged at `path`, if it is kept."""
    return SourceArchive(beside(Path(path), ".sources")).get(rules_version)


def script_steps(path: str | Path, ref: str) -> list[Any] | None:
    """The steps of a script that records of the log at `path` refer to by `ref`, if kept."""
    return Shelf(beside(Path(path), ".scripts")).get(ref)
