"""One date parser for user input and metadata alike, built on python-dateutil.

`parse_date` reads every common form (ISO 8601 with time and zone, RFC 2822, Reuters'
"26-FEB-1987 18:04:52.91", numeric day-first or month-first dates, "19870226", "25 Mar 2015",
"March 2015", "2015") and keeps the precision that was written: "2019" stays a year,
"2024-02" a month; no day is made up. `first_day` and `last_day` turn an ISO date of any
precision into the days it spans.

>>> parse_date("Thu, 26 Feb 1987 18:04:52 GMT")
('1987-02-26', 'day')
>>> parse_date("2024-02"), last_day("2024-02")
(('2024-02', 'month'), datetime.date(2024, 2, 29))
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Literal

from dateutil import parser as dateutil_parser

from detente.errors import BadDateError
from detente.settings import Settings

__all__ = ["ACCEPTED", "Precision", "UnreadableDate", "first_day", "last_day", "parse_date",
           "read_date", "read_day"]

Precision = Literal["year", "month", "day"]

ACCEPTED = ("YYYY, YYYY-MM or YYYY-MM-DD (2015-03-25), an ISO 8601 datetime "
            "(2015-03-25T10:00:00+09:00), RFC 2822 ('Thu, 26 Feb 1987 18:04:52 GMT'), "
            "'26-FEB-1987 18:04:52.91', '25 Mar 2015', 'March 25, 2015', 'March 2015', "
            "YYYYMMDD (19870226) or a numeric date such as 26/02/1987 (month first unless the "
            "day_first setting is on)")

# dateutil fills fields the text lacks from a default: parsed under two defaults that differ
# in year, month and day, a field that comes out the same both times was written.
_DEFAULTS = (dt.datetime(2000, 1, 1), dt.datetime(2001, 2, 2))
# dateutil's dayfirst swaps month and day even after a leading year ("2015-03-04"), so
# year-first forms are always read year-month-day.
_YEAR_FIRST = re.compile(r"\d{4}(?:[-/.]|\d{4}(?!\d))")
# Feeds append junk after the time ("27-MAR-1987 08:45:34.42C G T M", an hour of 605);
# only the calendar date is kept, so a second try reads the text before the time.
_TIME_ON = re.compile(r"(?:T|\s)\s*\d{1,3}:\d{2}.*$", re.DOTALL)
# dateutil reads any run of small numbers as a date ("2 3 4" as 2004-02-03): numbers set
# apart by spaces alone are a list, not a date.
_SPACED_NUMBERS = re.compile(r"\d+(?:\s+\d+)+")


class UnreadableDate(ValueError):
    """`parse_date`'s error: the value, why it cannot be read, and the accepted forms."""

    def __init__(self, value: str, reason: str) -> None:
        super().__init__(f"cannot read the date {value!r} ({reason}); "
                         f"accepted forms: {ACCEPTED}")
        self.value, self.reason = value, reason


def parse_date(value: str, *, day_first: bool | None = None) -> tuple[str, Precision]:
    """A date given by a user or in metadata as (ISO date at its precision, precision).

    The calendar date is kept as written: time and time zone are dropped, never converted.
    `day_first` decides numeric dates that read both ways ("03/04/1987"); None takes the
    `day_first` setting's default (month first). Raises UnreadableDate, a ValueError
    naming the value, the reason and the accepted forms.

    >>> parse_date("26-FEB-1987 18:04:52.91")
    ('1987-02-26', 'day')
    >>> parse_date("2019"), parse_date("March 2015")
    (('2019', 'year'), ('2015-03', 'month'))
    >>> parse_date("03/04/1987"), parse_date("03/04/1987", day_first=True)
    (('1987-03-04', 'day'), ('1987-04-03', 'day'))
    """
    text = value.strip()
    if _SPACED_NUMBERS.fullmatch(text):
        raise UnreadableDate(value, "numbers set apart by spaces")
    dayfirst = (Settings.day_first if day_first is None else day_first) and \
        not _YEAR_FIRST.match(text)
    reasons = []
    for candidate in dict.fromkeys((text, _TIME_ON.sub("", text))):
        try:
            parsed = [dateutil_parser.parse(candidate, default=default, dayfirst=dayfirst,
                                            ignoretz=True) for default in _DEFAULTS]
        except (ValueError, OverflowError) as exc:
            reasons.append(str(exc).split(":")[0].lower())
            continue
        return _at_precision(parsed[0], parsed[1], value)
    raise UnreadableDate(value, reasons[0])


def _at_precision(a: dt.datetime, b: dt.datetime, value: str) -> tuple[str, Precision]:
    """The written fields of a date parsed under both defaults."""
    has_year, has_month, has_day = a.year == b.year, a.month == b.month, a.day == b.day
    if not has_year or (has_day and not has_month):
        raise UnreadableDate(value, "no year" if not has_year else "a day but no month")
    if has_day:
        return a.date().isoformat(), "day"
    if has_month:
        return f"{a.year:04d}-{a.month:02d}", "month"
    return f"{a.year:04d}", "year"


def read_date(value: str, name: str, *, day_first: bool | None = None,
              fix: str = "") -> tuple[str, Precision]:
    """`parse_date` for a named input (a parameter, a file or a line): an unreadable
    value is a BadDateError naming `name` (also kept as its `input`), the value and the
    accepted forms, followed by `fix` (another way out).

    >>> try:
    ...     read_date("yesterday", "since")
    ... except BadDateError as exc:
    ...     print(exc.message)
    since: 'yesterday' is not a date (unknown string format)
    """
    try:
        return parse_date(value, day_first=day_first)
    except UnreadableDate as exc:
        hint = f"Write the date in one of these forms: {ACCEPTED}."
        raise BadDateError(f"{name}: {value!r} is not a date ({exc.reason})",
                           hint=f"{hint} {fix}".strip(), input=name) from None


def read_day(value: str, name: str, *, end: bool = False, day_first: bool | None = None,
             fix: str = "") -> dt.date:
    """`read_date` as a day: the first day of a month or year, or with `end` the last
    (until "2014" runs through 2014-12-31).

    >>> read_day("March 2014", "until", end=True)
    datetime.date(2014, 3, 31)
    """
    iso, _precision = read_date(value, name, day_first=day_first, fix=fix)
    return last_day(iso) if end else first_day(iso)


def _fields(iso: str) -> tuple[int, int | None, int | None]:
    parts = iso.split("-")
    if not 1 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"{iso!r} is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)")
    numbers = [int(p) for p in parts]
    year = numbers[0]
    month, day = (numbers[1:] + [None, None])[:2]
    dt.date(year, month or 1, day or 1)  # raises ValueError on an impossible date
    return year, month, day


def first_day(iso: str) -> dt.date:
    """The first day an ISO date of any precision covers.

    >>> first_day("2014"), first_day("2014-02"), first_day("2014-02-10")
    (datetime.date(2014, 1, 1), datetime.date(2014, 2, 1), datetime.date(2014, 2, 10))
    """
    year, month, day = _fields(iso)
    return dt.date(year, month or 1, day or 1)


def last_day(iso: str) -> dt.date:
    """The last day an ISO date of any precision covers.

    >>> last_day("2014"), last_day("2014-02"), last_day("2014-02-10")
    (datetime.date(2014, 12, 31), datetime.date(2014, 2, 28), datetime.date(2014, 2, 10))
    """
    year, month, day = _fields(iso)
    if month is None:
        return dt.date(year, 12, 31)
    return dt.date(year, month, day or calendar.monthrange(year, month)[1])
