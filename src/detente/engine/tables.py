"""The rows of a Parquet dataset's tables: the DuckDB store's tables, column for column
and type for type (read from the store's own schema, `store.table_columns`, so that a
migration carries over), plus the partition columns `year` and `month` of each
document's publication date. The store's `actors` table is the dataset's `mentions`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import pyarrow as pa

from detente.ingest.pipeline import Coded, Failure
from detente.store import DATASET_TABLES, flat_event, table_columns

# The tables partitioned by their document's publication month (not ingest_errors).
PARTITIONED = ("documents", "sentences", "mentions", "events", "doc_signatures")
PARTITION_COLUMNS = ("year", "month")

ARROW_TYPES = {"VARCHAR": pa.string(), "INTEGER": pa.int32(), "BIGINT": pa.int64(),
               "DOUBLE": pa.float64(), "BOOLEAN": pa.bool_(), "DATE": pa.date32(),
               "TIMESTAMP": pa.timestamp("us"), "BLOB": pa.binary()}


def schema(folder: str) -> pa.Schema:
    """The Arrow schema of a table's Parquet files (partition columns are in the path)."""
    return pa.schema([(name, ARROW_TYPES[kind]) for name, kind in table_columns()[folder]])


def coded_tables(coded: Sequence[Coded], failures: Sequence[Failure],
                 written_at: dt.datetime) -> dict[str, pa.Table]:
    """The rows of coded documents and failed inputs, as the store would write them, each
    with its document's publication `year` and `month` (null when undated). Their places
    among near duplicates are left empty, for the client's pass (`engine.dedup`)."""
    rows: dict[str, list[dict[str, object]]] = {folder: [] for folder in DATASET_TABLES}
    for item in coded:
        doc = item.doc
        month = {"year": doc.date.year if doc.date else None,
                 "month": doc.date.month if doc.date else None}
        rows["documents"].append({
            "doc_id": doc.doc_id, "title": doc.title, "source": doc.source, "url": doc.url,
            "path": doc.path, "date": doc.date, "date_precision": doc.date_precision,
            "date_inferred": doc.date_inferred, "date_reason": doc.date_reason,
            "fmt": doc.fmt, "text": doc.text, "ingested_at": written_at, **month})
        rows["sentences"].extend(
            {"doc_id": s.doc_id, "sentence_index": s.index, "char_start": s.start,
             "char_end": s.end, "text": s.text, **month} for s in item.sentences)
        rows["mentions"].extend({**m.__dict__, **month} for m in item.mentions)
        # Keyed by id as the store inserts them: an id repeated in one document is kept once.
        events = {e.event_id: {**flat_event(e), "doc_date": doc.date, "dyad": e.dyad, **month}
                  for e in item.events}
        rows["events"].extend(events.values())
    rows["ingest_errors"] = [{"input": f.input, "code": f.code, "message": f.message,
                              "hint": f.hint, "recorded_at": written_at} for f in failures]
    return {folder: table(folder, found) for folder, found in rows.items()}


def table(folder: str, rows: Iterable[dict[str, object]]) -> pa.Table:
    """Rows as an Arrow table of the folder's schema (with the partition columns)."""
    columns = schema(folder)
    if folder in PARTITIONED:
        columns = columns.append(pa.field("year", pa.int32())).append(
            pa.field("month", pa.int32()))
    return pa.Table.from_pylist(list(rows), schema=columns)
