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

A torn line (a record cut short by a crash) is skipped and counted by `search`. Engines before
0.2 could glue the record after a full disk to a torn one on the same line: `parse` reads such
a record from where it starts.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

ENTRY = 16
RECORD_START = b'{"call_id":'  # every record's first key (`decision_record.record`)


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


def lines_from(file: IO[bytes], start: int | None) -> Iterator[tuple[int, bytes]]:
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


def parse(line: bytes) -> tuple[dict[str, Any] | None, bool]:
    """The record on a line (None if there is none), and whether the line is torn: part of a
    record, or a record glued after part of another (then that whole record is read)."""
    try:
        record = json.loads(line)
    except ValueError:
        start = line.rfind(RECORD_START, 1)
        if start <= 0:
            return None, bool(line.strip())
        try:
            record = json.loads(line[start:])
        except ValueError:
            return None, True
        return (record, True) if isinstance(record, dict) else (None, True)
    return (record, False) if isinstance(record, dict) else (None, True)


def call_id_of(line: bytes) -> str | None:
    record, _ = parse(line)
    found = record.get("call_id") if record is not None else None
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


def search(log_path: Path, index_directory: Path, call_id: str) -> tuple[dict[str, Any] | None, int]:
    """The newest record of `call_id` in one log file, by its index (the whole file is read only
    when it has none: a file copied by logrotate's `copytruncate`, or written by an older engine),
    and the number of torn lines met on the way, which are skipped."""
    torn = 0
    with log_path.open("rb") as log:
        status = os.fstat(log.fileno())
        index = read_index(index_file(index_directory, status), status.st_size)
        found = None
        wanted = json.dumps(call_id, ensure_ascii=False).encode("utf-8")
        for _, line in lines_from(log, tail_start(index)):  # the unindexed tail: all of it without an index
            if wanted in line:
                record, was_torn = parse(line)
                torn += was_torn
                if record is not None and record.get("call_id") == call_id:
                    found = record
        if found is None:
            for offset in reversed(offsets(index, call_id)):
                log.seek(offset)
                record, was_torn = parse(log.readline())
                torn += was_torn
                if record is not None and record.get("call_id") == call_id:
                    found = record
                    break
    return found, torn
