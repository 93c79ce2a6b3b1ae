"""`load`: a Parquet dataset into a DuckDB store, in one transaction and idempotently:
documents the store holds already are left as they are, with their rows, so loading the
same dataset twice (or two overlapping ones) stores each document once.

The dataset's documents are deduplicated again against the store, in the dataset's order,
by the pass `detente run` makes (`engine.dedup`): a near duplicate of a stored document
joins its cluster and its events the stored happenings, and a copy of one is stored as a
copy, without its sentences, mentions and events, as ingest would have stored it. The
dataset's own links and clusters, made without the store, are not kept.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import pyarrow as pa

from detente.dedup.state import Deduplicator
from detente.engine.dedup import deduplicated
from detente.engine.tables import table
from detente.errors import NotFoundError, StoreError
from detente.store import (
    DATASET_TABLES,
    Store,
    dataset_parts,
    dataset_sql,
    is_dataset,
    not_a_dataset,
    open_store,
    require_current,
    table_columns,
)

# The dataset folders of a document's rows, in the order written, each with the order of
# a document's rows (its events' is the order ingest clusters them in).
ROWS = {"documents": "", "sentences": ", f.sentence_index",
        "mentions": ", f.sentence_index, f.char_start", "events": ", f.char_start, f.event_id",
        "doc_signatures": ""}


@dataclass(frozen=True)
class LoadReport:
    """What a load did: documents added and already present, events and errors added."""

    db: str
    dataset: str
    added: int
    present: int
    events: int
    errors: int

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def load(dataset: str | Path, db: str | Path) -> LoadReport:
    """Bring the dataset written by `run` into the DuckDB file `db` (created if needed).

    >>> load("out/", "detente.duckdb").added  # doctest: +SKIP
    1873
    """
    root = Path(dataset)
    if not root.exists():
        raise NotFoundError(f"no Parquet dataset at {root}",
                            hint="write one with `detente run` (detente.engine.run)",
                            input="dataset")
    if not is_dataset(root):
        raise not_a_dataset(root)
    if Path(db).is_dir():
        raise StoreError(f"{db} is a folder; `load` writes into a DuckDB file",
                         hint="name a DuckDB file (created if it does not exist)",
                         input="db")
    done = dataset_parts(root)
    require_current(root, done)
    sources = {folder: dataset_sql(root, done, folder) for folder in DATASET_TABLES}
    with open_store(db) as store:
        before = {table: store.count(table) for table in ("documents", "events",
                                                          "ingest_errors")}
        dedup = Deduplicator.load(store)  # links what the store kept from before dedup
        with store.transaction():
            # Part by part, in the order written: the order `run` placed the documents in,
            # and a bound on the rows held at once.
            for part in done:
                rows = {folder: dataset_sql(root, [part], folder) for folder in ROWS}
                found = new_documents(store, rows)
                if found:
                    store_rows(store, deduplicated(read_rows(store, rows, found), dedup)[0])
            if sources["ingest_errors"] is not None:
                store.con.execute(
                    "INSERT INTO ingest_errors (input, code, message, hint, recorded_at) "
                    "SELECT DISTINCT ON (input, code, message) input, code, message, hint, "
                    f"recorded_at FROM ({sources['ingest_errors']}) AS found WHERE NOT EXISTS "
                    "(SELECT 1 FROM ingest_errors AS e WHERE e.input = found.input "
                    "AND e.code = found.code AND e.message = found.message)")
        added = store.count("documents") - before["documents"]
        total = 0
        if sources["documents"] is not None:
            total = store.one(f"SELECT count(*) FROM ({sources['documents']})")[0]
        return LoadReport(str(db), str(root), added, total - added,
                          store.count("events") - before["events"],
                          store.count("ingest_errors") - before["ingest_errors"])


def new_documents(store: Store, sources: dict[str, str | None]) -> list[str]:
    """The ids of the dataset's documents the store does not hold, in the order the
    dataset placed them among near duplicates (those without a signature last)."""
    if sources["documents"] is None:
        return []
    order = "NULL"
    joined = ""
    if sources["doc_signatures"] is not None:
        order = "s.position"
        joined = f"LEFT JOIN ({sources['doc_signatures']}) s USING (doc_id)"
    rows = store.con.execute(
        f"SELECT d.doc_id FROM ({sources['documents']}) d {joined} WHERE d.doc_id NOT IN "
        f"(SELECT doc_id FROM documents) ORDER BY {order} NULLS LAST, d.ingested_at, "
        "d.doc_id").fetchall()
    return [row[0] for row in rows]


def read_rows(store: Store, sources: dict[str, str | None], doc_ids: list[str]
              ) -> dict[str, pa.Table]:
    """The rows of these documents in the dataset, documents in the order given, as the
    tables `engine.dedup.deduplicated` reads (with the partition columns it writes)."""
    con = store.con
    con.execute("CREATE OR REPLACE TEMP TABLE loading (doc_id VARCHAR, n INTEGER)")
    con.executemany("INSERT INTO loading VALUES (?, ?)",
                    [[doc_id, n] for n, doc_id in enumerate(doc_ids)])
    found = {}
    for folder, order in ROWS.items():
        if folder == "doc_signatures":
            continue  # made again by the pass
        if sources[folder] is None:
            found[folder] = table(folder, [])
            continue
        # An event's `doc_date` is its document's date (which a dataset written before
        # that column was added gives only through its documents).
        dated = " REPLACE (d.date AS doc_date)" if folder == "events" else ""
        rows = con.sql(
            f"SELECT f.*{dated}, year(d.date) AS year, month(d.date) AS month FROM "
            f"({sources[folder]}) f JOIN loading l USING (doc_id) JOIN "
            f"({sources['documents']}) d USING (doc_id) ORDER BY l.n{order}").to_arrow_table()
        found[folder] = rows.cast(table(folder, []).schema)
    con.execute("DROP TABLE loading")
    return found


def store_rows(store: Store, tables: dict[str, pa.Table]) -> None:
    """Insert deduplicated rows; of a happening's counts, the latest version."""
    con = store.con
    for folder in (*ROWS, "event_clusters"):
        names = ", ".join(f'"{name}"' for name, _ in table_columns()[folder])
        con.register("found_rows", tables[folder])
        try:
            if folder == "event_clusters":
                con.execute(f"INSERT OR REPLACE INTO event_clusters ({names}) SELECT {names}"
                            " FROM found_rows QUALIFY row_number() OVER (PARTITION BY"
                            " cluster_id ORDER BY version DESC) = 1")
            else:
                # An event id is unique store-wide: kept once, as ingest keeps it.
                keep = " ON CONFLICT DO NOTHING" if folder == "events" else ""
                con.execute(f"INSERT INTO {DATASET_TABLES[folder]} ({names}) SELECT {names}"
                            f" FROM found_rows{keep}")
        finally:
            con.unregister("found_rows")
