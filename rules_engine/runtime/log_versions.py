"""Which rules versions and scripts a closed decision log file refers to, so that the sources
and script steps its records need are kept and the others can be deleted (`FileDecisionLog`
prunes `<log>.sources/` and `<log>.scripts/` when it rotates).

Why a small index rather than reading the logs: pruning happens when the log rotates, in the
thread that writes a decision, and the kept files together hold up to `keep_files × max_bytes`
of records. Each closed file is read at most once instead: when the engine rotates the file it
wrote, it already knows what it wrote there (noted as it appends) and writes it beside the
file's call id index, `<log>.index/<device>-<inode>.versions` (a version a line, then `script
REF` lines); a file without one (rotated by logrotate, written before a restart, or by an
engine before this index) is read once, the first time a prune needs it, and its index
written then.

The index names the file's size when it was written: an index whose size does not match the
file (another file that had the inode, or records appended since) is read as missing, so the
worst a stale one costs is a read of the file, never a source or script deleted too soon.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import log_index
from .files import replace_file

SCRIPT = "script "


@dataclass
class Referred:
    """The rules versions and script steps (by their reference) some records refer to."""

    versions: set[str] = field(default_factory=set)
    scripts: set[str] = field(default_factory=set)

    def note(self, rules_version: object, script_ref: object) -> None:
        if isinstance(rules_version, str):
            self.versions.add(rules_version)
        if isinstance(script_ref, str):
            self.scripts.add(script_ref)

    def update(self, other: Referred) -> None:
        self.versions |= other.versions
        self.scripts |= other.scripts


def script_ref(record: dict[str, Any]) -> object:
    """The reference to the steps a record's script is kept under, if it has one."""
    decision = record.get("decision")
    script = decision.get("script") if isinstance(decision, dict) else None
    return script.get("steps") if isinstance(script, dict) else None


def versions_file(index_directory: Path, status: os.stat_result) -> Path:
    return log_index.index_file(index_directory, status).with_suffix(".versions")


def write(index_directory: Path, status: os.stat_result, referred: Referred) -> bool:
    """Record what the log file of `status` (at its size now) refers to; False if it could not
    be written (then the file is read again at the next prune)."""
    lines = [f"size {status.st_size}", *sorted(referred.versions), *(SCRIPT + ref for ref in sorted(referred.scripts))]
    return replace_file(versions_file(index_directory, status), ("\n".join(lines) + "\n").encode("ascii"))


def read(index_directory: Path, status: os.stat_result) -> Referred | None:
    """What the log file of `status` refers to, as recorded, or None when there is no record of
    it at its present size."""
    try:
        lines = versions_file(index_directory, status).read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    if not lines or lines[0] != f"size {status.st_size}":
        return None
    referred = Referred()
    for line in lines[1:]:
        if line.startswith(SCRIPT):
            referred.scripts.add(line.removeprefix(SCRIPT))
        else:
            referred.versions.add(line)
    return referred


def scan(log_file: Path) -> Referred:
    """What the records of one log file refer to, reading it whole (torn lines skipped)."""
    referred = Referred()
    with log_file.open("rb") as opened:
        for _, line in log_index.lines_from(opened, None):
            record, _ = log_index.parse(line)
            if record is not None:
                referred.note(record.get("rules_version"), script_ref(record))
    return referred


def referred_to(log_file: Path, index_directory: Path) -> Referred:
    """What the records of a closed log file refer to: from its index, or read from the file
    (and the index written) when it has none. OSError when the file cannot be read."""
    status = log_file.stat()
    referred = read(index_directory, status)
    if referred is None:
        referred = scan(log_file)
        write(index_directory, status, referred)
    return referred
