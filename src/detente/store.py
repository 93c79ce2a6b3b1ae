"""The DuckDB store: schema, migrations, idempotent writes and the read queries.

All SQL is parameterised. A document is written in one transaction together with
its sentences, mentions and events, so a failure never leaves half a document.
Reads from other threads go through cursors (`Store.cursor()`, `reading`): DuckDB runs
them side by side, each in its own snapshot, while one writer writes.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn

import duckdb

from detente.errors import NotFoundError, SchemaVersionError, StoreError, StoreLockedError
from detente.records import (
    ActorRef,
    Document,
    Event,
    Location,
    Sentence,
    StoredMention,
    range_end,
)
from detente.served import refuse_if_served

SCHEMA_VERSION = 6
# An event told in its article's first sentences is in its lead (GDELT's IsRootEvent; the
# `canonical_events` view of migration 4 writes it as 3).
LEAD_SENTENCES = 3

# An event's dyad (`records.dyad_key`) in SQL, over its source and target codes.
DYAD_SQL = ("CASE WHEN coalesce({0}source_code, '') = '' OR coalesce({0}target_code, '') = ''"
            " THEN NULL ELSE least({0}source_code, {0}target_code) || ' ' || "
            "greatest({0}source_code, {0}target_code) END")

# Each migration takes the schema from version i to i+1; never edit a shipped one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS documents (
        doc_id VARCHAR PRIMARY KEY, title VARCHAR, source VARCHAR, url VARCHAR,
        path VARCHAR, date DATE, date_inferred BOOLEAN, date_reason VARCHAR,
        fmt VARCHAR, text VARCHAR, ingested_at TIMESTAMP DEFAULT current_timestamp
    );
    CREATE TABLE IF NOT EXISTS sentences (
        doc_id VARCHAR, sentence_index INTEGER, char_start INTEGER, char_end INTEGER,
        text VARCHAR, PRIMARY KEY (doc_id, sentence_index)
    );
    CREATE TABLE IF NOT EXISTS actors (
        doc_id VARCHAR, sentence_index INTEGER, char_start INTEGER, char_end INTEGER,
        text VARCHAR, code VARCHAR, sector VARCHAR, name VARCHAR, kind VARCHAR,
        reason VARCHAR
    );
    CREATE TABLE IF NOT EXISTS events (
        event_id VARCHAR PRIMARY KEY, doc_id VARCHAR, sentence_index INTEGER,
        char_start INTEGER, char_end INTEGER, evidence VARCHAR,
        date VARCHAR, date_precision VARCHAR, date_source VARCHAR, date_start DATE,
        source_code VARCHAR, source_sector VARCHAR, source_name VARCHAR, source_text VARCHAR,
        target_code VARCHAR, target_sector VARCHAR, target_name VARCHAR, target_text VARCHAR,
        plover VARCHAR, plover_mode VARCHAR, cameo VARCHAR, quad_class INTEGER,
        goldstein DOUBLE, negated BOOLEAN, confidence DOUBLE,
        location_code VARCHAR, location_place VARCHAR, coder VARCHAR
    );
    CREATE TABLE IF NOT EXISTS ingest_errors (
        input VARCHAR, code VARCHAR, message VARCHAR, hint VARCHAR,
        recorded_at TIMESTAMP DEFAULT current_timestamp
    );
    """,
    # 2: a document's date precision (NULL: stored before it was kept) and the last day
    # of each event's date, filled for stored events from their date's own period.
    """
    ALTER TABLE documents ADD COLUMN date_precision VARCHAR;
    ALTER TABLE events ADD COLUMN date_end DATE;
    UPDATE events SET date_end = CASE length(date)
        WHEN 4 THEN CAST(date_start + INTERVAL 1 YEAR - INTERVAL 1 DAY AS DATE)
        WHEN 7 THEN last_day(date_start)
        ELSE date_start END
    WHERE date_start IS NOT NULL;
    """,
    # 3: views for readers (docs/schema.md): `mentions`, the actor mentions under the name
    # of what they are (the `actors` table keeps its name for older readers), and
    # `events_with_documents`, each event with its document's date, title and URL.
    """
    CREATE VIEW mentions AS SELECT * FROM actors;
    CREATE VIEW events_with_documents AS
    SELECT e.*, d.date AS doc_date, d.date_precision AS doc_date_precision,
           d.title AS doc_title, d.url AS doc_url, d.source AS doc_source, d.path AS doc_path
    FROM events e LEFT JOIN documents d ON d.doc_id = e.doc_id;
    """,
    # 4: stories, not reports (detente.dedup). Each document's near-duplicate cluster
    # (`canonical_id`, and `copy_of` for a copy stored without coding) with its MinHash
    # signature in `doc_signatures`; each event's cluster of reports of one happening
    # (`cluster_id`), with the counts of those told more than once in `event_clusters`;
    # and `canonical_events`, one row per happening. NULL ids: stored before (the next
    # ingest fills them; until then each event is its own happening).
    """
    ALTER TABLE documents ADD COLUMN canonical_id VARCHAR;
    ALTER TABLE documents ADD COLUMN copy_of VARCHAR;
    ALTER TABLE documents ADD COLUMN similarity DOUBLE;
    CREATE TABLE doc_signatures (
        doc_id VARCHAR PRIMARY KEY, position BIGINT, signature BLOB, shingles INTEGER
    );
    ALTER TABLE events ADD COLUMN cluster_id VARCHAR;
    CREATE TABLE event_clusters (
        cluster_id VARCHAR PRIMARY KEY, version BIGINT, event_id VARCHAR, reports BIGINT,
        articles BIGINT, sources BIGINT, first_report DATE, last_report DATE, root BOOLEAN
    );
    CREATE OR REPLACE VIEW events_with_documents AS
    SELECT e.*, d.date AS doc_date, d.date_precision AS doc_date_precision,
           d.title AS doc_title, d.url AS doc_url, d.source AS doc_source, d.path AS doc_path
    FROM events e LEFT JOIN documents d ON d.doc_id = e.doc_id;
    -- a happening told once has no row in event_clusters: it is its event, counted once
    CREATE VIEW canonical_events AS
    SELECT e.* REPLACE (coalesce(e.cluster_id, e.event_id) AS cluster_id),
           coalesce(c.reports, 1) AS reports, coalesce(c.articles, 1) AS articles,
           coalesce(c.sources, 1) AS sources, coalesce(c.first_report, d.date) AS first_report,
           coalesce(c.last_report, d.date) AS last_report,
           coalesce(c.root, coalesce(e.sentence_index, 0) < 3) AS root
    FROM events e
    LEFT JOIN event_clusters c ON c.cluster_id = e.cluster_id
    LEFT JOIN documents d ON d.doc_id = e.doc_id
    WHERE c.cluster_id IS NULL OR c.event_id = e.event_id;
    """,
    # 5: the LSH band keys of each signature in `doc_signatures`, one row per document and
    # band, written with it: linking a new document reads only the stored documents that
    # share a band with it (detente.dedup.state). The next ingest fills them for the
    # signatures stored before.
    """
    CREATE TABLE doc_bands (doc_id VARCHAR, key UBIGINT);
    """,
    # 6: each event carries its document's publication date (`doc_date`, GDELT's
    # DATEADDED), written with it: an analysis that tells historical events apart, or a
    # happening's first report, reads it from the event's row instead of looking every
    # event's document up among all the store's (a second of a timeline over 10M events).
    # And its dyad (`dyad`, the two codes in order, "JPN RUS"): a dyad's events in both
    # directions are one equality, which DuckDB checks while it reads Parquet files.
    f"""
    ALTER TABLE events ADD COLUMN doc_date DATE;
    ALTER TABLE events ADD COLUMN dyad VARCHAR;
    UPDATE events SET doc_date = d.date FROM documents d WHERE d.doc_id = events.doc_id;
    UPDATE events SET dyad = {DYAD_SQL.format('')};
    CREATE OR REPLACE VIEW events_with_documents AS
    SELECT e.*, d.date_precision AS doc_date_precision,
           d.title AS doc_title, d.url AS doc_url, d.source AS doc_source, d.path AS doc_path
    FROM events e LEFT JOIN documents d ON d.doc_id = e.doc_id;
    CREATE OR REPLACE VIEW canonical_events AS
    SELECT e.* REPLACE (coalesce(e.cluster_id, e.event_id) AS cluster_id),
           coalesce(c.reports, 1) AS reports, coalesce(c.articles, 1) AS articles,
           coalesce(c.sources, 1) AS sources, coalesce(c.first_report, e.doc_date) AS first_report,
           coalesce(c.last_report, e.doc_date) AS last_report,
           coalesce(c.root, coalesce(e.sentence_index, 0) < 3) AS root
    FROM events e
    LEFT JOIN event_clusters c ON c.cluster_id = e.cluster_id
    WHERE c.cluster_id IS NULL OR c.event_id = e.event_id;
    """,
)

EVENT_COLUMNS = (
    "event_id", "doc_id", "sentence_index", "char_start", "char_end", "evidence",
    "date", "date_precision", "date_source", "date_start", "date_end",
    "source_code", "source_sector", "source_name", "source_text",
    "target_code", "target_sector", "target_name", "target_text",
    "plover", "plover_mode", "cameo", "quad_class", "goldstein", "negated", "confidence",
    "location_code", "location_place", "coder",
)


@dataclass(frozen=True)
class EventFilter:
    """Filters shared by `events`, exports and the HTTP API, and the view they read:
    canonical events (one per happening, `canonical_events`) unless `raw`, which reads
    every report (`events`). In the canonical view, `doc_id` picks the happenings that
    document reports (or, for a copy, the document it copies)."""

    source: str | None = None
    target: str | None = None
    plover: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    doc_id: str | None = None
    raw: bool = False

    @property
    def table(self) -> str:
        """The table or view the events are read from."""
        return event_table(self.raw)

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = ["TRUE"]
        params: list[Any] = []
        for column, value in (("source_code", self.source), ("target_code", self.target),
                              ("plover", self.plover)):
            if value:
                clauses.append(f"{column} = ?")
                params.append(value.upper())
        if self.doc_id and self.raw:
            clauses.append("doc_id = ?")
            params.append(self.doc_id)
        elif self.doc_id:
            clauses.append("cluster_id IN (SELECT coalesce(cluster_id, event_id) FROM events"
                           " WHERE doc_id = ? OR doc_id = (SELECT copy_of FROM documents"
                           " WHERE doc_id = ?))")
            params += [self.doc_id, self.doc_id]
        if self.since:
            clauses.append("date_start >= ?")
            params.append(self.since)
        if self.until:
            clauses.append("date_start <= ?")
            params.append(self.until)
        return " AND ".join(clauses), params


def event_table(raw: bool) -> str:
    """Where a view's events are: `events` (every report) or `canonical_events`."""
    return "events" if raw else "canonical_events"


@dataclass(frozen=True)
class DocumentLink:
    """A document's place among near duplicates (detente.dedup), stored with it: the
    canonical document of its cluster (its own id when it is the first), the coded
    document it copies (None when it was coded itself), its estimated similarity with the
    closest earlier document of the cluster (None for the first), and its MinHash
    `signature` over `shingles` shingles, the `position`-th in the index, with its LSH
    band keys (`bands`; no signature: a text without words to compare, in no index)."""

    canonical_id: str
    copy_of: str | None = None
    similarity: float | None = None
    signature: bytes | None = None
    shingles: int = 0
    position: int = 0
    bands: tuple[int, ...] = ()


@dataclass(frozen=True)
class EventCluster:
    """A happening told more than once, as `event_clusters` keeps it: its representative
    report (`event_id`), the `reports` of it (an event, and each copy of its article), the
    distinct `articles` and publishers (`sources`), the first and last publication date,
    and whether one report is in its article's lead (`root`). `version` orders the
    changes of a cluster (a Parquet dataset keeps every version; the latest counts)."""

    cluster_id: str
    version: int
    event_id: str
    reports: int
    articles: int
    sources: int
    first_report: dt.date | None
    last_report: dt.date | None
    root: bool


# Rows per INSERT statement in `insert_rows` (each row's values are parameters).
ROWS_PER_INSERT = 200


def insert_rows(con: duckdb.DuckDBPyConnection, into: str, rows: Sequence[Sequence[Any]],
                suffix: str = "") -> None:
    """`{into} VALUES ...{suffix}` for `rows` ("INSERT INTO table"), many rows to a
    statement: DuckDB's executemany runs one statement per row, about 4 ms each into a
    table with a primary key, against 9 ms for a dozen rows at once."""
    for start in range(0, len(rows), ROWS_PER_INSERT):
        chunk = rows[start:start + ROWS_PER_INSERT]
        row = f"({', '.join('?' for _ in chunk[0])})"
        con.execute(f"{into} VALUES {', '.join(row for _ in chunk)}{suffix}",
                    [value for values in chunk for value in values])


class DocumentWrite:
    """One document being stored in its own open transaction (`Store.begin_document`):
    its sentences and mentions added part by part, then its events with `finish`, which
    commits; `abandon` rolls everything back. Until then no reader sees any of it."""

    def __init__(self, store: Store, doc_date: dt.date | None) -> None:
        self.store = store
        self.doc_date = doc_date

    def add(self, sentences: Sequence[Sentence], mentions: Sequence[StoredMention]) -> None:
        con = self.store.con
        insert_rows(con, "INSERT INTO sentences",
                    [[s.doc_id, s.index, s.start, s.end, s.text] for s in sentences])
        insert_rows(con, "INSERT INTO actors",
                    [[m.doc_id, m.sentence_index, m.char_start, m.char_end, m.text, m.code,
                      m.sector, m.name, m.kind, m.reason] for m in mentions])

    def finish(self, events: Sequence[Event], clusters: Mapping[str, str],
               happenings: Sequence[EventCluster] = ()) -> None:
        """Write the events and the happenings whose counts they change, and commit."""
        try:
            self.store._insert_events(events, clusters, self.doc_date)
            self.store._replace_clusters(happenings)
        except BaseException:
            self.abandon()
            raise
        self.store.con.execute("COMMIT")

    def abandon(self) -> None:
        self.store.con.execute("ROLLBACK")


class Store:
    """An open DuckDB store. Use `open_store(path)` as a context manager.

    `names` maps an input's name to the name it is recorded under (`documents.path`,
    `ingest_errors`): the HTTP API records an upload's file name, never the temporary
    path it was read from (see `recording_as`).
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, path: str,
                 names: Mapping[str, str] | None = None) -> None:
        self.con = con
        self.path = path
        self.names = dict(names or {})

    # -- schema -----------------------------------------------------------------
    def migrate(self) -> None:
        self.con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER)")
        current = self.one("SELECT max(version) FROM schema_version")[0] or 0
        if current > SCHEMA_VERSION:
            raise SchemaVersionError(
                f"db: {self.path} has schema version {current}, newer than this detente "
                f"({SCHEMA_VERSION})",
                hint="Upgrade detente (pip install -U detente), or use another database file.",
                input="db")
        for version in range(current, SCHEMA_VERSION):
            with self.transaction():
                self.con.execute(MIGRATIONS[version])
                self.con.execute("INSERT INTO schema_version VALUES (?)", [version + 1])

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: an error or an interrupt (Ctrl-C) rolls the writes back."""
        self.con.execute("BEGIN")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    @property
    def schema_version(self) -> int:
        return self.one("SELECT max(version) FROM schema_version")[0]

    # -- writes -----------------------------------------------------------------
    def has_document(self, doc_id: str) -> bool:
        row = self.con.execute("SELECT 1 FROM documents WHERE doc_id = ?", [doc_id]).fetchone()
        return row is not None

    def add_document(
        self,
        doc: Document,
        sentences: Sequence[Sentence],
        events: Sequence[Event] = (),
        mentions: Sequence[StoredMention] = (),
        *,
        link: DocumentLink | None = None,
        clusters: Mapping[str, str] | None = None,
        happenings: Sequence[EventCluster] = (),
    ) -> bool:
        """Store a document with its parts in one transaction, with its place among near
        duplicates (`link`), each event's cluster (`clusters`: event id → cluster id) and
        the happenings whose counts it changes, when given; False if already stored."""
        write = self.begin_document(doc, link)
        if write is None:
            return False
        try:
            write.add(sentences, mentions)
        except BaseException:
            write.abandon()
            raise
        write.finish(events, clusters or {}, happenings)
        return True

    def begin_document(self, doc: Document, link: DocumentLink | None = None
                       ) -> DocumentWrite | None:
        """Open the transaction that stores `doc` and write its row; its sentences and
        mentions follow in parts (`DocumentWrite.add`), so that a long document's records
        need not all be held at once. None if the document is already stored."""
        if self.has_document(doc.doc_id):
            return None
        doc = replace(doc, path=renamed(doc.path, self.names))
        place = link or DocumentLink(canonical_id="")
        self.con.execute("BEGIN")
        write = DocumentWrite(self, doc.date)
        try:
            self.con.execute(
                "INSERT INTO documents (doc_id, title, source, url, path, date, date_precision,"
                " date_inferred, date_reason, fmt, text, canonical_id, copy_of, similarity)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [doc.doc_id, doc.title, doc.source, doc.url, doc.path, doc.date,
                 doc.date_precision, doc.date_inferred, doc.date_reason, doc.fmt, doc.text,
                 place.canonical_id or None, place.copy_of, place.similarity],
            )
            if place.signature is not None:
                self._insert_signatures([(doc.doc_id, place)])
        except BaseException:
            write.abandon()
            raise
        return write

    def _insert_events(self, events: Sequence[Event], clusters: Mapping[str, str],
                       doc_date: dt.date | None) -> None:
        """Insert one document's events (skipping ids already stored), with their cluster
        and the document's publication date."""
        rows = {e.event_id: [*_event_row(e), clusters.get(e.event_id), doc_date, e.dyad]
                for e in events}
        if rows:
            names = ", ".join((*EVENT_COLUMNS, "cluster_id", "doc_date", "dyad"))
            insert_rows(self.con, f"INSERT INTO events ({names})", list(rows.values()),
                        " ON CONFLICT DO NOTHING")

    def _insert_signatures(self, links: Sequence[tuple[str, DocumentLink]]) -> None:
        self.con.executemany(
            "INSERT INTO doc_signatures VALUES (?, ?, ?, ?)",
            [[doc_id, link.position, link.signature, link.shingles] for doc_id, link in links])
        self._insert_bands([(doc_id, link.bands) for doc_id, link in links])

    def _insert_bands(self, bands: Sequence[tuple[str, Sequence[int]]]) -> None:
        doc_ids = [doc_id for doc_id, keys in bands for _ in keys]
        keys = [key for _, found in bands for key in found]
        # A document's keys as parameters (1 ms; a registered table costs 4 ms), a store
        # linked at once (hundreds of thousands of keys) as a table.
        if len(doc_ids) < 10_000:
            if doc_ids:
                self.con.execute("INSERT INTO doc_bands SELECT unnest(?::VARCHAR[]),"
                                 " unnest(?::UBIGINT[])", [doc_ids, keys])
            return
        import pyarrow as pa  # on use: `import detente` stays light

        self.con.register("new_bands", pa.table({"doc_id": pa.array(doc_ids, pa.string()),
                                                 "key": pa.array(keys, pa.uint64())}))
        try:
            self.con.execute("INSERT INTO doc_bands SELECT doc_id, key FROM new_bands")
        finally:
            self.con.unregister("new_bands")

    def replace_band_keys(self, stale: Sequence[str],
                          bands: Sequence[tuple[str, Sequence[int]]]) -> None:
        """Drop the band keys of the documents `stale` and add these (document id, its
        keys), in one transaction."""
        with self.transaction():
            if stale:
                self.con.execute("DELETE FROM doc_bands WHERE doc_id IN"
                                 " (SELECT unnest(?::VARCHAR[]))", [list(stale)])
            self._insert_bands(bands)

    def _replace_clusters(self, happenings: Sequence[EventCluster]) -> None:
        # One row per cluster (the last given): a statement may replace a row only once.
        rows = {h.cluster_id: [h.cluster_id, h.version, h.event_id, h.reports, h.articles,
                               h.sources, h.first_report, h.last_report, h.root]
                for h in happenings}
        insert_rows(self.con, "INSERT OR REPLACE INTO event_clusters", list(rows.values()))

    def link_documents(self, links: Sequence[tuple[str, DocumentLink]],
                       clusters: Mapping[str, str],
                       happenings: Sequence[EventCluster] = ()) -> None:
        """Record the places of stored documents among near duplicates, their events'
        clusters and the counts of the happenings told more than once (documents and
        events stored before deduplication), in one transaction."""
        with self.transaction():
            self._replace_clusters(happenings)
            if links:
                self.con.executemany(
                    "UPDATE documents SET canonical_id = ?, copy_of = ?, similarity = ?"
                    " WHERE doc_id = ?",
                    [[link.canonical_id, link.copy_of, link.similarity, doc_id]
                     for doc_id, link in links])
                self._insert_signatures([(doc_id, link) for doc_id, link in links
                                         if link.signature is not None])
            if clusters:
                self.con.execute("CREATE OR REPLACE TEMP TABLE new_clusters "
                                 "(event_id VARCHAR, cluster_id VARCHAR)")
                insert_rows(self.con, "INSERT INTO new_clusters",
                            [list(pair) for pair in clusters.items()])
                self.con.execute("UPDATE events SET cluster_id = n.cluster_id FROM new_clusters n"
                                 " WHERE events.event_id = n.event_id")
                self.con.execute("DROP TABLE new_clusters")

    def record_error(self, input_name: str, code: str, message: str, hint: str = "") -> None:
        """Record a failed input once: the same failure again (a re-run, a retried
        upload) only moves its `recorded_at` to now and keeps the latest hint."""
        key = [renamed(input_name, self.names), code, renamed(message, self.names)]
        hint = renamed(hint, self.names)
        self.con.execute(
            "UPDATE ingest_errors SET recorded_at = current_timestamp, hint = ?"
            " WHERE input = ? AND code = ? AND message = ?", [hint, *key])
        self.con.execute(
            "INSERT INTO ingest_errors (input, code, message, hint) SELECT ?, ?, ?, ?"
            " WHERE NOT EXISTS (SELECT 1 FROM ingest_errors"
            " WHERE input = ? AND code = ? AND message = ?)", [*key, hint, *key])

    # -- reads ------------------------------------------------------------------
    def count(self, table: str) -> int:
        if table not in {"documents", "sentences", "events", "actors", "ingest_errors"}:
            raise ValueError(f"unknown table {table!r}")
        return self.one(f"SELECT count(*) FROM {table}")[0]

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...]:
        """The one row an aggregate query (count, min, max) returns."""
        row = self.con.execute(sql, list(params)).fetchone()
        if row is None:  # duckdb types fetchone() as optional; an aggregate always has a row
            raise ValueError(f"no row from {sql!r}: use `query` for queries that may match none")
        return row

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cursor = self.con.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def documents(self) -> list[dict[str, Any]]:
        return self.query(
            """
            SELECT d.doc_id, d.title, d.source, d.url, d.path, d.date, d.date_precision,
                   d.date_inferred, d.date_reason, d.fmt, d.canonical_id, d.copy_of,
                   count(*) OVER (PARTITION BY coalesce(d.canonical_id, d.doc_id))
                       AS cluster_size,
                   (SELECT count(*) FROM sentences s WHERE s.doc_id = d.doc_id) AS sentences,
                   (SELECT count(*) FROM events e WHERE e.doc_id = d.doc_id) AS events
            FROM documents d ORDER BY d.date NULLS LAST, d.title, d.doc_id
            """
        )

    def document(self, doc_id: str) -> dict[str, Any]:
        rows = self.query("SELECT * FROM documents WHERE doc_id = ?", [doc_id])
        if not rows:
            raise NotFoundError(f"no document with id {doc_id!r} in {self.path}",
                                hint="List ids with `detente docs`.")
        return rows[0]

    def sentences(self, doc_id: str) -> list[Sentence]:
        rows = self.con.execute(
            "SELECT doc_id, sentence_index, char_start, char_end, text FROM sentences"
            " WHERE doc_id = ? ORDER BY sentence_index", [doc_id]).fetchall()
        return [Sentence(*row) for row in rows]

    def events(self, where: EventFilter = EventFilter(), limit: int | None = None,
               offset: int = 0) -> list[Event]:
        clause, params = where.where()
        sql = (f"SELECT {', '.join(EVENT_COLUMNS)} FROM {where.table} WHERE {clause}"
               " ORDER BY date_start NULLS LAST, doc_id, sentence_index, char_start, event_id")
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        return [_row_event(dict(zip(EVENT_COLUMNS, row, strict=True)))
                for row in self.con.execute(sql, params).fetchall()]

    def count_events(self, where: EventFilter = EventFilter()) -> int:
        clause, params = where.where()
        return self.one(f"SELECT count(*) FROM {where.table} WHERE {clause}", params)[0]

    def errors(self) -> list[dict[str, Any]]:
        return self.query("SELECT * FROM ingest_errors ORDER BY recorded_at")

    def cursor(self) -> Store:
        """A Store on a new cursor of the same database, for use from another thread."""
        return Store(self.con.cursor(), self.path, self.names)

    def recording_as(self, names: Mapping[str, str]) -> Store:
        """A cursor that records each input in `names` under its given name, in
        `documents.path` and in `ingest_errors` (its input, message and hint).

        >>> with open_store(":memory:") as store:
        ...     upload = store.recording_as({"/tmp/x1/report.txt": "report.txt"})
        ...     upload.record_error("/tmp/x1/report.txt", "E102", "/tmp/x1/report.txt is empty")
        ...     [(e["input"], e["message"]) for e in store.errors()]
        [('report.txt', 'report.txt is empty')]
        """
        return Store(self.con.cursor(), self.path, names)

    def close(self) -> None:
        self.con.close()


def renamed(text: str, names: Mapping[str, str]) -> str:
    """`text` with every name in `names` replaced by the name it is recorded under."""
    for name, shown in names.items():
        text = text.replace(name, shown)
    return text


def flat_event(e: Event) -> dict[str, Any]:
    """An event as one flat row with the database's column names (CSV, Parquet)."""
    return dict(zip(EVENT_COLUMNS, _event_row(e), strict=True))


def _event_row(e: Event) -> list[Any]:
    target = e.target or ActorRef(code="")
    first, last = e.span() or (None, None)
    return [e.event_id, e.doc_id, e.sentence_index, e.char_start, e.char_end, e.evidence,
            e.date, e.date_precision, e.date_source, first, last,
            e.source.code, e.source.sector, e.source.name, e.source.text,
            target.code or None, target.sector, target.name, target.text,
            e.plover, e.plover_mode, e.cameo, e.quad_class, e.goldstein, e.negated,
            e.confidence, e.location.code, e.location.place, e.coder]


def _row_event(row: dict[str, Any]) -> Event:
    target = None
    if row["target_code"]:
        target = ActorRef(row["target_code"], row["target_sector"] or "",
                          row["target_name"] or "", row["target_text"] or "")
    return Event(
        event_id=row["event_id"], doc_id=row["doc_id"], sentence_index=row["sentence_index"],
        char_start=row["char_start"], char_end=row["char_end"], evidence=row["evidence"],
        date=row["date"], date_precision=row["date_precision"], date_source=row["date_source"],
        source=ActorRef(row["source_code"], row["source_sector"] or "",
                        row["source_name"] or "", row["source_text"] or ""),
        target=target, plover=row["plover"], plover_mode=row["plover_mode"] or "",
        cameo=row["cameo"], quad_class=row["quad_class"], goldstein=row["goldstein"],
        confidence=row["confidence"], coder=row["coder"], negated=bool(row["negated"]),
        location=Location(row["location_code"] or "", row["location_place"] or ""),
        date_end=range_end(row["date"], row["date_end"]),
    )


@contextmanager
def open_store(path: str | Path, read_only: bool = False) -> Iterator[Store]:
    """Open (creating and migrating if needed) the DuckDB store at `path`; a folder is a
    Parquet dataset written by `detente run`, read in place (`open_dataset`).

    >>> with open_store(":memory:") as store:
    ...     store.count("documents")
    0
    """
    name = str(path)
    if name != ":memory:" and Path(name).is_dir():
        with open_dataset(Path(name)) as dataset:
            yield dataset
        return
    if name != ":memory:":
        parent = Path(name).parent
        if not parent.exists():
            raise StoreError(f"db: the folder for the database {name} does not exist",
                             hint=f"Create {parent}, or use a database file in a folder that "
                                  "exists.", input="db")
        if read_only and not Path(name).exists():
            raise NotFoundError(f"db: no database at {name}",
                                hint="Ingest documents into it first (`detente ingest`, "
                                     "detente.ingest()), or use the database that holds them.",
                                input="db")
        if not read_only:
            refuse_if_served(name)  # a server reads it per request: no other writer meanwhile
    try:
        con = duckdb.connect(name, read_only=read_only)
    except duckdb.Error as exc:
        raise open_error(name, exc) from exc
    store = Store(con, name)
    try:
        if not read_only:
            store.migrate()
        yield store
    finally:
        con.close()


def open_error(name: str, exc: duckdb.Error) -> StoreError:
    """What went wrong opening the database `name`, and what to do about it."""
    wal = Path(f"{name}.wal")
    if "WAL" in str(exc) and wal.exists():
        # DuckDB replays the write-ahead log on open; a damaged one blocks the whole file
        # although everything up to the last checkpoint is safe in the database itself.
        return StoreError(
            f"db: the write-ahead log {wal} of the database {name} is damaged and cannot be "
            f"replayed: {exc}", input="db",
            hint=f"Move {wal.name} aside (mv {wal} {wal}.damaged); the database before "
                 "the last checkpoint is intact, and only the writes after it are lost.")
    if isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower():
        return StoreLockedError(
            f"db: the database {name} is in use by another process",
            hint="Stop the other process (e.g. `detente serve`), upload through the "
                 "server (POST /api/documents), or use another database file.", input="db")
    if isinstance(exc, duckdb.IOException):
        return StoreError(f"db: cannot open the database {name}: {exc}",
                          hint="Check the path, or use another database file.", input="db")
    return StoreError(f"db: {name} is not a detente DuckDB database: {exc}",
                      hint="Use another database file; a new one is created.", input="db")


# -- Parquet datasets, read in place ----------------------------------------------------
# `detente run` (detente.engine) writes a dataset: a folder per table, Hive-partitioned by
# publication month, the store's columns in each, and a manifest of the finished parts,
# one JSON line each. Every read command opens one as a store: an in-memory DuckDB whose
# tables are views over the files the manifest lists.

DATASET_MARKER = "_detente.json"
DATASET_MANIFEST = "_manifest.jsonl"
# Dataset folder → store table: the store's `actors` are the dataset's `mentions`.
DATASET_TABLES = {"documents": "documents", "sentences": "sentences", "mentions": "actors",
                  "events": "events", "doc_signatures": "doc_signatures",
                  "event_clusters": "event_clusters", "ingest_errors": "ingest_errors"}
# A dataset keeps every version of a cluster's counts (its parts are never rewritten);
# the store, and a dataset read as one, the latest.
VERSIONED = {"event_clusters": ("cluster_id", "version")}


@dataclass(frozen=True)
class DatasetPart:
    """One finished part of a dataset, as its manifest line records it."""

    key: str
    inputs: tuple[str, ...]
    files: tuple[str, ...]
    documents: int
    events: int


def is_dataset(path: Path) -> bool:
    return (path / DATASET_MARKER).is_file()


def not_a_dataset(path: Path) -> StoreError:
    return StoreError(f"{path} is a folder but not a detente Parquet dataset (it has no "
                      f"{DATASET_MARKER})",
                      hint="Pass a DuckDB file, or a folder that `detente run` "
                           "(detente.engine.run) wrote.")


def dataset_parts(root: Path) -> list[DatasetPart]:
    """The finished parts, in the order they were written; a last line cut short by a
    crash is no finished part."""
    manifest = root / DATASET_MANIFEST
    if not manifest.exists():
        return []
    found = []
    for line in manifest.read_text(encoding="utf-8").splitlines():
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            continue
        found.append(DatasetPart(data["part"], tuple(data["inputs"]), tuple(data["files"]),
                                 data["documents"], data["events"]))
    return found


def dataset_files(root: Path, done: Sequence[DatasetPart], folder: str) -> list[Path]:
    """The Parquet files of one table in the finished parts `done`."""
    prefix = folder + "/"
    return [root / name for part in done for name in part.files if name.startswith(prefix)]


@lru_cache(maxsize=1)
def table_columns() -> dict[str, tuple[tuple[str, str], ...]]:
    """Each dataset folder's (column, DuckDB type) pairs: its store table's, in order."""
    with open_store(":memory:") as store:
        return {folder: tuple((row[0], row[1]) for row in
                              store.con.execute(f"DESCRIBE {table}").fetchall())
                for folder, table in DATASET_TABLES.items()}


def require_current(root: Path, done: Sequence[DatasetPart]) -> None:
    """StoreError when a table's files lack columns the store has: a dataset written by
    an older detente (before deduplication, say), which cannot be read or loaded as it
    is."""
    for folder, columns in table_columns().items():
        found = first_file_columns(root, done, folder)
        if found is None:
            continue
        missing = [name for name, _ in columns
                   if name not in found and (folder, name) not in DERIVED]
        if missing:
            raise StoreError(
                f"the Parquet dataset {root} was written by an older detente: its "
                f"{folder} files lack the columns {', '.join(missing)}",
                hint=f"code its inputs again into a new folder with `detente run` "
                     f"(detente.engine.run) and load that folder; {root} is left as it is",
                input="dataset")


# Columns a dataset written by an older detente lacks, and the SQL that gives them from
# its other tables (`dataset_sql`): such a dataset stays readable as it is.
DERIVED = {("events", "doc_date"): "(SELECT date FROM documents d WHERE d.doc_id = f.doc_id)",
           ("events", "dyad"): DYAD_SQL.format("f.")}


def quoted(name: str) -> str:
    return f'"{name}"'


def first_file_columns(root: Path, done: Sequence[DatasetPart], folder: str
                       ) -> set[str] | None:
    """The columns of a table's first file (None without files). The parts are listed
    in the order they were written, so a column the first file has, every later one has."""
    import pyarrow.parquet as pq  # on use: `import detente` stays light

    paths = dataset_files(root, done, folder)
    return set(pq.read_schema(paths[0]).names) if paths else None


def dataset_sql(root: Path, done: Sequence[DatasetPart], folder: str) -> str | None:
    """A SELECT of one table's files in the parts `done`, with its store table's columns
    and types (of a VERSIONED table, each key's latest row); None when there are none.
    Every file of a table has those columns, so only the first file's schema is read to
    open it; a column older files lack (DERIVED) is worked out from the other tables."""
    paths = dataset_files(root, done, folder)
    if not paths:
        return None
    listed = ", ".join("'" + str(path).replace("'", "''") + "'" for path in paths)
    derived = {name: sql for (table, name), sql in DERIVED.items() if table == folder}
    if derived:
        found = first_file_columns(root, done, folder) or set()
        derived = {name: sql for name, sql in derived.items() if name not in found}
    columns = ", ".join(f'CAST({derived.get(name, "f." + quoted(name))} AS {kind}) AS '
                        f'{quoted(name)}' for name, kind in table_columns()[folder])
    sql = (f"SELECT {columns} FROM read_parquet([{listed}], hive_partitioning = false"
           f"{', union_by_name = true' if derived else ''}) f")
    if folder in VERSIONED:
        key, version = VERSIONED[folder]
        sql += f" QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY {version} DESC) = 1"
    return sql


class DatasetStore(Store):
    """A store over a Parquet dataset: it reads as any store, and refuses writes."""

    def begin_document(self, doc: Document, link: DocumentLink | None = None
                       ) -> DocumentWrite | None:
        self.refuse()

    def link_documents(self, links: Sequence[tuple[str, DocumentLink]],
                       clusters: Mapping[str, str],
                       happenings: Sequence[EventCluster] = ()) -> None:
        self.refuse()

    def replace_band_keys(self, stale: Sequence[str],
                          bands: Sequence[tuple[str, Sequence[int]]]) -> None:
        self.refuse()

    def record_error(self, input_name: str, code: str, message: str, hint: str = "") -> None:
        self.refuse()

    def refuse(self) -> NoReturn:
        raise StoreError(f"db: {self.path} is a Parquet dataset, which detente reads but "
                         "does not write into",
                         hint="Add inputs to it with `detente run` (detente.engine.run), or "
                              "load it into a DuckDB file (`detente load`, "
                              "detente.engine.load) and ingest into that.", input="db")

    manifest: DatasetManifest

    def cursor(self) -> DatasetStore:
        """A cursor over the parts finished now: a store held open (a server's, shared by
        the requests in flight) takes in the parts a `detente run` adds meanwhile."""
        self.manifest.refresh(self.con)
        return self.recording_as(self.names)

    def recording_as(self, names: Mapping[str, str]) -> DatasetStore:
        cursor = DatasetStore(self.con.cursor(), self.path, names)
        cursor.manifest = self.manifest
        return cursor


class DatasetManifest:
    """The manifest a dataset store's views were built from, by its size and modification
    time: when it changes (a run added parts), `refresh` builds them again."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.seen: tuple[int, ...] | None = ()  # () before the first read
        self.views: set[str] = set()
        self.lock = threading.Lock()

    def signature(self) -> tuple[int, int] | None:
        try:
            info = (self.root / DATASET_MANIFEST).stat()
        except FileNotFoundError:
            return None
        return info.st_size, info.st_mtime_ns

    def refresh(self, con: duckdb.DuckDBPyConnection) -> None:
        """Build the views over the finished parts, unless the manifest is as last read.
        Its signature is taken first: a part added while it is read is read next time."""
        with self.lock:
            now = self.signature()
            if now == self.seen:
                return
            done = dataset_parts(self.root)
            require_current(self.root, done)
            for folder, table in DATASET_TABLES.items():
                sql = dataset_sql(self.root, done, folder)
                if sql is None:
                    continue
                if table not in self.views:
                    con.execute(f"DROP TABLE {table}")
                try:
                    con.execute(f"CREATE OR REPLACE VIEW {table} AS {sql}")
                except duckdb.Error as exc:
                    raise StoreError(f"cannot read the Parquet dataset {self.root}: {exc}",
                                     hint="Check that its files are complete (a copy cut "
                                          "short?); `detente run` on it again repairs a run "
                                          "that was killed.") from exc
                self.views.add(table)
            self.seen = now


@contextmanager
def open_dataset(root: Path) -> Iterator[DatasetStore]:
    """The dataset at `root` as a read-only store, over the parts finished when it opens
    and, through its cursors, those finished later (`DatasetStore.cursor`)."""
    if not is_dataset(root):
        raise not_a_dataset(root)
    con = duckdb.connect(":memory:")
    # Footers read once per connection: a timeline asks several questions of every file.
    con.execute("SET parquet_metadata_cache = true")
    store = DatasetStore(con, str(root))
    store.manifest = DatasetManifest(root)
    try:
        store.migrate()  # the store's tables, empty: kept for a table with no files yet
        store.manifest.refresh(con)
        yield store
    finally:
        con.close()


DbLike = str | Path | Store


@contextmanager
def reading(db: DbLike) -> Iterator[Store]:
    """A store to read from: an open `Store` (a cursor on it) or a path opened read-only.

    Library functions take either, so a server can share one open database.
    """
    if isinstance(db, Store):
        cursor = db.cursor()
        try:
            yield cursor
        finally:
            cursor.close()
    else:
        with open_store(db, read_only=True) as store:
            yield store

