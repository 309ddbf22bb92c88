"""Checks: a compiled client → every warning `rules-engine check` adds to the compiler's, from its rules over time.

- on-call cover: members of restricted rotations never on call (`schedule/shifts.py`);
- closures and holidays that change nothing (`no_effect`), over 365 days;
- rules and conditional questions no call reaches (`reach`), over `days` (365 by default);
- routes that can reach a team while nobody is on call (`gaps`), over the first 28 days.

Reachability and gaps read one survey of the client's calls. A rule the compiler already
warned about at the same place (shadowed by earlier rules, as far as their conditions alone
show) is not warned about twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from .. import model as m
from ..errors import Diagnostic
from ..schedule.shifts import coverage_warnings
from .gaps import gap_warnings
from .no_effect import no_effect_warnings
from .reach import HORIZON, local_date, reach_warnings
from .survey import Survey


def check_warnings(
    client: m.Client,
    start: date | datetime | None = None,
    days: int = HORIZON,
    compiled: Iterable[Diagnostic] = (),
) -> list[Diagnostic]:
    """The warnings about `client` from `start` (a local date, default today); `compiled` are
    the compiler's own diagnostics for it, not repeated."""
    said = {(d.line, d.column) for d in compiled}
    survey = Survey(client, local_date(client, start), days)
    reached = [d for d in reach_warnings(client, survey=survey) if (d.line, d.column) not in said]
    return [
        *coverage_warnings(client, start),
        *no_effect_warnings(client, start),
        *reached,
        *gap_warnings(survey),
    ]
