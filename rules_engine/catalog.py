"""Load: a `.rules` file or a directory of them → an immutable catalog of compiled clients.

A catalog is one consistent version of everything the engine serves: clients by id and
by number, each with the warnings of its compile, and the problems of files that failed.
The engine swaps whole catalogs, never parts of one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from . import model as m
from .compiler import compile_file
from .errors import Diagnostic, RulesError


@dataclass(frozen=True)
class Catalog:
    clients: Mapping[str, m.Client] = field(default_factory=lambda: MappingProxyType({}))
    by_number: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    warnings: tuple[Diagnostic, ...] = ()
    problems: tuple[Diagnostic, ...] = ()


def rule_files(path: Path) -> list[Path]:
    return sorted(path.glob("*.rules")) if path.is_dir() else [path]


def load(path: str | Path) -> Catalog:
    """Compile every rule file under `path`; files that fail are reported, not served."""
    clients: dict[str, m.Client] = {}
    warnings: list[Diagnostic] = []
    problems: list[Diagnostic] = []
    for file in rule_files(Path(path)):
        try:
            client, file_warnings = compile_file(file)
        except RulesError as exc:
            problems.extend(exc.diagnostics)
            continue
        warnings.extend(file_warnings)
        if client.id in clients:
            other = clients[client.id].path
            problems.append(Diagnostic("error", f"client `{client.id}` is also defined in {other}", str(file),
                                       client.pos.line if client.pos else 0, client.pos.column if client.pos else 0,
                                       "each client id must be unique"))
            continue
        clients[client.id] = client
    return Catalog(
        clients=MappingProxyType(clients),
        by_number=MappingProxyType(index_numbers(clients, problems)),
        warnings=tuple(warnings),
        problems=tuple(problems),
    )


def index_numbers(clients: Mapping[str, m.Client], problems: list[Diagnostic]) -> dict[str, str]:
    """Each dialled number → its client; a number claimed by two clients is a problem naming both files."""
    owners: dict[str, str] = {}
    for client in clients.values():
        for number in client.numbers:
            other = owners.get(number.value)
            if other is not None and other != client.id:
                problems.append(Diagnostic(
                    "error", f"number {number.value} belongs to two clients: `{other}` ({clients[other].path}) and `{client.id}`",
                    client.path, number.pos.line if number.pos else 0, number.pos.column if number.pos else 0,
                    "a dialled number must lead to one client"))
                continue
            owners[number.value] = client.id
    return owners
