"""The ingest pipeline: inputs → documents → spaCy → coder → store.

One bad input is recorded in `ingest_errors` and the batch goes on. Each document is
stored in its own transaction, so an interrupted run leaves whole documents only and
a re-run stores just the missing ones.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO

from detente.errors import DetenteError, InputError
from detente.ingest.prepare import DatedAs, prepare
from detente.ingest.readers import RawDoc, iter_paths, read_file, read_jsonl
from detente.records import Document, Event, Sentence
from detente.settings import Settings
from detente.store import Store, StoredMention, open_store

if TYPE_CHECKING:  # spaCy is imported when the first document is parsed, not on import
    from spacy.tokens import Doc


class DocumentCoder(Protocol):
    """What a coder stage must offer: a versioned name and `code(doc, parsed)`."""

    name: str

    def code(self, doc: Document, parsed: Doc) -> tuple[list[Event], list[StoredMention]]: ...


@dataclass(frozen=True)
class Failure:
    input: str
    code: str
    message: str
    hint: str = ""


@dataclass
class IngestReport:
    """What an ingest did: new ids, ids already present, failures, event count."""

    db: str
    added: list[str] = field(default_factory=list)
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
        return {"db": self.db, "added": self.added, "present": self.present,
                "failures": [f.__dict__ for f in self.failures], "sentences": self.sentences,
                "events": self.events, "coder": self.coder, "ok": self.ok}


Progress = Callable[[int, int], None]


def raw_documents(inputs: Sequence[str | Path], max_bytes: int,
                  stdin: TextIO | None = None) -> Iterator[RawDoc | InputError]:
    """Every raw document of the inputs (files, folders, `-` for JSONL on stdin)."""
    for item in inputs:
        if str(item) == "-":
            yield from read_jsonl(stdin or sys.stdin, "<stdin>")
            continue
        path = Path(item)
        if not path.exists():
            yield named(InputError(f"{path}: no such file or folder",
                                   hint="Check the path (relative paths start at the current "
                                        "folder)."), str(path))
            continue
        for file in iter_paths(path):
            try:
                if file.suffix.lower() in {".jsonl", ".ndjson"}:
                    with file.open(encoding="utf-8", errors="replace") as handle:
                        yield from read_jsonl(handle, str(file))
                else:
                    yield from read_file(file, max_bytes)
            except InputError as exc:
                yield named(exc, str(file))


def named(exc: InputError, name: str) -> InputError:
    """Attach the failing input's name to an error (kept in `ingest_errors.input`)."""
    if not getattr(exc, "input", None):
        exc.input = name
    return exc


def prepared(raws: Iterable[RawDoc | InputError], date_override: DatedAs | None = None,
             day_first: bool = False) -> Iterator[Document | Failure]:
    """Each raw document prepared, or the Failure that names it (a bad date is one)."""
    for raw in raws:
        if isinstance(raw, InputError):
            yield _failure(raw, getattr(raw, "input", "") or "<input>")
            continue
        try:
            yield prepare(raw, date_override, day_first=day_first)
        except DetenteError as exc:
            yield _failure(exc, raw.name)


def _failure(exc: DetenteError, name: str) -> Failure:
    return Failure(input=name, code=exc.code, message=exc.message, hint=exc.hint or "")


def sentences_of(doc: Document, parsed: Doc) -> list[Sentence]:
    return [Sentence(doc.doc_id, i, s.start_char, s.end_char, s.text)
            for i, s in enumerate(parsed.sents) if s.text.strip()]


def process(docs: Iterable[Document], coder: DocumentCoder | None, batch_size: int = 32,
            n_process: int = 1) -> Iterator[tuple[Document, list[Sentence], list[Event],
                                                  list[StoredMention]]]:
    """Parse documents in batches and code them; yields one tuple per document."""
    from detente.nlp import load_nlp

    nlp = load_nlp(parse=coder is not None)
    pairs = ((doc.text, doc) for doc in docs)
    for parsed, doc in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size,
                                n_process=n_process):
        events, mentions = coder.code(doc, parsed) if coder else ([], [])
        yield doc, sentences_of(doc, parsed), events, mentions


def ingest(
    inputs: Sequence[str | Path],
    settings: Settings,
    coder: DocumentCoder | None = None,
    progress: Progress | None = None,
    stdin: TextIO | None = None,
    date_override: DatedAs | None = None,
    store: Store | None = None,
) -> IngestReport:
    """Read, code and store documents into the DuckDB file `settings.db` (or into an
    already open `store`, as the HTTP server does).

    >>> report = ingest(["examples/japan-russia"], load_settings())  # doctest: +SKIP
    >>> report.added[:1]  # doctest: +SKIP
    ['3f2a...']
    """
    report = IngestReport(db=str(settings.db), coder=coder.name if coder else None)
    max_bytes = settings.max_doc_mb * 1_000_000
    opened = nullcontext(store.cursor()) if store is not None else open_store(settings.db)
    with opened as store:
        failures: list[Failure] = []

        def new_documents() -> Iterator[Document]:
            seen: set[str] = set()
            raws = raw_documents(inputs, max_bytes, stdin)
            for item in prepared(raws, date_override, settings.day_first):
                if isinstance(item, Failure):
                    failures.append(item)
                    store.record_error(item.input, item.code, item.message, item.hint)
                elif item.doc_id in seen or store.has_document(item.doc_id):
                    report.present.append(item.doc_id)
                else:
                    seen.add(item.doc_id)
                    yield item

        done = 0
        for doc, sentences, events, mentions in process(new_documents(), coder,
                                                        settings.batch_size, settings.workers):
            try:
                store.add_document(doc, sentences, events, mentions)
            except DetenteError as exc:
                failures.append(_failure(exc, doc.path))
                store.record_error(doc.path, exc.code, exc.message, exc.hint or "")
                continue
            report.added.append(doc.doc_id)
            report.sentences += len(sentences)
            report.events += len(events)
            done += 1
            if progress:
                progress(done, report.sentences)
        report.failures = failures
    return report
