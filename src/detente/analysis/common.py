"""Shared parts of the analyses: which events are historical, and the SQL that picks a
dyad's events.

What a user typed (actor names or codes, partial dates, periods) is read by
`detente.query` before an analysis runs, so every analysis gets stored codes and days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from detente.store import Store

QUAD_NAMES = {1: "verbal_cooperation", 2: "material_cooperation", 3: "verbal_conflict",
              4: "material_conflict"}

# An event is historical when it is dated (date_start) more than HISTORY_YEARS years
# before the publication date of the document reporting it: "the 1956 declaration" in
# an article of 2018. EVENTS.md codes such events, but a timeline left to include them
# stretches over decades of empty periods, so timelines leave them out by default.
HISTORY_YEARS = 5


def dyad_clause(a: str, b: str, both_directions: bool, alias: str = ""
                ) -> tuple[str, list[Any]]:
    """SQL matching events A→B (and B→A with `both_directions`); `alias` like "e."."""
    one = f"({alias}source_code = ? AND {alias}target_code = ?)"
    if both_directions:
        return f"({one} OR {one})", [a, b, b, a]
    return one, [a, b]


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


# The columns of a dyad's events that its analyses read (`dyad_events`), and in the
# canonical view those of its happenings.
DYAD_COLUMNS = ("event_id", "doc_id", "sentence_index", "date", "date_precision",
                "date_start", "source_code", "target_code", "plover", "quad_class",
                "goldstein", "confidence", "negated", "doc_date")
HAPPENING_COLUMNS = ("cluster_id", "articles")
DYAD_TABLE = "dyad_events"


@contextmanager
def dyad_events(store: Store, a: str, b: str, both_directions: bool, since: dt.date | None,
                until: dt.date | None, raw: bool) -> Iterator[str]:
    """The name of a temporary table of this connection holding the dyad's events that
    an analysis may count (not negated; dated in range, or undated), read once: each
    question of a timeline (counts, key events) reads it instead of the store, whose
    files hold every dyad's events (a second a question over 10M events)."""
    from detente.store import event_table  # on use: the CLI imports this module at start

    clause, params = dyad_clause(a, b, both_directions)
    in_range, bounds = range_clauses(since, until)
    dated = " AND ".join(["date_start IS NOT NULL", *in_range])
    columns = ", ".join((*DYAD_COLUMNS, *(() if raw else HAPPENING_COLUMNS)))
    store.con.execute(
        f"CREATE OR REPLACE TEMP TABLE {DYAD_TABLE} AS SELECT {columns}"
        f" FROM {event_table(raw)} WHERE {clause} AND NOT coalesce(negated, FALSE)"
        f" AND (date_start IS NULL OR ({dated}))", params + bounds)
    try:
        yield DYAD_TABLE
    finally:
        store.con.execute(f"DROP TABLE IF EXISTS {DYAD_TABLE}")


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
