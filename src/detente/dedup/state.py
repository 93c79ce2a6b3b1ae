"""Deduplication against a store: the near-duplicate index and the event clusters of what
is stored, loaded once per ingest (or `detente run`) and grown as documents arrive.

`Deduplicator.load(store)` rebuilds both from what the store keeps (`doc_signatures`,
`documents.canonical_id` and `copy_of`, `events.cluster_id`); for a writable store it
first links the documents and clusters the events stored before deduplication. From a
DuckDB store it reads what it needs when it is needed: the signatures of the documents
sharing an LSH band with a new one (`doc_bands` keeps each signature's band keys, written
with it; a load first adds those of signatures stored without them) until it has looked
up `documents.READ_ALL_AFTER` documents, then all at once; the happenings of a dyad and
type when a report of them comes; the copies of a document when a happening it reports
is counted. So an upload into a large store reads little. A Parquet dataset (`detente
run`, which places many documents) is read whole. Then, for each new document in
arrival order:

- `link` indexes it and says where it belongs: a copy (estimated Jaccard similarity at
  least COPY_THRESHOLD) of a coded document, stored without being coded; a near
  duplicate, linked to its cluster and coded; or the first document of a new cluster;
- `cluster_events` places its events among the stored happenings (a negated event, which
  is no happening, stays a cluster of its own);
- `stored` gives the link to store with it, and `changed` the counts of the happenings
  it tells again (`store.EventCluster`: its events', or for a copy those of the document
  it repeats), all written in the document's transaction;
- `forget` takes it back out when it could not be stored after all.

Nothing placed before moves: a later article joins an existing cluster, or starts one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from detente.dedup.documents import COPY_THRESHOLD, DocumentIndex, StoredRows
from detente.dedup.events import Block, EventClusters, EventReport, canonical_event
from detente.records import Document, Event
from detente.store import LEAD_SENTENCES, DatasetStore, DocumentLink, EventCluster, Store

# The columns of an event that clustering reads, with its document's date and publisher,
# in the order the store holds them (documents by their place in the index).
REPORT_SQL = f"""
    SELECT e.event_id, e.doc_id, e.source_code, e.target_code, e.plover, e.date,
           e.date_precision, e.evidence, e.source_text, e.target_text, e.date_end,
           e.date_source, e.negated, e.cluster_id, d.date AS doc_date, d.source AS doc_source,
           coalesce(e.sentence_index, 0) < {LEAD_SENTENCES} AS lead
    FROM events e LEFT JOIN documents d ON d.doc_id = e.doc_id
    LEFT JOIN doc_signatures s ON s.doc_id = e.doc_id
    WHERE {{where}}
    ORDER BY s.position NULLS LAST, d.ingested_at, e.doc_id, e.char_start, e.event_id
"""
# The stored rows of the near-duplicate index, in the order they were added.
SIGNATURE_SQL = """
    SELECT s.doc_id, nullif(d.canonical_id, s.doc_id) AS canonical_id, s.signature,
           s.shingles, s.position
    FROM doc_signatures s JOIN documents d ON d.doc_id = s.doc_id
    WHERE {where} ORDER BY s.position, s.doc_id
"""


@dataclass(frozen=True)
class Article:
    """A copy, stored without coding: one more article of what its original reports."""

    doc_id: str
    source: str
    date: dt.date | None


class Deduplicator:
    """The near-duplicate index and the event clusters of one store, grown one document
    at a time (see the module docstring).

    >>> with open_store(":memory:") as store:  # doctest: +SKIP
    ...     dedup = Deduplicator.load(store)
    ...     dedup.link("d1", "Chile and Peru signed a fisheries accord ...").canonical_id
    'd1'
    """

    def __init__(self, index: DocumentIndex, clusters: EventClusters,
                 copies: Iterable[tuple[str, str, Article]], position: int,
                 version: int, store: Store | None = None) -> None:
        self.index = index
        self.clusters = clusters
        # With `store`, the three maps below hold what was read of it so far (and what
        # this session added); without, all it holds.
        self.store = store
        self.copies: dict[str, str | None] = {}  # a copy's id → the document it repeats
        self.articles: dict[str, list[Article]] = {}  # a coded document → its copies
        for copy_id, original, article in copies:
            self.copies[copy_id] = original
            self.articles.setdefault(original, []).append(article)
        self.events: dict[str, list[str]] = {}  # a coded document → its clustered events
        for report, _ in clusters.assignments():
            self.events.setdefault(report.doc_id, []).append(report.event_id)
        self.position = position  # the next stored signature's place in the index
        self.version = version  # the next change of a cluster's counts
        self._links: dict[str, DocumentLink] = {}  # linked, not yet stored
        self._touched: set[str] = set()  # clusters told again since `changed`
        self._read_articles: set[str] = set()  # documents whose stored copies were read

    @classmethod
    def load(cls, store: Store) -> Deduplicator:
        """The state `store` keeps; documents and events stored before deduplication are
        linked and clustered first, and recorded (a Parquet dataset is only read)."""
        position, version = store.one(
            "SELECT (SELECT coalesce(max(position) + 1, 0) FROM doc_signatures),"
            " (SELECT coalesce(max(version) + 1, 0) FROM event_clusters)")
        if not isinstance(store, DatasetStore):
            index = DocumentIndex(source=StoredSignatures(store))
            add_band_keys(store, index)
            dedup = cls(index, EventClusters(stored=lambda block: placed(store, block)), (),
                        position, version, store)
            dedup.fill(store)
            return dedup
        every = StoredSignatures(store).every()
        index = DocumentIndex.from_columns(every.doc_ids, every.canonical, every.signatures,
                                           every.sizes)
        copies = [(r["doc_id"], r["copy_of"], Article(r["doc_id"], r["source"] or "", r["date"]))
                  for r in store.query("SELECT doc_id, copy_of, source, date FROM documents"
                                       " WHERE copy_of IS NOT NULL ORDER BY doc_id")]
        clusters = EventClusters.from_assignments(placed(store))
        return cls(index, clusters, copies, position, version)

    def fill(self, store: Store) -> None:
        """Link the stored documents that have no place yet (all were coded: none is a
        copy) and cluster the stored events that have none, in the order stored."""
        links = []
        for row in store.query("SELECT doc_id, text FROM documents WHERE canonical_id IS NULL"
                               " ORDER BY ingested_at, doc_id"):
            self.link(row["doc_id"], row["text"] or "", coded=True)
            links.append((row["doc_id"], self.stored(row["doc_id"], "", None)))
        found = []  # (the reports' query joins three tables: asked only when needed)
        if store.one("SELECT EXISTS (SELECT 1 FROM events WHERE cluster_id IS NULL)")[0]:
            found = store.query(REPORT_SQL.format(where="e.cluster_id IS NULL"))
        clusters = self.cluster([EventReport.from_row(r) for r in found],
                                {r["event_id"] for r in found if r["negated"]})
        if links or clusters:
            store.link_documents(links, clusters, self.changed())

    def link(self, doc_id: str, text: str, *, coded: bool = False) -> DocumentLink:
        """Index a new document; its link says which cluster it joins and, unless `coded`
        (it has been coded already), which coded document it is a copy of, if any."""
        minhash, size = self.index.minhash(text)
        if not size:  # no words to compare: a cluster of its own, in no index
            link = DocumentLink(canonical_id=doc_id)
        else:
            match = self.index.place(doc_id, minhash, size)
            signature = self.index.row(doc_id).signature
            link = DocumentLink(canonical_id=doc_id, signature=signature, shingles=size,
                                bands=tuple(self.index.band_keys(doc_id)))
            if match is not None:
                copy_of = None
                if match.similarity >= COPY_THRESHOLD and not coded:
                    copy_of = self.original(match.closest)
                    self.copies[doc_id] = copy_of
                link = replace(link, canonical_id=match.canonical_id, copy_of=copy_of,
                               similarity=round(match.similarity, 4))
        self._links[doc_id] = link
        return link

    def cluster(self, reports: Sequence[EventReport], negated: Collection[str] = ()
                ) -> dict[str, str]:
        """Place one document's events (or stored events, in order): event id → the id
        of the cluster each joined or started. Negated events stay clusters of their own."""
        placed: dict[str, str] = {}
        for report in reports:
            if report.event_id in placed:
                continue  # an id told twice in one document is stored once
            if report.event_id in negated:
                placed[report.event_id] = report.event_id
                continue
            cluster_id = placed[report.event_id] = self.clusters.add(report)
            self.events.setdefault(report.doc_id, []).append(report.event_id)
            self._touched.add(cluster_id)
        return placed

    def cluster_events(self, doc: Document, events: Iterable[Event]) -> dict[str, str]:
        """`cluster` for a coded document's events."""
        found = list(events)
        return self.cluster([EventReport.from_event(e, doc.date, doc.source,
                                                    e.sentence_index < LEAD_SENTENCES)
                             for e in found], {e.event_id for e in found if e.negated})

    def stored(self, doc_id: str, source: str, date: dt.date | None) -> DocumentLink:
        """The link to store with a linked document (published by `source` on `date`), as
        it stands now: its cluster's canonical document may have changed, if the one it
        joined could not be stored. A copy tells again what its original tells."""
        link = self._links.pop(doc_id)
        if doc_id in self.index:
            canonical = self.index.canonical(doc_id)
            link = replace(link, canonical_id=canonical,
                           similarity=None if canonical == doc_id else link.similarity)
        if link.signature is not None:
            link = replace(link, position=self.position)
            self.position += 1
        if link.copy_of is not None:
            self.read_articles([link.copy_of])
            self.articles.setdefault(link.copy_of, []).append(Article(doc_id, source, date))
            self._touched.update(self.clusters.cluster_of(event_id)
                                 for event_id in self.events_of(link.copy_of))
        return link

    def original(self, doc_id: str) -> str:
        """The coded document `doc_id` repeats: the one it is a copy of, or itself."""
        if doc_id not in self.copies and self.store is not None:
            row = self.store.query("SELECT copy_of FROM documents WHERE doc_id = ?", [doc_id])
            self.copies[doc_id] = row[0]["copy_of"] if row else None
        return self.copies.get(doc_id) or doc_id

    def events_of(self, doc_id: str) -> list[str]:
        """The clustered events of a coded document, its stored ones read when needed."""
        if doc_id not in self.events and self.store is not None:
            found = self.store.query(
                "SELECT event_id, source_code, coalesce(target_code, '') AS target_code, plover"
                " FROM events WHERE doc_id = ? AND cluster_id IS NOT NULL"
                " AND NOT coalesce(negated, FALSE) ORDER BY char_start, event_id", [doc_id])
            for row in found:
                self.clusters.read((row["source_code"], row["target_code"], row["plover"]))
            self.events[doc_id] = [row["event_id"] for row in found]
        return self.events.get(doc_id, [])

    def read_articles(self, doc_ids: Iterable[str]) -> None:
        """Read the stored copies of these documents, once (before this session adds any)."""
        if self.store is None:
            return
        wanted = sorted(set(doc_ids) - self._read_articles)
        if not wanted:
            return
        self._read_articles.update(wanted)
        for r in self.store.query("SELECT doc_id, copy_of, source, date FROM documents"
                                  " WHERE copy_of IN (SELECT unnest(?::VARCHAR[]))"
                                  " ORDER BY doc_id", [wanted]):
            self.copies[r["doc_id"]] = r["copy_of"]
            self.articles.setdefault(r["copy_of"], []).append(
                Article(r["doc_id"], r["source"] or "", r["date"]))

    def changed(self) -> list[EventCluster]:
        """The counts of the happenings told again since the last call, each told more
        than once (a happening told once needs none: it is its event)."""
        found = []
        for cluster_id in sorted(self._touched):
            happening = self.happening(cluster_id)
            if happening is not None:
                found.append(happening)
        self._touched.clear()
        return found

    def happening(self, cluster_id: str) -> EventCluster | None:
        """A cluster's counts, its reports' and those of its articles' copies, with the
        representative report of `events.canonical_event`; None when it is told once."""
        members = self.clusters.members(cluster_id)
        self.read_articles(m.doc_id for m in members)
        articles = {m.doc_id: (m.doc_source, m.doc_date) for m in members}
        reports = len(members)
        for member in members:
            for copy in self.articles.get(member.doc_id, ()):
                reports += 1
                articles[copy.doc_id] = (copy.source, copy.date)
        if reports < 2:
            return None
        best = canonical_event(cluster_id, members)
        dates = [date for _, date in articles.values() if date is not None]
        version, self.version = self.version, self.version + 1
        return EventCluster(
            cluster_id=cluster_id, version=version, event_id=best.event_id, reports=reports,
            articles=len(articles),
            sources=len({source or f"doc:{doc_id}" for doc_id, (source, _) in articles.items()}),
            first_report=min(dates, default=None), last_report=max(dates, default=None),
            root=best.root)

    def forget(self, doc_id: str, event_ids: Iterable[str] = ()) -> None:
        """Take back a document that could not be stored, and its events placed."""
        self._links.pop(doc_id, None)
        original = self.copies.pop(doc_id, None)
        if original is not None:
            self.articles[original] = [a for a in self.articles.get(original, [])
                                       if a.doc_id != doc_id]
        if doc_id in self.index:
            self.index.remove(doc_id)
        for event_id in event_ids:
            if event_id in self.clusters:  # not a negated event, placed by no cluster
                self.clusters.remove(event_id)
        self.events.pop(doc_id, None)
        self._touched.clear()


class StoredSignatures:
    """The stored rows of a store's near-duplicate index (`documents.SignatureSource`):
    those sharing a band key with a document, found in `doc_bands`, or all of them."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def near(self, keys: Sequence[int]) -> StoredRows:
        # First the ids (a scan of the keys alone), then the rows of those found, if any.
        found = self.store.con.execute(
            "SELECT DISTINCT doc_id FROM doc_bands WHERE key = ANY(?::UBIGINT[])",
            [list(keys)]).fetchall()
        if not found:
            return StoredRows([], [], [], [], [])
        return self.read(SIGNATURE_SQL.format(where="s.doc_id = ANY(?::VARCHAR[])"),
                         [[row[0] for row in found]])

    def every(self) -> StoredRows:
        return self.read(SIGNATURE_SQL.format(where="TRUE"))

    def read(self, sql: str, params: Sequence[object] = ()) -> StoredRows:
        # Column by column: the signatures are most of what is read.
        rows = self.store.con.execute(sql, params).fetchall()
        return StoredRows(*(list(column) for column in zip(*rows, strict=True))
                          ) if rows else StoredRows([], [], [], [], [])


def add_band_keys(store: Store, index: DocumentIndex) -> None:
    """Record the band keys of the stored signatures that have none (stored before the
    store kept them, or copied from a Parquet dataset by `detente load`), and drop those
    of no signature or of another banding."""
    signatures, keys = store.one("SELECT (SELECT count(*) FROM doc_signatures),"
                                 " (SELECT count(*) FROM doc_bands)")
    if keys == signatures * index.bands:
        return
    stale = store.con.execute(
        "SELECT doc_id FROM doc_bands GROUP BY doc_id HAVING count(*) <> ? UNION"
        " SELECT doc_id FROM doc_bands WHERE doc_id NOT IN (SELECT doc_id FROM doc_signatures)",
        [index.bands]).fetchall()
    missing = store.con.execute(
        "SELECT doc_id, signature FROM doc_signatures WHERE doc_id NOT IN"
        " (SELECT doc_id FROM doc_bands) OR doc_id IN (SELECT unnest(?::VARCHAR[]))"
        " ORDER BY position, doc_id", [[row[0] for row in stale]]).fetchall()
    found = index.signature_keys([row[0] for row in missing], [row[1] for row in missing])
    store.replace_band_keys([row[0] for row in stale],
                            [(row[0], row_keys) for row, row_keys in
                             zip(missing, found, strict=True)])


def placed(store: Store, block: Block | None = None) -> Iterator[tuple[EventReport, str]]:
    """The clustered reports of a store (of one dyad and type), each with its cluster, in
    the order they were placed."""
    where, params = "e.cluster_id IS NOT NULL AND NOT coalesce(e.negated, FALSE)", []
    if block is not None:
        where += (" AND e.source_code = ? AND coalesce(e.target_code, '') = ?"
                  " AND e.plover = ?")
        params = list(block)
    for row in store.query(REPORT_SQL.format(where=where), params):
        yield EventReport.from_row(row), row["cluster_id"]
