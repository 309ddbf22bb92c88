"""Time zones: the one place where wall-clock times from files and calls become instants.

pendulum supplies the zone data (its `Timezone` is a `zoneinfo.ZoneInfo`), so the standard
library's aware arithmetic applies. A local wall-clock time becomes an instant with
`fold=0`, as the spec asks: the first occurrence of a repeated hour, and a skipped time
read with the offset before the change (01:30 on London's spring-forward night is 02:30 BST).
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, tzinfo

import pendulum

from ..errors import CallError


class UnknownTimezone(ValueError):
    pass


@functools.cache
def zone(name: str) -> tzinfo:
    try:
        return pendulum.timezone(name)
    except Exception:  # pendulum raises InvalidTimezone, zoneinfo its own errors
        raise UnknownTimezone(name) from None


def read_time(text: str, zone_name: str, field: str, error: type[CallError] = CallError) -> datetime:
    """A date-time as a person gives one (LANGUAGE.md section 4): `now`, or ISO 8601; with an
    offset, that instant; without one, the wall-clock time in the zone `zone_name` (fold=0).
    Anything else is an `error` naming `field`: the command line passes its usage error, the
    service answers a CallError as a 400, so both say the same."""
    if text.strip().lower() == "now":
        return datetime.now(UTC).astimezone(zone(zone_name))
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise error(
            f"`{text}` is not an ISO 8601 date-time (e.g. 2026-11-28T23:15 or 2026-11-28T23:15:00-06:00) or `now`",
            field=field,
        ) from None
    if value.utcoffset() is None:
        local = zone(zone_name)
        return to_instant(value, local).astimezone(local)
    return value


def to_instant(local: datetime, tz: tzinfo) -> datetime:
    """A naive local wall-clock time in `tz` → an aware instant (UTC), with fold=0."""
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def is_skipped(local: datetime, tz: tzinfo) -> bool:
    """True when the wall-clock time does not exist (the hour skipped by a DST change)."""
    aware = local.replace(tzinfo=tz, fold=0)
    return aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != local


def is_repeated(local: datetime, tz: tzinfo) -> bool:
    """True when the wall-clock time happens twice (the hour repeated by a DST change)."""
    return local.replace(tzinfo=tz, fold=0).utcoffset() != local.replace(
        tzinfo=tz, fold=1
    ).utcoffset() and not is_skipped(local, tz)
