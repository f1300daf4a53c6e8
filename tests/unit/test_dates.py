"""Partial dates: golden cases, invalid texts, Hypothesis properties, spell_problem."""

from __future__ import annotations

import calendar
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resolver.dates import as_of_text, parse_as_of, parse_partial_date, spell_problem
from resolver.errors import DateError, RowError
from resolver.model import PartialDate


@pytest.mark.parametrize(
    ("text", "precision", "earliest", "latest"),
    [
        ("2019-05-17", "day", date(2019, 5, 17), date(2019, 5, 17)),
        ("2019-05-00", "month", date(2019, 5, 1), date(2019, 5, 31)),
        ("2019-05", "month", date(2019, 5, 1), date(2019, 5, 31)),
        ("2019-00-00", "year", date(2019, 1, 1), date(2019, 12, 31)),
        ("2019", "year", date(2019, 1, 1), date(2019, 12, 31)),
        ("2020-02-00", "month", date(2020, 2, 1), date(2020, 2, 29)),
        ("2019-02-00", "month", date(2019, 2, 1), date(2019, 2, 28)),
        ("2020-02-29", "day", date(2020, 2, 29), date(2020, 2, 29)),
        ("1882-00-00", "year", date(1882, 1, 1), date(1882, 12, 31)),
        ("0001-01-01", "day", date(1, 1, 1), date(1, 1, 1)),
        ("9999-12-00", "month", date(9999, 12, 1), date(9999, 12, 31)),
    ],
)
def test_golden(text: str, precision: str, earliest: date, latest: date) -> None:
    assert parse_partial_date(text, field="start") == PartialDate(text, precision, earliest, latest)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", [None, "", " ", "\t\n"])
def test_unknown(text: str | None) -> None:
    assert parse_partial_date(text, field="start") is None


def test_surrounding_whitespace_is_stripped() -> None:
    parsed = parse_partial_date(" 2019-05-00 \n", field="end")
    assert parsed is not None and parsed.text == "2019-05-00" and parsed.precision == "month"


@pytest.mark.parametrize(
    "text",
    [
        "2019-13-45",
        "2019-02-30",
        "2019-02-29",
        "2019-04-31",
        "2019-13-00",
        "2019-13",
        "2019-00-05",
        "0000-00-00",
        "0000",
        "soon",
        "tomorrow",
        "2019-5-1",
        "2019/05/17",
        "17-05-2019",
        "99999-01-01",
        "19",
        "2019-05-17T25",
        "2019-05-17 10",
        "20190230",
        "201905",
        "٢٠١٩",  # Arabic-Indic digits: only ASCII digits are dates
        "2019-05-17x",
        "-2019",
    ],
)
def test_invalid_names_field_and_text(text: str) -> None:
    with pytest.raises(DateError) as info:
        parse_partial_date(text, field="end_date")
    error = info.value
    assert isinstance(error, RowError) and error.field == "end_date" and error.code == "invalid_date"
    assert str(error).startswith("end_date: ") and repr(text.strip()[:40])[1:-1] in str(error)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("20130401", date(2013, 4, 1)),  # ISO 8601 basic, as NHS ODS writes it
        ("2021-03-01T12:00:00Z", date(2021, 3, 1)),  # GOV.UK closed_at
        ("2021-03-01T23:30:00.000+01:00", date(2021, 3, 1)),  # the day written, offset not applied
        ("2021-03-01 09:30", date(2021, 3, 1)),
    ],
)
def test_basic_dates_and_timestamps_are_days(text: str, day: date) -> None:
    found = parse_partial_date(text, field="start")
    assert found is not None and found.precision == "day" and found.earliest == found.latest == day
    assert found.text == text


def test_impossible_timestamp_names_the_field() -> None:
    with pytest.raises(DateError, match="start: .*not a real day"):
        parse_partial_date("2021-02-30T00:00:00Z", field="start")


def test_date_format_gives_its_precision() -> None:
    day = parse_partial_date("01/04/2013", field="start", date_format="%d/%m/%Y")
    month = parse_partial_date("Apr 2013", field="start", date_format="%b %Y")
    assert day is not None and (day.precision, day.earliest) == ("day", date(2013, 4, 1))
    assert month is not None and (month.precision, month.latest) == ("month", date(2013, 4, 30))
    assert parse_partial_date("  ", field="start", date_format="%d/%m/%Y") is None
    with pytest.raises(DateError, match="start: .*--date-format '%d/%m/%Y'"):
        parse_partial_date("2013-04-01", field="start", date_format="%d/%m/%Y")


@pytest.mark.parametrize(
    ("text", "canonical", "first", "last"),
    [
        ("2014", "2014", date(2014, 1, 1), date(2014, 12, 31)),
        ("2014-04", "2014-04", date(2014, 4, 1), date(2014, 4, 30)),
        ("2014-04-00", "2014-04", date(2014, 4, 1), date(2014, 4, 30)),
        ("2014-04-15", "2014-04-15", date(2014, 4, 15), date(2014, 4, 15)),
        ("20140415", "2014-04-15", date(2014, 4, 15), date(2014, 4, 15)),
    ],
)
def test_as_of_takes_a_year_a_month_or_a_day(text: str, canonical: str, first: date, last: date) -> None:
    found = parse_as_of(text)
    assert (as_of_text(found), found.earliest, found.latest) == (canonical, first, last)


def test_as_of_refuses_empty_and_nonsense() -> None:
    with pytest.raises(DateError, match="--as-of"):
        parse_as_of(" ")
    with pytest.raises(DateError, match="--as-of"):
        parse_as_of("2014-13")


def test_long_garbage_is_cut_in_the_message() -> None:
    with pytest.raises(DateError) as info:
        parse_partial_date("x" * 10_000, field="start")
    assert len(str(info.value)) < 200


@st.composite
def date_parts(draw: st.DrawFn) -> tuple[int, int, int]:
    year = draw(st.integers(1, 9999))
    month = draw(st.integers(0, 12))
    day = 0 if month == 0 else draw(st.integers(0, calendar.monthrange(year, month)[1]))
    return year, month, day


@given(date_parts(), st.booleans())
def test_valid_texts_round_trip(parts: tuple[int, int, int], short: bool) -> None:
    year, month, day = parts
    if short and day == 0:
        text = f"{year:04d}" if month == 0 else f"{year:04d}-{month:02d}"
    else:
        text = f"{year:04d}-{month:02d}-{day:02d}"
    parsed = parse_partial_date(text, field="start")
    assert parsed is not None
    assert parsed.text == text
    assert parsed.earliest <= parsed.latest
    assert parsed.precision == ("year" if month == 0 else "month" if day == 0 else "day")
    assert parsed.earliest.year == parsed.latest.year == year
    if month:
        assert parsed.earliest.month == parsed.latest.month == month
        assert parsed.earliest.day == (day or 1)
        assert parsed.latest.day == (day or calendar.monthrange(year, month)[1])
    else:
        assert (parsed.earliest, parsed.latest) == (date(year, 1, 1), date(year, 12, 31))
    assert parse_partial_date(parsed.text, field="start") == parsed


@given(st.integers(1, 9999), st.integers(1, 12), st.integers(1, 99))
def test_impossible_days_rejected(year: int, month: int, day: int) -> None:
    text = f"{year:04d}-{month:02d}-{day:02d}"
    if day <= calendar.monthrange(year, month)[1]:
        assert parse_partial_date(text, field="start") is not None
    else:
        with pytest.raises(DateError, match="start"):
            parse_partial_date(text, field="start")


@given(st.text(max_size=30))
def test_any_text_is_a_date_none_or_date_error(text: str) -> None:
    try:
        parsed = parse_partial_date(text, field="f")
    except DateError as error:
        assert error.field == "f"
    else:
        assert parsed is None or parsed.earliest <= parsed.latest


def _d(text: str) -> PartialDate:
    parsed = parse_partial_date(text, field="x")
    assert parsed is not None
    return parsed


@pytest.mark.parametrize(
    ("start", "end", "problem"),
    [
        ("2019-05-17", "2019-05-16", True),
        ("2019-05-15", "2019-05-00", False),  # May may run on to the 31st
        ("2019-05-00", "2019-05-01", False),
        ("2019-06-00", "2019-05-31", True),
        ("2019", "2019-01-01", False),
        ("2019", "2018-00-00", True),
        ("2019-05-17", "2019-05-17", False),
        ("2020", "2019-12", True),
    ],
)
def test_spell_problem(start: str, end: str, problem: bool) -> None:
    reason = spell_problem(_d(start), _d(end))
    assert (reason is not None) == problem
    if reason:
        assert start in reason and end in reason


def test_spell_problem_unknown_bounds() -> None:
    assert spell_problem(None, _d("2019")) is None
    assert spell_problem(_d("2019"), None) is None
    assert spell_problem(None, None) is None


@given(date_parts(), date_parts())
def test_spell_problem_iff_certainly_inverted(a: tuple[int, int, int], b: tuple[int, int, int]) -> None:
    start, end = _d("{:04d}-{:02d}-{:02d}".format(*a)), _d("{:04d}-{:02d}-{:02d}".format(*b))
    assert (spell_problem(start, end) is not None) == (end.latest < start.earliest)
