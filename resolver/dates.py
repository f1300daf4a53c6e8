"""Partial dates (cypher/README.md, "Dates and the as-of rule"): '2019-05-17' a day, '2019-05-00' or
'2019-05' May 2019, '2019-00-00' or '2019' the year 2019; None, '' or whitespace is unknown.

A partial date denotes a range of days: ``earliest`` is the first day it may mean, ``latest`` the last
(cypher/README.md stores them as validFrom / validFromLatest and validTo / validToLatest).

Accepted shapes, after stripping surrounding whitespace (``text`` keeps the stripped input verbatim):
``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` with 4-digit years 0001-9999, ``MM`` 00-12, ``DD`` 00-31, where
``00`` means unknown (LittleSis's convention; ``YYYY-00-DD``, a day without its month, is refused);
ISO 8601 basic ``YYYYMMDD`` (NHS ODS: "20130401"); and ISO timestamps ("2021-03-01T12:00:00Z",
"2021-03-01 09:30:00+01:00", GOV.UK's ``closed_at``), read as the calendar day written in them (the
offset is not applied: the source's own day is the day it meant). Other shapes take an explicit
``date_format`` (``strptime`` directives; its precision is the finest of %d, %m, %Y/%y it uses).
Everything else raises DateError naming the field and the text: impossible days ("2019-02-30"),
months 13+, year 0, other separators or orders ("2019/05/17", "17-05-2019"), words ("soon").
A date is never coerced to the first of a month.

``parse_as_of`` reads the ``--as-of`` of the read commands with the same rules: a day, a month or a year
(the mode then decides: certain means the whole period, possible any day of it).
"""

from __future__ import annotations

import calendar
import functools
import re
from datetime import date, datetime

from resolver.errors import DateError
from resolver.model import PartialDate, Precision

_DATE_RE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")  # ASCII digits only, not \d
_BASIC_RE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")  # ISO 8601 basic: 20130401
_TIMESTAMP_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]{1,9})?)?"
    r"(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?"
)
MAX_DATE_TEXT = 40  # longer texts are cut in error messages


def _shown(text: str) -> str:
    return repr(text if len(text) <= MAX_DATE_TEXT else text[:MAX_DATE_TEXT] + "...")


def parse_partial_date(text: str | None, *, field: str, date_format: str | None = None) -> PartialDate | None:
    """The partial date ``text`` denotes, None when it is unknown; DateError (naming ``field``) if invalid.

    >>> parse_partial_date("20130401", field="start").earliest
    datetime.date(2013, 4, 1)
    >>> parse_partial_date("2021-03-01T12:00:00Z", field="end").precision
    'day'
    >>> parse_partial_date("01/04/2013", field="start", date_format="%d/%m/%Y").earliest
    datetime.date(2013, 4, 1)
    """
    if text is None:
        return None
    if date_format is not None:
        return _parse_with_format(text, date_format, field)
    return _parse(text, field)


def parse_as_of(text: str, *, field: str = "--as-of") -> PartialDate:
    """The day, month or year an as-of option names ("2014", "2014-04", "2014-04-15", "20140415").

    >>> parse_as_of("2014-04").latest
    datetime.date(2014, 4, 30)
    """
    found = parse_partial_date(text, field=field)
    if found is None:
        raise DateError("is empty: give a day (2019-05-15), a month (2019-05) or a year (2019)", field=field)
    return found


def as_of_text(day: PartialDate) -> str:
    """The canonical text the templates read: '2014', '2014-04' or '2014-04-15'.

    >>> as_of_text(parse_as_of("20140415"))
    '2014-04-15'
    """
    if day.precision == "year":
        return f"{day.earliest.year:04d}"
    if day.precision == "month":
        return f"{day.earliest.year:04d}-{day.earliest.month:02d}"
    return day.earliest.isoformat()


def _parse_with_format(text: str, date_format: str, field: str) -> PartialDate | None:
    stripped = text.strip()
    if not stripped:
        return None
    try:
        parsed = datetime.strptime(stripped, date_format).date()
    except ValueError:
        raise DateError(
            f"{_shown(stripped)} does not match --date-format {date_format!r}", field=field
        ) from None
    if "%d" in date_format or "%j" in date_format:
        return PartialDate(text=stripped, precision="day", earliest=parsed, latest=parsed)
    if "%m" in date_format or "%b" in date_format or "%B" in date_format:
        last = calendar.monthrange(parsed.year, parsed.month)[1]
        return PartialDate(stripped, "month", parsed.replace(day=1), parsed.replace(day=last))
    return PartialDate(stripped, "year", date(parsed.year, 1, 1), date(parsed.year, 12, 31))


@functools.lru_cache(maxsize=65_536)  # files repeat their dates; a PartialDate is immutable
def _parse(text: str, field: str) -> PartialDate | None:
    stripped = text.strip()
    if not stripped:
        return None
    match = _DATE_RE.fullmatch(stripped) or _BASIC_RE.fullmatch(stripped)
    if match is None and (stamp := _TIMESTAMP_RE.fullmatch(stripped)) is not None:
        return _day(stripped, int(stamp[1]), int(stamp[2]), int(stamp[3]), field)
    if match is None:
        hint = "YYYY-MM-DD, YYYY-MM-00, YYYY-00-00, YYYY-MM, YYYY, YYYYMMDD or an ISO timestamp"
        raise DateError(
            f"{_shown(stripped)} is not a date (expected {hint}; other shapes: --date-format)", field=field
        )
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


def _day(text: str, year: int, month: int, day: int, field: str) -> PartialDate:
    """A whole day (from a timestamp): no unknown parts allowed."""
    try:
        found = date(year, month, day)
    except ValueError as exc:
        raise DateError(f"{_shown(text)} is not a real day ({exc})", field=field) from None
    return PartialDate(text=text, precision="day", earliest=found, latest=found)


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
