"""A persistent compile cache: a restarted engine reads what it compiled before.

One file per compiled rule file, named by a hash of (engine fingerprint, path, sha256 of
the content), so an edited file, a moved file or a new engine version never meets an
old entry. The fingerprint covers every source file of the package and the versions of
the libraries whose code or data decides what a file compiles to (`fingerprint_of`).

An entry is plain JSON, never pickle: reading one builds model nodes from a closed list of
classes (`model.py`'s) through their validating constructors, so nothing in a cache file
is ever executed. The layout of a file:

    line 1   sha256 of everything after this line (a torn or altered file is ignored)
    line 2   the header: format, fingerprint, path, content digest, and the index
             (client id, title, position, numbers, rules version, warnings)
    line 3   the body: the compiled `Client` as tagged JSON

Start-up reads the header only into a `CachedClient`, which has what the catalog needs
to assemble (id, numbers, path) and builds the full `Client` on first use. Entries are
written to a temporary file and renamed into place, so concurrent writers (two engines
over the same directory) never leave a half-written entry; both write the same bytes.

Any entry that cannot be read, does not verify, or does not match is ignored, and the
file is compiled and the entry rewritten. The directory must be the process user's own
and closed to everyone else (mode 0700): see `CompileCache.__init__` and
docs/compile-cache.md.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import threading
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .. import model as m
from ..errors import Diagnostic, RulesEngineError
from .files import private_directory, replace_file

FORMAT = 2  # 2: the index has the client's title and time zone
PACKAGE = Path(__file__).resolve().parent.parent
# The libraries whose code or data decides what a rule file compiles to: the parser, the model's
# validation, time zones and DST (pendulum, and tzdata where the system has no zone files),
# holiday calendars, phone numbers, and callers' language tags with their names.
LIBRARIES = (
    "lark",
    "pydantic",
    "pydantic_core",
    "pendulum",
    "tzdata",
    "holidays",
    "phonenumbers",
    "langcodes",
    "language_data",
)
NODE_CLASSES = {
    cls.__name__: cls
    for cls in vars(m).values()
    if isinstance(cls, type) and issubclass(cls, BaseModel) and cls.__module__ == m.__name__
}


class CacheError(RulesEngineError):
    """The compile cache directory (or the last-good state kept in it) cannot be used safely."""


@functools.cache
def fingerprint() -> str:
    """What an entry was compiled by, in this process: computed once, on the first cache opened."""
    return fingerprint_of(PACKAGE, library_versions(), platform.python_version())


def fingerprint_of(package: Path, versions: Mapping[str, str], python: str) -> str:
    """The cache format, the Python version, the versions of `LIBRARIES`, and every source file
    of `package` (each `*.py` and `*.lark`, by its path and bytes).

    Every file, not a list of the compiler's: whatever module a compile comes to depend on,
    an edit to it makes every older entry unreachable. Hashing the whole package (about
    1 MB) costs a few milliseconds, once per process.
    """
    digest = hashlib.sha256(f"format {FORMAT}\npython {python}\n".encode())
    for library in LIBRARIES:
        digest.update(f"{library} {versions.get(library, '-')}\n".encode())
    for source in sources(package):
        data = source.read_bytes()
        digest.update(f"{source.relative_to(package).as_posix()} {len(data)}\n".encode())
        digest.update(data)
    return digest.hexdigest()


def sources(package: Path) -> list[Path]:
    """Every `*.py` and `*.lark` file under `package`, in a stable order."""
    return sorted(p for p in package.rglob("*") if p.suffix in (".py", ".lark") and p.is_file())


def library_versions() -> dict[str, str]:
    """The installed version of each of `LIBRARIES` that is installed."""
    versions = {}
    for library in LIBRARIES:
        try:
            versions[library] = metadata.version(library)
        except metadata.PackageNotFoundError:
            pass
    return versions


# ---- the compiled model as tagged JSON -------------------------------------------------------


def encode(value: Any, path: str) -> Any:
    """A model value as JSON: nodes tagged with their class, positions as [line, column]."""
    if isinstance(value, BaseModel):
        out: dict[str, Any] = {"@": type(value).__name__}
        for name in value.model_fields_set:
            item = getattr(value, name)
            if name == "pos" and isinstance(item, m.Pos):
                out["pos"] = [item.line, item.column] if item.file == path else [item.line, item.column, item.file]
            else:
                out[name] = encode(item, path)
        return out
    if isinstance(value, (str, int, float, type(None))):  # bool is an int
        return value
    if isinstance(value, tuple):
        return [encode(item, path) for item in value]
    if isinstance(value, dict):
        return {"@dict": {key: encode(item, path) for key, item in value.items()}}
    if isinstance(value, frozenset):
        return {"@set": sorted(value)}
    if isinstance(value, datetime):
        return {"@datetime": value.isoformat()}
    if isinstance(value, date):
        return {"@date": value.isoformat()}
    if isinstance(value, timedelta):
        return {"@timedelta": [value.days, value.seconds, value.microseconds]}
    if isinstance(value, Decimal):  # a number question's bounds, a condition's constant: kept exact
        return {"@decimal": str(value)}
    raise TypeError(f"the compile cache cannot store a {type(value).__name__}")


def decode(value: Any, path: str) -> Any:
    """The inverse of `encode`; anything but the shapes it writes raises (ValueError, TypeError…)."""
    if isinstance(value, list):
        return tuple(decode(item, path) for item in value)
    if not isinstance(value, dict):
        return value
    if "@" in value:
        cls = NODE_CLASSES[value["@"]]  # a KeyError for any class not of the model
        fields = {name: decode(item, path) for name, item in value.items() if name not in ("@", "pos")}
        if "pos" in value:
            line, column, *file = value["pos"]
            fields["pos"] = m.Pos(file=file[0] if file else path, line=line, column=column)
        return cls(**fields)  # validated: a tampered field type fails here, not in a decision
    ((tag, inner),) = value.items()
    if tag == "@dict":
        return {key: decode(item, path) for key, item in inner.items()}
    if tag == "@set":
        return frozenset(inner)
    if tag == "@datetime":
        return datetime.fromisoformat(inner)
    if tag == "@date":
        return date.fromisoformat(inner)
    if tag == "@timedelta":
        return timedelta(*inner)
    if tag == "@decimal":
        return Decimal(inner)
    raise ValueError(f"unknown tag {tag!r}")


# ---- a client read lazily ---------------------------------------------------------------------


class CachedClient:
    """A client known from a cache entry's header, built in full on first use.

    It has the attributes the catalog reads to assemble a version (`id`, `path`, `pos`,
    `numbers`, `rules_version`), and the `title` and `timezone` a version's archived source
    keeps (`last_good`). `client()` builds the `Client` once, under a lock, and
    publishes it only when complete: a thread never sees a half-built client. Should the
    body fail to decode, the file's content (the bytes whose digest named the entry) is
    compiled instead, so what serves is what a compile gives.
    """

    def __init__(self, index: dict[str, Any], body: bytes, data: bytes) -> None:
        self.id: str = index["id"]
        self.path: str = index["path"]
        self.rules_version: str = index["rules_version"]
        self.title: str | None = index["title"]
        self.timezone: str = index["timezone"]
        self.pos = decode(index["pos"], self.path) if index["pos"] is not None else None
        self.numbers: tuple[m.Name, ...] = decode(index["numbers"], self.path)
        self.warnings = tuple(Diagnostic(**d) for d in index["warnings"])
        # The entry's body and the file's content until the client is built, then the client.
        self._state: m.Client | tuple[bytes, bytes] = (body, data)
        self._lock = threading.Lock()

    def client(self) -> m.Client:
        state = self._state
        if isinstance(state, m.Client):
            return state
        with self._lock:
            if not isinstance(self._state, m.Client):
                body, data = self._state
                self._state = self._build(body, data)
            return self._state

    def _build(self, body: bytes, data: bytes) -> m.Client:
        try:
            client = decode(json.loads(body), self.path)
            if isinstance(client, m.Client) and (client.id, client.path) == (self.id, self.path):
                return client
        except Exception:
            pass
        from ..compiler.compile import compile_bytes

        return compile_bytes(data, self.path)[0]


# ---- the directory ------------------------------------------------------------------------------


class CompileCache:
    """Compiled clients kept in `directory`, which must be the process user's own, mode 0700.

    The directory is created (0700) if missing. An existing one that is a symbolic link,
    belongs to another user, or can be read or written by group or others is refused with
    a `CacheError`: entries are data only, but an entry someone else could write could
    still make the engine serve rules that are not in the files.
    """

    def __init__(self, directory: str | Path):
        self.directory = private_directory(directory, "the compile cache", CacheError)
        self.fingerprint = fingerprint()

    def entry(self, path: str, digest: str) -> Path:
        key = hashlib.sha256(f"{self.fingerprint}\0{path}\0{digest}".encode()).hexdigest()
        return self.directory / f"{key}.json"

    def lookup(self, path: str, digest: str, data: bytes) -> CachedClient | None:
        """The cached client compiled from `data` (whose sha256 is `digest`) at `path`, or None."""
        try:
            fd = os.open(self.entry(path, digest), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "rb") as file:
                check, rest = file.read().split(b"\n", 1)
            if hashlib.sha256(rest).hexdigest().encode() != check:
                return None
            head, body = rest.split(b"\n", 1)
            header = json.loads(head)
            if (header["format"], header["fingerprint"], header["path"], header["digest"]) != (
                FORMAT,
                self.fingerprint,
                path,
                digest,
            ):
                return None  # a key collision or a copied entry: not this file's
            return CachedClient(header["index"], body, data)
        except Exception:
            return None

    def store(self, path: str, digest: str, client: m.Client, warnings: tuple[Diagnostic, ...]) -> None:
        """Write the entry for `client`; failing to (a full disk…) only costs a compile later."""
        index = {
            "id": client.id,
            "path": client.path,
            "rules_version": client.rules_version,
            "title": client.title,
            "timezone": client.timezone,
            "pos": encode(client.pos, path) if client.pos else None,
            "numbers": encode(client.numbers, path),
            "warnings": [vars(d) for d in warnings],
        }
        header = {"format": FORMAT, "fingerprint": self.fingerprint, "path": path, "digest": digest, "index": index}
        rest = (
            json.dumps(header, separators=(",", ":")) + "\n" + json.dumps(encode(client, path), separators=(",", ":"))
        ).encode("utf-8")
        content = hashlib.sha256(rest).hexdigest().encode() + b"\n" + rest
        replace_file(self.entry(path, digest), content)
