"""Time: a client's zone, windows, holidays, closures and who is on call, at an instant or over a span.

`clock` turns wall-clock times into instants (the DST rules of docs/language.md); `calendar` answers
which windows hold; `oncall` finds who holds a team by arithmetic; `shifts` lists the shifts
of a span and warns about gaps; `ics` writes them as an iCalendar feed.
"""
