"""Reloading when rule files change (`engine.watch()`), in a way that cannot go blind.

A background thread waits on `watchfiles` and, once the files have been quiet for the
debounce time, reloads the rules (`runtime/rules.py`: `Rules.reload`): an editor's save (write a
temporary file, rename it over the old one) becomes one reload, not three. A reload never raises
for a broken file (the last good version keeps serving), so the thread keeps watching whatever
is saved.

Deploys that swap a symbolic link are followed too. A Kubernetes ConfigMap volume links each
file through `..data`, which the kubelet points at a new hidden folder: a change to a `..`
name in the directory counts. A `current → releases/v2` link (or any link on the way to the
rules) is watched in the folder that holds it; when it moves, the rules are reloaded and the
watch is set up again where the link points now.

Events alone can be lost: a directory deleted and made again (an `rm -rf` and copy deploy) is a
new directory the old watch never sees, a link may dangle for a moment, a parent may be renamed,
and the kernel drops events when its queue overflows. So the watch has a floor: every `rescan`
seconds (`RESCAN_S` by default) it lists the rule files (name, inode, size, modification time,
and where the directory really is) and reloads when that differs from what it last loaded; when
the directory itself is another one (recreated, or a link on the way moved), the watch is set up
again on it. While the directory is missing, it waits for it to come back. No change goes
unserved for longer than `rescan` plus a reload, whatever the events did; `benchmarks/rescan.py`
measures what a scan costs.

The thread never dies of an error: a failure (a watch that cannot be set up, a reload that
raised, the directory gone) is logged at most once a minute, counted, handed to `on_error`, and
the watch is tried again. `health()` says whether the thread runs, when the files were last
compared with what serves, and the last error: `Engine.rules_health()` reads it for readiness.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import watchfiles

from ..storage.writer import Throttle, reason_of
from .catalog import ReloadReport, rule_files

log = logging.getLogger(__name__)

# How often the watching thread wakes when nothing changes; also the time `start` waits
# for the watch to be in place before it catches up on changes made meanwhile.
TICK_MS = 100
RESCAN_S = 2.0  # the floor: the files are compared with what serves at least this often

# What a scan compares: where the directory really is and its inode, then each rule file's
# name, inode, size and modification time (None: the directory is not there).
Fingerprint = tuple[str, int, tuple[tuple[str, int, int, int], ...]] | None


@dataclass(frozen=True)
class WatchHealth:
    """How a watch of the rule files is doing, for a readiness check and metrics.

    `last_scan` is when the files were last compared with what serves (by an event or by the
    rescan); `current` is True while the thread runs and that happened within three rescan
    intervals. `errors` counts failures since the watch started; the last one is in `last_error`.
    """

    running: bool
    path: str
    rescan_seconds: float
    last_scan: datetime | None
    last_reload: datetime | None
    reloads: int
    errors: int
    last_error: str | None
    last_error_at: datetime | None

    @property
    def current(self) -> bool:
        if not self.running or self.last_scan is None:
            return False
        return (datetime.now(UTC) - self.last_scan).total_seconds() <= 3 * self.rescan_seconds + 1


class Reloadable(Protocol):
    """Rules read from `path` that `reload()` reads again (`Rules`)."""

    @property
    def path(self) -> Path: ...

    def reload(self) -> ReloadReport: ...


class Watcher:
    """A running watch of one engine's rules; `stop()` (or leaving `with`) ends it."""

    def __init__(
        self,
        rules: Reloadable,
        debounce: float = 0.2,
        on_reload: Callable[[ReloadReport], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        rescan: float = RESCAN_S,
    ):
        if not rescan > 0:
            raise ValueError(f"rescan must be a positive number of seconds, not {rescan!r}")
        self.rules = rules
        self.debounce = debounce
        self.on_reload = on_reload
        self.on_error = on_error
        self.rescan = float(rescan)
        root = Path(rules.path)
        self._root = root
        self._directory = root if root.is_dir() else root.parent
        self._only = None if root.is_dir() else root.name
        self._links: set[str] = set()  # symbolic links on the way to the rules, by absolute path
        self._link_parents: set[str] = set()
        self._seen: Fingerprint = None  # what the last reload read
        self._last_scan: datetime | None = None
        self._last_reload: datetime | None = None
        self._reloads = self._errors = 0
        self._last_error: str | None = None
        self._last_error_at: datetime | None = None
        self._warning = Throttle()
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"rules-watch {root}", daemon=True)

    def start(self) -> Watcher:
        """Start watching; returns once changes are seen (any made before then are caught up on)."""
        self._thread.start()
        self._ready.wait(timeout=5)
        return self

    def stop(self, timeout: float = 5) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def health(self) -> WatchHealth:
        return WatchHealth(
            running=self.running,
            path=str(self._root),
            rescan_seconds=self.rescan,
            last_scan=self._last_scan,
            last_reload=self._last_reload,
            reloads=self._reloads,
            errors=self._errors,
            last_error=self._last_error,
            last_error_at=self._last_error_at,
        )

    def __enter__(self) -> Watcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def relevant(self, change: watchfiles.Change, path: str) -> bool:
        if path in self._links:
            return True
        parent, name = os.path.split(path)
        if parent in self._link_parents:  # a neighbour of a link on the way: not the rules
            return False
        if name.startswith(".."):  # the kubelet's `..data` and its timestamped folders
            return True
        if self._only is not None:
            return name == self._only
        return name.endswith(".rules") and not name.startswith(".")

    # ---- the thread ------------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    self._watch()
                except Exception as exc:  # whatever it was, the watch is set up again
                    self._failed(exc, f"watching {self._directory} failed; watching again")
                    self._stop.wait(TICK_MS / 1000)
        finally:
            self._ready.set()

    def _watch(self) -> None:
        """Watch the directory as it is now, until it stops being that directory (or `stop`)."""
        if self._fingerprint() is None:
            self._await_directory()
            return
        links = symlinks_on(self._directory)
        self._links = {str(link) for link in links}
        self._link_parents = {str(link.parent) for link in links}
        watched: list[Path | str] = [self._directory, *sorted(self._link_parents)]
        identity = self._fingerprint()
        quiet_ms = max(int(self.debounce * 1000), 1)
        caught_up = False
        next_scan = time.monotonic() + self.rescan
        # Unfiltered: a folder holding a link may be busy with other files (logs…), and their
        # changes also show that the watch is in place; `relevant` picks the rules' own.
        for changes in watchfiles.watch(
            *watched,
            watch_filter=None,
            step=quiet_ms,
            debounce=max(quiet_ms * 10, 1000),
            stop_event=self._stop,
            rust_timeout=TICK_MS,
            yield_on_timeout=True,
            recursive=False,
            raise_interrupt=False,
        ):
            relevant = {(change, path) for change, path in changes if self.relevant(change, path)}
            if relevant:
                self._reload(announce=True)
                if any(path in self._links for _, path in relevant):
                    return  # a link moved: watch where it points now
            elif not caught_up:
                # The first tick (or other files' changes) means the watch is in place: catch up on
                # changes made since the last load, announcing the reload only if it changed something.
                self._reload(announce=False)
                caught_up = True
                self._ready.set()
            if time.monotonic() >= next_scan:
                next_scan = time.monotonic() + self.rescan
                now = self._fingerprint()
                self._last_scan = datetime.now(UTC)
                if now != self._seen:
                    self._reload(announce=True)
                if now is None or identity is None or now[:2] != identity[:2]:
                    return  # another directory (made again, a link moved) or none: watch anew

    def _await_directory(self) -> None:
        """The directory is not there (deleted, a link dangling, a parent renamed): serve what
        serves, say so once, and look for it every tick until it is back."""
        self._reload(announce=False)
        self._failed(FileNotFoundError(2, "the rules directory is not there", str(self._directory)), "watching")
        self._ready.set()
        while not self._stop.wait(TICK_MS / 1000):
            self._last_scan = datetime.now(UTC)
            if self._fingerprint() is not None:
                self._reload(announce=True)
                return

    def _fingerprint(self) -> Fingerprint:
        try:
            where = os.path.realpath(self._directory)
            inode = os.stat(self._directory).st_ino
            files = rule_files(self._root)
        except OSError:
            return None
        if not os.path.isdir(self._directory):
            return None
        return (
            where,
            inode,
            tuple((name, status.st_ino, status.st_size, status.st_mtime_ns) for name, status in files),
        )

    def _reload(self, announce: bool) -> None:
        seen = self._fingerprint()  # read before: a change made during the reload is seen next time
        try:
            report = self.rules.reload()
        except Exception as exc:
            self._failed(exc, f"reloading {self.rules.path} failed")
            return
        self._seen = seen
        self._last_scan = datetime.now(UTC)
        if report.problems:
            log.warning("reloaded %s: %s", self.rules.path, report)
        else:
            log.info("reloaded %s: %s", self.rules.path, report)
        if announce or report.recompiled or report.removed:
            self._reloads += 1
            self._last_reload = self._last_scan
            if self.on_reload is not None:
                try:
                    self.on_reload(report)
                except Exception:
                    log.exception("the on_reload callback failed")

    def _failed(self, exc: BaseException, doing: str) -> None:
        """Count a failure, keep it for `health`, log it (once a minute at most), tell `on_error`."""
        self._errors += 1
        self._last_error = f"{doing}: {reason_of(exc)}"
        self._last_error_at = datetime.now(UTC)
        if self._warning.ready():
            log.warning("%s (%s)", self._last_error, type(exc).__name__)
        if self.on_error is not None:
            try:
                self.on_error(exc)
            except Exception:
                log.exception("the on_error callback failed")


def symlinks_on(directory: Path) -> list[Path]:
    """The symbolic links on the way to `directory` (itself included), as absolute paths not
    resolved: a deploy that swaps one of them changes what the directory holds."""
    path = Path(os.path.abspath(directory))
    return [prefix for prefix in (*reversed(path.parents), path) if prefix.is_symlink()]
