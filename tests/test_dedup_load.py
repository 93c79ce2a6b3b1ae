"""The near-duplicate index over a DuckDB store: a load reads no signature; linking a new
document reads those of the stored documents sharing an LSH band with it (`doc_bands`,
written with each signature), then, after `READ_ALL_AFTER` of them, all at once; either
way the links are those of an index holding every document; and a load first adds the
band keys of signatures stored without them (a store from before they were kept)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from detente.dedup import documents
from detente.dedup.documents import DocumentIndex
from detente.dedup.events import EventClusters
from detente.dedup.state import Deduplicator
from detente.records import Document
from detente.store import Store, open_store

WORDS = [f"w{n}" for n in range(400)]


def stories(count: int, seed: int = 5) -> list[str]:
    """Distinct texts of 60 words; many repeat an earlier one with a few words changed or a
    paragraph added (copies, near duplicates and texts just below the threshold)."""
    rng = random.Random(seed)
    texts: list[str] = []
    for _ in range(count):
        if texts and rng.random() < 0.6:
            words = rng.choice(texts).split()
            for _ in range(rng.choice((0, 1, 3, 8, 15))):
                words[rng.randrange(len(words))] = rng.choice(WORDS)
            words += rng.sample(WORDS, rng.choice((0, 0, 20, 60)))
        else:
            words = rng.sample(WORDS, 60)
        if " ".join(words) not in texts:
            texts.append(" ".join(words))
    return texts


def expected(texts: list[str], coded: int = 0) -> list[tuple[str, str | None, float | None]]:
    """Each text's cluster, copy and similarity as one index holding all finds them (the
    first `coded` coded already: no copies)."""
    dedup = Deduplicator(DocumentIndex(), EventClusters(), (), 0, 0)
    found = []
    for n, text in enumerate(texts):
        doc_id = Document.create(text).doc_id
        dedup.link(doc_id, text, coded=n < coded)
        link = dedup.stored(doc_id, "", None)
        found.append((link.canonical_id, link.copy_of, link.similarity))
    return found


def upload(store: Store, text: str) -> None:
    """Store one document as an upload does: a load, its link, its row."""
    dedup = Deduplicator.load(store)
    doc = Document.create(text)
    dedup.link(doc.doc_id, text)
    store.add_document(doc, [], link=dedup.stored(doc.doc_id, "", None))


def stored_links(store: Store, texts: list[str]) -> list[tuple[str, str | None, float | None]]:
    found = {r["doc_id"]: (r["canonical_id"], r["copy_of"], r["similarity"])
             for r in store.query("SELECT doc_id, canonical_id, copy_of, similarity"
                                  " FROM documents")}
    return [found[Document.create(text).doc_id] for text in texts]


@pytest.mark.parametrize("read_all_after", [1, 5, 64])
def test_links_against_a_store_are_those_of_an_index_holding_every_document(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read_all_after: int) -> None:
    monkeypatch.setattr(documents, "READ_ALL_AFTER", read_all_after)
    texts = stories(60)
    with open_store(tmp_path / "store.duckdb") as store:
        for text in texts[:30]:
            store.add_document(Document.create(text), [])  # stored before deduplication
        dedup = Deduplicator.load(store)  # links them
        batch = texts[30:45]
        for text in batch:  # one ingest of many documents
            doc = Document.create(text)
            dedup.link(doc.doc_id, text)
            store.add_document(doc, [], link=dedup.stored(doc.doc_id, "", None))
        for text in texts[45:]:  # uploads, one document each
            upload(store, text)
        assert stored_links(store, texts) == expected(texts, coded=30)
        keys, signatures = store.one("SELECT (SELECT count(*) FROM doc_bands),"
                                     " (SELECT count(*) FROM doc_signatures)")
        assert keys == signatures * dedup.index.bands


def test_a_load_reads_no_signature_and_a_link_only_those_near_it(tmp_path: Path) -> None:
    texts = stories(40, seed=8)
    with open_store(tmp_path / "store.duckdb") as store:
        for text in texts:
            upload(store, text)
        dedup = Deduplicator.load(store)
        assert len(dedup.index) == 0
        original = texts[0]
        again = original + " " + " ".join(random.Random(1).sample(WORDS, 3))
        link = dedup.link("again", again)
        assert link.copy_of == Document.create(original).doc_id
        # read: the stored documents sharing a band key with it, and no other
        whole = DocumentIndex()
        for text in texts:
            whole.add(Document.create(text).doc_id, text)
        whole.add("again", again)
        keys = set(whole.band_keys("again"))
        near = {doc_id for doc_id in (Document.create(t).doc_id for t in texts)
                if keys & set(whole.band_keys(doc_id))}
        assert {doc_id for members in dedup.index.clusters().values()
                for doc_id in members} == near | {"again"}
        assert len(near) < len(texts)


def test_a_load_adds_the_band_keys_of_signatures_stored_without_them(tmp_path: Path) -> None:
    texts = stories(20, seed=9)
    with open_store(tmp_path / "store.duckdb") as store:
        for text in texts:
            upload(store, text)
        bands = store.query("SELECT doc_id, key FROM doc_bands ORDER BY doc_id, key")
        # as a store from before doc_bands (migrated) or one `detente load` wrote, and a
        # stray key of no signature
        store.con.execute("DELETE FROM doc_bands WHERE doc_id IN (SELECT doc_id FROM"
                          " doc_signatures WHERE position % 2 = 0)")
        store.con.execute("INSERT INTO doc_bands VALUES ('gone', 42)")
        dedup = Deduplicator.load(store)
        assert store.query("SELECT doc_id, key FROM doc_bands ORDER BY doc_id, key") == bands
        first = store.one("SELECT doc_id FROM doc_signatures WHERE position = 0")[0]
        text = store.document(first)["text"]
        assert dedup.link("again", text + " w1").copy_of == first


def test_a_schema_4_store_is_linked_as_before(tmp_path: Path) -> None:
    texts = stories(30, seed=3)
    with open_store(tmp_path / "store.duckdb") as store:
        for text in texts[:20]:
            upload(store, text)
        store.con.execute("DROP TABLE doc_bands")  # schema 4 had none
        store.con.execute("ALTER TABLE events DROP COLUMN doc_date")  # nor these
        store.con.execute("ALTER TABLE events DROP COLUMN dyad")
        store.con.execute("DELETE FROM schema_version WHERE version >= 5")
    with open_store(tmp_path / "store.duckdb") as store:
        assert store.schema_version == 6
        for text in texts[20:]:
            upload(store, text)
        assert stored_links(store, texts) == expected(texts)
