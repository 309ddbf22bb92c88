"""Which rules versions a closed decision log file refers to, so that the sources its records
need are kept and the others can be deleted (`FileDecisionLog` prunes `<log>.sources/` when it
rotates).

Why a small index rather than reading the logs: pruning happens when the log rotates, in the
thread that writes a decision, and the kept files together hold up to `keep_files × max_bytes`
of records. Each closed file is read at most once instead: when the engine rotates the file it
wrote, it already knows the versions it wrote there (counted as it appends) and writes them
beside the file's call id index, `<log>.index/<device>-<inode>.versions`; a file without one
(rotated by logrotate, written before a restart, or by an engine before this index) is read
once, the first time a prune needs it, and its index written then.

The index names the file's size when it was written: an index whose size does not match the
file (another file that had the inode, or records appended since) is read as missing, so the
worst a stale one costs is a read of the file, never a source deleted too soon.
"""

from __future__ import annotations

import os
from pathlib import Path

from . import log_index
from .files import replace_file


def versions_file(index_directory: Path, status: os.stat_result) -> Path:
    return log_index.index_file(index_directory, status).with_suffix(".versions")


def write(index_directory: Path, status: os.stat_result, versions: set[str]) -> bool:
    """Record that the log file of `status` (at its size now) refers to `versions`; False if it
    could not be written (then the file is read again at the next prune)."""
    lines = [f"size {status.st_size}", *sorted(versions)]
    return replace_file(versions_file(index_directory, status), ("\n".join(lines) + "\n").encode("ascii"))


def read(index_directory: Path, status: os.stat_result) -> set[str] | None:
    """The versions recorded for the log file of `status`, or None when there is no record of it
    at its present size."""
    try:
        lines = versions_file(index_directory, status).read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    if not lines or lines[0] != f"size {status.st_size}":
        return None
    return set(lines[1:])


def scan(log_file: Path) -> set[str]:
    """The rules versions of the records in one log file, reading it whole (torn lines skipped)."""
    found = set()
    with log_file.open("rb") as opened:
        for _, line in log_index.lines_from(opened, None):
            record, _ = log_index.parse(line)
            version = record.get("rules_version") if record is not None else None
            if isinstance(version, str):
                found.add(version)
    return found


def referred_to(log_file: Path, index_directory: Path) -> set[str]:
    """The versions the records of a closed log file refer to: from its index, or read from the
    file (and the index written) when it has none. OSError when the file cannot be read."""
    status = log_file.stat()
    versions = read(index_directory, status)
    if versions is None:
        versions = scan(log_file)
        write(index_directory, status, versions)
    return versions
