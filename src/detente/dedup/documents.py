"""Near-duplicate documents: reposts, lightly edited wire copies and the same story
wrapped in other boilerplate.

A document's text is normalised (case, punctuation, whitespace, datelines, bylines and
credit lines dropped), cut into overlapping word shingles and summarised by a MinHash
signature; an LSH index over the signatures finds earlier documents that may share most
shingles, and the MinHash estimate of their Jaccard similarity decides. The index is
incremental: `DocumentIndex.add` places one new document at a time, and its state is
the list of `DocumentSignature` rows (signatures as bytes), from which `from_rows`
rebuilds it without re-reading any text.

The LSH bands are those datasketch's `MinHashLSH` takes for the threshold, kept here: the
rows `from_rows` gives are banded at once with numpy and looked up by binary search;
documents placed one at a time go into per-band dictionaries. An index over a store
(`DocumentIndex(source=...)`, see `SignatureSource`) holds none of its rows at first: each
new document's band keys (`band_keys`, stored with its signature) select the stored
documents that may be near it, read then, and after `READ_ALL_AFTER` such reads the
others at once; so an upload into a large store reads only a few signatures.
"""

from __future__ import annotations

import re
import unicodedata
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import islice
from typing import Protocol

import numpy as np
from datasketch import MinHash, MinHashLSH

from detente.errors import InputError

# Fixed hashing parameters: a signature stored by one run must compare with the next
# run's, so the scheme, seed and width are part of the stored format.
SCHEME = "affine32"
SEED = 1
NUM_PERM = 128
SIGNATURE_DTYPE = np.dtype("<u4")
SIGNATURE_BYTES = NUM_PERM * SIGNATURE_DTYPE.itemsize

# Defaults tuned on the dev half of data/dedup (python -m detente.dedup.evaluate --tune).
SHINGLE_WORDS = 5
# Shingles hashed at once into a MinHash: 128 hashes of 8 bytes each, about 20 MB.
MINHASH_CHUNK = 20_000
# A word of the normalised text: letters and digits, with an inner apostrophe.
WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
THRESHOLD = 0.3
# Short texts (a one-line dividend notice, a headline) share most of their few shingles
# with others of their template; they count as copies only when nearly identical.
SHORT_SHINGLES = 30
SHORT_THRESHOLD = 0.8
# A document this similar to an earlier one repeats it (a repost, a copy in other
# boilerplate, a wire copy with a word changed): ingest stores it linked to that document
# and does not code it again. Below this, a near duplicate is linked and still coded.
COPY_THRESHOLD = 0.8

# Lines that name the outlet, the writer or the editors rather than tell the story.
CREDIT_LINES = re.compile(
    r"^\s*(?:\(?(?:(?:additional )?reporting|writing|editing|compiled|produced|translated)"
    r" by\b.*"
    r"|by [\w.'’\- ]{2,60}(?:[,|/].{0,60})?"
    r"|(?:copyright|\(c\)|©).*|.*\ball rights (?:reserved|waived)\b.*"
    r"|(?:published|updated|posted|first published)\b.{0,60}"
    r"|(?:advertisement|read more|related(?: stories| articles)?|share this(?: story)?)\b.{0,80})$",
    re.IGNORECASE | re.MULTILINE)
# A wire dateline opening a paragraph: "LONDON (Reuters) -", "TOKYO, March 3 (AP) -",
# "SOCHI, Russia -" (ingest puts it on a line of its own: "TOKYO -").
DATELINE = re.compile(
    r"^\s*[A-Z][A-Z.'\- ]{1,30}(?:, [A-Z][\w. ]{1,30})?(?:, \w+\.? \d{1,2})?"
    r"(?: ?\([^)\n]{1,30}\))? ?[-–—:]+\s*", re.MULTILINE)
AGENCY_TAG = re.compile(r"\((?:reuters|ap|afp|kyodo|tass|xinhua|dpa|ani|pti|upi)\)",
                        re.IGNORECASE)
# A band's values folded into one 64-bit key (a collision only adds a candidate, which
# the similarity then rejects).
FOLD = np.uint64(0x9E3779B97F4A7C15)
# An index over a store reads the stored documents near each new one, this many times;
# then all the others at once (a large ingest, or a store linked for the first time).
READ_ALL_AFTER = 64


def normalise(text: str) -> str:
    """The words of `text` that tell its story, lower-cased and joined by single spaces:
    without datelines, agency tags, bylines, credit, copyright and "read more" lines.

    >>> normalise("LONDON (Reuters) - Chile's navy held drills.\\n(Reporting by A. Diaz)")
    "chile's navy held drills"
    """
    return " ".join(words(text))


def words(text: str) -> Iterator[str]:
    """The words of `normalise`, one by one (a long text's are never all held at once)."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'")
    text = DATELINE.sub("", CREDIT_LINES.sub("", text))
    text = AGENCY_TAG.sub(" ", text).lower()
    return (match.group() for match in WORD.finditer(text))


def shingle_runs(text: str, size: int = SHINGLE_WORDS) -> Iterator[bytes]:
    """Every run of `size` words of the normalised text, repeats included, as UTF-8 bytes;
    a text shorter than `size` words is one shingle."""
    window: deque[str] = deque(maxlen=size)
    for word in words(text):
        window.append(word)
        if len(window) == size:
            yield " ".join(window).encode()
    if 0 < len(window) < size:
        yield " ".join(window).encode()


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    """The distinct runs of `size` words of the normalised text, as UTF-8 bytes; a text
    shorter than `size` words is one shingle."""
    return set(shingle_runs(text, size))


@dataclass(frozen=True)
class Match:
    """Where a new document joined: the canonical document of the cluster, the indexed
    document most similar to it (`closest`), and their estimated Jaccard similarity."""

    canonical_id: str
    closest: str
    similarity: float


@dataclass(frozen=True)
class DocumentSignature:
    """One indexed document as stored: its id, the canonical document of its cluster
    (None when it is the first of its cluster), its MinHash signature as
    `SIGNATURE_BYTES` bytes (NUM_PERM little-endian uint32: a BLOB column in DuckDB)
    and the number of its distinct shingles."""

    doc_id: str
    canonical_id: str | None
    signature: bytes
    shingles: int


@dataclass(frozen=True)
class StoredRows:
    """Stored rows of an index, field by field (as `DocumentIndex.from_columns` takes
    them), with each one's `position` in the order they were added."""

    doc_ids: Sequence[str]
    canonical: Sequence[str | None]
    signatures: Sequence[bytes]
    sizes: Sequence[int]
    positions: Sequence[int | None]


class SignatureSource(Protocol):
    """The stored rows an index reads when needed, each in the order added (position,
    then id): `near`, those with any of these band keys (`DocumentIndex.band_keys`);
    `every`, all."""

    def near(self, keys: Sequence[int]) -> StoredRows: ...

    def every(self) -> StoredRows: ...


class DocumentIndex:
    """Clusters of near-duplicate documents, grown one document at a time.

    >>> index = DocumentIndex()
    >>> story = "Chile and Peru signed a fisheries accord in Lima on Monday, ending a dispute."
    >>> index.add("a", story) is None
    True
    >>> index.add("b", "LIMA (Reuters) - " + story + "\\n(Reporting by J. Soto)")
    'a'
    """

    def __init__(self, threshold: float = THRESHOLD, shingle_words: int = SHINGLE_WORDS,
                 source: SignatureSource | None = None) -> None:
        if not 0 < threshold <= 1:
            raise InputError(f"document similarity threshold {threshold} is outside (0, 1]",
                             hint="Give a Jaccard similarity such as 0.5.")
        self.threshold = threshold
        self.shingle_words = shingle_words
        self._blank = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
        # LSH finds candidates a little below the threshold; the signature estimate decides.
        self._bands, self._rows = lsh_bands(max(0.1, threshold * 0.8))
        self._values: dict[str, np.ndarray] = {}  # doc id → its signature's NUM_PERM values
        self._canonical: dict[str, str | None] = {}
        # Ties go to the earlier document: stored rows (read from `source`) by their
        # place, (0, position, id); others as added, (0 or 1 when placed, number, "").
        self._order: dict[str, tuple[int, int, str]] = {}
        self._sizes: dict[str, int] = {}
        self._added = 0  # documents ever placed: their order, kept through removals
        # Rows not read yet are in `source`, which gives those near a document until it
        # has been asked `READ_ALL_AFTER` times; the ids of the rows read from it.
        self._source = source
        self._reads = 0
        self._read: set[str] = set()
        # Bands of the rows given at once (`from_rows`): their ids, and every band's key
        # salted by its band, sorted, with where each came from (row * bands + band); of
        # documents placed one by one, key → ids per band.
        self._salt = np.arange(1, self._bands + 1, dtype=np.uint64) * FOLD
        self._bulk_ids = np.array([], dtype=object)
        self._bulk_keys = np.array([], dtype=np.uint64)
        self._bulk_order = np.array([], dtype=np.intp)
        self._buckets: list[dict[int, list[str]]] = [{} for _ in range(self._bands)]

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._values

    def minhash(self, text: str) -> tuple[MinHash, int]:
        """The MinHash of a text's shingles and their number, taken MINHASH_CHUNK shingles
        at a time: a MinHash is the minimum of each hash over the shingles, the same in
        parts, and the parts keep memory flat (at once, a 20 MB text took 1 GB more)."""
        minhash = self._blank.copy()
        runs = shingle_runs(text, self.shingle_words)
        chunks: list[np.ndarray] = []  # each chunk's distinct shingles, as 64-bit hashes
        size = 0
        while distinct := set(islice(runs, MINHASH_CHUNK)):
            minhash.update_batch(list(distinct))
            size = len(distinct)
            chunks.append(np.fromiter(map(hash, distinct), np.int64, len(distinct)))
        if len(chunks) > 1:  # the same shingle in two chunks counts once
            size = len(np.unique(np.concatenate(chunks)))
        return minhash, size

    def similar(self, minhash: MinHash, size: int) -> list[tuple[float, str]]:
        """Indexed documents whose estimated Jaccard similarity with a text of `size`
        shingles reaches the threshold (`SHORT_THRESHOLD` when either is short), best
        first (ties: the earlier document first)."""
        values = np.asarray(minhash.hashvalues, dtype=SIGNATURE_DTYPE)
        return self._similar(values, self._keys(values[None])[0], size)

    def _similar(self, values: np.ndarray, keys: np.ndarray, size: int
                 ) -> list[tuple[float, str]]:
        found = []
        for key in self._candidates(keys):
            score = float(np.count_nonzero(self._values[key] == values)) / NUM_PERM
            short = min(size, self._sizes[key]) < SHORT_SHINGLES
            if score >= (max(self.threshold, SHORT_THRESHOLD) if short else self.threshold):
                found.append((score, key))
        return sorted(found, key=lambda pair: (-pair[0], self._order[pair[1]]))

    def add(self, doc_id: str, text: str) -> str | None:
        """Index a document; returns the canonical id (the earliest indexed member) of
        the cluster it joins, or None when it repeats no indexed document."""
        minhash, size = self.minhash(text)
        if not size:
            raise InputError(f"document {doc_id!r} has no words to compare",
                             hint="Index documents after cleaning, with their text.")
        match = self.place(doc_id, minhash, size)
        return match.canonical_id if match else None

    def place(self, doc_id: str, minhash: MinHash, size: int) -> Match | None:
        """Index a document by its MinHash over `size` (> 0) shingles (`minhash`); returns
        the cluster it joins and its closest document, or None when it starts one."""
        if doc_id in self._values:
            raise InputError(f"document {doc_id!r} is already in the duplicate index",
                             hint="Add each document once; look it up with canonical().")
        values = np.asarray(minhash.hashvalues, dtype=SIGNATURE_DTYPE)
        keys = self._keys(values[None])[0]
        found = self._similar(values, keys, size)
        if doc_id in self._values:  # a stored document, read as a candidate of itself
            raise InputError(f"document {doc_id!r} is already in the duplicate index",
                             hint="Add each document once; look it up with canonical().")
        match = None
        if found:
            score, closest = found[0]
            match = Match(self.canonical(closest), closest, score)
        self._remember(doc_id, match.canonical_id if match else None, values, size)
        self._bucket(doc_id, keys)
        return match

    def band_keys(self, doc_id: str) -> list[int]:
        """An indexed document's LSH band keys, each salted by its band (as a store keeps
        them: those of `SignatureSource.near`)."""
        self.canonical(doc_id)  # InputError when it is not indexed
        return (self._keys(self._values[doc_id][None])[0] ^ self._salt).tolist()

    def signature_keys(self, doc_ids: Sequence[str], signatures: Sequence[bytes]
                       ) -> list[list[int]]:
        """`band_keys` of stored signatures (of these documents)."""
        values = signature_values(signatures, doc_ids)
        return (self._keys(values) ^ self._salt).tolist()

    @property
    def bands(self) -> int:
        """The LSH bands: the band keys of each signature."""
        return self._bands

    def remove(self, doc_id: str) -> None:
        """Take a document out (it could not be stored after all). The next member of a
        cluster it was the canonical document of becomes the cluster's canonical one."""
        self.canonical(doc_id)  # InputError when it is not indexed
        for bucket, key in zip(self._buckets, self._keys(self._values[doc_id][None])[0]
                               .tolist(), strict=True):
            if doc_id in bucket.get(key, ()):
                bucket[key].remove(doc_id)
        for table in (self._values, self._canonical, self._order, self._sizes):
            del table[doc_id]  # a row given by `from_rows` stays banded, and is skipped
        heir = None
        for other, canonical in self._canonical.items():
            if canonical == doc_id:
                self._canonical[other] = heir
                heir = heir or other

    def canonical(self, doc_id: str) -> str:
        """The canonical document of `doc_id`'s cluster (itself when it is the first)."""
        if doc_id not in self._canonical:
            raise InputError(f"document {doc_id!r} is not in the duplicate index",
                             hint="Add it first with DocumentIndex.add().")
        return self._canonical[doc_id] or doc_id

    def clusters(self) -> dict[str, list[str]]:
        """Canonical id → the ids of its cluster, in the order they were added."""
        found: dict[str, list[str]] = {}
        for doc_id in self._values:
            found.setdefault(self.canonical(doc_id), []).append(doc_id)
        return found

    def row(self, doc_id: str) -> DocumentSignature:
        """One indexed document's state, as stored."""
        self.canonical(doc_id)  # InputError when it is not indexed
        return DocumentSignature(doc_id, self._canonical[doc_id],
                                 self._values[doc_id].tobytes(), self._sizes[doc_id])

    def rows(self) -> Iterator[DocumentSignature]:
        """The index's state, one row per document in the order added."""
        for doc_id in self._values:
            yield self.row(doc_id)

    @classmethod
    def from_rows(cls, rows: Iterable[DocumentSignature], threshold: float = THRESHOLD,
                  shingle_words: int = SHINGLE_WORDS) -> DocumentIndex:
        """The index whose `rows()` these are (in the order they were added)."""
        given = list(rows)
        return cls.from_columns([r.doc_id for r in given], [r.canonical_id for r in given],
                                [r.signature for r in given], [r.shingles for r in given],
                                threshold, shingle_words)

    @classmethod
    def from_columns(cls, doc_ids: Sequence[str], canonical: Sequence[str | None],
                     signatures: Sequence[bytes], sizes: Sequence[int],
                     threshold: float = THRESHOLD, shingle_words: int = SHINGLE_WORDS
                     ) -> DocumentIndex:
        """`from_rows`, of rows given field by field (a store's columns, read at once)."""
        index = cls(threshold, shingle_words)
        values = signature_values(signatures, doc_ids)
        for doc_id, first, row, size in zip(doc_ids, canonical, values, sizes, strict=True):
            index._remember(doc_id, first, row, size, 0)
        index._band_at_once(doc_ids, values)
        return index

    def _band_at_once(self, doc_ids: Sequence[str], values: np.ndarray) -> None:
        """Band rows given at once (the index holds no others given so)."""
        salted = (self._keys(values) ^ self._salt).ravel()
        self._bulk_ids = np.array(doc_ids, dtype=object)
        self._bulk_order = np.argsort(salted)
        self._bulk_keys = salted[self._bulk_order]

    def _remember(self, doc_id: str, canonical: str | None, values: np.ndarray, size: int,
                  placed: int = 1, order: tuple[int, int, str] | None = None) -> None:
        self._order[doc_id] = order or (placed, self._added, "")
        self._added += 1
        self._sizes[doc_id] = size
        self._values[doc_id] = values
        self._canonical[doc_id] = canonical

    def _bucket(self, doc_id: str, keys: np.ndarray) -> None:
        for bucket, key in zip(self._buckets, keys.tolist(), strict=True):
            bucket.setdefault(key, []).append(doc_id)

    def _read_stored(self, rows: StoredRows) -> tuple[list[str], np.ndarray]:
        """Remember the stored rows not read before (nor placed: a document stored since);
        their ids and signature values."""
        fresh = [n for n, doc_id in enumerate(rows.doc_ids)
                 if doc_id not in self._read and doc_id not in self._values]
        doc_ids = [rows.doc_ids[n] for n in fresh]
        values = signature_values([rows.signatures[n] for n in fresh], doc_ids)
        for n, doc_id, row in zip(fresh, doc_ids, values, strict=True):
            position = rows.positions[n]
            self._remember(doc_id, rows.canonical[n], row, rows.sizes[n], 0,
                           (0, 2 ** 62 if position is None else position, doc_id))
        self._read.update(doc_ids)
        return doc_ids, values

    def _from_source(self, keys: np.ndarray) -> set[str]:
        """The stored documents sharing a band with a signature (its band keys), read
        now; or, after `READ_ALL_AFTER` reads, all stored documents read at once (banded
        with the others given at once, and none from the source)."""
        if self._source is None:
            return set()
        self._reads += 1
        if self._reads > READ_ALL_AFTER:
            source, self._source = self._source, None
            doc_ids, values = self._read_stored(source.every())
            self._band_at_once(doc_ids, values)
            return set()
        rows = self._source.near((keys ^ self._salt).tolist())
        doc_ids, values = self._read_stored(rows)
        for doc_id, row_keys in zip(doc_ids, self._keys(values), strict=True):
            self._bucket(doc_id, row_keys)
        return set(rows.doc_ids)

    def _keys(self, values: np.ndarray) -> np.ndarray:
        """Each signature's band keys: an array of (signatures, bands) uint64."""
        bands = values[:, :self._bands * self._rows].astype(np.uint64).reshape(
            len(values), self._bands, self._rows)
        keys = np.zeros((len(values), self._bands), dtype=np.uint64)
        for column in range(self._rows):
            keys = keys * FOLD + bands[:, :, column]  # wraps around, as meant
        return keys

    def _candidates(self, keys: np.ndarray) -> set[str]:
        """The indexed documents sharing a band with a signature (its band keys)."""
        found = self._from_source(keys)
        for bucket, key in zip(self._buckets, keys.tolist(), strict=True):
            found.update(bucket.get(key, ()))
        if len(self._bulk_keys):
            salted = keys ^ self._salt
            starts = np.searchsorted(self._bulk_keys, salted, side="left")
            ends = np.searchsorted(self._bulk_keys, salted, side="right")
            for start, end in zip(starts[starts < ends], ends[starts < ends], strict=True):
                found.update(self._bulk_ids[self._bulk_order[start:end] // self._bands])
        return {doc_id for doc_id in found if doc_id in self._values}


def signature_values(signatures: Sequence[bytes], doc_ids: Sequence[str]) -> np.ndarray:
    """Stored signatures as an array of (signatures, NUM_PERM) values."""
    for doc_id, signature in zip(doc_ids, signatures, strict=True):
        if len(signature) != SIGNATURE_BYTES:
            raise InputError(
                f"the stored signature of document {doc_id!r} has "
                f"{len(signature)} bytes, not {SIGNATURE_BYTES}",
                hint="Rebuild the duplicate index from the documents' text.")
    return np.frombuffer(b"".join(signatures), dtype=SIGNATURE_DTYPE).reshape(
        len(signatures), NUM_PERM)


@cache
def lsh_bands(threshold: float) -> tuple[int, int]:
    """The bands and rows per band datasketch's LSH takes for a threshold (their choice
    weighs false positives and negatives alike)."""
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    return lsh.b, lsh.r
