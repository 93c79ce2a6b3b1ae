"""The app factory: the database access, one error shape, security headers, the dashboard,
the OpenAPI document and Swagger UI at /docs.

The server opens the DuckDB file only while requests need it (`access.OnDemand`): read-only
for reads, so that a notebook can read the file while the server runs, and read-write for
an upload. Read routes are plain functions, run by FastAPI in its thread pool, each
through its own cursor: DuckDB answers them side by side, each in its own snapshot, and
goes on answering while an upload is ingested in another worker thread. At most
`READERS` reads are answered at once; the others wait their turn in the event loop.
Uploads (the only writes) are serialised by one lock.

An exception no route expected becomes a 500 in the one error shape and goes no
further, so the server keeps the client's connection open.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import sys
import threading
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    MutableMapping,
)
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack, ExitStack, asynccontextmanager, suppress
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from detente.api.access import Access, OnDemand, Shared
from detente.errors import DetenteError, InputError
from detente.ingest.parallel import CodingPool
from detente.settings import Settings
from detente.store import Store, open_store

log = logging.getLogger("detente.api")

WEB_DIR = Path(str(files("detente").joinpath("web")))
# Swagger UI's own files, as the fastapi-offline package ships them (no CDN).
SWAGGER_DIR = Path(str(files("fastapi_offline").joinpath("static")))

# The dashboard loads scripts only from this server; Vega runs with its expression
# interpreter (no eval). Inline styles stay allowed because Vega and vega-embed set
# style attributes on the chart elements they create.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'; form-action 'self'")


# How much lower the thread that codes uploads runs than the readers (a nice value): an
# upload is background work, and its parse and coding would otherwise take half the
# CPU from the reads of everyone else. Linux sets it per thread; elsewhere it is left.
INGEST_NICENESS = 10


def lower_priority() -> None:
    """Lower the calling thread's CPU priority by INGEST_NICENESS (Linux only; the
    threads and processes it starts, e.g. the coder's, inherit it)."""
    if sys.platform == "linux":
        with suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), INGEST_NICENESS)


def ingest_thread() -> ThreadPoolExecutor:
    """The one worker thread uploads are ingested in, at a lower priority."""
    return ThreadPoolExecutor(1, thread_name_prefix="detente-ingest",
                              initializer=lower_priority)


@dataclass
class ApiContext:
    """What every route needs: the settings, the database access (`access.py`), the
    folder uploads wait in, the ingest lock, the thread uploads are ingested in and the
    worker process they are parsed and coded in (`CodingPool`: its CPU at a lower
    priority and never this process's GIL, so reads go on at full speed; without one,
    in the ingest thread)."""

    settings: Settings
    uploads: Path
    access: Access
    ingest_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    ingester: ThreadPoolExecutor = field(default_factory=ingest_thread)
    coding: CodingPool | None = None  # the worker process uploads are coded in


def context(request: Request) -> ApiContext:
    return request.app.state.detente


# Reads answered at once, per CPU; the others wait their turn in the event loop, first
# come first served, without a thread (`StoreDep` in routes.py). Forty worker threads on
# two cores and one GIL answer no more reads per second than a few, but each read then
# waits behind all the others for each of its queries, so a long one (a timeline) takes
# many times its own time.
READERS_PER_CPU = 2
READERS = READERS_PER_CPU * (os.cpu_count() or 1)


def store_of(request: Request) -> Iterator[Store]:
    """A store to read from for one request (a FastAPI dependency): the file is open
    until the answer is made, and library calls take cursors of it."""
    with context(request).access.reading() as store:
        yield store


def error_body(status: int, message: str, code: str, hint: str | None = None,
               **extra: Any) -> dict[str, Any]:
    """The one JSON error shape: `{"ok": false, "error", "status", "code", "hint"}`."""
    return {"ok": False, "error": message, "status": status, "code": code, "hint": hint,
            **extra}


def error_response(status: int, message: str, code: str, hint: str | None = None,
                   headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse(error_body(status, message, code, hint, **extra), status_code=status,
                        headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Every error, from the library, routing, validation or a bug, in the one shape."""

    @app.exception_handler(DetenteError)
    async def detente_error(request: Request, exc: DetenteError) -> JSONResponse:
        return error_response(exc.http_status, exc.message, exc.code, exc.hint)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        status = exc.status_code
        hint: str | None
        if status == 404:
            message = f"nothing at {request.url.path}"
            hint = "The routes are listed in /api/openapi.json and on the dashboard's API page."
        elif status == 405:
            allowed = {k.lower(): v for k, v in (exc.headers or {}).items()}.get("allow", "")
            message = f"{request.method} is not allowed on {request.url.path}"
            hint = f"Use {allowed}." if allowed else None
        else:
            message, hint = str(exc.detail), None
        headers = {k: v for k, v in (exc.headers or {}).items() if k.lower() == "allow"}
        return error_response(status, message, f"HTTP{status}", hint, headers=headers or None)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for item in exc.errors():
            where = ".".join(str(p) for p in item.get("loc", ()) if p not in ("query", "path",
                                                                                "body"))
            problems.append(f"{where}: {item.get('msg', 'invalid')}" if where
                            else item.get("msg", "invalid"))
        message = "invalid request: " + "; ".join(problems)
        return error_response(400, message, InputError.code,
                              "See the parameters of this route in /api/openapi.json.")

    @app.exception_handler(Exception)  # the last resort, for a bug in a middleware
    async def server_error(request: Request, exc: Exception) -> JSONResponse:
        return internal_error(request.method, request.url.path, exc)


def internal_error(method: str, path: str, exc: Exception) -> JSONResponse:
    """The 500 for an exception nothing expected, logged with its traceback."""
    log.error("unhandled error on %s %s", method, path, exc_info=exc)
    return error_response(500, f"internal error: {type(exc).__name__}", DetenteError.code,
                          "This is a bug in detente; the server log has the traceback.")


ASGIApp = Callable[[MutableMapping[str, Any], Callable[[], Awaitable[Any]],
                    Callable[[MutableMapping[str, Any]], Awaitable[None]]], Awaitable[None]]


class SecurityHeaders:
    """Adds CSP and caching headers to every response (a plain ASGI middleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        cache = ("public, max-age=86400" if path.startswith("/vendor/") else
                 "no-store" if path.startswith("/api/") else "no-cache")

        async def send_with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = [(b"content-security-policy", CSP.encode()),
                         (b"x-content-type-options", b"nosniff"),
                         (b"referrer-policy", b"no-referrer"),
                         (b"x-frame-options", b"DENY")]
                if b"cache-control" not in names:
                    extra.append((b"cache-control", cache.encode()))
                message["headers"] = headers + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


class InternalErrors:
    """Answers an exception a route did not expect with the 500 of `internal_error`, and
    does not raise it further (a plain ASGI middleware, innermost).

    Starlette's own last-resort handler re-raises after answering, and the server then
    closes the connection: a client's keep-alive connection would be reset by one bad
    request. Here the request ends normally and the connection stays open.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: MutableMapping[str, Any]) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            if started:  # half an answer is sent: only closing the connection can end it
                raise
            response = internal_error(scope["method"], scope.get("path", ""), exc)
            await response(scope, receive, send)


def host_name(host_header: str) -> str:
    """The name in a Host header: "127.0.0.1:8000" → "127.0.0.1", "[::1]:80" → "::1"."""
    if host_header.startswith("["):
        return host_header[1:].split("]", 1)[0]
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


class RequestGuard:
    """Refuses requests a local server should never answer, in the one error shape.

    A web page on another site can make the browser send a simple POST (a form upload)
    to 127.0.0.1, and a DNS-rebinding page can read from it under its own host name; so
    writes must come from this server's own origin, and, when the server listens on
    loopback, the Host header must name loopback.
    """

    def __init__(self, app: ASGIApp, allowed_hosts: frozenset[str] | None) -> None:
        self.app = app
        self.allowed_hosts = allowed_hosts

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                       for k, v in scope.get("headers", [])}
            host = headers.get("host", "")
            refusal = None
            if self.allowed_hosts is not None and host_name(host) not in self.allowed_hosts:
                refusal = (f"requests for host {host!r} are refused",
                           ("Open the dashboard at the address `detente serve` printed, "
                            "e.g. http://127.0.0.1:8000/."))
            origin = headers.get("origin")
            if (refusal is None and scope["method"] not in ("GET", "HEAD", "OPTIONS")
                    and origin is not None and origin != f"{scope.get('scheme', 'http')}://{host}"):
                refusal = (f"a {scope['method']} from another site ({origin}) is refused",
                           ("Upload from the dashboard itself, or from a script that sends "
                            "no Origin header."))
            if refusal is not None:
                response = error_response(403, refusal[0], "HTTP403", refusal[1])
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


@lru_cache(maxsize=1)
def vega_bundle() -> bytes:
    """Vega, Vega-Lite and vega-embed as one script, from vl-convert-python (offline)."""
    import vl_convert

    # The stub marks `snippet` as required; without it the bundle sets window.vegaEmbed.
    return vl_convert.javascript_bundle().encode("utf-8")  # type: ignore[call-arg]


def warm_read_paths(settings: Settings) -> None:
    """Answer each kind of read once, over two invented events in a database in memory,
    so that what the read paths load on first use (the actor resolver, SciPy for
    PageRank, DuckDB's first queries) is loaded before the first request: a first
    network read takes ~300 ms, holding the GIL for every request in flight."""
    from detente import analysis, library
    from detente.records import ActorRef, Document, Event, Sentence

    text = "Norway and Chile signed a fishing accord. Chile thanked Norway."
    doc = Document.create(text, title="warm-up", date=dt.date(2020, 5, 4))
    sentence = Sentence(doc.doc_id, 0, 0, len(text), text)
    events = [Event(f"warm-{n}", doc.doc_id, 0, 0, len(text), text, "2020-05-04", "day",
                    "document", ActorRef(a), ActorRef(b), "AGREE", "", "030", 1, 4.0, 0.9,
                    "warm-up") for n, (a, b) in enumerate([("NOR", "CHL"), ("CHL", "NOR")])]
    try:
        with open_store(":memory:") as store:
            store.add_document(doc, [sentence], events)
            library.event_page(store, "Norway", "CHL", limit=10, settings=settings)
            library.doc(store, doc.doc_id)
            library.docs(store)
            analysis.timeline(store, "NOR", "CHL", settings=settings)
            analysis.key_events(store, "NOR", "CHL", settings=settings)
            analysis.network(store, settings=settings)
    except Exception:  # e.g. actor files without Norway: serve all the same, unwarmed
        log.warning("the read paths could not be warmed up; the first reads load what "
                    "they need", exc_info=True)


def create_app(source: Settings | str | Path | Store, settings: Settings | None = None, *,
               allowed_hosts: Iterable[str] | None = None,
               coding_worker: bool = True) -> FastAPI:
    """The detente HTTP API and dashboard over one database.

    `source` is a Settings object, a database path, or an already open Store (which
    the caller keeps and closes). A path is created and migrated at startup, then
    opened only while requests are in flight (`access.OnDemand`), so other processes
    can read it meanwhile. With `allowed_hosts`, other Host headers are refused
    (`detente serve` passes the loopback names). Uploads are parsed and coded in a
    worker process (`ApiContext.coding`), started at the first upload; with
    `coding_worker=False`, in this process.

    >>> app = create_app("detente.duckdb")  # doctest: +SKIP
    >>> # with TestClient(app) as client: client.get("/api/health").json()
    """
    from detente.api.routes import router
    from detente.api.upload import clear_uploads, upload_folder
    from detente.api.upload import router as upload_router
    from detente.version import __version__

    held = ExitStack()  # what the app itself opened, closed at shutdown
    access: Access
    if isinstance(source, Store):
        chosen, access = settings or Settings(db=Path(source.path)), Shared(source)
    else:
        chosen = source if isinstance(source, Settings) else settings or Settings(db=Path(source))
        # An in-memory database lives only while one connection holds it.
        access = (Shared(held.enter_context(open_store(":memory:")))
                  if str(chosen.db) == ":memory:" else OnDemand(str(chosen.db)))
    ctx = ApiContext(chosen, upload_folder(access.path), access)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            stack.callback(held.close)
            if isinstance(access, OnDemand):
                # Created and migrated now, so that requests may open it read-only.
                with open_store(access.path):
                    pass
            # `detente serve` holds the database's serve lock (detente.served), so the
            # upload folder is this server's alone.
            clear_uploads(ctx.uploads)
            stack.callback(clear_uploads, ctx.uploads)
            ctx.ingester = stack.enter_context(ingest_thread())
            if coding_worker:
                ctx.coding = stack.enter_context(CodingPool(chosen, INGEST_NICENESS))
            # Build the Vega bundle now: it holds the GIL for a second or two, which
            # would otherwise stall every request in flight when the first page loads.
            vega_bundle()
            warm_read_paths(chosen)
            yield

    app = FastAPI(
        title="detente",
        version=__version__,
        summary="Political event data (PLOVER/CAMEO) from foreign-policy text.",
        description="JSON routes mirror the `detente` CLI and library (`GET /api/export` "
                    "answers CSV or Parquet). Every error is "
                    '`{"ok": false, "error": "...", "status": N, "code": "...", '
                    '"hint": "..."}`.',
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.detente = ctx
    install_error_handlers(app)
    app.include_router(router)
    app.include_router(upload_router)

    @app.get("/", include_in_schema=False)
    def dashboard() -> FileResponse:
        return FileResponse(WEB_DIR / "index.html", media_type="text/html")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> FileResponse:
        """Swagger UI over /api/openapi.json, from files this server serves."""
        return FileResponse(WEB_DIR / "swagger.html", media_type="text/html")

    @app.get("/vendor/vega.js", include_in_schema=False)
    def vega_js() -> Response:
        return Response(vega_bundle(), media_type="text/javascript")

    app.openapi = lambda: openapi_document(app)  # type: ignore[method-assign]
    app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")
    app.mount("/vendor/swagger", StaticFiles(directory=SWAGGER_DIR), name="swagger")
    app.add_middleware(InternalErrors)  # added first: the innermost
    # Level 6, not the default 9: a monthly timeline's JSON comes out 6% larger, in a sixth
    # of the time (2 ms, not 10).
    app.add_middleware(GZipMiddleware, minimum_size=2048, compresslevel=6)
    app.add_middleware(RequestGuard, allowed_hosts=frozenset(allowed_hosts)
                       if allowed_hosts is not None else None)
    app.add_middleware(SecurityHeaders)
    return app


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, built once: FastAPI's, with the upload body's schemas
    (`JsonUpload`, `JsonDocument`) among the components its request body points to, and
    without FastAPI's 422 answers: a request that fails validation is a 400 here, in the
    one error shape (`install_error_handlers`), as the routes document it."""
    if app.openapi_schema is None:
        from detente.api.upload import upload_schemas

        document = get_openapi(title=app.title, version=app.version, summary=app.summary,
                               description=app.description, routes=app.routes)
        for operations in document["paths"].values():
            for operation in operations.values():
                operation["responses"].pop("422", None)
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        schemas.update(upload_schemas())
        app.openapi_schema = document
    return app.openapi_schema
