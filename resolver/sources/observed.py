"""Observed bounds: dates known only from the snapshots in which a fact was (first or last) seen.

A monthly scrape says "this link was in the snapshot of 2022-04-01 but not in the one of 2022-03-01": the
link began on a day from 2022-03-02 to 2022-04-01. ``Snapshots`` turns a first-seen / last-seen snapshot
date into such a bound (a ``PartialDate`` whose text is the date as the file gives it):

- first seen in the first snapshot: "on or before" it (``earliest == date.min``, no lower bound);
- first seen in a later snapshot S: from the day after the previous snapshot to S;
- last seen in the latest snapshot: still current (no end);
- last seen in an earlier snapshot L: from L to the day before the next snapshot.

The precision is "day" when the range is one day, else "month" (the scrape is monthly), so labels show
the month the change began in.

    >>> from datetime import date
    >>> s = Snapshots([date(2021, 8, 11), date(2021, 10, 6), date(2021, 11, 1)])
    >>> s.start("2021-10-06", "first_seen").earliest, s.start("2021-10-06", "first_seen").latest
    (datetime.date(2021, 8, 12), datetime.date(2021, 10, 6))
    >>> s.start("2021-08-11", "first_seen").earliest == date.min
    True
    >>> s.end("2021-11-01", "last_seen") is None, s.end("2021-08-11", "last_seen").latest
    (True, datetime.date(2021, 10, 5))
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import date, timedelta

from resolver.errors import RowError
from resolver.model import PartialDate


class Snapshots:
    """The sorted snapshot days of one scrape, and the bounds they imply (see the module docstring)."""

    def __init__(self, days: Iterable[date]) -> None:
        self.days = sorted(set(days))
        if not self.days:
            raise ValueError("no snapshot dates")
        self.first = self.days[0]
        self.latest = self.days[-1]

    def _day(self, text: str, fld: str) -> date:
        try:
            day = date.fromisoformat(text.strip())
        except ValueError:
            raise RowError(f"{text!r} is not a snapshot date (YYYY-MM-DD)", field=fld) from None
        if day < self.first or day > self.latest:
            raise RowError(f"{text!r} is outside the snapshots ({self.first} to {self.latest})", field=fld)
        return day

    def start(self, text: str, fld: str) -> PartialDate:
        """The start of something first seen in the snapshot ``text``."""
        day = self._day(text, fld)
        if day == self.first:
            return PartialDate(text.strip(), "day", date.min, day)
        before = self.days[bisect.bisect_left(self.days, day) - 1]
        earliest = before + timedelta(days=1)
        return PartialDate(text.strip(), "day" if earliest == day else "month", earliest, day)

    def end(self, text: str, fld: str) -> PartialDate | None:
        """The end of something last seen in the snapshot ``text`` (None: still seen in the latest)."""
        day = self._day(text, fld)
        if day == self.latest:
            return None
        after = self.days[bisect.bisect_right(self.days, day)]
        latest = after - timedelta(days=1)
        return PartialDate(text.strip(), "day" if latest == day else "month", day, latest)
