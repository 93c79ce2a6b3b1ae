"""Near-duplicate documents: reposts and edited wire copies are linked to the first copy,
different stories on the same subject are not, the index survives a round trip through
its stored rows (and through DuckDB), and its bands find what datasketch's LSH finds."""

from __future__ import annotations

import random

import duckdb
import pytest
from datasketch import MinHashLSH

from detente.dedup import DocumentIndex, DocumentSignature
from detente.dedup.documents import SHORT_SHINGLES, SHORT_THRESHOLD, SIGNATURE_BYTES, normalise
from detente.errors import InputError

ACCORD = """LIMA - Chile and Peru signed a fisheries accord on Monday that sets shared catch limits for anchovy in the waters off their common border, ending two years of disputes between fishing fleets from Arica and Tacna.

The agreement, signed by the two countries' agriculture ministers at a ceremony in Lima, creates a joint commission that will meet every six months to review quotas and to settle complaints from boat owners on either side.

Peruvian officials said the accord would protect stocks that have shrunk sharply since the last strong El Nino, while Chilean negotiators stressed that it leaves the maritime boundary fixed by the international court in 2014 untouched.

Fishing unions in both countries gave the deal a cautious welcome. A spokesman for the Tacna boat owners' association said members would judge it by whether patrol vessels stopped seizing their nets.

The commission's first meeting is planned for August in Santiago, where the two delegations are due to agree on how catches will be reported and checked.

Environmental groups asked for scientists to be given a seat on the commission, arguing that quotas set by ministers alone tend to follow the industry's wishes."""

WATER_TALKS = """LIMA - Chile and Peru opened talks on Monday on sharing water from the rivers that cross their border, as farmers in the Tacna valley complain that a Chilean mining project is draining the aquifer they depend on.

The two countries' foreign ministers met in Lima for three hours and agreed to set up a technical group of hydrologists that will report within a year on the state of the shared basins.

Peruvian officials said the talks would not reopen the maritime boundary fixed by the international court in 2014, and Chilean diplomats said the mining company had complied with every environmental rule.

Farmers' groups in Tacna held a protest outside the foreign ministry during the meeting, demanding that the project be halted until the study is finished."""


def repost(text: str) -> str:
    """The story as another outlet runs it: its own dateline tag, byline and credits."""
    return ("By Marta Quispe\n\n" + text.replace("LIMA - ", "LIMA (Reuters) - ", 1)
            + "\n\n(Reporting by Marta Quispe in Lima; Editing by John Hale)"
            + "\n\nCopyright 2024 Andean Wire Service. All rights reserved.")


def wire_edit(text: str) -> str:
    """A lightly edited copy: a few words changed and the last paragraph cut."""
    paragraphs = text.split("\n\n")[:-1]
    edited = "\n\n".join(paragraphs)
    edited = edited.replace("signed a fisheries accord on Monday", "on Monday signed an accord")
    edited = edited.replace("gave the deal a cautious welcome", "cautiously welcomed the deal")
    return edited.replace("is planned for August", "is expected in August")


def test_a_repost_with_other_boilerplate_joins_the_first_copy():
    index = DocumentIndex()
    assert index.add("accord", ACCORD) is None
    assert index.add("accord-repost", repost(ACCORD)) == "accord"


def test_normalise_drops_dateline_byline_credits_and_copyright():
    assert normalise(repost("LIMA - Chile and Peru signed an accord.")) == normalise(
        "Chile and Peru signed an accord.") == "chile and peru signed an accord"


def test_a_lightly_edited_wire_copy_joins_the_first_copy():
    index = DocumentIndex()
    index.add("accord", ACCORD)
    assert index.add("accord-edited", wire_edit(ACCORD)) == "accord"


def test_another_story_on_the_same_border_is_not_a_copy():
    index = DocumentIndex()
    index.add("accord", ACCORD)
    assert index.add("water-talks", WATER_TALKS) is None
    assert index.clusters() == {"accord": ["accord"], "water-talks": ["water-talks"]}


def test_short_template_notices_are_copies_only_when_nearly_identical():
    index = DocumentIndex()
    index.add("n1", "The ministry said the border crossing at Chacalluta will close on Friday.")
    assert index.add("n2", "The ministry said the border crossing at Concordia will "
                           "close on Sunday.") is None
    assert index.add("n3", "CHACALLUTA (Andean Wire) - The ministry said the border crossing "
                           "at Chacalluta will close on Friday.") == "n1"


def test_a_later_copy_gets_the_earliest_document_of_the_cluster():
    index = DocumentIndex()
    index.add("accord", ACCORD)
    index.add("accord-edited", wire_edit(ACCORD))
    # closest to the edited copy, but its cluster's canonical document is the first one
    assert index.add("edited-repost", repost(wire_edit(ACCORD))) == "accord"
    assert index.canonical("edited-repost") == "accord"
    assert index.clusters() == {"accord": ["accord", "accord-edited", "edited-repost"]}


def test_place_names_the_closest_document_and_how_close():
    index = DocumentIndex()
    minhash, size = index.minhash(ACCORD)
    assert index.place("accord", minhash, size) is None
    index.add("accord-edited", wire_edit(ACCORD))
    minhash, size = index.minhash(repost(wire_edit(ACCORD)))
    match = index.place("edited-repost", minhash, size)
    assert match is not None and (match.canonical_id, match.closest) == ("accord",
                                                                         "accord-edited")
    assert match.similarity >= 0.8  # the same text as the edited copy


def test_removing_the_first_document_hands_its_cluster_to_the_next():
    index = DocumentIndex()
    for doc_id, text in (("accord", ACCORD), ("accord-edited", wire_edit(ACCORD)),
                         ("water-talks", WATER_TALKS), ("accord-repost", repost(ACCORD))):
        index.add(doc_id, text)
    index.remove("accord")
    assert "accord" not in index and len(index) == 3
    assert index.clusters() == {"accord-edited": ["accord-edited", "accord-repost"],
                                "water-talks": ["water-talks"]}
    assert index.add("accord", ACCORD) == "accord-edited"  # found again, now a later copy


def test_rows_round_trip_and_the_restored_index_keeps_growing():
    index = DocumentIndex()
    for doc_id, text in (("accord", ACCORD), ("water-talks", WATER_TALKS),
                         ("accord-repost", repost(ACCORD))):
        index.add(doc_id, text)
    rows = list(index.rows())
    assert [(r.doc_id, r.canonical_id) for r in rows] == [
        ("accord", None), ("water-talks", None), ("accord-repost", "accord")]
    assert {len(r.signature) for r in rows} == {SIGNATURE_BYTES}
    restored = DocumentIndex.from_rows(rows)
    assert list(restored.rows()) == rows
    assert restored.add("water-repost", repost(WATER_TALKS)) == "water-talks"


def test_signatures_survive_a_duckdb_blob_column():
    index = DocumentIndex()
    index.add("accord", ACCORD)
    index.add("accord-repost", repost(ACCORD))
    con = duckdb.connect(":memory:")
    con.execute("CREATE TABLE doc_signatures (doc_id VARCHAR, canonical_id VARCHAR,"
                " signature BLOB, shingles INTEGER)")
    con.executemany("INSERT INTO doc_signatures VALUES (?, ?, ?, ?)",
                    [[r.doc_id, r.canonical_id, r.signature, r.shingles] for r in index.rows()])
    stored = con.execute("SELECT * FROM doc_signatures ORDER BY rowid").fetchall()
    restored = DocumentIndex.from_rows(DocumentSignature(*row) for row in stored)
    assert restored.add("accord-edited", wire_edit(ACCORD)) == "accord"


def test_bad_input_names_the_document():
    index = DocumentIndex()
    index.add("accord", ACCORD)
    with pytest.raises(InputError, match="'accord' is already"):
        index.add("accord", ACCORD)
    with pytest.raises(InputError, match="'blank' has no words"):
        index.add("blank", " -- ")
    with pytest.raises(InputError, match="'ghost' is not in"):
        index.canonical("ghost")
    with pytest.raises(InputError, match="'broken' has 3 bytes"):
        DocumentIndex.from_rows([DocumentSignature("broken", None, b"abc", 10)])
    with pytest.raises(InputError, match="threshold 1.5"):
        DocumentIndex(threshold=1.5)


def test_the_bands_find_what_datasketch_lsh_finds():
    # Texts of 60 words from a small vocabulary, and variants with some of them changed:
    # pairs at every similarity, with many below the threshold that share a band.
    rng = random.Random(5)
    words = [f"w{n}" for n in range(40)]
    texts = {}
    for n in range(60):
        base = [rng.choice(words) for _ in range(60)]
        texts[f"t{n}"] = " ".join(base)
        for changed in (3, 10, 25):
            variant = [rng.choice(words) if rng.random() < changed / 60 else w for w in base]
            texts[f"t{n}-{changed}"] = " ".join(variant)
    index, lsh, minhashes = DocumentIndex(), MinHashLSH(threshold=0.24, num_perm=128), {}
    indexed = [name for name in texts if not name.endswith(("-3", "-10"))]
    for name in indexed:
        minhashes[name], size = index.minhash(texts[name])
        index.place(name, minhashes[name], size)
        lsh.insert(name, minhashes[name])
    restored = DocumentIndex.from_rows(index.rows())
    found = rejected = 0
    for name in set(texts) - set(indexed):
        minhash, size = index.minhash(texts[name])
        expected = set()
        for key in lsh.query(minhash):
            score = minhashes[key].jaccard(minhash)
            short = min(size, index.row(key).shingles) < SHORT_SHINGLES
            if score >= (SHORT_THRESHOLD if short else index.threshold):
                expected.add(key)
        assert {key for _, key in index.similar(minhash, size)} == expected
        assert {key for _, key in restored.similar(minhash, size)} == expected
        found += len(expected)
        rejected += len(lsh.query(minhash)) - len(expected)
    assert (found, rejected) == (74, 17)  # bands shared below the threshold: rejected


def test_a_long_texts_minhash_taken_in_parts_is_the_minhash_of_all_its_shingles():
    """A MinHash is taken MINHASH_CHUNK shingles at a time (memory); the signature and the
    count of distinct shingles are those of the whole set, a shingle repeated across
    parts counted once."""
    from detente.dedup.documents import MINHASH_CHUNK, shingles

    rng = random.Random(5)
    vocabulary = [f"word{n}" for n in range(400)]
    text = " ".join(rng.choice(vocabulary) for _ in range(3 * MINHASH_CHUNK))
    text += " " + text[: len(text) // 3]  # a third again: the same shingles in later parts
    index = DocumentIndex()
    whole = index._blank.copy()
    found = shingles(text)
    whole.update_batch(list(found))
    parts, size = index.minhash(text)
    assert size == len(found) and size > MINHASH_CHUNK
    assert list(parts.hashvalues) == list(whole.hashvalues)


def test_shingles_of_short_texts():
    from detente.dedup.documents import shingles

    assert shingles("") == set()
    assert shingles("Oslo and Lima") == {b"oslo and lima"}
    assert shingles("Chile's navy held drills") == {b"chile's navy held drills"}
    assert shingles("one two three four five six") == {b"one two three four five",
                                                       b"two three four five six"}
