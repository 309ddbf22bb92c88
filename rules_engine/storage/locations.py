"""Where a setting points: a `postgresql://` URL names a database, anything else a file."""

from __future__ import annotations

DATABASE_SCHEMES = ("postgresql://", "postgres://")


def is_database_url(location: object) -> bool:
    return isinstance(location, str) and location.startswith(DATABASE_SCHEMES)
