"""The ingest pipeline: inputs → documents → spaCy → coder → store.

Whatever fails for one input (reading, preparing, parsing, coding or storing it, and
whatever exception it raises) is recorded in `ingest_errors` against that input, and
the batch goes on. Each document is stored in its own transaction, so an interrupted run
leaves whole documents only and a re-run stores just the missing ones.

Memory is bounded by design: long documents are parsed in windows (windows.py), each
window's records stored as it is coded (in its document's one transaction), and spaCy
gets batches of at most BATCH_CHARS characters, however long or many the inputs.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from detente.coding.protocol import DocumentCoder
from detente.errors import DetenteError, InputError, StoreError
from detente.ingest.prepare import DatedAs, prepare
from detente.ingest.readers import (
    RawDoc,
    is_jsonl,
    iter_paths,
    open_regular,
    printable,
    read_file,
    read_jsonl,
    stream_lines,
    unexpected,
)
from detente.ingest.windows import WINDOW_CHARS, Piece, Shift, coded_as, pieces
from detente.records import Document, Event, Sentence, StoredMention
from detente.settings import Settings
from detente.store import DocumentWrite, Store, open_store

if TYPE_CHECKING:  # spaCy is imported when the first document is parsed, not on import
    from spacy.language import Language
    from spacy.tokens import Doc

    from detente.ingest.parallel import CodingPool

# The most characters spaCy parses in one batch (a longer document or window goes alone):
# a window's size, about 60 MB of parser memory (see windows.py). A worker's peak memory
# follows its largest batch: with 100,000 characters it rose with the number of stories
# coded, as a larger sample holds a batch of longer ones (+200 MB for a batch of the 15
# longest Reuters stories, 95,000 characters, over batches of typical ones).
BATCH_CHARS = WINDOW_CHARS


@dataclass(frozen=True)
class Failure:
    input: str
    code: str
    message: str
    hint: str = ""


@dataclass
class IngestReport:
    """What an ingest did: new ids (`copies` are those of the new documents that repeat a
    coded one, stored linked to it without being coded), ids already present, failures,
    event count."""

    db: str
    added: list[str] = field(default_factory=list)
    copies: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    sentences: int = 0
    events: int = 0
    coder: str | None = None

    @property
    def ok(self) -> bool:
        """True when something was stored or everything was already there."""
        return bool(self.added or self.present)

    def to_dict(self) -> dict[str, object]:
        return {"db": self.db, "added": self.added, "copies": self.copies,
                "present": self.present,
                "failures": [f.__dict__ for f in self.failures], "sentences": self.sentences,
                "events": self.events, "coder": self.coder, "ok": self.ok}


@dataclass(frozen=True)
class Coded:
    """One document parsed and coded, with its records at the document's offsets; from
    `windows`, one window of it, `first` and `last` saying where it lies."""

    doc: Document
    sentences: list[Sentence]
    events: list[Event]
    mentions: list[StoredMention]
    first: bool = True
    last: bool = True


Progress = Callable[[int, int], None]


def raw_documents(inputs: Sequence[str | Path | RawDoc], max_bytes: int,
                  stdin: IO[Any] | None = None) -> Iterator[RawDoc | InputError]:
    """Every raw document of the inputs (files, folders, `-` for JSONL on stdin, or raw
    documents given as records, as the HTTP API's JSON uploads are), or the error of an
    input that cannot be read, whatever raised it."""
    for item in inputs:
        if isinstance(item, RawDoc):
            yield item
            continue
        if str(item) == "-":
            stream = stdin or sys.stdin
            # Bytes where there are any: a line that is not UTF-8 is then that line's error.
            lines = stream_lines(getattr(stream, "buffer", stream), max_bytes)
            yield from read_jsonl(lines, "<stdin>", max_bytes)
            continue
        path = Path(item)
        if not path.exists() and not path.is_symlink():
            yield missing(path)
            continue
        for file in iter_paths(path):
            yield from file_documents(file, max_bytes)


def missing(path: Path) -> InputError:
    """The error of an input path that does not exist."""
    return named(InputError(f"{path}: no such file or folder",
                            hint="Check the path (relative paths start at the current "
                                 "folder)."), str(path))


def file_documents(file: Path, max_bytes: int) -> Iterator[RawDoc | InputError]:
    """The raw documents of one file (one per JSONL line), or its error, whatever raised it."""
    name = printable(str(file))
    try:
        if is_jsonl(file):
            with open_regular(file) as handle:
                yield from read_jsonl(stream_lines(handle, max_bytes), name, max_bytes)
        else:
            yield from read_file(file, max_bytes)
    except InputError as exc:
        yield named(exc, name)
    except Exception as exc:  # noqa: BLE001 - whatever one file raises is that file's failure
        yield named(unexpected(exc, name), name)


def named(exc: InputError, name: str) -> InputError:
    """Attach the failing input's name to an error (kept in `ingest_errors.input`)."""
    if not getattr(exc, "input", None):
        exc.input = name
    return exc


def prepared(raws: Iterable[RawDoc | InputError], date_override: DatedAs | None = None,
             day_first: bool = False) -> Iterator[Document | Failure]:
    """Each raw document prepared, or the Failure that names it (a bad date is one, and
    so is any exception preparing it raises)."""
    for raw in raws:
        if isinstance(raw, InputError):
            yield failure_of(raw, getattr(raw, "input", "") or "<input>")
            continue
        try:
            yield prepare(raw, date_override, day_first=day_first)
        except DetenteError as exc:
            yield failure_of(exc, raw.name)
        except Exception as exc:  # noqa: BLE001 - one document's failure, never the batch's
            yield failure_of(unexpected(exc, raw.name, "could not be prepared"), raw.name)


def failure_of(exc: DetenteError, name: str) -> Failure:
    """The recorded failure of the input `name`, from the error it raised."""
    return Failure(input=printable(name), code=exc.code, message=printable(exc.message),
                   hint=printable(exc.hint or ""))


def sentences_of(doc: Document, parsed: Doc) -> list[Sentence]:
    return [Sentence(doc.doc_id, i, s.start_char, s.end_char, s.text)
            for i, s in enumerate(parsed.sents) if s.text.strip()]


def process(docs: Iterable[Document], coder: DocumentCoder | None, batch_size: int = 32
            ) -> Iterator[Coded | Failure]:
    """Parse documents in batches and code them, in this process: one Coded per document,
    or the Failure of a document that could not be parsed or coded. `parallel.process_all`
    spreads the same work over worker processes."""
    parts: list[Coded] = []  # the windows of the current document so far
    for item in windows(docs, coder, batch_size):
        if isinstance(item, Failure):
            yield item
            continue
        if item.first:
            parts = []
        parts.append(item)
        if item.last:
            yield joined(parts)


def windows(docs: Iterable[Document], coder: DocumentCoder | None, batch_size: int = 32
            ) -> Iterator[Coded | Failure]:
    """`process`, window by window: a long document is parsed and coded in windows
    (windows.py), each yielded as soon as its batch is coded, with its records at its
    document's offsets, so that they can be stored before the next window is parsed. A
    Failure stands for a whole document: it comes instead of the document's windows or
    after some of them, and none follows it.

    Pieces are parsed in batches of at most `batch_size` pieces and BATCH_CHARS
    characters, each parsed and coded inside spaCy's memory zone: the words and strings a
    batch adds to the vocabulary are freed when it is done, so that a long run's memory
    stays flat. Nothing is yielded inside a zone, so no parse outlives it (only plain
    records leave it) and another stream in the same thread cannot interleave with it."""
    from detente.nlp import load_nlp

    nlp = load_nlp(parse=coder is not None)
    shift = Shift(0, 0)
    failed: str | None = None  # the doc_id of a document whose window failed
    for batch in batches((p for d in docs for p in pieces(d)), batch_size, BATCH_CHARS):
        done: list[Coded | Failure] = []
        with memory_zone(nlp):
            for piece, parsed in zip(batch, parse_batch(nlp, batch), strict=True):
                doc = piece.doc
                if piece.first:
                    shift, failed = Shift(0, 0), None
                if failed == doc.doc_id:
                    continue
                try:
                    if isinstance(parsed, Exception):
                        raise parsed
                    coded = code_piece(piece, parsed, coder, shift)
                except Exception as exc:  # noqa: BLE001 - this document fails; the others go on
                    failed = doc.doc_id
                    done.append(failure_of(unexpected(exc, doc.path,
                                                      "could not be parsed or coded"), doc.path))
                    continue
                shift = Shift(piece.end, shift.sentences + len(list(parsed.sents)))
                done.append(coded)
        yield from done


def memory_zone(nlp: Language) -> AbstractContextManager[object]:
    """spaCy's memory zone, unless one is open already (a caller's: zones must not nest)."""
    in_zone = nlp.vocab.in_memory_zone  # type: ignore[attr-defined]  # not in spaCy's stub
    return nullcontext() if in_zone else nlp.memory_zone()


def parse_batch(nlp: Language, batch: Sequence[Piece]) -> list[Doc | Exception]:
    """Each piece's parse, or the exception parsing it alone raised."""
    texts = [piece.text for piece in batch]
    try:
        return list(nlp.pipe(texts, batch_size=len(texts)))
    except Exception:  # noqa: BLE001 - find the piece that failed: each of the others is parsed
        return [parse_alone(nlp, text) for text in texts]


def parse_alone(nlp: Language, text: str) -> Doc | Exception:
    try:
        return nlp(text)
    except Exception as exc:  # noqa: BLE001 - returned, to be recorded against its document
        return exc


def batches(stream: Iterable[Piece], max_items: int, max_chars: int) -> Iterator[list[Piece]]:
    """Consecutive batches of at most `max_items` pieces and `max_chars` characters (a
    longer piece makes a batch of its own)."""
    batch: list[Piece] = []
    chars = 0
    for piece in stream:
        size = piece.end - piece.start
        if batch and (len(batch) >= max_items or chars + size > max_chars):
            yield batch
            batch, chars = [], 0
        batch.append(piece)
        chars += size
    if batch:
        yield batch


def code_piece(piece: Piece, parsed: Doc, coder: DocumentCoder | None,
               shift: Shift) -> Coded:
    """A window's sentences, events and mentions at its document's offsets."""
    doc = piece.doc
    sentences = sentences_of(doc, parsed)
    events, mentions = coder.code(coded_as(piece), parsed) if coder else ([], [])
    if piece.whole:
        return Coded(doc, sentences, events, mentions)
    return Coded(doc, shift.sentences_of(sentences), shift.events(events),
                 shift.mentions(mentions), piece.first, piece.last)


def joined(parts: Sequence[Coded]) -> Coded:
    """The windows of one document as one Coded; an event reported in several windows
    is kept once, as the coder keeps it once in one document."""
    if len(parts) == 1:
        return parts[0]
    return Coded(parts[0].doc, [s for part in parts for s in part.sentences],
                 once([e for part in parts for e in part.events]),
                 [m for part in parts for m in part.mentions])


def once(events: list[Event]) -> list[Event]:
    """A document's events from all its windows, an event reported in several kept once."""
    if not events:
        return events
    from detente.coding.coder import dedupe

    return dedupe(events)


def ingest(
    inputs: Sequence[str | Path | RawDoc],
    settings: Settings,
    coder: DocumentCoder | None = None,
    progress: Progress | None = None,
    stdin: IO[Any] | None = None,
    date_override: DatedAs | None = None,
    store: Store | None = None,
    pool: CodingPool | None = None,
) -> IngestReport:
    """Read, code and store documents into the DuckDB file `settings.db` (or into an
    already open `store`, as the HTTP server does). Large inputs are coded on
    `settings.worker_count` processes, each loading the coder `settings` name
    (parallel.py); `coder` codes small ones here. With `pool` (the server's), every
    document is coded in that pool's worker process instead, and `coder` is not used.

    Near duplicates are found as documents arrive (`detente.dedup.state`): a copy of a
    coded document is stored linked to it and not coded again, and each event joins the
    cluster of its happening, in the transaction that stores its document.

    >>> report = ingest(["examples/japan-russia"], load_settings())  # doctest: +SKIP
    >>> report.added[:1]  # doctest: +SKIP
    ['3f2a...']
    """
    name = pool.coder_name() if pool is not None else coder.name if coder else None
    report = IngestReport(db=str(settings.db), coder=name)
    max_bytes = settings.max_doc_mb * 1_000_000
    opened = nullcontext(store.cursor()) if store is not None else open_store(settings.db)
    with opened as target:
        run = IngestRun(target, settings, coder, report, progress, pool)
        docs: Iterable[Document | Failure] = prepared(
            raw_documents(inputs, max_bytes, stdin), date_override, settings.day_first)
        while docs:
            docs = run.round(docs)
    return report


class IngestRun:
    """One ingest into an open store: documents coded and stored in input order, with
    their near duplicates found as they arrive.

    A copy of a document still being coded waits for it; should that document fail, its
    copies go round again (`round` returns them), to be coded or to copy another."""

    def __init__(self, target: Store, settings: Settings, coder: DocumentCoder | None,
                 report: IngestReport, progress: Progress | None,
                 pool: CodingPool | None = None) -> None:
        from detente.dedup.state import Deduplicator  # datasketch loads when ingest runs

        self.target = target
        self.settings = settings
        self.coder = coder
        self.report = report
        self.progress = progress
        self.pool = pool
        self.dedup = Deduplicator.load(target)
        self.seen: set[str] = set()
        self.in_flight: deque[Document] = deque()  # sent to be coded, in order
        self.waiting: dict[str, list[Document]] = {}  # coded doc id → copies of it
        self.again: list[Document] = []
        self.writing: Writing | None = None  # the long document being stored

    def round(self, docs: Iterable[Document | Failure]) -> list[Document]:
        """Code and store `docs`; returns the copies to take round again."""
        from detente.ingest.parallel import process_all  # it builds on `process`, above

        self.again = []
        for item in process_all(self.new_documents(docs), self.coder, self.settings,
                                by_window=True, pool=self.pool):
            if isinstance(item, Failure):
                writing, self.writing = self.writing, None
                doc = writing.doc if writing else self.in_flight.popleft()
                if writing is None or writing.abandon():
                    self.failed(item)
                    self.lost(doc.doc_id)
            else:
                self.store(item)
        for doc_id in list(self.waiting):  # copies of a document that never came back
            self.lost(doc_id)
        return self.again

    def new_documents(self, docs: Iterable[Document | Failure]) -> Iterator[Document]:
        """The documents to code: not stored yet, and no copy of one coded."""
        for item in docs:
            if isinstance(item, Failure):
                self.failed(item)
            elif item.doc_id in self.seen or self.target.has_document(item.doc_id):
                self.report.present.append(item.doc_id)
            else:
                self.seen.add(item.doc_id)
                copy_of = self.dedup.link(item.doc_id, item.text).copy_of
                if copy_of is None:
                    self.in_flight.append(item)
                    yield item
                elif self.target.has_document(copy_of):
                    self.store_copy(item)
                else:
                    self.waiting.setdefault(copy_of, []).append(item)

    def store(self, item: Coded) -> None:
        """Store a coded document, or a window of a long one as it comes, in the
        transaction its first window opens and its last commits (a document's records are
        never all held), with its events' clusters; then its waiting copies."""
        if item.first:  # one document after another, in input order
            self.writing = Writing(self, self.in_flight.popleft())
        writing = self.writing
        assert writing is not None and writing.doc.doc_id == item.doc.doc_id
        writing.add(item)
        if item.last:
            self.writing = None
            if writing.finish():
                self.report.sentences += writing.sentences
                self.report.events += len(writing.events)
                self.stored_one()
                for copy in self.waiting.pop(writing.doc.doc_id, []):
                    self.store_copy(copy)

    def store_copy(self, doc: Document) -> None:
        """Store a copy of a coded document, without parts, with its place among near
        duplicates and the counts of the happenings it tells again."""
        link = self.dedup.stored(doc.doc_id, doc.source, doc.date)
        if self.storing(doc, lambda: self.target.add_document(
                doc, [], link=link, happenings=self.dedup.changed())):
            self.report.added.append(doc.doc_id)
            self.report.copies.append(doc.doc_id)
            self.stored_one()
        else:
            self.dedup.forget(doc.doc_id)

    def stored_one(self) -> None:
        if self.progress:
            self.progress(len(self.report.added), self.report.sentences)

    def storing(self, doc: Document, write: Callable[[], object]) -> bool:
        """Run a write of `doc`; any failure is recorded against it (False)."""
        try:
            write()
        except DetenteError as exc:
            self.failed(failure_of(exc, doc.path))
            return False
        except Exception as exc:  # noqa: BLE001 - e.g. text the database refuses: this document only
            self.failed(failure_of(unexpected(exc, doc.path, "could not be stored"), doc.path))
            return False
        return True

    def lost(self, doc_id: str, events: Iterable[str] = ()) -> None:
        """A document that could not be coded or stored: out of the index, and its
        copies round again."""
        self.dedup.forget(doc_id, events)
        for copy in self.waiting.pop(doc_id, []):
            self.dedup.forget(copy.doc_id)
            self.seen.discard(copy.doc_id)
            self.again.append(copy)

    def failed(self, failure: Failure) -> None:
        self.report.failures.append(failure)
        self.target.record_error(failure.input, failure.code, failure.message, failure.hint)


class Writing:
    """A coded document being stored (`IngestRun.store`), window by window when it is
    long: its open transaction, and its events, held to be deduplicated across windows
    and clustered once all are in. A failure to store a window rolls the document back
    and is recorded once; the rest of its windows are then passed over."""

    def __init__(self, run: IngestRun, doc: Document) -> None:
        self.run = run
        self.doc = doc
        self.events: list[Event] = []
        self.sentences = 0
        self.windows = 0
        self.write: DocumentWrite | None = None
        self.broken = not run.storing(doc, self.begin)
        if self.broken:
            run.lost(doc.doc_id)

    def begin(self) -> None:
        link = self.run.dedup.stored(self.doc.doc_id, self.doc.source, self.doc.date)
        self.write = self.run.target.begin_document(self.doc, link)
        if self.write is None:
            raise StoreError(f"{self.doc.path}: document {self.doc.doc_id} was stored "
                             "while it was being coded", hint="Nothing to do: it is stored.")

    def add(self, item: Coded) -> None:
        if self.broken or self.write is None:
            return
        write = self.write

        def add() -> None:
            try:
                write.add(item.sentences, item.mentions)
            except BaseException:
                self.abandon()  # before the failure is recorded, outside the transaction
                raise

        if not self.run.storing(self.doc, add):
            self.broken = True
            self.run.lost(self.doc.doc_id)
            return
        self.events.extend(item.events)
        self.sentences += len(item.sentences)
        self.windows += 1

    def finish(self) -> bool:
        """Write the events with their clusters and commit; False if it failed."""
        if self.broken or self.write is None:
            return False
        run, write = self.run, self.write
        if self.windows > 1:  # one window's events are the coder's, each once already
            self.events = once(self.events)
        clusters = run.dedup.cluster_events(self.doc, self.events)
        if not run.storing(self.doc, lambda: write.finish(self.events, clusters,
                                                          run.dedup.changed())):
            run.lost(self.doc.doc_id, clusters)
            return False
        run.report.added.append(self.doc.doc_id)
        return True

    def abandon(self) -> bool:
        """Roll back what was written; True if the document had not failed already."""
        if self.write is not None:
            try:
                self.write.abandon()
            except Exception:  # noqa: BLE001,S110 - DuckDB rolled it back itself
                pass
            self.write = None
        was_broken, self.broken = self.broken, True
        return not was_broken
