"""The decision log in files (`FileDecisionLog`): one JSON line per decision, so that "why did this call go there
last Tuesday?" can be answered later (`rules-engine explain LOGFILE --call-id …`).

Beside the log `decisions.jsonl` the engine keeps:

    decisions.jsonl.1 … .N      older files, when it rotates by size (`max_bytes`, `keep_files`)
    decisions.jsonl.index/      an index of each file's call ids (`log_index`), and the writer's lock
    decisions.jsonl.sources/    the source of every rules version that served (`rule_sources`)
    decisions.jsonl.scripts/    the steps of the scripts the records refer to (`decision_record`)

Each line (`decision_record`) is appended by whole writes under a lock, and indexed just
after. A crash loses at most the line being written: opening the log again ends such a torn
line with a newline, so the next record starts a line of its own, and indexes whatever the
crash left unindexed. One process writes a log (a second engine opening it is refused): give
each daemon its own, or use the PostgreSQL log (`decision_log_pg`) for a fleet.

For logrotate, rotate with its default `create` and call `Engine.reopen_logs()` afterwards
(docs/embedding.md has the snippet): the engine then writes to a new file at the path, and
the renamed one stays searchable by its index.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from . import log_index
from .decision_log import KEEP_FILES, DecisionLogError
from .decision_record import line_of, record_of
from .files import Shelf
from .rule_sources import Source, SourceArchive

if TYPE_CHECKING:
    from ..decide.call import Call
    from ..decide.decision import Decision

COMPRESSED = (".gz", ".bz2", ".xz", ".zst")


def beside(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


class FileDecisionLog:
    """Appends decisions to a JSON-lines file; safe to share between threads.

    With `max_bytes`, a write that would take the file past that size first moves it to
    `<log>.1` (the older ones one number up, the oldest beyond `keep_files` deleted).
    """

    def __init__(self, path: str | Path, max_bytes: int | None = None, keep_files: int = KEEP_FILES):
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.keep_files = max(keep_files, 1)
        self.sources = SourceArchive(beside(self.path, ".sources"))
        self.scripts = Shelf(beside(self.path, ".scripts"))
        self._scripts_kept: set[str] = set()
        self._index_directory = beside(self.path, ".index")
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._index_fd: int | None = None
        self._end = 0
        try:
            self._index_directory.mkdir(exist_ok=True)
            self._writer = os.open(self._index_directory / "writer.lock", os.O_WRONLY | os.O_CREAT, 0o644)
        except OSError as exc:
            raise DecisionLogError(f"cannot open the decision log {self.path}: {exc.strerror}") from None
        try:
            fcntl.flock(self._writer, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self._writer)
            raise DecisionLogError(
                f"the decision log {self.path} is being written by another process; give each engine a log "
                "of its own, or log to PostgreSQL (decision_log: postgresql://…) from many"
            ) from None
        try:
            self._open()
        except BaseException:
            os.close(self._writer)
            raise

    # ---- the files -----------------------------------------------------------------------------

    def _open(self) -> None:
        """Open the file at the path (a new one if it was moved away), end a torn last line, and
        bring its index up to date."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise DecisionLogError(f"cannot open the decision log {self.path}: {exc.strerror}") from None
        try:
            status = os.fstat(fd)
            if status.st_size and os.pread(fd, 1, status.st_size - 1) != b"\n":
                os.write(fd, b"\n")  # a line torn by a crash: it stays unreadable, the next one is whole
                status = os.fstat(fd)
            self._index_fd = log_index.catch_up(
                self.path, log_index.index_file(self._index_directory, status), status.st_size
            )
        except OSError as exc:
            os.close(fd)
            raise DecisionLogError(f"cannot open the decision log {self.path}: {exc.strerror}") from None
        self._fd, self._end = fd, status.st_size
        self._forget_stale_indexes()

    def _close(self) -> None:
        for fd in (self._fd, self._index_fd):
            if fd is not None:
                os.close(fd)
        self._fd = self._index_fd = None

    def _forget_stale_indexes(self) -> None:
        """Delete the indexes of log files that are gone (rotated away and deleted)."""
        live = {log_index.index_file(self._index_directory, path.stat()).name for path in log_files(self.path)}
        for index in self._index_directory.glob("*.idx"):
            if index.name not in live:
                index.unlink(missing_ok=True)

    def _rotate(self) -> None:
        self._close()
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

    # ---- what the engine calls -----------------------------------------------------------------

    def write(self, call: Call, decision: Decision, call_id: str | None = None) -> str:
        """Log one decision; returns its call id (a new random one unless the daemon gave its own)."""
        record, script = record_of(call, decision, call_id)
        if script is not None and script.ref not in self._scripts_kept:  # kept before a record refers to it
            self.scripts.put(script.ref, script.steps)
            self._scripts_kept.add(script.ref)
        line = line_of(record)
        with self._lock:
            try:
                if self._fd is None:
                    raise ValueError("the log is closed")
                if self.max_bytes is not None and self._end and self._end + len(line) > self.max_bytes:
                    self._rotate()
                written = os.write(self._fd, line)
                while written < len(line):  # a write may take only part (a full disk, a network file system)
                    written += os.write(self._fd, line[written:])
                self._end = os.lseek(self._fd, 0, os.SEEK_CUR)  # the end, wherever the file was truncated
                os.write(self._index_fd, log_index.entry(record["call_id"], self._end - len(line)))
            except (OSError, ValueError) as exc:
                raise DecisionLogError(f"cannot write the decision log {self.path}: {exc}") from None
        return record["call_id"]

    def keep_sources(self, sources: Iterable[Source]) -> None:
        """Keep the source of each rules version, so that `explain` can show its lines later."""
        for source in sources:
            self.sources.keep(source)

    def reopen(self) -> None:
        """Close the file and open the one at the path: after logrotate has moved it away."""
        with self._lock:
            if self._fd is not None:
                self._close()
                self._open()

    def close(self) -> None:
        with self._lock:
            self._close()
            if self._writer is not None:
                os.close(self._writer)
                self._writer = None


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


def find(path: str | Path, call_id: str) -> dict | None:
    """The newest record logged under `call_id` in the log at `path` or its rotated files, or None.
    OSError when the log cannot be read."""
    path = Path(path)
    files = log_files(path)
    if not files:
        raise FileNotFoundError(2, "No such file or directory", str(path))
    for file in files:
        found = log_index.search(file, beside(path, ".index"), call_id)
        if found is not None:
            return found
    return None


def source(path: str | Path, rules_version: str) -> Source | None:
    """The kept source of a rules version that decided calls logged at `path`, if it is kept."""
    return SourceArchive(beside(Path(path), ".sources")).get(rules_version)


def script_steps(path: str | Path, ref: str) -> list | None:
    """The steps of a script that records of the log at `path` refer to by `ref`, if kept."""
    return Shelf(beside(Path(path), ".scripts")).get(ref)
