"""Partial dates (design.md §3): '2019-05-17' a day, '2019-05-00' or '2019-05' May 2019, '2019-00-00' or
'2019' the year 2019; None, '' or whitespace is unknown.

A partial date denotes a range of days: ``earliest`` is the first day it may mean, ``latest`` the last
(cypher/README.md stores them as validFrom / validFromLatest and validTo / validToLatest).

Accepted shapes, after stripping surrounding whitespace (``text`` keeps the stripped input verbatim):
``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` with 4-digit years 0001-9999, ``MM`` 00-12, ``DD`` 00-31, where
``00`` means unknown (LittleSis's convention; ``YYYY-00-DD``, a day without its month, is refused).
Everything else raises DateError naming the field and the text: impossible days ("2019-02-30"),
months 13+, year 0, other separators or orders ("2019/05/17", "17-05-2019"), words ("soon").
A date is never coerced to the first of a month. ISO datetimes ("2019-05-17T00:00:00Z") are refused
with a hint: no start or end column in the project's data (nhs-ods, govuk, uk-local-authorities,
LittleSis) carries one, and a time with an offset does not name one day without a time zone rule.
"""

from __future__ import annotations

import calendar
import functools
import re
from datetime import date

from resolver.errors import DateError
from resolver.model import PartialDate, Precision

_DATE_RE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")  # ASCII digits only, not \d
_DATETIME_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}")
MAX_DATE_TEXT = 40  # longer texts are cut in error messages


def _shown(text: str) -> str:
    return repr(text if len(text) <= MAX_DATE_TEXT else text[:MAX_DATE_TEXT] + "...")


def parse_partial_date(text: str | None, *, field: str) -> PartialDate | None:
    """The partial date ``text`` denotes, None when it is unknown; DateError (naming ``field``) if invalid."""
    if text is None:
        return None
    return _parse(text, field)


@functools.lru_cache(maxsize=65_536)  # files repeat their dates; a PartialDate is immutable
def _parse(text: str, field: str) -> PartialDate | None:
    stripped = text.strip()
    if not stripped:
        return None
    match = _DATE_RE.fullmatch(stripped)
    if match is None:
        hint = "YYYY-MM-DD, YYYY-MM-00, YYYY-00-00, YYYY-MM or YYYY"
        if _DATETIME_RE.match(stripped):
            hint = "a date without a time: " + hint
        raise DateError(f"{_shown(stripped)} is not a date (expected {hint})", field=field)
    year = int(match[1])
    month = int(match[2]) if match[2] is not None else 0
    day = int(match[3]) if match[3] is not None else 0
    if year == 0:
        raise DateError(f"{_shown(stripped)} has year 0 (years run from 0001)", field=field)
    if month > 12:
        raise DateError(f"{_shown(stripped)} has month {month:02d} (01-12, or 00 for unknown)", field=field)
    if month == 0 and day != 0:
        raise DateError(f"{_shown(stripped)} has a day but no month", field=field)
    precision: Precision
    if month == 0:
        precision, earliest, latest = "year", date(year, 1, 1), date(year, 12, 31)
    else:
        last = calendar.monthrange(year, month)[1]
        if day == 0:
            precision, earliest, latest = "month", date(year, month, 1), date(year, month, last)
        elif day > last:
            raise DateError(
                f"{_shown(stripped)} does not exist ({calendar.month_name[month]} {year} has {last} days)",
                field=field,
            )
        else:
            precision = "day"
            earliest = latest = date(year, month, day)
    return PartialDate(text=stripped, precision=precision, earliest=earliest, latest=latest)


def spell_problem(start: PartialDate | None, end: PartialDate | None) -> str | None:
    """Why a spell is impossible (its end is certainly before its start), or None.

    Bounds are compared as intervals: start '2019-05-15' with end '2019-05-00' is fine (May may run on to
    the 31st); only ``end.latest < start.earliest`` is a problem. An unknown bound is never a problem.
    """
    if start is None or end is None or end.latest >= start.earliest:
        return None
    return (
        f"end {end.text!r} (at the latest {end.latest.isoformat()}) is before "
        f"start {start.text!r} (at the earliest {start.earliest.isoformat()})"
    )
