"""The public library functions; each CLI command and HTTP route calls one of these.

They take plain arguments (a database path, filters) and return typed records, so a
notebook, the CLI and the HTTP API all read the same results.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from detente.date_input import Precision, first_day, read_date
from detente.errors import ModelMissingError
from detente.ingest.pipeline import (
    DocumentCoder,
    Failure,
    IngestReport,
    Progress,
    prepared,
    process,
)
from detente.ingest.pipeline import ingest as _ingest
from detente.ingest.prepare import DatedAs
from detente.ingest.readers import read_jsonl, stream_lines
from detente.records import Document, Event
from detente.settings import Settings, load_settings
from detente.store import DbLike, EventFilter, Store, reading


@dataclass(frozen=True)
class DocumentInfo:
    """A stored document's metadata with its sentence and event counts."""

    doc_id: str
    title: str
    source: str
    url: str
    path: str
    date: dt.date | None
    date_precision: Precision | None
    date_inferred: bool
    date_reason: str
    sentences: int
    events: int

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["date"] = self.date.isoformat() if self.date else None
        return data


def default_coder(settings: Settings) -> DocumentCoder | None:
    """The event coder for these settings, or None when none is installed."""
    from detente.coding import load_coder

    try:
        return load_coder(settings)
    except (ImportError, ModelMissingError):
        return None


def ingest(
    paths: Sequence[str | Path],
    db: str | Path | None = None,
    *,
    settings: Settings | None = None,
    progress: Progress | None = None,
    stdin: IO[Any] | None = None,
    date: dt.date | str | None = None,
    store: Store | None = None,
) -> IngestReport:
    """Ingest files, folders or `-` (JSONL on stdin) into a DuckDB store. `date` overrides
    every input's publication date: a day, or a string of any form and precision that
    `parse_date` reads ("2015-03" is a month).

    >>> report = ingest(["examples/japan-russia"], db="demo.duckdb")  # doctest: +SKIP
    >>> len(report.added)  # doctest: +SKIP
    34
    """
    settings = settings or load_settings({"db": db})
    override: DatedAs | None = (date, "day") if isinstance(date, dt.date) else None
    if isinstance(date, str):
        iso, precision = read_date(date, "date", day_first=settings.day_first)
        override = first_day(iso), precision
    return _ingest(paths, settings, coder=default_coder(settings), progress=progress,
                   stdin=stdin, date_override=override, store=store)


@dataclass(frozen=True)
class CodedDocument:
    """The events of one streamed document, or the error that stopped it."""

    doc_id: str
    events: list[Event]
    error: str | None = None


def code(
    lines: Iterable[str | bytes] | IO[Any],
    *,
    settings: Settings | None = None,
    name: str = "<stdin>",
) -> Iterator[CodedDocument]:
    """Code a JSONL stream of documents (`id`, `text`, optional `date`, `title`) without a
    database; each event carries the input's `id` as `doc_id`. `lines` may be text or UTF-8
    bytes, or a stream. A bad line (or one the coder fails on) yields its error and the others go on.

    >>> for coded in code(['{"id": "a", "text": "Japan imposed sanctions on Russia."}']):
    ...     print(coded.doc_id, [e.plover for e in coded.events])  # doctest: +SKIP
    a ['SANCTION']
    """
    settings = settings or load_settings()
    coder = default_coder(settings)
    if coder is None:
        raise ModelMissingError("no event coder is installed",
                                hint="Reinstall detente with its models (pip install -e .).")

    max_bytes = settings.max_doc_mb * 1_000_000

    # A stream is read with each line capped, so that one with no line break (a pipe
    # from /dev/zero) cannot fill the memory.
    source = stream_lines(lines, max_bytes) if hasattr(lines, "readline") else iter(lines)

    def documents() -> Iterator[Document]:
        raws = read_jsonl(source, name, max_bytes)
        for item in prepared(raws, day_first=settings.day_first):
            if isinstance(item, Failure):
                failures.append(item)
                continue
            input_id = item.path.rsplit("(id ", 1)[1].rstrip(")")
            yield replace(item, doc_id=input_id)

    failures: list[Failure] = []
    for item in process(documents(), coder, settings.batch_size):
        while failures:
            failure = failures.pop(0)
            yield CodedDocument(failure.input, [], failure.message)
        if isinstance(item, Failure):
            yield CodedDocument(item.input, [], item.message)
        else:
            yield CodedDocument(item.doc.doc_id, item.events)
    for failure in failures:
        yield CodedDocument(failure.input, [], failure.message)


def docs(db: DbLike) -> list[DocumentInfo]:
    """Every stored document, oldest first.

    >>> [d.title for d in docs("detente.duckdb")][:1]  # doctest: +SKIP
    ['Japan joins G7 sanctions']
    """
    with reading(db) as store:
        rows = store.documents()
    return [DocumentInfo(
        doc_id=r["doc_id"], title=r["title"] or "", source=r["source"] or "",
        url=r["url"] or "", path=r["path"] or "", date=r["date"],
        date_precision=r["date_precision"], date_inferred=bool(r["date_inferred"]),
        date_reason=r["date_reason"] or "", sentences=r["sentences"], events=r["events"])
        for r in rows]


def events(
    db: DbLike,
    source: str | None = None,
    target: str | None = None,
    plover: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    doc_id: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Event]:
    """Stored events matching the filters, in date order.

    >>> [e.plover for e in events("detente.duckdb", source="JPN", target="RUS")][:1]  # doctest: +SKIP
    ['SANCTION']
    """
    where = EventFilter(source=source, target=target, plover=plover, since=since, until=until,
                        doc_id=doc_id)
    with reading(db) as store:
        return store.events(where, limit=limit, offset=offset)
