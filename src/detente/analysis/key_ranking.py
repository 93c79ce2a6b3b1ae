"""The dyad's report clusters, grouped, scored and ranked in DuckDB (see `key_events`).

A dyad of GDELT size has hundreds of thousands of reports; one query groups them into
clusters, picks each cluster's best-attested report, marks the first of each kind, scores
and orders the clusters, and returns only the first `head` of them, with what telling
mirrored clusters apart needs: the sentences of their reports that also code the event
the other way ("A and B met" is A→B and B→A from one sentence), and the clusters beyond
the head that share such a sentence with them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from detente.analysis.common import historical_sql
from detente.store import Store, event_table

EXTRA_SOURCE_BONUS = 1.5
MAX_EXTRA_SOURCES = 3
FIRST_OF_KIND_BONUS = 2.0
PRECISION_RANK = {"day": 2, "month": 1, "year": 0}

# Where a report's document is looked for first: published this long before or after the
# report's day (`report_details`).
NEAR_BEFORE, NEAR_AFTER = dt.timedelta(days=7), dt.timedelta(days=62)

# A sentence of a report: (doc_id, sentence_index, plover).
SentenceKey = tuple[Any, ...]

# The columns of a cluster's representative report that the ranking reads (`Cluster.rep`),
# and those read for the reports chosen only (`report_details`): reading a column costs
# the same for a dyad's reports as for the whole store, as its files hold them all.
REP_COLUMNS = ("event_id", "doc_id", "date_start", "source_code", "target_code", "plover",
               "goldstein")
DETAIL_COLUMNS = ("date", "evidence", "source_name", "target_name", "plover_mode", "cameo",
                  "quad_class")


@dataclass(frozen=True)
class Cluster:
    """The reports of one happening: one direction of the dyad, one PLOVER type, one month
    (one year for year-only dates). `rep` is its best-attested report (REP_COLUMNS);
    `sentences` are its reports' sentences that the dyad's other direction codes too, in
    date order; `position` is its place in the ranking."""

    position: int
    source: str
    target: str
    documents: int
    first: bool
    rep: dict[str, Any]
    sentences: tuple[SentenceKey, ...]


@dataclass(frozen=True)
class Ranking:
    """The first clusters of a dyad's ranking (`head`, best first), the later clusters
    that share a two-way sentence with them (`mirrors`, by their representative's id, so
    that a ranking does not depend on the order DuckDB's threads read them in), and how
    many clusters there are in all."""

    head: tuple[Cluster, ...]
    mirrors: tuple[Cluster, ...]
    clusters: int


def rank_clusters(store: Store, where: str, params: list[Any], *, history: bool,
                  head: int, raw: bool = False, prune: bool = True, light: str | None = None
                  ) -> Ranking:
    """Rank the clusters of the events `where` selects (a dyad's, unaliased columns); without
    `history`, historical events are left out. A canonical event (`canonical_events`) is a
    cluster of its own, its articles its documents; with `raw`, reports are clustered by
    month as above.

    Canonical events are ranked in two readings (unless `prune` is False): the light
    columns first (`_head_days`, from the table `light` names when given), which tell
    the days whose events the head can need, then the whole ranking over those days'
    events alone. Both give the same ranking; the second reads the ids of a few days'
    events instead of all the dyad's."""
    bonuses = [EXTRA_SOURCE_BONUS, MAX_EXTRA_SOURCES, FIRST_OF_KIND_BONUS]
    total = None
    if not raw and prune:
        total, days = _head_days(store, light or "canonical_events", where, params,
                                 history, head)
        if days is not None:
            where, params = _on_days(where, params, days)
    rows = store.con.execute(_ranking_sql(where, history, raw),
                             [*params, *bonuses, head]).fetchall()
    clusters = [Cluster(position=position, source=source, target=target, documents=documents,
                        first=first, rep=rep, sentences=tuple(sentences))
                for position, source, target, documents, first, rep, sentences, _ in rows]
    if total is None:
        total = rows[0][-1] if rows else 0
    return Ranking(head=tuple(c for c in clusters if c.position <= head),
                   mirrors=tuple(c for c in clusters if c.position > head), clusters=total)


def _head_days(store: Store, table: str, where: str, params: list[Any], history: bool,
               head: int) -> tuple[int, list[dt.date | None] | None]:
    """How many canonical events `where` selects, and the publication days of their
    documents that the ranking's head can need (None: every event can be needed).

    Read from the light columns only, without the ids, whose strings cost the most to
    read. Each event is a cluster; a cluster's score is at least its `base` (Goldstein and
    articles) and at most `base` + the first-of-kind bonus, which only an event on its
    kind's first day can get. Taking the `head`-th best (base, date) as a bound, an event
    whose best (score, date) falls behind it has `head` events ahead of it whatever the
    ids say, so the head lies among the others. The days wanted are those events' days
    and those of every kind's first day (so that the first of each kind is found among
    them as among all); an event the head mirrors shares its sentence, so its day too."""
    kept = "" if history else f" AND NOT {historical_sql()}"
    score = (f"round(abs(coalesce(goldstein, 0)) + {EXTRA_SOURCE_BONUS}"
             f" * least(articles - 1, {MAX_EXTRA_SOURCES}){{}}, 3)")
    kind = "row({0}source_code, {0}target_code, {0}plover)"
    needed = ("f.candidate OR f.best > b.base"
              " OR (f.best = b.base AND f.date_start <= b.date_start)")
    row = store.con.execute(f"""
        WITH kept AS MATERIALIZED (
            SELECT source_code, target_code, plover, date_start, doc_date,
                   {score.format('')} AS base, {score.format(f' + {FIRST_OF_KIND_BONUS}')} AS plus
            FROM {table} WHERE {where}{kept}
        ), flagged AS MATERIALIZED (
            SELECT k.*, k.date_start = f.opened AS candidate,
                   CASE WHEN k.date_start = f.opened THEN plus ELSE base END AS best
            FROM kept k JOIN (SELECT source_code, target_code, plover,
                                     min(date_start) AS opened FROM kept GROUP BY ALL) f
            ON {kind.format('k.')} = {kind.format('f.')}
        ), bound AS (
            SELECT base, date_start FROM flagged ORDER BY base DESC, date_start
            LIMIT 1 OFFSET ?
        ), needed AS (
            SELECT f.doc_date FROM flagged f, bound b WHERE {needed}
        )
        SELECT (SELECT count(*) FROM kept), (SELECT count(*) FROM bound),
               (SELECT list(DISTINCT doc_date) FILTER (WHERE doc_date IS NOT NULL) FROM needed),
               (SELECT coalesce(bool_or(doc_date IS NULL), FALSE) FROM needed)
        """, [*params, head - 1]).fetchone()
    total, bounded, days, undated = row if row else (0, 0, None, False)
    if not bounded:  # fewer events than the head: all are read
        return total, None
    return total, [*sorted(days or []), *([None] if undated else [])]


def _on_days(where: str, params: list[Any], days: list[dt.date | None]
             ) -> tuple[str, list[Any]]:
    """`where`, narrowed to the events of documents published on `days` (None: undated)."""
    dated = [day for day in days if day is not None]
    clauses = [f"doc_date IN ({_marks(dated)})"] if dated else []
    if None in days:
        clauses.append("doc_date IS NULL")
    return f"{where} AND ({' OR '.join(clauses)})", [*params, *dated]


def report_details(store: Store, reps: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The DETAIL_COLUMNS of the reports `reps` (from `Cluster.rep`) and their document's
    title and url, by event id."""
    if not reps:
        return {}
    ids, days = [r["event_id"] for r in reps], sorted({r["date_start"] for r in reps})
    # The days let DuckDB skip the files holding none of the reports. Two queries: as a
    # join, the documents are read with more columns than their ids.
    cursor = store.con.execute(
        f"SELECT event_id, {', '.join(DETAIL_COLUMNS)} FROM events"
        f" WHERE event_id IN ({_marks(ids)}) AND date_start IN ({_marks(days)})", [*ids, *days])
    names = [d[0] for d in cursor.description]
    details = {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}
    titles = _titles(store, reps)
    for r in reps:
        # a report of a document the store does not hold has no title (as a LEFT JOIN)
        details[r["event_id"]]["title"], details[r["event_id"]]["url"] = titles.get(
            r["doc_id"], (None, None))
    return details


def _titles(store: Store, reps: list[dict[str, Any]]) -> dict[str, tuple[Any, Any]]:
    """The (title, url) of the reports' documents, by id. They are looked for first among
    the documents published from a week before to two months after a report's day, whose
    files DuckDB reads alone, then (those not found there) among all."""
    doc_ids = sorted({r["doc_id"] for r in reps})
    near = " OR ".join("date BETWEEN ? AND ?" for _ in reps)
    windows = [day for r in reps for day in _near(r["date_start"])]
    sql = "SELECT doc_id, title, url FROM documents WHERE doc_id IN ({})"
    found = {doc_id: (title, url) for doc_id, title, url in store.con.execute(
        sql.format(_marks(doc_ids)) + f" AND ({near})", [*doc_ids, *windows]).fetchall()}
    missing = [doc_id for doc_id in doc_ids if doc_id not in found]
    if missing:
        found |= {doc_id: (title, url) for doc_id, title, url in store.con.execute(
            sql.format(_marks(missing)), missing).fetchall()}
    return found


def _near(day: dt.date) -> tuple[dt.date, dt.date]:
    """From NEAR_BEFORE before `day` to NEAR_AFTER after it, within the calendar."""
    return (day - NEAR_BEFORE if day > dt.date.min + NEAR_BEFORE else dt.date.min,
            day + NEAR_AFTER if day < dt.date.max - NEAR_AFTER else dt.date.max)


def _marks(values: list[Any]) -> str:
    return ", ".join("?" for _ in values)


def _ranking_sql(where: str, history: bool, raw: bool) -> str:
    """The ranking query; its parameters are `where`'s, then the two bonuses, the cap on
    extra sources and the head's size."""
    kept = "" if history else f"WHERE NOT {historical_sql('d.')}"
    precision = " ".join(f"WHEN '{name}' THEN {rank}" for name, rank in PRECISION_RANK.items())
    rep = "{" + ", ".join(f"'{name}': {name}" for name in REP_COLUMNS) + "}"
    if raw:
        # Reports of one happening are grouped by month (by year for year-only dates), the
        # month or year of the first day their dates cover.
        period = ("CASE WHEN d.date_precision = 'year' THEN strftime(d.date_start, '%Y')"
                  " ELSE strftime(d.date_start, '%Y-%m') END")
        # the representative: the surest report, then the most precise date, the
        # earliest, the largest id; the kind's first cluster holds its earliest report
        clusters = f"""
            SELECT source_code, target_code, plover, period,
                   count(DISTINCT doc_id) AS documents, min(date_start) AS opened,
                   arg_min(event_id, (date_start, event_id)) AS opened_by,
                   arg_max({rep}, (coalesce(confidence, 0),
                                   CASE date_precision {precision} ELSE -1 END,
                                   DATE '0001-01-01' - date_start, event_id)) AS rep
            FROM kept GROUP BY source_code, target_code, plover, period"""
    else:
        # A canonical event is a cluster already (one row per happening): no grouping.
        period = "d.cluster_id"
        clusters = f"""
            SELECT source_code, target_code, plover, period, articles AS documents,
                   date_start AS opened, event_id AS opened_by, {rep} AS rep
            FROM kept"""
    # Structs compare NULL fields as equal, as Python's tuples do, so that a NULL type
    # matches itself in the joins below.
    cluster = "row({0}source_code, {0}target_code, {0}plover, {0}period)"
    sentence = "row({0}doc_id, {0}sentence_index, {0}plover)"
    # Rounded as `KeyEvent.score` is (both roundings agree on Goldstein scores of up to
    # 3 decimals): clusters of equal scores go by date, then id.
    order = "score DESC, rep.date_start, rep.event_id"
    return f"""
        WITH kept AS MATERIALIZED (
            SELECT d.*, {period} AS period
            FROM (SELECT event_id, doc_id, sentence_index, date_precision, date_start,
                         source_code, target_code, plover, goldstein, confidence, doc_date
                         {"" if raw else ", cluster_id, articles"}
                  FROM {event_table(raw)} WHERE {where}) d
            {kept}
        ), clusters AS MATERIALIZED ({clusters}
        ), first_of_kind AS (
            SELECT source_code, target_code, plover,
                   arg_min(period, (opened, opened_by)) AS period
            FROM clusters GROUP BY source_code, target_code, plover
        ), scored AS MATERIALIZED (
            SELECT c.*, f.period IS NOT NULL AS first,
                   round(abs(coalesce(c.rep.goldstein, 0)) + ? * least(c.documents - 1, ?)
                         + CASE WHEN f.period IS NOT NULL THEN ? ELSE 0 END, 3) AS score
            FROM clusters c
            LEFT JOIN first_of_kind f ON {cluster.format('f.')} = {cluster.format('c.')}
        ), head AS MATERIALIZED (
            -- the first of the ranking, in order; the others are never sorted
            SELECT *, row_number() OVER (ORDER BY {order}) AS position
            FROM (SELECT * FROM scored ORDER BY {order} LIMIT ?)
        ), near AS MATERIALIZED (
            -- the reports whose sentence is one of a head cluster's reports' sentences
            SELECT k.* FROM kept k SEMI JOIN (
                SELECT DISTINCT {sentence.format('k.')} AS sentence
                FROM kept k SEMI JOIN head h ON {cluster.format('k.')} = {cluster.format('h.')}
            ) s ON {sentence.format('k.')} = s.sentence
        ), two_way AS MATERIALIZED (
            SELECT k.source_code, k.target_code, k.plover, k.period,
                   list({sentence.format('k.')} ORDER BY k.date_start, k.event_id) AS sentences
            FROM near k SEMI JOIN (
                SELECT {sentence.format('')} AS sentence FROM near GROUP BY ALL
                HAVING min(source_code) <> max(source_code)
            ) s ON {sentence.format('k.')} = s.sentence
            GROUP BY ALL
        ), mirrors AS (
            -- the later clusters that share a two-way sentence with the head
            SELECT s.*, (SELECT count(*) FROM head) + 1 AS position
            FROM scored s SEMI JOIN two_way w ON {cluster.format('w.')} = {cluster.format('s.')}
            ANTI JOIN head h ON {cluster.format('h.')} = {cluster.format('s.')}
        )
        SELECT r.position, r.source_code, r.target_code, r.documents, r.first, r.rep,
               coalesce(w.sentences, []), (SELECT count(*) FROM clusters)
        FROM (SELECT * FROM head UNION ALL BY NAME SELECT * FROM mirrors) r
        LEFT JOIN two_way w ON {cluster.format('w.')} = {cluster.format('r.')}
        ORDER BY r.position, r.rep.event_id
        """
