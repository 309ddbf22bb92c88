"""The facade the routing daemon and the command line hold: load clients, decide calls."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from . import catalog as catalogs
from . import model as m
from .errors import Diagnostic, UnknownClientError
from .state import MemoryStore, Store


class Engine:
    """Serves one directory (or file) of client rules.

    Swapping `self._catalog` is a single reference assignment, so a thread that read it
    keeps one consistent version for the whole of its decision.
    """

    def __init__(self, path: str | Path, store: Optional[Store] = None):
        self.path = Path(path)
        self.store: Store = store if store is not None else MemoryStore()
        self._catalog = catalogs.load(self.path)

    @classmethod
    def from_path(cls, path: str | Path, **settings) -> "Engine":
        return cls(path, **settings)

    @property
    def clients(self) -> dict[str, m.Client]:
        return dict(self._catalog.clients)

    @property
    def problems(self) -> tuple[Diagnostic, ...]:
        """Errors of files that are not being served (the last good version, if any, serves)."""
        return self._catalog.problems

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return self._catalog.warnings

    def client(self, client_id: Optional[str] = None, number: Optional[str] = None) -> m.Client:
        catalog = self._catalog
        if client_id is not None:
            found = catalog.clients.get(client_id)
            if found is None:
                raise UnknownClientError(f"no client `{client_id}` is served", field="client")
            return found
        if number is not None:
            owner = catalog.by_number.get(number)
            if owner is None:
                raise UnknownClientError(f"no client is served at number {number}", field="number")
            return catalog.clients[owner]
        raise UnknownClientError("a call needs a client id or a dialled number", field="client")
