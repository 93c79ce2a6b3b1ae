"""The read routes. Each calls one library function with what the client sent, and
returns what it returns, wrapped as `{"ok": true, ...}` (`GET /api/export` answers the
file `detente.export` writes); the dashboard draws only from these. The library reads
the parameters (`detente.query`), so a route answers what the CLI and the library
answer, errors included. The answers' schemas are in `models.py`.

A route answers a `JSONResponse` of what the library's `to_dict` gives, which is plain
JSON already (`jsonio.json_ready`): returned as a dict, FastAPI would walk it once more
with its `jsonable_encoder`, 20 ms for a monthly timeline on 2 cores."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import FileResponse, JSONResponse
from starlette.background import BackgroundTask

from detente import analysis, library, query
from detente.api import models
from detente.api.app import READERS, context, error_body, store_of
from detente.api.params import (
    Actor,
    ActorA,
    ActorB,
    Both,
    By,
    DocFilter,
    EventType,
    History,
    Limit,
    Offset,
    Raw,
    Since,
    Until,
)
from detente.settings import Settings
from detente.store import Store, reading

ERROR_EXAMPLE = error_body(400, "type: unknown event type 'HUG'", "E100",
                           "Use a PLOVER type: AGREE, CONSULT, ...")
router = APIRouter(prefix="/api", responses={
    400: {"model": models.ErrorBody, "description": "A bad parameter, in the one error shape",
          "content": {"application/json": {"example": ERROR_EXAMPLE}}},
    409: {"model": models.ErrorBody, "description": "The database is held for writing by "
                                                    "another process; try again later"},
})
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": models.ErrorBody, "description": "No such document"}}


def answers(model: type[models.Model], description: str) -> dict[int | str, dict[str, Any]]:
    """The documented 200 answer of a JSON route."""
    return {200: {"model": model, "description": description}}

StoreDep = Annotated[Store, Depends(store_of, max_concurrency=READERS)]
DocId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
                            description="A document id from GET /api/docs.")]


def settings_of(request: Request) -> Settings:
    """The server's settings (a FastAPI dependency): its actor files, day-first dates."""
    return context(request).settings


SettingsDep = Annotated[Settings, Depends(settings_of)]
# The tables whose rows GET /api/health counts.
HEALTH_TABLES = ("documents", "sentences", "events", "ingest_errors")


@router.get("/health", summary="Server and database status", response_model=None,
            responses=answers(models.Health, "The version and row counts"))
def health(request: Request, store: StoreDep) -> JSONResponse:
    """The detente version, the database file name and its row counts.

    Example: `GET /api/health` → `{"ok": true, "counts": {"documents": 34, ...}}`
    """
    from detente.version import __version__

    ctx = context(request)
    # One query, not one per table: the dashboard and the load benchmark ask often.
    counted = ", ".join(f"(SELECT count(*) FROM {table})" for table in HEALTH_TABLES)
    with reading(store) as cursor:
        *numbers, schema = cursor.one(
            f"SELECT {counted}, (SELECT max(version) FROM schema_version)")
    counts = dict(zip(HEALTH_TABLES, numbers, strict=True))
    return JSONResponse({"ok": True, "version": __version__, "db": ctx.settings.db.name,
                         "schema_version": schema, "counts": counts,
                         "ingesting": ctx.ingest_lock.locked(),
                         "max_upload_mb": ctx.settings.max_upload_mb})


@router.get("/docs", summary="Stored documents (detente docs)", response_model=None,
            responses=answers(models.Documents, "Every stored document"))
def docs(store: StoreDep) -> JSONResponse:
    """Every stored document with its date and sentence and event counts, oldest first."""
    rows = [d.to_dict() for d in library.docs(store)]
    return JSONResponse({"ok": True, "total": len(rows), "documents": rows})


@router.get("/docs/{doc_id}", summary="One document with its sentences and events "
                                      "(detente doc)", response_model=None,
            responses={**answers(models.DocumentDetail, "The document"), **NOT_FOUND})
def document(doc_id: DocId, store: StoreDep) -> JSONResponse:
    """The document's text, its sentences and its events. Sentence and event offsets
    (`start`/`end`, `char_start`/`char_end`) count characters from the start of `text`,
    so a page can highlight each event in place."""
    return JSONResponse({"ok": True, **library.doc(store, doc_id).to_dict()})


@router.get("/events", summary="Events matching filters, paginated (detente events)",
            response_model=None, responses=answers(models.Events, "One page of events"))
def events(
    store: StoreDep,
    settings: SettingsDep,
    source: Actor = None,
    target: Actor = None,
    type: EventType = None,
    since: Since = None,
    until: Until = None,
    doc_id: DocFilter = None,
    limit: Limit = 100,
    offset: Offset = 0,
    raw: Raw = False,
) -> JSONResponse:
    """Stored events in date order, with `total` (all matches) for paging and the
    `filters` as read (actor codes, current type names, days): one per happening (its
    best-dated report; with `doc_id`, those the document reports), or with `raw=true`
    every report.

    Example: `GET /api/events?source=Japan&target=RUS&type=SANCTION&since=2014&until=2014`
    """
    page = library.event_page(store, source, target, type, since, until, doc_id, limit,
                              offset, raw=raw, settings=settings)
    return JSONResponse({"ok": True, "limit": limit, "offset": offset, **page.to_dict()})


@router.get("/errors", summary="Inputs that failed to ingest (detente errors)",
            response_model=None, responses=answers(models.Errors, "The failed inputs"))
def errors(store: StoreDep) -> JSONResponse:
    """The `ingest_errors` table: each failed input with its error code, message and hint."""
    rows = [e.to_dict() for e in library.errors(store)]
    return JSONResponse({"ok": True, "total": len(rows), "errors": rows})


@router.get("/timeline", summary="A dyad's events per period (detente timeline)",
            response_model=None, responses=answers(models.Timeline, "The dyad's series"))
def timeline(store: StoreDep, settings: SettingsDep, a: ActorA, b: ActorB, by: By = "month",
             both: Both = True, since: Since = None, until: Until = None,
             history: History = False, raw: Raw = False) -> JSONResponse:
    """Events between A and B per period, by quad class, with Goldstein sums, for
    A→B, B→A and both; plus the dyad's key events for labels. Historical events are
    left out unless `history=true`; `historical` and `history_note` say how many. Each
    happening counts once, however many articles report it, unless `raw=true`.

    Example: `GET /api/timeline?a=JPN&b=RUS&by=month`
    """
    result = analysis.timeline(store, a, b, by=by, both_directions=both, since=since,
                               until=until, history=history, raw=raw, settings=settings)
    return JSONResponse({"ok": True, **result.to_dict()})


@router.get("/key-events", summary="A dyad's most significant events (detente key-events)",
            response_model=None, responses=answers(models.KeyEvents, "The ranked events"))
def key_events(store: StoreDep, settings: SettingsDep, a: ActorA, b: ActorB,
               top: Annotated[int, Query(ge=1, le=100, description="How many.")] = 10,
               both: Both = True, since: Since = None, until: Until = None,
               raw: Raw = False) -> JSONResponse:
    """The `top` events between A and B, ranked by Goldstein magnitude, sources and
    firsts, each with its evidence sentence and document; with `raw=true`, from every
    report rather than from canonical events.

    Example: `GET /api/key-events?a=JPN&b=RUS&top=5`
    """
    ranked = analysis.key_events(store, a, b, top=top, both_directions=both, since=since,
                                 until=until, raw=raw, settings=settings)
    return JSONResponse({"ok": True, "total": len(ranked),
                         "key_events": [k.to_dict() for k in ranked]})


@router.get("/network", summary="Who acts on whom (detente network)", response_model=None,
            responses=answers(models.Network, "Nodes and edges"))
def network(store: StoreDep, settings: SettingsDep, since: Since = None, until: Until = None,
            sectors: Annotated[bool, Query(description="One node per actor and sector "
                                                       "(JPN GOV) instead of per code.")] = False,
            raw: Raw = False) -> JSONResponse:
    """Actors as nodes (events sent and received, centrality) and directed edges with
    event counts, cooperation, conflict and Goldstein totals; each happening counts once
    unless `raw=true`.

    Example: `GET /api/network?since=2022`
    """
    result = analysis.network(store, since=since, until=until, sectors=sectors,
                              settings=settings, raw=raw)
    return JSONResponse({"ok": True, **result.to_dict()})


@router.get("/actors/resolve", summary="Resolve a name to an actor code (detente actors "
                                       "resolve)", response_model=None,
            responses=answers(models.Resolved, "The reading of the words"))
def resolve_actor(settings: SettingsDep,
                  text: Annotated[str, Query(min_length=1, max_length=300,
                                             description="Words naming an actor.")],
                  date: Annotated[str | None, Query(max_length=10, description="The date at "
                                                    "which to resolve (roles change).")] = None,
                  ) -> JSONResponse:
    """The code, sector and resolved name for words such as "Abe", "the Kremlin" or
    "Japanese Foreign Minister", at a date when roles matter.

    Example: `GET /api/actors/resolve?text=Suga&date=2020-10-01`
    """
    day = query.day(date, "date", settings)
    resolution = query.resolver(settings).resolve(text, date=day)
    return JSONResponse({"ok": True, "resolved": resolution.code is not None,
                         **resolution.to_dict()})


# Each export format's media type (what `detente.export` writes for it).
MEDIA_TYPES = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet",
               "jsonl": "application/x-ndjson", "gdelt": "text/tab-separated-values",
               "icews": "text/tab-separated-values", "polecat": "text/tab-separated-values",
               "plover": "application/json"}
SUFFIXES = {"csv": "csv", "parquet": "parquet", "jsonl": "jsonl", "gdelt": "tsv",
            "icews": "tsv", "polecat": "tsv", "plover": "json"}
ExportFormat = Literal["csv", "parquet", "jsonl", "gdelt", "icews", "plover", "polecat"]
EXPORT_ANSWER: dict[int | str, dict[str, Any]] = {200: {
    "description": "The file, as an attachment (its event count in X-Detente-Events)",
    "content": {**{media: {"schema": {"type": "string", "format": "binary"}}
                   for media in dict.fromkeys(MEDIA_TYPES.values())},
                # PLOVER records: a JSON array (src/detente/data/plover_record.schema.json).
                "application/json": {"schema": {"type": "array",
                                                 "items": {"type": "object"}}}},
}}


@router.get("/export", summary="The matching events as a file (detente export)",
            response_class=FileResponse, responses=EXPORT_ANSWER)
def export(
    store: StoreDep,
    settings: SettingsDep,
    format: Annotated[ExportFormat, Query(description="csv or parquet (one flat row per "
                                          "event), jsonl, gdelt, icews, plover or "
                                          "polecat.")] = "csv",
    source: Actor = None,
    target: Actor = None,
    type: EventType = None,
    since: Since = None,
    until: Until = None,
    doc_id: DocFilter = None,
    raw: Raw = False,
) -> FileResponse:
    """The events matching the filters of `GET /api/events`, every one of them, written
    as `detente export --format FORMAT` writes them (see the README's Exports section):
    one row per happening, with its reports, articles and sources, or with `raw=true`
    one row per report.

    Example: `GET /api/export?format=parquet&source=Japan&since=2014`, then in Python
    `pandas.read_parquet(io.BytesIO(response.content))`.
    """
    from detente.export import export as write

    folder = FilePath(tempfile.mkdtemp(prefix="detente-export-"))
    path = folder / f"detente-events.{SUFFIXES[format]}"
    try:
        report = write(store, format, path, source=source, target=target, type=type,
                       since=since, until=until, doc_id=doc_id, raw=raw, settings=settings)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(path, media_type=MEDIA_TYPES[format], filename=path.name,
                        headers={"X-Detente-Events": str(report.events)},
                        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True))
