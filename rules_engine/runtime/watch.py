"""Reloading when rule files change (`engine.watch()`).

A background thread waits on `watchfiles` and, once the files have been quiet for the
debounce time, reloads the rules (`runtime/rules.py`: `Rules.reload`): an editor's save (write a temporary file, rename
it over the old one) becomes one reload, not three. A reload never raises for a broken
file (the last good version keeps serving), so the thread keeps watching whatever is saved.

Deploys that swap a symbolic link are followed too. A Kubernetes ConfigMap volume links each
file through `..data`, which the kubelet points at a new hidden folder: a change to a `..`
name in the directory counts. A `current → releases/v2` link (or any link on the way to the
rules) is watched in the folder that holds it; when it moves, the rules are reloaded and the
watch is set up again where the link points now.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import watchfiles

from .catalog import ReloadReport

log = logging.getLogger(__name__)

# How often the watching thread wakes when nothing changes; also the time `start` waits
# for the watch to be in place before it catches up on changes made meanwhile.
TICK_MS = 100


class Reloadable(Protocol):
    """Rules read from `path` that `reload()` reads again (`Rules`)."""

    @property
    def path(self) -> Path: ...

    def reload(self) -> ReloadReport: ...


class Watcher:
    """A running watch of one engine's rules; `stop()` (or leaving `with`) ends it."""

    def __init__(
        self, rules: Reloadable, debounce: float = 0.2, on_reload: Callable[[ReloadReport], None] | None = None
    ):
        self.rules = rules
        self.debounce = debounce
        self.on_reload = on_reload
        root = Path(rules.path)
        self._directory = root if root.is_dir() else root.parent
        self._only = None if root.is_dir() else root.name
        self._links: set[str] = set()  # symbolic links on the way to the rules, by absolute path
        self._link_parents: set[str] = set()
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

    def _run(self) -> None:
        quiet_ms = max(int(self.debounce * 1000), 1)
        try:
            while not self._stop.is_set():
                links = symlinks_on(self._directory)
                self._links = {str(link) for link in links}
                self._link_parents = {str(link.parent) for link in links}
                watched: list[Path | str] = [self._directory, *sorted(self._link_parents)]
                caught_up = False
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
                    changes = {(change, path) for change, path in changes if self.relevant(change, path)}
                    if changes:
                        self._reload(announce=True)
                        if any(path in self._links for _, path in changes):
                            break  # a link moved: watch where it points now
                    elif not caught_up:
                        # The first tick (or other files' changes) means the watch is in place: catch up on
                        # changes made since the last load, announcing the reload only if it changed something.
                        self._reload(announce=False)
                        caught_up = True
                        self._ready.set()
                else:
                    return  # stopped
        except Exception:  # a watch that cannot go on (its directory deleted): say so, end the thread
            log.exception("stopped watching %s", self._directory)
        finally:
            self._ready.set()

    def _reload(self, announce: bool) -> None:
        try:
            report = self.rules.reload()
        except Exception:
            log.exception("reloading %s failed", self.rules.path)
            return
        if report.problems:
            log.warning("reloaded %s: %s", self.rules.path, report)
        else:
            log.info("reloaded %s: %s", self.rules.path, report)
        if self.on_reload is not None and (announce or report.recompiled or report.removed):
            try:
                self.on_reload(report)
            except Exception:
                log.exception("the on_reload callback failed")


def symlinks_on(directory: Path) -> list[Path]:
    """The symbolic links on the way to `directory` (itself included), as absolute paths not
    resolved: a deploy that swaps one of them changes what the directory holds."""
    path = Path(os.path.abspath(directory))
    return [prefix for prefix in (*reversed(path.parents), path) if prefix.is_symlink()]
