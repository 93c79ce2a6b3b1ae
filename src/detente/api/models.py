"""The JSON the routes answer, as pydantic models: the OpenAPI document's response schemas.

The routes return the library's `to_dict()` records unchanged; these models describe them
for clients (code generators, Swagger UI at /docs) and are checked against real answers in
tests/test_api_openapi.py, field for field: `extra="forbid"` makes every field one the
model names, so a field added to a record without its model fails there, not silently.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Precision = Literal["year", "month", "day"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Ok(Model):
    ok: Literal[True] = Field(description="Always true in a successful answer.")


class Failure(Model):
    """An input that could not be ingested, with its error code and fix."""

    input: str
    code: str
    message: str
    hint: str


class ErrorBody(Model):
    """The one error shape of every route."""

    ok: Literal[False]
    error: str = Field(description="What went wrong, naming the parameter or input.")
    status: int = Field(description="The HTTP status, repeated.")
    code: str = Field(description="A stable detente error code, such as E100.")
    hint: str | None = Field(description="What to do about it.")
    failures: list[Failure] | None = Field(
        None, description="POST /api/documents only: each input that failed, and why.")


class Health(Ok):
    version: str
    db: str = Field(description="The database's file name.")
    schema_version: int
    counts: dict[str, int] = Field(description="Rows of documents, sentences, events and "
                                               "ingest_errors.")
    ingesting: bool = Field(description="Whether an upload is being ingested now.")
    max_upload_mb: int


class DocumentInfo(Model):
    doc_id: str
    title: str
    source: str
    url: str
    path: str
    date: dt.date | None = Field(description="Publication date (the first day of its "
                                             "month or year at those precisions).")
    date_precision: Precision | None
    date_inferred: bool
    date_reason: str
    sentences: int
    events: int
    canonical_id: str | None = Field(description="The first document of its cluster of "
                                                 "near duplicates (its own id when first).")
    copy_of: str | None = Field(description="For a copy, stored without coding: the coded "
                                            "document it repeats.")
    cluster_size: int = Field(description="Documents in its cluster of near duplicates.")


class Documents(Ok):
    total: int
    documents: list[DocumentInfo]


class Actor(Model):
    code: str
    sector: str
    name: str
    text: str


class Location(Model):
    code: str
    place: str


class Event(Model):
    """One coded event (EVENTS.md §5) with the days its date covers."""

    event_id: str
    doc_id: str
    sentence_index: int
    char_start: int = Field(description="Offset of the evidence in the document's text.")
    char_end: int
    evidence: str
    date: str | None = Field(description="YYYY, YYYY-MM or YYYY-MM-DD, as precise as the "
                                         "text.")
    date_precision: Precision | None
    date_source: Literal["text", "document"] | None
    date_start: dt.date | None
    date_end: dt.date | None
    source: Actor
    target: Actor | None
    plover: str
    plover_mode: str
    cameo: str = Field(description="A string: '057' keeps its leading zero.")
    quad_class: int
    goldstein: float
    confidence: float
    coder: str
    negated: bool
    location: Location


class Filters(Model):
    """The filters as read: actor codes, the current type name, days."""

    source: str | None
    target: str | None
    type: str | None
    since: dt.date | None
    until: dt.date | None
    doc_id: str | None
    raw: bool = Field(description="Every report (true), or one canonical event per "
                                  "happening (false).")


class Events(Ok):
    limit: int
    offset: int
    total: int = Field(description="All matches, for paging.")
    filters: Filters
    events: list[Event]


class Document(Model):
    doc_id: str
    text: str
    title: str
    source: str
    url: str
    path: str
    date: dt.date | None
    date_inferred: bool
    date_reason: str
    fmt: str
    date_precision: Precision | None
    ingested_at: dt.datetime | None
    canonical_id: str | None
    copy_of: str | None


class Sentence(Model):
    index: int
    start: int
    end: int
    text: str


class DocumentDetail(Ok):
    document: Document
    sentences: list[Sentence]
    events: list[Event]


class IngestError(Model):
    input: str
    code: str
    message: str
    hint: str
    recorded_at: dt.datetime | None


class Errors(Ok):
    total: int
    errors: list[IngestError]


class KeyEvent(Model):
    rank: int
    event_id: str
    date: str | None
    date_start: dt.date | None
    plover: str
    plover_mode: str
    cameo: str
    quad_class: int
    goldstein: float
    source: str
    source_name: str
    target: str
    target_name: str
    evidence: str
    doc_id: str
    title: str
    url: str
    sources: int
    first_of_kind: bool
    mutual: bool
    score: float
    reasons: list[str]
    actors: str
    label: str


class KeyEvents(Ok):
    total: int
    key_events: list[KeyEvent]


class TimelineRow(Model):
    period: str
    start: dt.date
    end: dt.date
    direction: str = Field(description="'JPN->RUS', 'RUS->JPN' or 'both'.")
    source: str | None
    target: str | None
    verbal_cooperation: int
    material_cooperation: int
    verbal_conflict: int
    material_conflict: int
    events: int
    goldstein_sum: float
    goldstein_mean: float | None
    net_cooperation: int
    imprecise: int
    documents: int = Field(description="Stored documents published in the period (the "
                                       "volume to normalise counts by); in the canonical "
                                       "view, stories: a cluster of near duplicates "
                                       "counts once, in the period of its first "
                                       "document.")


class Timeline(Ok):
    a: str
    b: str
    by: Literal["month", "quarter", "year"]
    both_directions: bool
    since: dt.date | None
    until: dt.date | None
    directions: list[str]
    periods: list[str]
    total_events: int
    undated: int
    message: str
    history: bool
    historical: int
    historical_first: dt.date | None
    historical_last: dt.date | None
    history_note: str
    raw: bool = Field(description="Counts of every report (true), or of canonical events, "
                                  "one per happening (false).")
    rows: list[TimelineRow]
    key_events: list[KeyEvent]


class NetworkNode(Model):
    id: str
    code: str
    sector: str
    events_sent: int
    events_received: int
    strength: int
    degree: int
    goldstein_sum: float
    pagerank: float
    betweenness: float


class NetworkEdge(Model):
    source: str
    target: str
    events: int
    goldstein_sum: float
    goldstein_mean: float | None
    cooperation: int
    conflict: int


class Network(Ok):
    since: dt.date | None
    until: dt.date | None
    sectors: bool
    raw: bool = Field(description="Counts of every report (true), or of canonical events, "
                                  "one per happening (false).")
    events: int
    untargeted: int
    message: str
    nodes: list[NetworkNode]
    edges: list[NetworkEdge]


class Resolved(Ok):
    resolved: bool
    text: str
    code: str | None
    sector: str | None
    name: str | None
    reason: str
    kind: str
    location: str | None


class Upload(Ok):
    added: list[str] = Field(description="Ids of the documents stored now.")
    copies: list[str] = Field(description="Those of them that copy a coded document: "
                                          "stored linked to it, not coded again.")
    present: list[str] = Field(description="Ids of documents that were already stored.")
    failures: list[Failure]
    sentences: int
    events: int
    coder: str | None
