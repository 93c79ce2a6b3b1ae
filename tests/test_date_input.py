"""The one date parser for user input and metadata (detente.date_input)."""

from __future__ import annotations

import datetime as dt
import doctest

import pytest

from detente import date_input
from detente.date_input import UnreadableDate, first_day, last_day, parse_date, read_date, read_day
from detente.errors import BadDateError
from detente.settings import load_settings

FORMS = [
    # ISO 8601 dates and datetimes; the calendar date is kept as written, never converted
    ("2015", ("2015", "year")),
    ("2015-03", ("2015-03", "month")),
    ("2015-03-25", ("2015-03-25", "day")),
    (" 2015-03-25 ", ("2015-03-25", "day")),
    ("2015-03-25T10:00:00+09:00", ("2015-03-25", "day")),
    ("2015-03-25T23:30:00-11:00", ("2015-03-25", "day")),
    ("2015-03-25T00:10:00Z", ("2015-03-25", "day")),
    ("2015-03-25 10:31", ("2015-03-25", "day")),
    ("2016-02-29", ("2016-02-29", "day")),
    # RFC 2822 and Reuters-21578's own DATE field, with the junk some of its stories carry
    ("Thu, 26 Feb 1987 18:04:52 GMT", ("1987-02-26", "day")),
    ("Thu, 26 Feb 1987 18:04:52 +0100", ("1987-02-26", "day")),
    ("26-FEB-1987 18:04:52.91", ("1987-02-26", "day")),
    ("27-MAR-1987 08:45:34.42C G T M", ("1987-03-27", "day")),
    ("31-MAR-1987 605:12:19.12", ("1987-03-31", "day")),
    # numeric dates: unambiguous ones read right whatever the setting
    ("26/02/1987", ("1987-02-26", "day")),
    ("02/26/1987", ("1987-02-26", "day")),
    ("19870226", ("1987-02-26", "day")),
    # written forms
    ("25 Mar 2015", ("2015-03-25", "day")),
    ("25 March 2015", ("2015-03-25", "day")),
    ("March 25, 2015", ("2015-03-25", "day")),
    ("march 25 2015", ("2015-03-25", "day")),
    ("Wednesday, 25 March 2015", ("2015-03-25", "day")),
    ("March 2015", ("2015-03", "month")),
    ("Mar 2015", ("2015-03", "month")),
]


@pytest.mark.parametrize(("value", "expected"), FORMS)
def test_every_form_is_read_at_its_precision(value: str, expected: tuple[str, str]) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["2015-03-25", "2015/03/25", "20150325", "1987-02-26T10:00Z"])
def test_year_first_dates_are_never_swapped_by_day_first(value: str) -> None:
    # dateutil's own dayfirst would read 2015-03-25 as fine but 2015-03-04 as 3 April
    assert parse_date(value, day_first=True) == parse_date(value, day_first=False)
    assert parse_date("2015-03-04", day_first=True) == ("2015-03-04", "day")


def test_day_first_decides_ambiguous_numeric_dates_only() -> None:
    assert parse_date("03/04/1987", day_first=False) == ("1987-03-04", "day")
    assert parse_date("03/04/1987", day_first=True) == ("1987-04-03", "day")
    assert parse_date("26/02/1987", day_first=False) == ("1987-02-26", "day")
    assert parse_date("02/26/1987", day_first=True) == ("1987-02-26", "day")
    # None takes the setting's default: month first
    assert parse_date("03/04/1987") == parse_date("03/04/1987", day_first=False)


def test_day_first_setting_from_env_and_flag() -> None:
    assert load_settings({}, env={}).day_first is False
    assert load_settings({}, env={"DETENTE_DAY_FIRST": "1"}).day_first is True
    assert load_settings({"day_first": True}, env={}).day_first is True


@pytest.mark.parametrize(("value", "reason"), [
    ("", "string does not contain a date"),
    ("yesterday", "unknown string format"),
    ("not a date", "unknown string format"),
    ("2015-13-01", "month must be in 1..12"),
    ("2015-02-29", "day is out of range for month"),
    ("March 32, 2015", "day is out of range for month"),
    ("0000", "day is out of range for month"),  # dateutil's words for year 0
    ("March 25", "no year"),
    ("Monday", "no year"),
    ("2 3 4", "numbers set apart by spaces"),
])
def test_unreadable_dates_name_the_value_the_reason_and_the_forms(value: str,
                                                                  reason: str) -> None:
    with pytest.raises(UnreadableDate) as info:
        parse_date(value)
    message = str(info.value)
    assert f"cannot read the date {value!r} ({reason})" in message
    assert "accepted forms: YYYY, YYYY-MM or YYYY-MM-DD" in message
    assert isinstance(info.value, ValueError)


def test_read_date_names_the_input_and_the_fix() -> None:
    with pytest.raises(BadDateError) as info:
        read_date("someday", "--since", fix="Or drop --since.")
    assert info.value.message == "--since: 'someday' is not a date (unknown string format)"
    assert info.value.hint.startswith("Write the date in one of these forms: YYYY, YYYY-MM")
    assert info.value.hint.endswith("Or drop --since.")
    assert read_date("2014-03", "--since") == ("2014-03", "month")


def test_read_day_gives_a_period_first_or_last_day() -> None:
    assert read_day("2016-02", "--until", end=True) == dt.date(2016, 2, 29)
    assert read_day("2016-02", "--since") == dt.date(2016, 2, 1)
    assert read_day("Thu, 26 Feb 1987 18:04:52 GMT", "--until", end=True) == dt.date(1987, 2, 26)


@pytest.mark.parametrize(("iso", "first", "last"), [
    ("2014", dt.date(2014, 1, 1), dt.date(2014, 12, 31)),
    ("2014-02", dt.date(2014, 2, 1), dt.date(2014, 2, 28)),
    ("2016-02", dt.date(2016, 2, 1), dt.date(2016, 2, 29)),
    ("2014-12", dt.date(2014, 12, 1), dt.date(2014, 12, 31)),
    ("2014-09-24", dt.date(2014, 9, 24), dt.date(2014, 9, 24)),
])
def test_first_and_last_day_of_any_precision(iso: str, first: dt.date, last: dt.date) -> None:
    assert (first_day(iso), last_day(iso)) == (first, last)


@pytest.mark.parametrize("iso", ["March 2014", "2014-13", "2014-02-30", "", "2014-1-2-3"])
def test_first_day_refuses_what_is_not_an_iso_date(iso: str) -> None:
    with pytest.raises(ValueError, match="ISO date|month|day"):
        first_day(iso)


def test_docstring_examples_run() -> None:
    assert doctest.testmod(date_input).failed == 0
