"""File-system helpers the serving modules share: a directory only this user can touch, a
file replaced whole (written aside, then renamed into place) so no reader sees half of it, and
a shelf of JSON values by key."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from ..errors import RulesEngineError


def private_directory(directory: str | Path, what: str, error: type[RulesEngineError]) -> Path:
    """`directory`, created (0700) if missing, once it is known to be the process user's own and
    closed to everyone else; else `error` saying which rule it breaks. What the engine keeps in
    such a directory decides what it serves, so nobody else may be able to write there."""
    directory = Path(directory)
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        status = os.lstat(directory)
    except OSError as exc:
        raise error(f"{directory}: cannot use as {what}: {exc.strerror}") from None
    if not stat.S_ISDIR(status.st_mode):
        raise error(f"{directory}: {what} must be a directory, not a link or a file")
    if status.st_uid != os.geteuid():
        raise error(f"{directory}: {what} belongs to another user (uid {status.st_uid})")
    if status.st_mode & 0o077:
        raise error(
            f"{directory}: {what} is open to other users "
            f"(mode {stat.S_IMODE(status.st_mode):04o}); it must be 0700 (chmod 700)"
        )
    return directory


def replace_file(target: Path, content: bytes, durable: bool = False) -> bool:
    """Write `content` to `target` through a temporary file renamed over it; False if that failed
    (a full disk…). `durable` flushes the content to the disk before the rename, so that even a
    power cut leaves the old file or the new one."""
    try:
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(content)
            if durable:
                file.flush()
                os.fsync(file.fileno())
        os.replace(temporary, target)
        return True
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        return False


class Shelf:
    """JSON values kept as files `<key>.json` in `directory` (created when the first is put).
    Values are content-addressed by their callers, so a key once put never changes."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    def _file(self, key: str) -> Path:
        if not key.isalnum():  # keys are hex digests: never a path of their own
            raise ValueError(f"not a key: {key!r}")
        return self.directory / f"{key}.json"

    def put(self, key: str, value: Any) -> None:
        """Keep `value` under `key` unless it is kept already; a failure to write loses only it."""
        file = self._file(key)
        if not file.exists():
            self.directory.mkdir(parents=True, exist_ok=True)
            replace_file(file, json.dumps(value, ensure_ascii=False).encode("utf-8"))

    def get(self, key: str) -> Any | None:
        try:
            return json.loads(self._file(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def kept(self) -> list[str]:
        """The keys kept, with when each was put (seconds since 1970), oldest first."""
        try:
            listing = [(file.stat().st_mtime, file.stem) for file in self.directory.glob("*.json")]
        except OSError:
            return []
        return [key for _, key in sorted(listing)]

    def discard(self, key: str, older_than: float) -> bool:
        """Delete the value under `key` if it was put before `older_than` (seconds since 1970);
        whether it was deleted."""
        file = self._file(key)
        try:
            if file.stat().st_mtime >= older_than:
                return False
            file.unlink()
        except OSError:
            return False
        return True
