"""Typed records that flow through the pipeline: Document, Sentence, ActorRef, Event.

Field names match the event record of EVENTS.md §5 so that JSON, Parquet, CSV and
the database all use the same columns.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Precision = Literal["year", "month", "day"]
DateSource = Literal["text", "document"]


def normalise_text(text: str) -> str:
    """NFC, unified quotes and whitespace: the form a document's id is hashed from."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", text).strip()


def doc_id_for(text: str) -> str:
    """Stable id: the first 16 hex digits of SHA-256 of the normalised text.

    >>> doc_id_for("Japan  met Russia.") == doc_id_for("Japan met Russia.")
    True
    """
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Document:
    """One ingested text with its metadata. `date_inferred` marks a guessed date."""

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

    @classmethod
    def create(cls, text: str, **meta: Any) -> Document:
        return cls(doc_id=doc_id_for(text), text=text, **meta)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["date"] = self.date.isoformat() if self.date else None
        return data


@dataclass(frozen=True)
class Sentence:
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
    code: str = ""
    place: str = ""


@dataclass(frozen=True)
class Event:
    """One coded event, tied to its evidence sentence (EVENTS.md §5)."""

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

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["target"] = self.target.to_dict() if self.target else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        values = dict(data)
        values["source"] = ActorRef(**values["source"])
        values["target"] = ActorRef(**values["target"]) if values.get("target") else None
        values["location"] = Location(**(values.get("location") or {}))
        return cls(**values)


def event_id_for(doc_id: str, sentence_index: int, source: str, target: str, plover: str,
                 char_start: int) -> str:
    """Deterministic id, so re-coding the same text yields the same event ids."""
    key = f"{doc_id}|{sentence_index}|{source}|{target}|{plover}|{char_start}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
