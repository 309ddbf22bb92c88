"""On-call shifts → an iCalendar feed (RFC 5545) that staff can subscribe to.

One VEVENT per shift. Times are written in UTC: a local time with a TZID cannot say which
of the two 01:30s of a fall-back night is meant, and every calendar shows UTC events in
its viewer's own zone. A shift's UID depends on the client, team, person and the shift's
start, so a refreshed feed updates events instead of duplicating them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import icalendar

from .. import model as m
from .shifts import Shift

PRODID = "-//rules-engine//on-call calendar//EN"


def display_name(client: m.Client, person: str) -> str:
    contact = client.contacts.get(person)
    return contact.title if contact else person


def uid(client: m.Client, shift: Shift) -> str:
    start = shift.start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{client.id}.{shift.team}.{shift.person}.{start}@rules-engine"


def feed(client: m.Client, found: Sequence[Shift], stamp: datetime) -> bytes:
    """The calendar of `found` (gaps left out); `stamp` is when the feed was made (DTSTAMP)."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{client.title or client.id}: on call")
    cal.add("x-wr-timezone", client.timezone)
    for shift in found:
        if shift.person is None:
            continue
        name = display_name(client, shift.person)
        event = icalendar.Event()
        event.add("uid", uid(client, shift))
        event.add("dtstamp", stamp.astimezone(UTC))
        event.add("dtstart", shift.start.astimezone(UTC))
        event.add("dtend", shift.end.astimezone(UTC))
        event.add("summary", f"{name} on call: {shift.team}")
        event.add(
            "description", f"{name} ({shift.person}) is on call for team {shift.team} of {client.title or client.id}."
        )
        event.add("categories", ["on-call", shift.team])
        event.add("transp", "TRANSPARENT")  # being on call does not make you busy
        cal.add_component(event)
    return cal.to_ical()
