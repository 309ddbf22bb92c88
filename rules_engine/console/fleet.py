"""The served files and the recorded versions kept as one, on every instance of a fleet.

`reconcile` runs once when the console mounts: the history starts with what serves. A client
whose served text was never recorded gets an `import` version authored `files` (a deploy from
git, a file copied in by hand); a client whose served text is an *older* recorded version is
behind the others (an instance started from an old copy) and gets the newest text written
into its file instead, so that a late instance never takes the fleet back.

`Follower` is a thread in each instance that watches `console_rules_version` (its newest id
and its row count, every 0.2 s: one cheap query) and, when another instance published, writes
the newest text of each changed client into the local served directory and reloads the
engine. It records nothing: the publishing instance wrote the version and the audit entry,
once. A store that fails is logged once (and once more when it answers again) and retried;
serving calls never depends on it.
"""

from __future__ import annotations

import logging
import threading

from ..compiler.assemble import rules_version_of
from ..engine import Engine
from ..runtime.files import replace_file
from .db import Database
from .publishing import Publisher

log = logging.getLogger(__name__)

IMPORT_AUTHOR = "files"


def served_text(engine: Engine, client: str) -> str:
    return engine.client(client).source


def reconcile(publisher: Publisher) -> tuple[list[str], list[str]]:
    """Record an `import` for each served client whose text is new, and bring forward the file
    of each client whose text is an older version; (imported, brought forward) client ids."""
    engine, db = publisher.engine, publisher.db
    imported, forward = [], []
    newest = publisher.last_publishes()
    for client in sorted(engine.clients):
        text = served_text(engine, client)
        current = newest.get(client)
        if current is not None and current.text == text:
            continue
        if current is not None and db.rows(
            "SELECT 1 FROM console_rules_version WHERE client = ? AND rules_version = ? LIMIT 1",
            (client, rules_version_of(text)),
        ):
            if replace_file(publisher.file_of(client), current.text.encode(), durable=True):
                forward.append(client)
            continue
        if record_import(publisher, client, text):
            imported.append(client)
    if forward:
        engine.reload()
    for client in forward:
        log.info("console: %s's file was an older version; version %s written", client, newest[client].number)
    return imported, forward


def record_import(publisher: Publisher, client: str, text: str) -> bool:
    """Record `text` as `client`'s next version unless it already is the newest (another
    instance starting at the same time may have recorded it first)."""
    for _ in range(3):
        current = publisher.current(client)
        if current is not None and current.text == text:
            return False
        try:
            number = (current.number if current else 0) + 1
            publisher.insert(client, number, text, IMPORT_AUTHOR, "the file served when the console started", "import")
            return True
        except Exception:  # the same number taken by another instance: look again
            continue
    return False


class Follower:
    """Brings each client's newest recorded text into the local files, then reloads."""

    INTERVAL_S = 0.2

    def __init__(self, db: Database, engine: Engine, publisher: Publisher, interval: float = INTERVAL_S):
        self.db, self.engine, self.publisher, self.interval = db, engine, publisher, interval
        self._stop = threading.Event()
        self._seen: tuple[int, int] | None = None
        self._numbers: dict[str, int] = {}
        self._failing = False
        self._started = False
        self._thread = threading.Thread(target=self._run, name="console-follower", daemon=True)

    def start(self) -> Follower:
        self.poll()  # what is recorded now is the starting point (reconcile made the files agree)
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.poll()

    def poll(self) -> list[str]:
        """One look at the table; the clients whose files were written."""
        try:
            written = self._follow()
        except Exception as exc:
            if not self._failing:
                log.warning("console: cannot follow published versions (%s); retrying", exc)
                self._failing = True
            return []
        if self._failing:
            log.warning("console: following published versions again")
            self._failing = False
        return written

    def _follow(self) -> list[str]:
        newest, count = self.db.rows("SELECT MAX(id), COUNT(*) FROM console_rules_version")[0]
        seen = (int(newest or 0), int(count))
        if seen == self._seen:
            return []
        numbers = {
            client: int(number)
            for client, number in self.db.rows("SELECT client, MAX(number) FROM console_rules_version GROUP BY client")
        }
        changed = [c for c, n in numbers.items() if self._numbers.get(c) != n]
        if not self._started:
            self._started, self._seen, self._numbers = True, seen, numbers
            return []
        results = {c: self._write(c, numbers[c]) for c in changed}
        written = [c for c, result in results.items() if result == "written"]
        if written:
            self.engine.reload()
        failed = [c for c, result in results.items() if result == "failed"]
        for c in failed:  # looked at again at the next poll
            numbers[c] = self._numbers.get(c, 0)
        self._seen, self._numbers = (None if failed else seen), numbers
        return written

    def _write(self, client: str, number: int) -> str:
        """`written`, `same` (this instance published it, or has it already) or `failed`."""
        version = self.publisher.version(client, number)
        if version is None:
            return "failed"
        served = self.engine.clients.get(client)
        if served is not None and served.source == version.text:
            return "same"
        path = self.publisher.file_of(client)
        if not replace_file(path, version.text.encode(), durable=True):
            log.warning("console: cannot write %s (version %s of %s)", path, number, client)
            return "failed"
        log.info("console: %s version %s published elsewhere; now served here", client, number)
        return "written"
