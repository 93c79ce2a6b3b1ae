"""`load`: a Parquet dataset into a DuckDB store, in one transaction and idempotently:
documents the store holds already are left as they are, with their rows, so loading the
same dataset twice (or two overlapping ones) stores each document once."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from detente.errors import NotFoundError, StoreError
from detente.store import (
    DATASET_TABLES,
    VERSIONED,
    dataset_parts,
    dataset_sql,
    is_dataset,
    not_a_dataset,
    open_store,
    table_columns,
)


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
    sources = {folder: dataset_sql(root, done, folder) for folder in DATASET_TABLES}
    with open_store(db) as store:
        con = store.con
        before = {table: store.count(table) for table in ("documents", "events",
                                                          "ingest_errors")}
        with store.transaction():
            if sources["documents"] is not None:
                con.execute("CREATE OR REPLACE TEMP TABLE loading AS SELECT doc_id FROM "
                            f"({sources['documents']}) WHERE doc_id NOT IN "
                            "(SELECT doc_id FROM documents)")
                for folder, table in DATASET_TABLES.items():
                    if folder == "ingest_errors" or sources[folder] is None:
                        continue
                    names = ", ".join(f'"{name}"' for name, _ in table_columns()[folder])
                    if folder in VERSIONED:  # a happening's latest counts, once
                        con.execute(f"INSERT OR REPLACE INTO {table} ({names}) SELECT {names}"
                                    f" FROM ({sources[folder]})")
                        continue
                    # An event id is unique store-wide: kept once, as ingest keeps it.
                    keep = " ON CONFLICT DO NOTHING" if table == "events" else ""
                    con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM "
                                f"({sources[folder]}) WHERE doc_id IN "
                                f"(SELECT doc_id FROM loading){keep}")
                con.execute("DROP TABLE loading")
            if sources["ingest_errors"] is not None:
                con.execute(
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
