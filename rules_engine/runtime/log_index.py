"""The index of a decision log file: where each call id's record starts, so that `explain`
reads a few lines of a log instead of all of its history.

16 bytes a record: the first 8 bytes of the BLAKE2b hash of the call id, then the byte offset
of its line (little-endian); a million decisions make a 16 MB index, searched in milliseconds.
A log file's index is `<log>.index/<device>-<inode>.idx`: named after the file, not its name,
it follows the file through every rename (the engine's rotation, logrotate's). An entry is
appended just after its record, so the index always covers a prefix of the file: whatever a
crash left unindexed is the tail after the last entry, indexed again when the log is next
opened and searched by reading that tail meanwhile. A hash can collide; every candidate line
is read and its call id compared.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

ENTRY = 16


def key_of(call_id: str) -> bytes:
    return hashlib.blake2b(call_id.encode("utf-8"), digest_size=8).digest()


def entry(call_id: str, offset: int) -> bytes:
    return key_of(call_id) + offset.to_bytes(8, "little")


def index_file(directory: Path, status: os.stat_result) -> Path:
    return directory / f"{status.st_dev:x}-{status.st_ino:x}.idx"


def read_index(file: Path, log_size: int) -> bytes:
    """The whole entries of an index, or nothing if it does not fit its log (a torn entry is cut
    off; an offset past the log's end means the index is of another file that had that inode)."""
    try:
        data = file.read_bytes()
    except OSError:
        return b""
    data = data[: len(data) - len(data) % ENTRY]
    if data and int.from_bytes(data[-8:], "little") >= log_size:
        return b""
    return data


def offsets(index: bytes, call_id: str) -> list[int]:
    """The offsets the index gives for `call_id`, oldest first."""
    key, found = key_of(call_id), []
    at = index.find(key)
    while at != -1:
        if at % ENTRY == 0:
            found.append(int.from_bytes(index[at + 8 : at + ENTRY], "little"))
        at = index.find(key, at + 1)
    return found


def tail_start(index: bytes) -> int | None:
    """Where the records after the last indexed one may start: the offset of the last one (its
    line is skipped by `lines_from`), or None when nothing is indexed."""
    return int.from_bytes(index[-8:], "little") if index else None


def lines_from(file, start: int | None) -> Iterator[tuple[int, bytes]]:
    """(offset, line) of each whole line of an open binary file after the line at `start`
    (from the beginning when `start` is None); a last line without its newline is left out."""
    file.seek(start or 0)
    offset = start or 0
    if start is not None:
        offset += len(file.readline())
    for line in file:
        if not line.endswith(b"\n"):
            return
        yield offset, line
        offset += len(line)


def call_id_of(line: bytes) -> str | None:
    try:
        record = json.loads(line)
    except ValueError:  # a torn line closed after a crash
        return None
    found = record.get("call_id") if isinstance(record, dict) else None
    return found if isinstance(found, str) else None


def catch_up(log_path: Path, index_path: Path, log_size: int) -> int:
    """Bring the index of a log file up to its end (after a crash, or a log without one); returns
    a descriptor appending to the index."""
    index = read_index(index_path, log_size)
    missing = []
    with log_path.open("rb") as log:
        for offset, line in lines_from(log, tail_start(index)):
            call_id = call_id_of(line)
            if call_id is not None:
                missing.append(entry(call_id, offset))
    fd = os.open(index_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.ftruncate(fd, len(index))  # drops a torn entry, or an index that was not this file's
        if missing:
            os.write(fd, b"".join(missing))
    except OSError:
        os.close(fd)
        raise
    return fd


def search(log_path: Path, index_directory: Path, call_id: str) -> dict | None:
    """The newest record of `call_id` in one log file, by its index (the whole file is read only
    when it has none: a file copied by logrotate's `copytruncate`, or written by an older engine)."""
    with log_path.open("rb") as log:
        status = os.fstat(log.fileno())
        index = read_index(index_file(index_directory, status), status.st_size)
        found = None
        start = tail_start(index)
        wanted = json.dumps(call_id, ensure_ascii=False).encode("utf-8")
        for _, line in lines_from(log, start):  # the unindexed tail: all of it when there is no index
            if wanted in line and call_id_of(line) == call_id:
                found = line
        if found is None:
            for offset in reversed(offsets(index, call_id)):
                log.seek(offset)
                line = log.readline()
                if call_id_of(line) == call_id:
                    found = line
                    break
    return json.loads(found) if found is not None else None
