"""Dyad timelines: per period, events per quad class and Goldstein totals, A→B, B→A, both.

A timeline counts canonical events, one per happening however many articles report it
(`canonical_events`); with `raw=True` it counts every report, as detente did before
deduplication.

By default a timeline leaves out historical events (dated more than HISTORY_YEARS years
before their article, see `common.historical_sql`), so its periods run over the years the
dyad's news covers; it counts what it left out, and `history=True` brings them in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from detente import query
from detente.analysis.common import (
    COARSER,
    HISTORY_YEARS,
    QUAD_NAMES,
    dyad_clause,
    historical_sql,
    range_clauses,
    range_text,
)
from detente.analysis.key_events import KeyEvent, rank_key_events
from detente.dates import Period, next_period, period_key, period_start, period_starts
from detente.errors import InputError
from detente.frames import Tabular, arrow_table
from detente.jsonio import json_ready
from detente.settings import Settings
from detente.store import DbLike, Store, event_table, reading

if TYPE_CHECKING:
    import pyarrow as pa

BOTH = "both"
# The temporary table of a dyad's rows (`dyad_rows`), on the connection of one timeline,
# and its columns.
DYAD_ROWS = "detente_dyad_rows"
LIGHT_COLUMNS = ("dyad", "source_code", "target_code", "plover", "quad_class", "goldstein",
                 "negated", "date_start", "date_precision", "doc_date")
# The columns of `Timeline.to_arrow()`: one row per period and direction.
ROW_TYPES = {
    "period": "str", "start": "date", "end": "date", "direction": "str", "source": "str",
    "target": "str", "verbal_cooperation": "int64", "material_cooperation": "int64",
    "verbal_conflict": "int64", "material_conflict": "int64", "events": "int64",
    "goldstein_sum": "float64", "goldstein_mean": "float64", "net_cooperation": "int64",
    "imprecise": "int64", "documents": "int64",
}


@dataclass(frozen=True)
class TimelineRow:
    """One period of one direction. `net_cooperation` = cooperation − conflict events;
    `imprecise` counts events dated less precisely than the period (a year-only date
    in a monthly series), placed in the period holding the date's first day.
    `documents` is the store's volume in the period: the documents published in it, of
    any dyad (a document dated to its year only counts in its first period), so that
    `events / documents` compares periods that the news covered unevenly; in the
    canonical view a story (a cluster of near duplicates) counts once, in the period of
    its first document."""

    period: str
    start: dt.date
    end: dt.date
    direction: str
    source: str | None
    target: str | None
    verbal_cooperation: int = 0
    material_cooperation: int = 0
    verbal_conflict: int = 0
    material_conflict: int = 0
    events: int = 0
    goldstein_sum: float = 0.0
    goldstein_mean: float | None = None
    net_cooperation: int = 0
    imprecise: int = 0
    documents: int = 0

    @property
    def cooperation(self) -> int:
        return self.verbal_cooperation + self.material_cooperation

    @property
    def conflict(self) -> int:
        return self.verbal_conflict + self.material_conflict

    def to_dict(self) -> dict[str, Any]:
        # Field by field: `asdict` deep-copies every field, a cost that shows over the
        # hundreds of rows of a monthly series.
        data = {name: getattr(self, name) for name in ROW_TYPES}
        data["start"], data["end"] = self.start.isoformat(), self.end.isoformat()
        return data


@dataclass(frozen=True)
class Timeline(Tabular):
    """A dyad's event series. `rows` holds every period of every direction, zeros
    included, so series are continuous; `key_events` are the dyad's top events in
    the range, for labelling plots; `message` explains an empty result.

    `historical` counts the historical events in the range, dated from
    `historical_first` to `historical_last`; they are in the series only with
    `history`, and `history_note` says when they were left out. `raw` says whether it
    counts every report or canonical events (the default)."""

    a: str
    b: str
    by: Period
    both_directions: bool
    since: dt.date | None
    until: dt.date | None
    periods: tuple[str, ...]
    rows: tuple[TimelineRow, ...]
    key_events: tuple[KeyEvent, ...] = ()
    total_events: int = 0
    undated: int = 0
    message: str = ""
    directions: tuple[str, ...] = field(default=())
    history: bool = False
    historical: int = 0
    historical_first: dt.date | None = None
    historical_last: dt.date | None = None
    raw: bool = False

    @property
    def empty(self) -> bool:
        return self.total_events == 0

    @property
    def history_note(self) -> str:
        """What was left out, e.g. '2 historical events (1904–1956) left out: dated more
        than 5 years before their articles'; empty when nothing was. Each surface adds
        how to bring them in (--history, history=true)."""
        if self.history or not self.historical:
            return ""
        first = self.historical_first.year if self.historical_first else None
        last = self.historical_last.year if self.historical_last else None
        years = f"{first}" if first == last else f"{first}–{last}"
        one = self.historical == 1
        return (f"{self.historical} historical event{'' if one else 's'} ({years}) left out: "
                f"dated more than {HISTORY_YEARS} years before "
                f"{'its article' if one else 'their articles'}")

    def series(self, direction: str = BOTH) -> list[TimelineRow]:
        """The rows of one direction ("JPN->RUS", "RUS->JPN" or "both"), in period order."""
        if direction not in self.directions:
            raise InputError(f"no direction {direction!r} in this timeline",
                             hint=f"Use one of: {', '.join(self.directions)}.")
        return [r for r in self.rows if r.direction == direction]

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a, "b": self.b, "by": self.by, "both_directions": self.both_directions,
            "since": json_ready(self.since), "until": json_ready(self.until),
            "directions": list(self.directions), "periods": list(self.periods),
            "total_events": self.total_events, "undated": self.undated,
            "message": self.message, "history": self.history, "historical": self.historical,
            "historical_first": json_ready(self.historical_first),
            "historical_last": json_ready(self.historical_last), "history_note": self.history_note,
            "raw": self.raw, "rows": [r.to_dict() for r in self.rows],
            "key_events": [k.to_dict() for k in self.key_events],
        }

    def to_arrow(self) -> pa.Table:
        """One row per period and direction, `start`/`end` as dates (`to_pandas()` and
        `to_polars()` give the same table)."""
        return arrow_table((asdict(r) for r in self.rows), ROW_TYPES)


def direction_label(source: str, target: str) -> str:
    return f"{source}->{target}"


def timeline(
    db: DbLike,
    a: str,
    b: str,
    by: str = "month",
    both_directions: bool = True,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    *,
    history: bool = False,
    labels: int = 6,
    raw: bool = False,
    settings: Settings | None = None,
) -> Timeline:
    """Events between two actors per period, by quad class, with Goldstein sums and means.

    `a` and `b` are codes or names ("JPN", "Japan", "G7"), names read with the actor
    files of `settings`; `since` and `until` are dates of any precision ("2014" runs
    from its first day to its last). With `both_directions` the result holds A→B, B→A
    and both together; otherwise A→B only. `labels` is how many key events to attach
    for plot labels.

    Historical events (dated more than HISTORY_YEARS years before their article) are
    left out and counted unless `history`; the periods then run from the first to the
    last period holding the other events, or from `since` to `until` where given.

    Each happening counts once, however many articles report it; `raw=True` counts every
    report (see `detente.query.view`).

    >>> t = timeline("detente.duckdb", "Japan", "RUS", by="year")  # doctest: +SKIP
    >>> [(r.period, r.events) for r in t.series("both")][:2]  # doctest: +SKIP
    [('2013', 4), ('2014', 11)]
    """
    settings = query.given(settings)
    period = query.period(by)
    first, last = query.date_range(since, until, settings)
    table = event_table(query.view(raw))
    with reading(db) as store:
        code_a, code_b = query.dyad(a, b, store, settings)
        with dyad_rows(store, table, code_a, code_b, both_directions, first, last) as rows:
            counts, undated, past = _dyad_counts(store, rows, period, history)
            marks = rank_key_events(store, code_a, code_b, labels, both_directions, first,
                                    last, history=history, raw=raw, light=rows)
        volume = _volume(store, period, raw)
    return build_timeline(code_a, code_b, period, both_directions, first, last, counts,
                          undated, tuple(marks), history=history, historical=past,
                          volume=volume, raw=raw)


@contextmanager
def dyad_rows(store: Store, table: str, a: str, b: str, both_directions: bool,
              since: dt.date | None, until: dt.date | None) -> Iterator[str]:
    """The name of a temporary table of the dyad's events in range (and the undated), not
    negated, with the columns the counts and the key events' first reading use: the
    dyad's rows are read once, the strings a timeline never shows (ids, evidence) not
    at all."""
    clause, params = dyad_clause(a, b, both_directions)
    in_range, bounds = range_clauses(since, until)
    dated = " AND ".join(["date_start IS NOT NULL", *in_range])
    columns = ", ".join([*LIGHT_COLUMNS, *(["articles"] if table == "canonical_events" else [])])
    store.con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {DYAD_ROWS} AS SELECT {columns} FROM {table}
            WHERE {clause} AND NOT coalesce(negated, FALSE)
                  AND (date_start IS NULL OR ({dated}))""", [*params, *bounds])
    try:
        yield DYAD_ROWS
    finally:
        store.con.execute(f"DROP TABLE IF EXISTS {DYAD_ROWS}")


def _dyad_counts(store: Store, table: str, by: Period, history: bool
                 ) -> tuple[list[tuple[Any, ...]], int, tuple[int, dt.date | None, dt.date | None]]:
    """The dyad's counts in one pass over its events (`table`, from `dyad_rows`): (source, target,
    period start, quad, n, Goldstein sum, n scored, imprecise) groups of the events the
    series counts (dated, historical ones only with `history`); the undated events (of
    any range); and the count, first and last date of the historical events in range
    (`build_timeline`'s `historical`)."""
    kept = "NOT undated" + ("" if history else " AND NOT historical")
    coarse = list(COARSER[by]) or [""]
    marks = ", ".join("?" for _ in coarse)
    # Aggregated in DuckDB: a dyad of GDELT size stays a few hundred rows here. One
    # query, not one per question: each would read the dyad's rows again.
    rows = store.con.execute(
        f"""
        SELECT source_code, target_code, date_trunc('{by}', date_start)::DATE AS start,
               quad_class, count(*) FILTER (WHERE {kept}) AS n,
               coalesce(sum(goldstein) FILTER (WHERE {kept}), 0) AS gs,
               count(goldstein) FILTER (WHERE {kept}) AS gn,
               count_if({kept} AND date_precision IN ({marks})) AS imprecise,
               count_if(undated) AS undated, count_if(historical) AS past,
               min(date_start) FILTER (WHERE historical) AS past_first,
               max(date_start) FILTER (WHERE historical) AS past_last
        FROM (SELECT *, date_start IS NULL AS undated, {historical_sql()} AS historical
              FROM {table})
        GROUP BY ALL ORDER BY start
        """,
        coarse,
    ).fetchall()
    counts = [row[:8] for row in rows if row[4]]
    undated = sum(row[8] for row in rows)
    firsts = [row[10] for row in rows if row[9]]
    lasts = [row[11] for row in rows if row[9]]
    past = (sum(row[9] for row in rows), min(firsts, default=None), max(lasts, default=None))
    return counts, undated, past


def _volume(store: Store, by: Period, raw: bool) -> dict[dt.date, int]:
    """The number of stored documents published in each period, by its first day; in the
    canonical view, of stories: a cluster of near duplicates counts once, in the period
    of its first document."""
    # A cluster's first document is the one with no similarity to an earlier one (a
    # document stored before deduplication has none either: a story of its own). A NULL
    # test, not `canonical_id = doc_id`: comparing ids reads two strings of every document.
    counted = "" if raw else " FILTER (WHERE similarity IS NULL)"
    rows = store.con.execute(
        f"SELECT date_trunc('{by}', date)::DATE, count(*){counted} FROM documents"
        " WHERE date IS NOT NULL GROUP BY ALL").fetchall()
    return {period_start(start, by): n for start, n in rows}


def build_timeline(a: str, b: str, by: Period, both_directions: bool, since: dt.date | None,
                   until: dt.date | None, counts: list[tuple[Any, ...]], undated: int,
                   marks: tuple[KeyEvent, ...], *, history: bool = False,
                   historical: tuple[int, dt.date | None, dt.date | None] = (0, None, None),
                   volume: dict[dt.date, int] | None = None, raw: bool = False) -> Timeline:
    """Fold (source, target, start, quad, n, sum, n_scored, imprecise) groups into rows.
    `historical` is (count, first date, last date) of the range's historical events;
    `volume` the documents published per period, by the period's first day."""
    directions = [direction_label(a, b)]
    if both_directions:
        directions += [direction_label(b, a), BOTH]
    starts_seen = [row[2] for row in counts]
    first = since or (min(starts_seen) if starts_seen else None)
    last = until or (max(starts_seen) if starts_seen else None)
    starts = period_starts(first, last, by) if first and last else []
    # Accumulators per (direction, period start): quad counts, Goldstein sum and count.
    acc: dict[tuple[str, dt.date], dict[str, Any]] = {
        (d, s): {"q": dict.fromkeys(QUAD_NAMES, 0), "n": 0, "gs": 0.0, "gn": 0, "imprecise": 0}
        for d in directions for s in starts}
    total = 0
    for source, target, start, quad, n, gs, gn, imprecise in counts:
        total += n
        start = period_start(start, by)
        for d in (direction_label(source, target), BOTH):
            cell = acc.get((d, start))
            if cell is None:
                continue
            if quad in cell["q"]:
                cell["q"][quad] += n
            cell["n"] += n
            cell["gs"] += gs
            cell["gn"] += gn
            cell["imprecise"] += imprecise
    # Each period's key and last day, worked out once for all the directions.
    spans = {s: (period_key(s, by), next_period(s, by) - dt.timedelta(days=1)) for s in starts}
    rows = []
    for d in directions:
        source, target = (d.split("->") if d != BOTH else (None, None))
        for s in starts:
            cell = acc[(d, s)]
            q = cell["q"]
            rows.append(TimelineRow(
                period=spans[s][0], start=s, end=spans[s][1],
                direction=d, source=source, target=target,
                verbal_cooperation=q[1], material_cooperation=q[2], verbal_conflict=q[3],
                material_conflict=q[4], events=cell["n"],
                goldstein_sum=round(cell["gs"], 3),
                goldstein_mean=round(cell["gs"] / cell["gn"], 3) if cell["gn"] else None,
                net_cooperation=q[1] + q[2] - q[3] - q[4], imprecise=cell["imprecise"],
                documents=(volume or {}).get(s, 0)))
    message = ""
    arrow = "and" if both_directions else "→"
    if total == 0 and historical[0] and not history:
        # Not "no events": the note on what was left out says how to bring them in.
        message = (f"No events between {a} {arrow} {b}{range_text(since, until)} other "
                   "than historical ones, which are left out by default.")
    elif total == 0:
        message = (f"No events between {a} {arrow} {b}{range_text(since, until)} in the store"
                   + (f" ({undated} undated event(s) cannot be placed)" if undated else "")
                   + "; ingest documents that report on both, or widen the since-until range.")
    return Timeline(a=a, b=b, by=by, both_directions=both_directions, since=since, until=until,
                    periods=tuple(spans[s][0] for s in starts), rows=tuple(rows),
                    key_events=marks, total_events=total, undated=undated, message=message,
                    directions=tuple(directions), history=history, historical=historical[0],
                    historical_first=historical[1], historical_last=historical[2], raw=raw)
