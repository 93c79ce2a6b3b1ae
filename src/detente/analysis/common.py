"""Shared parts of the analyses: which events are historical, and the SQL that picks a
dyad's events.

What a user typed (actor names or codes, partial dates, periods) is read by
`detente.query` before an analysis runs, so every analysis gets stored codes and days.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from detente.records import dyad_key

QUAD_NAMES = {1: "verbal_cooperation", 2: "material_cooperation", 3: "verbal_conflict",
              4: "material_conflict"}

# An event is historical when it is dated (date_start) more than HISTORY_YEARS years
# before the publication date of the document reporting it: "the 1956 declaration" in
# an article of 2018. EVENTS.md codes such events, but a timeline left to include them
# stretches over decades of empty periods, so timelines leave them out by default.
HISTORY_YEARS = 5


def dyad_clause(a: str, b: str, both_directions: bool, alias: str = ""
                ) -> tuple[str, list[Any]]:
    """SQL matching events A→B (and B→A with `both_directions`); `alias` like "e.".

    Both directions are one equality on `events.dyad`, which DuckDB checks while it reads
    Parquet files, decoding the other columns of matching rows only; (A→B or B→A) it
    checks only after decoding every row.

    >>> dyad_clause("RUS", "JPN", True)
    ('dyad = ?', ['JPN RUS'])
    """
    if both_directions and a != b:
        return f"{alias}dyad = ?", [dyad_key(a, b)]
    return f"({alias}source_code = ? AND {alias}target_code = ?)", [a, b]


def historical_sql(alias: str = "") -> str:
    """SQL that is true for a historical event (see HISTORY_YEARS): one dated more than
    HISTORY_YEARS years before its document's publication date (`doc_date`, stored with
    the event). An event whose document has no date is never historical. `alias` is the
    events table's, like "e.".

    >>> historical_sql("e.")
    'coalesce(e.date_start < e.doc_date - INTERVAL 5 YEAR, FALSE)'
    """
    return (f"coalesce({alias}date_start < {alias}doc_date - INTERVAL {HISTORY_YEARS} YEAR,"
            " FALSE)")


def dyad_where(a: str, b: str, both_directions: bool, since: dt.date | None,
               until: dt.date | None, alias: str = "", *, history: bool = True,
               table: str = "events") -> tuple[str, list[Any]]:
    """The WHERE clause of a dyad's analysable events in `table` (`events`, or
    `canonical_events`): dated, not negated, in range; without `history`, not historical
    either."""
    clause, params = dyad_clause(a, b, both_directions, alias)
    clauses = [clause, f"NOT coalesce({alias}negated, FALSE)", f"{alias}date_start IS NOT NULL"]
    if not history:
        clauses.append(f"NOT {historical_sql(alias)}")
    in_range, bounds = range_clauses(since, until, alias)
    return " AND ".join(clauses + in_range), params + bounds


def range_clauses(since: dt.date | None, until: dt.date | None, alias: str = ""
                  ) -> tuple[list[str], list[Any]]:
    """The conditions (and their parameters) that keep events dated in [since, until]."""
    clauses: list[str] = []
    params: list[Any] = []
    if since:
        clauses.append(f"{alias}date_start >= ?")
        params.append(since)
    if until:
        clauses.append(f"{alias}date_start <= ?")
        params.append(until)
    return clauses, params


# A date is coarser than a period when the period cannot place it (a year-only date
# in a monthly series); such events sit in the period holding the date's first day.
COARSER = {"month": ("year",), "quarter": ("year",), "year": ()}


def range_text(since: dt.date | None, until: dt.date | None) -> str:
    if since and until:
        return f" from {since} to {until}"
    if since:
        return f" since {since}"
    if until:
        return f" until {until}"
    return ""
