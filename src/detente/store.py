"""The DuckDB store: schema, migrations, idempotent writes and the read queries.

All SQL is parameterised. A document is written in one transaction together with
its sentences, mentions and events, so a failure never leaves half a document.
Reads from other threads go through cursors (`Store.cursor()`, `reading`): DuckDB runs
them side by side, each in its own snapshot, while one writer writes.
"""

from __future__ import annotations

import datetime as dt
import json
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

SCHEMA_VERSION = 3

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
    """Filters shared by `events`, exports and the HTTP API."""

    source: str | None = None
    target: str | None = None
    plover: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    doc_id: str | None = None

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = ["TRUE"]
        params: list[Any] = []
        for column, value in (("source_code", self.source), ("target_code", self.target),
                              ("plover", self.plover), ("doc_id", self.doc_id)):
            if value:
                clauses.append(f"{column} = ?")
                params.append(value.upper() if column != "doc_id" else value)
        if self.since:
            clauses.append("date_start >= ?")
            params.append(self.since)
        if self.until:
            clauses.append("date_start <= ?")
            params.append(self.until)
        return " AND ".join(clauses), params


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
                f"{self.path} has schema version {current}, newer than this detente "
                f"({SCHEMA_VERSION})",
                hint="Upgrade detente (pip install -U detente) or use another --db file.",
            )
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
    ) -> bool:
        """Store a document with its parts in one transaction; False if already stored."""
        if self.has_document(doc.doc_id):
            return False
        doc = replace(doc, path=renamed(doc.path, self.names))
        con = self.con
        with self.transaction():
            con.execute(
                "INSERT INTO documents (doc_id, title, source, url, path, date, date_precision,"
                " date_inferred, date_reason, fmt, text)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [doc.doc_id, doc.title, doc.source, doc.url, doc.path, doc.date,
                 doc.date_precision, doc.date_inferred, doc.date_reason, doc.fmt, doc.text],
            )
            if sentences:
                con.executemany(
                    "INSERT INTO sentences VALUES (?, ?, ?, ?, ?)",
                    [[s.doc_id, s.index, s.start, s.end, s.text] for s in sentences],
                )
            if mentions:
                con.executemany(
                    "INSERT INTO actors VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [[m.doc_id, m.sentence_index, m.char_start, m.char_end, m.text, m.code,
                      m.sector, m.name, m.kind, m.reason] for m in mentions],
                )
            self._insert_events(events)
        return True

    def add_events(self, events: Sequence[Event]) -> int:
        """Insert events (skipping ids already stored); returns how many were new."""
        with self.transaction():
            return self._insert_events(events)

    def _insert_events(self, events: Sequence[Event]) -> int:
        rows = {e.event_id: _event_row(e) for e in events}
        if not rows:
            return 0
        placeholders = ", ".join("?" for _ in EVENT_COLUMNS)
        before = self.count("events")
        self.con.executemany(
            f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES ({placeholders})"
            " ON CONFLICT DO NOTHING",
            list(rows.values()),
        )
        return self.count("events") - before

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
                   d.date_inferred, d.date_reason, d.fmt,
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
        sql = (f"SELECT {', '.join(EVENT_COLUMNS)} FROM events WHERE {clause}"
               " ORDER BY date_start NULLS LAST, doc_id, sentence_index, char_start, event_id")
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        return [_row_event(dict(zip(EVENT_COLUMNS, row, strict=True)))
                for row in self.con.execute(sql, params).fetchall()]

    def count_events(self, where: EventFilter = EventFilter()) -> int:
        clause, params = where.where()
        return self.one(f"SELECT count(*) FROM events WHERE {clause}", params)[0]

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
            raise StoreError(f"the folder for the database {name} does not exist",
                             hint=f"Create {parent} or pass another --db file.")
        if read_only and not Path(name).exists():
            raise NotFoundError(f"no database at {name}",
                                hint="Run `detente ingest PATH --db FILE` first, or pass --db.")
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
            f"the write-ahead log {wal} of the database {name} is damaged and cannot be "
            f"replayed: {exc}",
            hint=f"Move {wal.name} aside (mv {wal} {wal}.damaged); the database before "
                 "the last checkpoint is intact, and only the writes after it are lost.")
    if isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower():
        return StoreLockedError(
            f"the database {name} is in use by another process",
            hint="Stop the other process (e.g. `detente serve`), upload through the "
                 "server (POST /api/documents), or use another --db file.")
    if isinstance(exc, duckdb.IOException):
        return StoreError(f"cannot open the database {name}: {exc}",
                          hint="Check the path, or pass another --db file.")
    return StoreError(f"{name} is not a detente DuckDB database: {exc}",
                      hint="Pass another --db file; detente will create it.")


# -- Parquet datasets, read in place ----------------------------------------------------
# `detente run` (detente.engine) writes a dataset: a folder per table, Hive-partitioned by
# publication month, the store's columns in each, and a manifest of the finished parts,
# one JSON line each. Every read command opens one as a store: an in-memory DuckDB whose
# tables are views over the files the manifest lists.

DATASET_MARKER = "_detente.json"
DATASET_MANIFEST = "_manifest.jsonl"
# Dataset folder → store table: the store's `actors` are the dataset's `mentions`.
DATASET_TABLES = {"documents": "documents", "sentences": "sentences", "mentions": "actors",
                  "events": "events", "ingest_errors": "ingest_errors"}


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
                      hint="Pass a DuckDB file, or a folder written by `detente run INPUT... "
                           "--output DIR`.")


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


def dataset_sql(root: Path, done: Sequence[DatasetPart], folder: str) -> str | None:
    """A SELECT of one table's files in the parts `done`, with its store table's columns
    and types; None when there are none. Every file of a table has those columns, so only
    the first file's schema is read to open it."""
    paths = dataset_files(root, done, folder)
    if not paths:
        return None
    listed = ", ".join("'" + str(path).replace("'", "''") + "'" for path in paths)
    columns = ", ".join(f'CAST("{name}" AS {kind}) AS "{name}"'
                        for name, kind in table_columns()[folder])
    return f"SELECT {columns} FROM read_parquet([{listed}], hive_partitioning = false)"


class DatasetStore(Store):
    """A store over a Parquet dataset: it reads as any store, and refuses writes."""

    def add_document(self, doc: Document, sentences: Sequence[Sentence],
                     events: Sequence[Event] = (),
                     mentions: Sequence[StoredMention] = ()) -> bool:
        self.refuse()

    def add_events(self, events: Sequence[Event]) -> int:
        self.refuse()

    def record_error(self, input_name: str, code: str, message: str, hint: str = "") -> None:
        self.refuse()

    def refuse(self) -> NoReturn:
        raise StoreError(f"{self.path} is a Parquet dataset, which detente reads but does "
                         "not write into",
                         hint=f"Add documents with `detente run INPUT... --output {self.path}`, "
                              f"or `detente load {self.path} --db FILE` and ingest into FILE.")

    def cursor(self) -> DatasetStore:
        return DatasetStore(self.con.cursor(), self.path, self.names)

    def recording_as(self, names: Mapping[str, str]) -> DatasetStore:
        return DatasetStore(self.con.cursor(), self.path, names)


@contextmanager
def open_dataset(root: Path) -> Iterator[DatasetStore]:
    """The dataset at `root` as a read-only store, over the parts finished when it opens."""
    if not is_dataset(root):
        raise not_a_dataset(root)
    con = duckdb.connect(":memory:")
    # Footers read once per connection: a timeline asks several questions of every file.
    con.execute("SET parquet_metadata_cache = true")
    store = DatasetStore(con, str(root))
    try:
        store.migrate()  # the store's tables, empty: kept for a table with no files yet
        done = dataset_parts(root)
        for folder, table in DATASET_TABLES.items():
            sql = dataset_sql(root, done, folder)
            if sql is None:
                continue
            con.execute(f"DROP TABLE {table}")
            try:
                con.execute(f"CREATE VIEW {table} AS {sql}")
            except duckdb.Error as exc:
                raise StoreError(f"cannot read the Parquet dataset {root}: {exc}",
                                 hint="Check that its files are complete (a copy cut "
                                      "short?); `detente run` on it again repairs a run "
                                      "that was killed.") from exc
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

