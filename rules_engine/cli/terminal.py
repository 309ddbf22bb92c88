"""Whether to colour what a command writes: on a terminal only, and never when `NO_COLOR` is set
(https://no-color.org) or the terminal says it cannot (`TERM=dumb`)."""

from __future__ import annotations

import os
from typing import TextIO


def wants_colour(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
