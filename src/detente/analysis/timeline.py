"""Dyad timelines: per period, events per quad class and Goldstein totals, A→B, B→A, both.

By default a timeline leaves out historical events (dated more than HISTORY_YEARS years
before their article, see `common.historical_sql`), so its periods run over the years the
dyad's news covers; it counts what it left out, and `history=True` brings them in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

import polars as pl

from detente.analysis.common import (
    COARSER,
    HISTORY_YEARS,
    QUAD_NAMES,
    Period,
    as_date,
    check_period,
    check_range,
    dyad_clause,
    dyad_where,
    historical_sql,
    next_period,
    period_key,
    period_start,
    period_starts,
    plain,
    range_text,
    resolve_dyad,
)
from detente.analysis.key_events import KeyEvent, rank_key_events
from detente.errors import InputError
from detente.store import DbLike, Store, reading

BOTH = "both"


@dataclass(frozen=True)
class TimelineRow:
    """One period of one direction. `net_cooperation` = cooperation − conflict events;
    `imprecise` counts events dated less precisely than the period (a year-only date
    in a monthly series), placed in the period holding the date's first day."""

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

    @property
    def cooperation(self) -> int:
        return self.verbal_cooperation + self.material_cooperation

    @property
    def conflict(self) -> int:
        return self.verbal_conflict + self.material_conflict

    def to_dict(self) -> dict[str, Any]:
        return plain(asdict(self))


@dataclass(frozen=True)
class Timeline:
    """A dyad's event series. `rows` holds every period of every direction, zeros
    included, so series are continuous; `key_events` are the dyad's top events in
    the range, for labelling plots; `message` explains an empty result.

    `historical` counts the historical events in the range, dated from
    `historical_first` to `historical_last`; they are in the series only with
    `history`, and `history_note` says when they were left out."""

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
            "since": plain(self.since), "until": plain(self.until),
            "directions": list(self.directions), "periods": list(self.periods),
            "total_events": self.total_events, "undated": self.undated,
            "message": self.message, "history": self.history, "historical": self.historical,
            "historical_first": plain(self.historical_first),
            "historical_last": plain(self.historical_last), "history_note": self.history_note,
            "rows": [r.to_dict() for r in self.rows],
            "key_events": [k.to_dict() for k in self.key_events],
        }

    def to_polars(self) -> pl.DataFrame:
        """One row per period and direction, `start`/`end` as dates."""
        schema = {
            "period": pl.String, "start": pl.Date, "end": pl.Date, "direction": pl.String,
            "source": pl.String, "target": pl.String, "verbal_cooperation": pl.Int64,
            "material_cooperation": pl.Int64, "verbal_conflict": pl.Int64,
            "material_conflict": pl.Int64, "events": pl.Int64, "goldstein_sum": pl.Float64,
            "goldstein_mean": pl.Float64, "net_cooperation": pl.Int64, "imprecise": pl.Int64,
        }
        return pl.DataFrame([asdict(r) for r in self.rows], schema=schema, orient="row")


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
) -> Timeline:
    """Events between two actors per period, by quad class, with Goldstein sums and means.

    `a` and `b` are codes or names ("JPN", "Japan", "G7"). With `both_directions`
    the result holds A→B, B→A and both together; otherwise A→B only. `labels` is
    how many key events to attach for plot labels.

    Historical events (dated more than HISTORY_YEARS years before their article) are
    left out and counted unless `history`; the periods then run from the first to the
    last period holding the other events, or from `since` to `until` where given.

    >>> t = timeline("detente.duckdb", "Japan", "RUS", by="year")  # doctest: +SKIP
    >>> [(r.period, r.events) for r in t.series("both")][:2]  # doctest: +SKIP
    [('2013', 4), ('2014', 11)]
    """
    period = check_period(by)
    since, until = as_date(since, "--since"), as_date(until, "--until", end=True)
    check_range(since, until)
    with reading(db) as store:
        code_a, code_b = resolve_dyad(store, a, b, "timeline")
        counts = _period_counts(store, code_a, code_b, period, both_directions, since, until,
                                history)
        undated = _undated(store, code_a, code_b, both_directions)
        past = _historical(store, code_a, code_b, both_directions, since, until)
        marks = rank_key_events(store, code_a, code_b, labels, both_directions, since, until,
                                history=history)
    return build_timeline(code_a, code_b, period, both_directions, since, until, counts,
                          undated, tuple(marks), history=history, historical=past)


def _period_counts(store: Store, a: str, b: str, by: Period, both_directions: bool,
                   since: dt.date | None, until: dt.date | None, history: bool
                   ) -> list[tuple[Any, ...]]:
    where, params = dyad_where(a, b, both_directions, since, until, history=history)
    coarse = list(COARSER[by]) or [""]
    marks = ", ".join("?" for _ in coarse)
    # Aggregated in DuckDB: a dyad of GDELT size stays a few hundred rows here.
    return store.con.execute(
        f"""
        SELECT source_code, target_code, date_trunc('{by}', date_start)::DATE AS start,
               quad_class, count(*) AS n, coalesce(sum(goldstein), 0) AS gs,
               count(goldstein) AS gn, count_if(date_precision IN ({marks})) AS imprecise
        FROM events WHERE {where}
        GROUP BY ALL ORDER BY start
        """,
        [*coarse, *params],
    ).fetchall()


def _historical(store: Store, a: str, b: str, both_directions: bool, since: dt.date | None,
                until: dt.date | None) -> tuple[int, dt.date | None, dt.date | None]:
    """How many of the dyad's events in range are historical, and their first and last date."""
    where, params = dyad_where(a, b, both_directions, since, until)
    return store.con.execute(
        "SELECT count(*), min(date_start), max(date_start) FROM events"
        f" WHERE {where} AND {historical_sql()}", params).fetchone()


def _undated(store: Store, a: str, b: str, both_directions: bool) -> int:
    clause, params = dyad_clause(a, b, both_directions)
    return store.con.execute(
        f"SELECT count(*) FROM events WHERE {clause} AND date_start IS NULL"
        " AND NOT coalesce(negated, FALSE)", params).fetchone()[0]


def build_timeline(a: str, b: str, by: Period, both_directions: bool, since: dt.date | None,
                   until: dt.date | None, counts: list[tuple[Any, ...]], undated: int,
                   marks: tuple[KeyEvent, ...], *, history: bool = False,
                   historical: tuple[int, dt.date | None, dt.date | None] = (0, None, None)
                   ) -> Timeline:
    """Fold (source, target, start, quad, n, sum, n_scored, imprecise) groups into rows.
    `historical` is (count, first date, last date) of the range's historical events."""
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
    rows = []
    for d in directions:
        source, target = (d.split("->") if d != BOTH else (None, None))
        for s in starts:
            cell = acc[(d, s)]
            q = cell["q"]
            rows.append(TimelineRow(
                period=period_key(s, by), start=s, end=next_period(s, by) - dt.timedelta(days=1),
                direction=d, source=source, target=target,
                verbal_cooperation=q[1], material_cooperation=q[2], verbal_conflict=q[3],
                material_conflict=q[4], events=cell["n"],
                goldstein_sum=round(cell["gs"], 3),
                goldstein_mean=round(cell["gs"] / cell["gn"], 3) if cell["gn"] else None,
                net_cooperation=q[1] + q[2] - q[3] - q[4], imprecise=cell["imprecise"]))
    message = ""
    arrow = "and" if both_directions else "→"
    if total == 0 and historical[0] and not history:
        # Not "no events": the note on what was left out says how to bring them in.
        message = (f"No events between {a} {arrow} {b}{range_text(since, until)} other "
                   "than historical ones, which are left out by default.")
    elif total == 0:
        message = (f"No events between {a} {arrow} {b}{range_text(since, until)} in the store"
                   + (f" ({undated} undated event(s) cannot be placed)" if undated else "")
                   + "; ingest documents that report on both, or widen --since/--until.")
    return Timeline(a=a, b=b, by=by, both_directions=both_directions, since=since, until=until,
                    periods=tuple(period_key(s, by) for s in starts), rows=tuple(rows),
                    key_events=marks, total_events=total, undated=undated, message=message,
                    directions=tuple(directions), history=history, historical=historical[0],
                    historical_first=historical[1], historical_last=historical[2])
