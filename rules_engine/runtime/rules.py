"""The rule files an engine serves, kept current: the first of the `Engine`'s four collaborators.

`Rules` holds the catalog of the clients compiled from a `.rules` file or a directory of them
(`catalog`), with what keeps it right across edits and restarts: incremental reloads, the
watch that starts them (`watch`), the last good version of each file (`last_good`) and the
compile cache (`compile_cache`). It finds the version of a client that a call goes to, by the
client's id or by the number dialled.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .. import phones
from ..errors import CallError, Diagnostic, RulesError, UnknownClientError
from . import catalog as catalogs
from .compile_cache import CompileCache
from .last_good import LastGood
from .rule_sources import Source
from .watch import RESCAN_S, Watcher, WatchHealth


@dataclass(frozen=True)
class RulesHealth:
    """Whether the rule files are served and followed, for a service's readiness check.

    `ready` is True when at least one client is served and, if the files are watched, the
    watch is current (its thread runs and compared the files within three rescan intervals:
    `WatchHealth.current`). `problems` counts the errors of files that do not serve as saved
    (their last good version serves, if any).
    """

    path: str
    clients: int
    problems: int
    watch: WatchHealth | None

    @property
    def ready(self) -> bool:
        return self.clients > 0 and (self.watch is None or self.watch.current)


class Rules:
    """The clients compiled from the rule files at `path`, and their reloads.

    Swapping `self._catalog` is a single reference assignment, so a thread that read it keeps
    one consistent version for the whole of its decision. Reloads are serialised by
    `_reload_lock`; reading never takes it.

    With `cache_dir`, compiled clients are kept on disk there (docs/compile-cache.md): a
    restart compiles only files that changed, and builds each client on its first use. The
    last good version of each file is kept in `last_good_dir` (by default `last-good/` in the
    cache directory), so that a restart that finds a file broken serves that version;
    `keep_last_good=False` keeps it in memory only. `on_new_sources` is given the text of each
    version that starts serving (the decision log keeps them for `explain`).
    """

    def __init__(
        self,
        path: Path,
        *,
        cache_dir: Path | None = None,
        last_good_dir: Path | None = None,
        keep_last_good: bool = True,
        on_new_sources: Callable[[Iterable[Source]], None] | None = None,
    ) -> None:
        if not path.exists():  # at start-up a missing path is a mistake; on reload, see `reload`
            raise RulesError(
                [
                    Diagnostic(
                        "error",
                        "no such file or directory",
                        str(path),
                        hint="the engine serves a .rules file or a directory of them",
                    )
                ]
            )
        self._path = path
        self._cache = CompileCache(cache_dir) if cache_dir is not None else None
        if last_good_dir is None and cache_dir is not None:
            last_good_dir = cache_dir / "last-good"
        self._last_good = LastGood(path, last_good_dir if keep_last_good else None)
        self._on_new_sources = on_new_sources
        self._reload_lock = threading.Lock()
        self._watchers: list[Watcher] = []
        catalog = catalogs.load(path, cache=self._cache)
        recovered = self._last_good.recover(catalog, self._cache)
        if recovered is not None:  # files broken at start: their last good versions serve
            catalog = catalogs.load(path, previous=recovered, cache=self._cache)
        self._catalog = self._settle(catalog)

    @property
    def path(self) -> Path:
        return self._path

    @property
    def catalog(self) -> catalogs.Catalog:
        """The version of everything served now: read it once per task to see one version."""
        return self._catalog

    def reload(self) -> catalogs.ReloadReport:
        """Recompile the files that changed and swap the result in at once (`Engine.reload`)."""
        with self._reload_lock:
            old = self._catalog
            new = self._settle(catalogs.load(self._path, previous=old, cache=self._cache))
            self._catalog = new
        return catalogs.report(old, new, catalogs.recompiled_files(old, new))

    def _settle(self, catalog: catalogs.Catalog) -> catalogs.Catalog:
        """Record the versions `catalog` serves as the last good ones, and hand the sources of
        versions that started serving to `on_new_sources`."""
        catalog, sources = self._last_good.settle(catalog)
        if sources and self._on_new_sources is not None:
            self._on_new_sources(sources)
        return catalog

    def watch(
        self,
        debounce: float,
        on_reload: Callable[[catalogs.ReloadReport], None] | None,
        on_error: Callable[[BaseException], None] | None = None,
        rescan: float = RESCAN_S,
    ) -> Watcher:
        """Reload whenever the rule files change, from a background thread (`Engine.watch`)."""
        watcher = Watcher(self, debounce, on_reload, on_error, rescan)
        self._watchers.append(watcher)
        return watcher.start()

    def health(self) -> RulesHealth:
        """What serves and how the newest watch is doing (`Engine.rules_health`)."""
        catalog = self._catalog
        running = [watcher for watcher in self._watchers if watcher.running]
        watchers = running or self._watchers
        return RulesHealth(
            path=str(self._path),
            clients=len(catalog.clients.versions),
            problems=sum(problem.severity == "error" for problem in catalog.problems),
            watch=watchers[-1].health() if watchers else None,
        )

    def stop_watching(self) -> None:
        for watcher in self._watchers:
            watcher.stop()
        self._watchers.clear()

    def version(self, client_id: str | None = None, number: str | None = None) -> catalogs.ClientVersion:
        """The version served of the client `client_id`, or else of the client at the dialled
        `number` (as people type it); an `UnknownClientError` naming the field when none is."""
        catalog = self._catalog
        if client_id is not None:
            found = catalog.clients.versions.get(client_id)
            if found is None:
                raise UnknownClientError(f"no client `{client_id}` is served", field="client")
            return found
        if number is not None:
            try:
                number = phones.e164(number)
            except phones.PhoneError as exc:
                raise CallError(f"{exc.message}; {exc.hint}", field="number") from None
            owner = catalog.by_number.get(number)
            if owner is None:
                raise UnknownClientError(f"no client is served at number {number}", field="number")
            return catalog.clients.versions[owner]
        raise UnknownClientError("a call needs a client id or a dialled number", field="client")
