"""Time: a client's zone, windows, holidays, closures and who is on call, at an instant or over a span.

`clock` turns wall-clock times into instants (the DST rules of docs/language.md);
`public_holidays` reads the `holidays` line's calendars and the names it leaves out or keeps;
`calendar` answers which windows hold (`during` included) and whether it is a holiday;
`oncall` finds who holds a team by arithmetic; `shifts` lists the shifts of a span and warns
about gaps; `ics` writes them as an iCalendar feed.
"""
