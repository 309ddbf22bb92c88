"""The editor's checks, in two steps, because `rules-engine check` has two speeds.

Compiling a text and placing it beside the other clients takes tens of milliseconds: the
editor asks for that after each pause in typing (`quick`). The warnings over time (rules no
call reaches in a year, closures that change nothing, on-call gaps: `analysis.checks`) take
from half a second to seconds for one file: the editor asks for those (`Publisher.check`, the
very checks a publish makes) once typing has stopped for longer, and they are kept per text,
so a text checked once is not surveyed again.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from datetime import date

from .. import model as m
from .publishing import Checked, Publisher, compile_and_place

KEPT = 64  # full checks kept, by client and text


def quick(publisher: Publisher, client: str, text: str) -> tuple[Checked, m.Client | None]:
    """`Publisher.check` without the warnings over time, and the client compiled (None if it
    does not compile)."""
    others = [c for cid, c in sorted(publisher.engine.clients.items()) if cid != client]
    return compile_and_place(client, text, str(publisher.file_of(client)), others, over_time=False)


class FullChecks:
    """`Publisher.check` of the texts asked for, the last `KEPT` of them remembered."""

    def __init__(self, publisher: Publisher):
        self.publisher = publisher
        self.kept: OrderedDict[tuple[str, str], Checked] = OrderedDict()
        self.lock = threading.Lock()

    def check(self, client: str, text: str) -> Checked:
        # the same text, the same day, beside the same other files: the same answer
        served = ",".join(f"{cid}:{c.rules_version}" for cid, c in sorted(self.publisher.engine.clients.items()))
        digest = hashlib.sha256(f"{date.today()}\n{served}\n{text}".encode("utf-8", "surrogatepass")).hexdigest()
        key = (client, digest)
        with self.lock:
            found = self.kept.get(key)
            if found is not None:
                self.kept.move_to_end(key)
                return found
        checked = self.publisher.check(client, text)
        with self.lock:
            self.kept[key] = checked
            while len(self.kept) > KEPT:
                self.kept.popitem(last=False)
        return checked
