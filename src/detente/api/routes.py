"""The JSON read routes. Each calls one library function and returns what it returns,
wrapped as `{"ok": true, ...}`; the dashboard draws only from these."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from detente import analysis, library
from detente.api.app import context, error_body, store_of
from detente.api.params import (
    Limit,
    Offset,
    Since,
    Until,
    date_range,
    period_bound,
    plover_type,
)
from detente.store import EventFilter, Store, reading

ERROR_EXAMPLE = error_body(400, "unknown event type 'HUG'", "E100",
                           "Use a PLOVER type: AGREE, CONSULT, ...")
router = APIRouter(prefix="/api", responses={
    400: {"description": "A bad parameter, in the one error shape",
          "content": {"application/json": {"example": ERROR_EXAMPLE}}},
})

StoreDep = Annotated[Store, Depends(store_of)]
Actor = Annotated[str | None, Query(max_length=60, description="Actor code (JPN, G7) or "
                                                               "country name (Japan).")]
DocId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
                            description="A document id from GET /api/docs.")]


def actor_code(store: Store, value: str | None) -> str | None:
    """A user's actor (code or name) as its stored code; an unknown actor is a 400."""
    if value is None or not value.strip():
        return None
    with reading(store) as cursor:
        return analysis.resolve_actor(value, cursor)


@router.get("/health", summary="Server and database status")
def health(request: Request, store: StoreDep) -> dict[str, Any]:
    """The detente version, the database file name and its row counts.

    Example: `GET /api/health` → `{"ok": true, "counts": {"documents": 34, ...}}`
    """
    from detente import __version__

    ctx = context(request)
    with reading(store) as cursor:
        counts = {table: cursor.count(table)
                  for table in ("documents", "sentences", "events", "ingest_errors")}
        schema = cursor.schema_version
    return {"ok": True, "version": __version__, "db": ctx.settings.db.name,
            "schema_version": schema, "counts": counts,
            "ingesting": ctx.ingest_lock.locked(),
            "max_upload_mb": ctx.settings.max_upload_mb}


@router.get("/docs", summary="Stored documents (detente docs)")
def docs(store: StoreDep) -> dict[str, Any]:
    """Every stored document with its date and sentence and event counts, oldest first."""
    rows = [d.to_dict() for d in library.docs(store)]
    return {"ok": True, "total": len(rows), "documents": rows}


@router.get("/docs/{doc_id}", summary="One document with its sentences and events")
def document(doc_id: DocId, store: StoreDep) -> dict[str, Any]:
    """The document's text, its sentences and its events. Sentence and event offsets
    (`start`/`end`, `char_start`/`char_end`) count characters from the start of `text`,
    so a page can highlight each event in place."""
    with reading(store) as cursor:
        doc = cursor.document(doc_id)
        sentences = cursor.sentences(doc_id)
        events = cursor.events(EventFilter(doc_id=doc_id))
    return {"ok": True, "document": doc,
            "sentences": [{"index": s.index, "start": s.start, "end": s.end, "text": s.text}
                          for s in sentences],
            "events": [e.to_dict() for e in events]}


@router.get("/events", summary="Events matching filters, paginated (detente events)")
def events(
    store: StoreDep,
    source: Actor = None,
    target: Actor = None,
    type: Annotated[str | None, Query(max_length=20, description="PLOVER type, e.g. "
                                                                 "SANCTION.")] = None,
    since: Since = None,
    until: Until = None,
    doc_id: Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
                                        description="Only this document's events.")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Stored events in date order, with `total` (all matches) for paging.

    Example: `GET /api/events?source=JPN&target=RUS&type=SANCTION&since=2014&until=2014`
    """
    first, last = date_range(since, until)
    where = EventFilter(source=actor_code(store, source), target=actor_code(store, target),
                        plover=plover_type(type), since=first, until=last, doc_id=doc_id)
    rows = library.events(store, source=where.source, target=where.target, plover=where.plover,
                          since=first, until=last, doc_id=doc_id, limit=limit, offset=offset)
    with reading(store) as cursor:
        total = cursor.count_events(where)
    return {"ok": True, "total": total, "limit": limit, "offset": offset,
            "filters": {"source": where.source, "target": where.target, "type": where.plover,
                        "since": first.isoformat() if first else None,
                        "until": last.isoformat() if last else None, "doc_id": doc_id},
            "events": [e.to_dict() for e in rows]}


@router.get("/errors", summary="Inputs that failed to ingest")
def errors(store: StoreDep) -> dict[str, Any]:
    """The `ingest_errors` table: each failed input with its error code, message and hint."""
    with reading(store) as cursor:
        rows = cursor.errors()
    return {"ok": True, "total": len(rows), "errors": rows}


Both = Annotated[bool, Query(description="Count B→A as well as A→B.")]
By = Annotated[str, Query(max_length=10, description="month, quarter or year.")]
ActorA = Annotated[str, Query(min_length=1, max_length=60, description="First actor: code "
                                                                       "(JPN) or name (Japan).")]
ActorB = Annotated[str, Query(min_length=1, max_length=60, description="Second actor.")]
History = Annotated[bool, Query(description="Include historical events: dated more than "
                                            f"{analysis.HISTORY_YEARS} years before their "
                                            "article (left out and counted by default).")]


@router.get("/timeline", summary="A dyad's events per period (detente timeline)")
def timeline(store: StoreDep, a: ActorA, b: ActorB, by: By = "month", both: Both = True,
             since: Since = None, until: Until = None, history: History = False
             ) -> dict[str, Any]:
    """Events between A and B per period, by quad class, with Goldstein sums, for
    A→B, B→A and both; plus the dyad's key events for labels. Historical events are
    left out unless `history=true`; `historical` and `history_note` say how many.

    Example: `GET /api/timeline?a=JPN&b=RUS&by=month`
    """
    first, last = date_range(since, until)
    result = analysis.timeline(store, a, b, by=by, both_directions=both, since=first,
                               until=last, history=history)
    return {"ok": True, **result.to_dict()}


@router.get("/key-events", summary="A dyad's most significant events (detente key-events)")
def key_events(store: StoreDep, a: ActorA, b: ActorB,
               top: Annotated[int, Query(ge=1, le=100, description="How many.")] = 10,
               both: Both = True, since: Since = None, until: Until = None) -> dict[str, Any]:
    """The `top` events between A and B, ranked by Goldstein magnitude, sources and
    firsts, each with its evidence sentence and document.

    Example: `GET /api/key-events?a=JPN&b=RUS&top=5`
    """
    first, last = date_range(since, until)
    ranked = analysis.key_events(store, a, b, top=top, both_directions=both, since=first,
                           until=last)
    return {"ok": True, "total": len(ranked), "key_events": [k.to_dict() for k in ranked]}


@router.get("/network", summary="Who acts on whom (detente network)")
def network(store: StoreDep, since: Since = None, until: Until = None,
            sectors: Annotated[bool, Query(description="One node per actor and sector "
                                                       "(JPN GOV) instead of per code.")] = False,
            ) -> dict[str, Any]:
    """Actors as nodes (events sent and received, centrality) and directed edges with
    event counts, cooperation, conflict and Goldstein totals.

    Example: `GET /api/network?since=2022`
    """
    first, last = date_range(since, until)
    result = analysis.network(store, since=first, until=last, sectors=sectors)
    return {"ok": True, **result.to_dict()}


@router.get("/actors/resolve", summary="Resolve a name to an actor code (detente actors)")
def resolve_actor(request: Request,
                  text: Annotated[str, Query(min_length=1, max_length=300,
                                             description="Words naming an actor.")],
                  date: Annotated[str | None, Query(max_length=10, description="The date at "
                                                    "which to resolve (roles change).")] = None,
                  ) -> dict[str, Any]:
    """The code, sector and resolved name for words such as "Abe", "the Kremlin" or
    "Japanese Foreign Minister", at a date when roles matter.

    Example: `GET /api/actors/resolve?text=Suga&date=2020-10-01`
    """
    day = period_bound(date, "date")
    resolution = actor_resolver(request).resolve(text, date=day)
    return {"ok": True, "resolved": resolution.code is not None, **resolution.to_dict()}


def actor_resolver(request: Request) -> Any:
    """One resolver per app, built on first use (loading the registry takes a while)."""
    ctx = context(request)
    with ctx.lock:
        if "resolver" not in ctx.cache:
            from detente.actors import ActorResolver

            ctx.cache["resolver"] = ActorResolver(extra_files=ctx.settings.actors)
        return ctx.cache["resolver"]
