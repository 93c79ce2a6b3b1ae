"""Deduplication in `detente run`: a pass in the client over each finished task's rows, in
input order, with the state of the dataset's earlier parts (`Deduplicator.load` on the
dataset). It gives the rows `detente ingest` stores for the same documents: each
document's place among near duplicates and its signature, each event's cluster, and a
copy of a coded document without sentences, mentions or events.

The workers code every document; a copy's rows are dropped here, since whether a
document repeats another is known only in input order, after the earlier tasks.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from detente.dedup.events import EventReport
from detente.dedup.state import Deduplicator
from detente.engine.tables import table
from detente.store import LEAD_SENTENCES, DocumentLink


def deduplicated(tables: dict[str, pa.Table], dedup: Deduplicator
                 ) -> tuple[dict[str, pa.Table], int]:
    """A task's tables with their documents linked, their events clustered and the counts
    of the happenings they tell again (each version: the dataset keeps every one), and
    how many of its documents are copies (their sentences, mentions and events left out)."""
    documents = tables["documents"]
    events: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in tables["events"].to_pylist():
        events[row["doc_id"]].append(row)
    links: list[DocumentLink] = []
    clusters: dict[str, str] = {}
    copies: list[str] = []
    signatures: list[dict[str, Any]] = []
    happenings: list[dict[str, Any]] = []
    for doc in documents.select(["doc_id", "text", "date", "source", "year", "month"]
                                ).to_pylist():
        doc_id = doc["doc_id"]
        if dedup.link(doc_id, doc["text"] or "").copy_of is not None:
            copies.append(doc_id)
        else:
            rows = events.get(doc_id, [])
            clusters.update(dedup.cluster(
                [EventReport.from_row({**row, "doc_date": doc["date"],
                                       "doc_source": doc["source"],
                                       "lead": (row["sentence_index"] or 0) < LEAD_SENTENCES})
                 for row in rows],
                {row["event_id"] for row in rows if row["negated"]}))
        link = dedup.stored(doc_id, doc["source"] or "", doc["date"])
        happenings.extend(vars(h) for h in dedup.changed())
        links.append(link)
        if link.signature is not None:
            signatures.append({"doc_id": doc_id, "position": link.position,
                               "signature": link.signature, "shingles": link.shingles,
                               "year": doc["year"], "month": doc["month"]})
    found = dict(tables)
    found["documents"] = with_columns(documents, {
        "canonical_id": pa.array([link.canonical_id for link in links], pa.string()),
        "copy_of": pa.array([link.copy_of for link in links], pa.string()),
        "similarity": pa.array([link.similarity for link in links], pa.float64())})
    if copies:
        dropped = pa.array(copies, pa.string())
        for folder in ("sentences", "mentions", "events"):
            found[folder] = found[folder].filter(
                pc.invert(pc.is_in(found[folder]["doc_id"], value_set=dropped)))
    found["events"] = with_columns(found["events"], {"cluster_id": pa.array(
        [clusters.get(event_id) for event_id in found["events"]["event_id"].to_pylist()],
        pa.string())})
    found["doc_signatures"] = table("doc_signatures", signatures)
    found["event_clusters"] = table("event_clusters", happenings)
    return found, len(copies)


def with_columns(rows: pa.Table, columns: dict[str, pa.Array]) -> pa.Table:
    """`rows` with these columns' values replaced (each column in its place)."""
    for name, values in columns.items():
        rows = rows.set_column(rows.schema.get_field_index(name), name, values)
    return rows
