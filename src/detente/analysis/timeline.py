"""Dyad timelines: per period, events per quad class and Goldstein totals, A→B, B→A, both."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

import polars as pl

from detente.analysis.common import (
    COARSER,
    QUAD_NAMES,
    Period,
    as_date,
    check_period,
    check_range,
    dyad_clause,
    dyad_where,
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
    the range, for labelling plots; `message` explains an empty result."""

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

    @property
    def empty(self) -> bool:
        return self.total_events == 0

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
            "message": self.message,
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
    labels: int = 6,
) -> Timeline:
    """Events between two actors per period, by quad class, with Goldstein sums and means.

    `a` and `b` are codes or names ("JPN", "Japan", "G7"). With `both_directions`
    the result holds A→B, B→A and both together; otherwise A→B only. `labels` is
    how many key events to attach for plot labels.

    >>> t = timeline("detente.duckdb", "Japan", "RUS", by="year")  # doctest: +SKIP
    >>> [(r.period, r.events) for r in t.series("both")][:2]  # doctest: +SKIP
    [('2013', 4), ('2014', 11)]
    """
    period = check_period(by)
    since, until = as_date(since, "--since"), as_date(until, "--until", end=True)
    check_range(since, until)
    with reading(db) as store:
        code_a, code_b = resolve_dyad(store, a, b, "timeline")
        counts = _period_counts(store, code_a, code_b, period, both_directions, since, until)
        undated = _undated(store, code_a, code_b, both_directions)
        marks = rank_key_events(store, code_a, code_b, labels, both_directions, since, until)
    return build_timeline(code_a, code_b, period, both_directions, since, until, counts,
                          undated, tuple(marks))


def _period_counts(store: Store, a: str, b: str, by: Period, both_directions: bool,
                   since: dt.date | None, until: dt.date | None) -> list[tuple[Any, ...]]:
    where, params = dyad_where(a, b, both_directions, since, until)
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


def _undated(store: Store, a: str, b: str, both_directions: bool) -> int:
    clause, params = dyad_clause(a, b, both_directions)
    return store.con.execute(
        f"SELECT count(*) FROM events WHERE {clause} AND date_start IS NULL"
        " AND NOT coalesce(negated, FALSE)", params).fetchone()[0]


def build_timeline(a: str, b: str, by: Period, both_directions: bool, since: dt.date | None,
                   until: dt.date | None, counts: list[tuple[Any, ...]], undated: int,
                   marks: tuple[KeyEvent, ...]) -> Timeline:
    """Fold (source, target, start, quad, n, sum, n_scored, imprecise) groups into rows."""
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
    if total == 0:
        arrow = "and" if both_directions else "→"
        message = (f"No events between {a} {arrow} {b}{range_text(since, until)} in the store"
                   + (f" ({undated} undated event(s) cannot be placed)" if undated else "")
                   + "; ingest documents that report on both, or widen --since/--until.")
    return Timeline(a=a, b=b, by=by, both_directions=both_directions, since=since, until=until,
                    periods=tuple(period_key(s, by) for s in starts), rows=tuple(rows),
                    key_events=marks, total_events=total, undated=undated, message=message,
                    directions=tuple(directions))
