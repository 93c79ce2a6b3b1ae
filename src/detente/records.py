"""Typed records: what flows through the pipeline (Document, Sentence, ActorRef, Event,
StoredMention) and what the store gives back (DocumentInfo, DocumentDetail, IngestError).

Field names match the event record of EVENTS.md §5 so that JSON, Parquet, CSV and
the database all use the same columns.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from itertools import islice
from typing import Any, Literal

from detente.date_input import Precision, first_day, last_day
from detente.jsonio import json_ready

NOT_SPACE = re.compile(r"\S+")

DateSource = Literal["text", "document"]


def normalised_words(text: str) -> Iterator[str]:
    """The words a document's id is hashed from: NFC, with unified quotes, split at any
    run of white space."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    return (match.group() for match in NOT_SPACE.finditer(text))


def doc_id_for(text: str) -> str:
    """Stable id: the first 16 hex digits of SHA-256 of the normalised text, its words
    joined by single spaces (fed in parts: a long text is never split whole).

    >>> doc_id_for("Japan  met Russia.") == doc_id_for("Japan met Russia.")
    True
    """
    digest = hashlib.sha256()
    words = normalised_words(text)
    separator = b""
    while part := list(islice(words, 10_000)):
        digest.update(separator + " ".join(part).encode("utf-8"))
        separator = b" "
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Document:
    """One ingested text with its metadata. `date_inferred` marks a guessed date;
    `date_precision` says whether `date` stands for its day, its month or its year (a
    publication date known only as "2019" is stored as 2019-01-01 at year precision)."""

    doc_id: str
    text: str
    title: str = ""
    source: str = ""
    url: str = ""
    path: str = ""
    date: dt.date | None = None
    date_inferred: bool = False
    date_reason: str = ""
    fmt: str = "txt"
    date_precision: Precision | None = None

    @classmethod
    def create(cls, text: str, **meta: Any) -> Document:
        return cls(doc_id=doc_id_for(text), text=text, **meta)

    def to_dict(self) -> dict[str, Any]:
        """The document's fields as JSON types (the date as an ISO string)."""
        result: dict[str, Any] = json_ready(asdict(self))
        return result


@dataclass(frozen=True)
class Sentence:
    """One sentence of a document; `start` and `end` are character offsets in its text."""

    doc_id: str
    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class ActorRef:
    """One side of an event: country/IGO code, sector, resolved name, words in the text."""

    code: str
    sector: str = ""
    name: str = ""
    text: str = ""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class Location:
    """Where an event took place: a country code and the place named, when the text says."""

    code: str = ""
    place: str = ""


@dataclass(frozen=True)
class Event:
    """One coded event, tied to its evidence sentence (EVENTS.md §5).

    `date_end` is the last day of a range the text gives ("March 10 to 15"); without one
    the event covers its date's own period, and `to_dict` gives both ends:

    >>> e = Event("e1", "d1", 0, 0, 9, "...", "2014-09", "month", "text", ActorRef("JPN"),
    ...           None, "SANCTION", "", "163", 4, -8.0, 0.9, "coder")
    >>> e.to_dict()["date_start"], e.to_dict()["date_end"]
    ('2014-09-01', '2014-09-30')
    """

    event_id: str
    doc_id: str
    sentence_index: int
    char_start: int
    char_end: int
    evidence: str
    date: str | None
    date_precision: Precision | None
    date_source: DateSource | None
    source: ActorRef
    target: ActorRef | None
    plover: str
    plover_mode: str
    cameo: str
    quad_class: int
    goldstein: float
    confidence: float
    coder: str
    negated: bool = False
    location: Location = field(default_factory=Location)
    date_end: str | None = None

    def span(self) -> tuple[dt.date, dt.date] | None:
        """The first and the last day the event's date covers; None when undated."""
        if self.date is None:
            return None
        return first_day(self.date), last_day(self.date_end or self.date)

    @property
    def dyad(self) -> str | None:
        """Its actors' codes as an unordered pair (`dyad_key`), as `events.dyad` holds it."""
        return dyad_key(self.source.code, self.target.code if self.target else None)

    def to_dict(self) -> dict[str, Any]:
        """The event record with `date_start` and `date_end` (ISO days) after `date_source`."""
        span = self.span()
        ends = {"date_start": span[0].isoformat() if span else None,
                "date_end": span[1].isoformat() if span else None}
        data: dict[str, Any] = {}
        for key, value in asdict(self).items():
            if key != "date_end":
                data[key] = value
            if key == "date_source":
                data.update(ends)
        data["target"] = self.target.to_dict() if self.target else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        values = dict(data)
        values.pop("date_start", None)
        values["date_end"] = range_end(values.get("date"), values.get("date_end"))
        values["source"] = ActorRef(**values["source"])
        values["target"] = ActorRef(**values["target"]) if values.get("target") else None
        values["location"] = Location(**(values.get("location") or {}))
        return cls(**values)


def range_end(date: str | None, end: str | dt.date | None) -> str | None:
    """`end` as an event's `date_end`: None when it is only the end of `date`'s own period
    (as `to_dict` and the store write it), so records read back equal the ones written."""
    if date is None or end is None:
        return None
    end_iso = end.isoformat() if isinstance(end, dt.date) else end
    return None if end_iso == last_day(date).isoformat() else end_iso


def event_id_for(doc_id: str, sentence_index: int, source: str, target: str, plover: str,
                 char_start: int) -> str:
    """Deterministic id, so re-coding the same text yields the same event ids."""
    key = f"{doc_id}|{sentence_index}|{source}|{target}|{plover}|{char_start}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class StoredMention:
    """An actor mention found by the coder, as stored in the `actors` table (`code` is
    None when the mention could not be resolved; `reason` says why either way)."""

    doc_id: str
    sentence_index: int
    char_start: int
    char_end: int
    text: str
    code: str | None
    sector: str | None
    name: str | None
    kind: str
    reason: str


@dataclass(frozen=True)
class DocumentInfo:
    """A stored document's metadata with its sentence and event counts (`detente docs`),
    and its place among near duplicates: `canonical_id` is the first document of its
    cluster (its own id when it is the first; None when stored before deduplication and
    not linked yet), `cluster_size` the documents in the cluster, and `copy_of` the coded
    document a copy repeats (a copy is stored without being coded)."""

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
    canonical_id: str | None = None
    copy_of: str | None = None
    cluster_size: int = 1

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = json_ready(asdict(self))
        return result


@dataclass(frozen=True)
class DocumentDetail:
    """One stored document with its sentences and events (`detente doc ID`,
    `GET /api/docs/{id}`). Sentence and event offsets count characters of `document.text`,
    so a page can highlight each event in place. `canonical_id` and `copy_of` place it
    among near duplicates, as in `DocumentInfo`."""

    document: Document
    sentences: tuple[Sentence, ...]
    events: tuple[Event, ...]
    ingested_at: dt.datetime | None = None
    canonical_id: str | None = None
    copy_of: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"document": {**self.document.to_dict(),
                             "ingested_at": json_ready(self.ingested_at),
                             "canonical_id": self.canonical_id, "copy_of": self.copy_of},
                "sentences": [{"index": s.index, "start": s.start, "end": s.end, "text": s.text}
                              for s in self.sentences],
                "events": [e.to_dict() for e in self.events]}


@dataclass(frozen=True)
class IngestError:
    """An input that failed to ingest, as kept in the `ingest_errors` table (`detente
    errors`, `GET /api/errors`): the input's name, the error code, the message and its fix."""

    input: str
    code: str
    message: str
    hint: str
    recorded_at: dt.datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = json_ready(asdict(self))
        return result


@dataclass(frozen=True)
class CodedDocument:
    """The events of one streamed document (`detente code`), or the error that stopped it.
    `doc_id` is the document's id, as `ingest` gives it (None when its line could not be
    read); `input` names where it came from, such as "<stdin>:3 (id a1)"."""

    input: str
    doc_id: str | None
    events: tuple[Event, ...] = ()
    error: str | None = None


def dyad_key(source: str | None, target: str | None) -> str | None:
    """The unordered pair of an event's actor codes, as `events.dyad` holds it.

    >>> dyad_key("RUS", "JPN"), dyad_key("JPN", "RUS"), dyad_key("JPN", None)
    ('JPN RUS', 'JPN RUS', None)
    """
    if not source or not target:
        return None
    return " ".join(sorted((source, target)))
