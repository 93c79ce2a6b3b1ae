"""Query parameters shared by the routes: periods, PLOVER types, pagination.

Bad values raise the library's InputError, which the app turns into a 400 in the one
error shape, with a hint naming the accepted forms.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Query

from detente.date_input import read_day
from detente.errors import InputError

Since = Annotated[str | None, Query(description="Earliest event date: YYYY, YYYY-MM or "
                                                "YYYY-MM-DD (the period's first day).",
                                    max_length=10)]
Until = Annotated[str | None, Query(description="Latest event date: YYYY, YYYY-MM or "
                                                "YYYY-MM-DD (through the period's last day).",
                                    max_length=10)]
Limit = Annotated[int, Query(ge=1, le=1000, description="Page size (1–1000).")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Rows to skip.")]


def period_bound(value: str | None, name: str, end: bool = False) -> dt.date | None:
    """A date or period (any form `parse_date` reads) as its first day, or with `end`
    as its last day.

    >>> period_bound("2014-02", "until", end=True)
    datetime.date(2014, 2, 28)
    >>> period_bound("2014", "since")
    datetime.date(2014, 1, 1)
    """
    if value is None or not value.strip():
        return None
    return read_day(value, name, end=end)


def date_range(since: str | None, until: str | None) -> tuple[dt.date | None, dt.date | None]:
    """`since` as a period's first day and `until` as its last; refuses a reversed range."""
    first, last = period_bound(since, "since"), period_bound(until, "until", end=True)
    if first and last and first > last:
        raise InputError(f"since {since} is after until {until}", hint="Swap the two dates.")
    return first, last


def plover_type(value: str | None) -> str | None:
    """A PLOVER type name (old names such as DEMAND are mapped to the current ones)."""
    if value is None or not value.strip():
        return None
    from detente.coding.ontology import PLOVER_TYPES, normalise_type

    name = normalise_type(value)
    if name not in PLOVER_TYPES:
        raise InputError(f"unknown event type {value!r}",
                         hint="Use a PLOVER type: " + ", ".join(PLOVER_TYPES) + ".")
    return name
