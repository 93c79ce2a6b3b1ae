"""The public library functions; each CLI command and HTTP route calls one of these.

They take plain arguments (a database, what the user typed as filters) and return typed
records, so a notebook, the CLI and the HTTP API all read the same results. What a user
typed is read by `detente.query`, the same way for every surface; the settings (which
actor files, day-first dates) come from `settings`, or from `load_settings()` when none
are given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from detente import query
from detente.coding.protocol import DocumentCoder
from detente.errors import ModelMissingError
from detente.frames import DocumentList, EventList
from detente.ingest.parallel import CodingPool, process_all
from detente.ingest.pipeline import Failure, IngestReport, Progress, prepared
from detente.ingest.pipeline import ingest as _ingest
from detente.ingest.prepare import date_override
from detente.ingest.readers import RawDoc, read_jsonl, stream_lines
from detente.records import (
    CodedDocument,
    Document,
    DocumentDetail,
    DocumentInfo,
    IngestError,
)
from detente.settings import Settings
from detente.store import DbLike, EventFilter, Store, open_store, reading

__all__ = ["EventPage", "code", "default_coder", "doc", "docs", "errors", "event_page",
           "events", "ingest", "require_coder"]


def default_coder(settings: Settings) -> DocumentCoder | None:
    """The event coder for these settings, or None when none is installed."""
    from detente.coding import load_coder

    try:
        return load_coder(settings)
    except (ImportError, ModelMissingError):
        return None


def require_coder(settings: Settings) -> DocumentCoder:
    """The event coder for these settings; ModelMissingError when none is installed."""
    coder = default_coder(settings)
    if coder is None:
        raise ModelMissingError("no event coder is installed",
                                hint="Reinstall detente with its models (pip install -e .).")
    return coder


def ingest(
    paths: Sequence[str | Path | RawDoc],
    settings: Settings | None = None,
    *,
    store: Store | None = None,
    progress: Progress | None = None,
    stdin: IO[Any] | None = None,
    date: dt.date | str | None = None,
    pool: CodingPool | None = None,
) -> IngestReport:
    """Ingest files, folders, `-` (JSONL on stdin) or raw documents into the database
    `settings.db`, or into an open `store` (as the HTTP server does). `date` overrides
    every input's publication date: a day, or a date of any form and precision ("2015-03"
    is a month). With `pool` (`ingest.parallel.CodingPool`, as the server's), documents
    are parsed and coded in its worker process, not in this one.

    The database is opened before the coder loads, so a locked or unreadable one is an
    error at once, not after the models have loaded.

    >>> report = ingest(["examples/japan-russia"], load_settings({"db": "demo.duckdb"}))  # doctest: +SKIP
    >>> len(report.added)  # doctest: +SKIP
    34
    """
    settings = query.given(settings)
    override = date_override(date, settings.day_first)
    with ExitStack() as stack:
        opened = store or stack.enter_context(open_store(settings.db))
        coder = default_coder(settings) if pool is None else None
        return _ingest(paths, settings, coder=coder, progress=progress, stdin=stdin,
                       date_override=override, store=opened, pool=pool)


def code(
    lines: Iterable[str | bytes] | IO[Any],
    *,
    settings: Settings | None = None,
    name: str = "<stdin>",
) -> Iterator[CodedDocument]:
    """Code a JSONL stream of documents (`id`, `text`, optional `date`, `title`) without a
    database. A document's `doc_id` is the one `ingest` and `run` give it (the hash of its
    text, `records.doc_id_for`), so the outputs join; `input` names its line and `id`.
    `lines` may be text or UTF-8 bytes, or a stream. A bad line (or one the coder fails
    on) yields its error and the others go on.

    >>> for coded in code(['{"id": "a", "text": "Japan imposed sanctions on Russia."}']):
    ...     print(coded.input, [e.plover for e in coded.events])  # doctest: +SKIP
    <stdin>:1 (id a) ['SANCTION']
    """
    settings = query.given(settings)
    coder = require_coder(settings)
    max_bytes = settings.max_doc_mb * 1_000_000
    # A stream is read with each line capped, so that one with no line break (a pipe
    # from /dev/zero) cannot fill the memory.
    source = (stream_lines(cast(IO[Any], lines), max_bytes) if hasattr(lines, "readline")
              else iter(lines))
    ids: dict[str, str] = {}  # each prepared document's input name → its doc_id
    failures: list[Failure] = []

    def documents() -> Iterator[Document]:
        for raw in read_jsonl(source, name, max_bytes):
            for item in prepared([raw], day_first=settings.day_first):
                if isinstance(item, Failure):
                    failures.append(item)
                elif isinstance(raw, RawDoc):
                    ids[item.path] = item.doc_id
                    yield item

    def failed(failure: Failure) -> CodedDocument:
        return CodedDocument(failure.input, ids.get(failure.input), error=failure.message)

    for item in process_all(documents(), coder, settings):
        while failures:
            yield failed(failures.pop(0))
        if isinstance(item, Failure):
            yield failed(item)
        else:
            yield CodedDocument(item.doc.path, item.doc.doc_id, tuple(item.events))
    for failure in failures:
        yield failed(failure)


def docs(db: DbLike) -> DocumentList:
    """Every stored document, oldest first: a list of `DocumentInfo`, which also converts
    (`.to_pandas()`, `.to_polars()`, `.to_arrow()`, with a typed `date`). Each names the
    canonical document of its near-duplicate cluster, the size of that cluster, and, for
    a copy stored without coding, the document it copies.

    >>> [d.title for d in docs("detente.duckdb")][:1]  # doctest: +SKIP
    ['Japan joins G7 sanctions']
    """
    with reading(db) as store:
        rows = store.documents()
    return DocumentList(DocumentInfo(
        doc_id=r["doc_id"], title=r["title"] or "", source=r["source"] or "",
        url=r["url"] or "", path=r["path"] or "", date=r["date"],
        date_precision=r["date_precision"], date_inferred=bool(r["date_inferred"]),
        date_reason=r["date_reason"] or "", sentences=r["sentences"], events=r["events"],
        canonical_id=r["canonical_id"], copy_of=r["copy_of"], cluster_size=r["cluster_size"])
        for r in rows)


def doc(db: DbLike, doc_id: str) -> DocumentDetail:
    """One stored document with its text, sentences and the events coded from it (every
    report, as the raw view has them; a copy, stored without coding, has none: see its
    `copy_of`); NotFoundError when the store has no document with that id.

    >>> doc("detente.duckdb", "3f2a9c01d4e5b6a7").document.title  # doctest: +SKIP
    'Japan joins G7 sanctions'
    """
    with reading(db) as store:
        row = store.document(doc_id)
        sentences = store.sentences(doc_id)
        found = store.events(EventFilter(doc_id=doc_id, raw=True))
    document = Document(
        doc_id=row["doc_id"], text=row["text"] or "", title=row["title"] or "",
        source=row["source"] or "", url=row["url"] or "", path=row["path"] or "",
        date=row["date"], date_inferred=bool(row["date_inferred"]),
        date_reason=row["date_reason"] or "", fmt=row["fmt"] or "",
        date_precision=row["date_precision"])
    return DocumentDetail(document, tuple(sentences), tuple(found), row["ingested_at"],
                          canonical_id=row["canonical_id"], copy_of=row["copy_of"])


def errors(db: DbLike) -> list[IngestError]:
    """The inputs that failed to ingest, oldest first, each with its error code, message
    and hint (the `ingest_errors` table).

    >>> [e.code for e in errors("detente.duckdb")]  # doctest: +SKIP
    ['E103']
    """
    with reading(db) as store:
        rows = store.errors()
    return [IngestError(r["input"], r["code"], r["message"], r["hint"] or "", r["recorded_at"])
            for r in rows]


@dataclass(frozen=True)
class EventPage:
    """One page of the events matching filters: `filters` as read (stored codes, current
    type names, days, and the view: `raw` or canonical), `total` matches in all, and the
    page's `events`."""

    filters: EventFilter
    total: int
    events: EventList

    def to_dict(self) -> dict[str, Any]:
        f = self.filters
        return {"total": self.total,
                "filters": {"source": f.source, "target": f.target, "type": f.plover,
                            "since": f.since.isoformat() if f.since else None,
                            "until": f.until.isoformat() if f.until else None,
                            "doc_id": f.doc_id, "raw": f.raw},
                "events": [e.to_dict() for e in self.events]}


def event_page(
    db: DbLike,
    source: str | None = None,
    target: str | None = None,
    type: str | None = None,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    doc_id: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    *,
    raw: bool = False,
    settings: Settings | None = None,
) -> EventPage:
    """`events` with the filters as read and the number of all matches, for paging."""
    settings = query.given(settings)
    with reading(db) as store:
        where = query.event_filter(store, settings, source=source, target=target, type=type,
                                   since=since, until=until, doc_id=doc_id, raw=raw)
        found = store.events(where, limit=limit, offset=offset)
        # A page short of its limit ends the matches: counting them again is needed only
        # after a full page, or an empty one past the start.
        ends = limit is None or len(found) < limit
        total = (offset + len(found) if ends and (found or not offset)
                 else store.count_events(where))
    return EventPage(where, total, EventList(found))


def _matching(db: DbLike, settings: Settings | None, limit: int | None, offset: int,
              **filters: Any) -> EventList:
    """The events `filters` select, without counting every match as a page does."""
    settings = query.given(settings)
    with reading(db) as store:
        where = query.event_filter(store, settings, **filters)
        return EventList(store.events(where, limit=limit, offset=offset))


def events(
    db: DbLike,
    source: str | None = None,
    target: str | None = None,
    type: str | None = None,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    doc_id: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    *,
    raw: bool = False,
    settings: Settings | None = None,
) -> EventList:
    """Stored events matching the filters, in date order: a list of `Event`, which also
    converts (`.to_pandas()`, `.to_polars()`, `.to_arrow()`, one row per event with typed
    `date_start` and `date_end` and the `date_precision`). `source` and `target` are actor
    codes or names ("JPN", "Japan", "G7"), `type` a PLOVER type (older names such as
    DEMAND are read as current ones), `since` and `until` dates of any precision ("2014"
    runs from its first day to its last).

    One event per happening: of the reports of one happening (several articles, or a
    document and its copies) the best-dated stands for them all (`canonical_events`);
    `raw=True` lists every report. With `doc_id`, the happenings that document reports.

    >>> [e.plover for e in events("detente.duckdb", source="Japan", since="2014")][:1]  # doctest: +SKIP
    ['SANCTION']
    """
    return _matching(db, settings, limit, offset, source=source, target=target, type=type,
                     since=since, until=until, doc_id=doc_id, raw=raw)
