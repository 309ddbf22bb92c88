"""The decision log: one JSON line per decision, so that "why did this call go there last
Tuesday?" can be answered later (`rules-engine explain LOGFILE --call-id …`).

Each line holds the call id, when it was logged, the client, the rules version that
decided, the call as given, the decision and its trace. Each line is appended by one
unbuffered write under a lock, so threads never interleave (nor, on a local file system,
do processes sharing the file), and a crash loses at most the line being written;
`records` skips such a torn last line.
"""

from __future__ import annotations

import json
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Optional

from ..errors import RulesEngineError

if TYPE_CHECKING:
    from ..decide.call import Call
    from ..decide.decision import Decision


class DecisionLogError(RulesEngineError):
    """The decision log cannot be opened or written."""


class DecisionLog:
    """Appends decisions to a JSON-lines file; safe to share between threads."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self._file = self.path.open("ab", buffering=0)
        except OSError as exc:
            raise DecisionLogError(f"cannot open the decision log {self.path}: {exc.strerror}") from None

    def write(self, call: Call, decision: Decision, call_id: Optional[str] = None) -> str:
        """Log one decision; returns its call id (a new random one unless the daemon gave its own)."""
        call_id = call_id or uuid.uuid4().hex
        body = decision.model_dump(mode="json")
        trace = body.pop("trace", [])
        record = {
            "call_id": call_id,
            "logged_at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "client": decision.client,
            "rules_version": decision.rules_version,
            "call": call.model_dump(mode="json", exclude_none=True),
            "decision": body,
            "trace": trace,
        }
        line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        with self._lock:
            try:
                written = self._file.write(line)
                while written < len(line):  # a write may take only part (a full disk, a network file system)
                    written += self._file.write(line[written:])
            except (OSError, ValueError) as exc:  # ValueError: written after close()
                raise DecisionLogError(f"cannot write the decision log {self.path}: {exc}") from None
        return call_id

    def close(self) -> None:
        with self._lock:
            self._file.close()


def records(path: str | Path, containing: str = "") -> Iterator[dict]:
    """The readable records of a decision log, oldest first (a torn line is skipped).

    `containing` skips, before parsing, every line without that text: a search of a
    large log parses only the lines that can match.
    """
    with Path(path).open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            if containing not in line:
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict):
                yield record


def find(path: str | Path, call_id: str) -> Optional[dict]:
    """The newest record logged under `call_id`, or None."""
    found = None
    for record in records(path, containing=json.dumps(call_id, ensure_ascii=False)):
        if record.get("call_id") == call_id:
            found = record
    return found
