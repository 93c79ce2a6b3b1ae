"""POST /api/documents: files (multipart) or JSON documents → library.ingest.

The body is read with a size limit before anything is parsed (JSON in a worker thread),
and any body that cannot be read is a 400. Files are written with their base names
only, under a fresh folder in `<db>.uploads` beside the database, so no request can name
a path on the server; they are recorded under those names, never the temporary paths.
Only the process that holds the database writes there, so a server that starts clears
whatever a killed one left. JSON documents, validated here, go to the pipeline as raw
document records named "document:N (id ...)". Ingest runs in one worker thread of lower
CPU priority (`app.INGEST_NICENESS`) on the server's open store, one upload at a time,
while reads go on through their own cursors.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Sequence
from contextlib import closing
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from pydantic.json_schema import models_json_schema
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from detente import library
from detente.api.app import ApiContext, context, error_response
from detente.api.models import Upload
from detente.errors import InputError, PayloadTooLargeError, UnsupportedMediaTypeError
from detente.ingest.pipeline import IngestReport
from detente.ingest.readers import RawDoc
from detente.jsonio import MAX_DEPTH, nested_too_deeply
from detente.store import renamed

log = logging.getLogger("detente.api")
router = APIRouter(prefix="/api")

MAX_FILES = 200
SAFE_NAME = re.compile(r"[^A-Za-z0-9._ ()-]+")
MULTIPART_HINT = ("Send multipart/form-data with one or more `files` parts, e.g. "
                  "curl -F files=@article.txt http://127.0.0.1:8000/api/documents")
JSON_HINT = 'Send {"documents": [{"id": "a1", "text": "..."}]}.'


class JsonDocument(BaseModel):
    """One document to ingest; the fields of a `detente ingest -` JSONL line."""

    id: str | None = Field(None, max_length=200, description="Your id (default: position).")
    text: str = Field(min_length=1, description="The document's text.")
    title: str | None = Field(None, max_length=1000)
    date: str | None = Field(None, max_length=40, description="Publication date, YYYY-MM-DD.")
    url: str | None = Field(None, max_length=2000)
    source: str | None = Field(None, max_length=500)


class JsonUpload(BaseModel):
    documents: list[JsonDocument] = Field(min_length=1, max_length=10_000)


def upload_schemas() -> dict[str, Any]:
    """The JSON body's schemas (`JsonUpload`, `JsonDocument`), as OpenAPI components."""
    _, schemas = models_json_schema([(JsonUpload, "validation")],
                                    ref_template="#/components/schemas/{model}")
    return dict(schemas["$defs"])


UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {"schema": {
            "type": "object",
            "required": ["files"],
            "properties": {"files": {"type": "array", "minItems": 1, "maxItems": MAX_FILES,
                                     "items": {"type": "string", "format": "binary"},
                                     "description": "Files: .txt, .md, .html, .pdf, "
                                                    ".jsonl."}},
        }},
        "application/json": {"schema": {"$ref": "#/components/schemas/JsonUpload"}},
    },
}
ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}


async def read_limited(request: Request, limit: int) -> bytes:
    """The request body, refused with a 413 as soon as it passes `limit` bytes."""
    too_big = PayloadTooLargeError(
        f"the upload is over the server's limit of {limit / 1e6:.0f} MB",
        hint="Upload fewer or smaller files at a time, or start the server with a larger "
             "max_upload_mb (DETENTE_MAX_UPLOAD_MB).")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_big
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)


async def form_files(request: Request, body: bytes) -> list[tuple[str, bytes]]:
    """(name, content) of every file part of a multipart body already read."""
    sent = False

    async def replay() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, replay).form(max_files=MAX_FILES, max_fields=50)
    except StarletteHTTPException as exc:  # the parser's own 400s, e.g. too many files
        raise InputError(f"the multipart body is malformed: {exc.detail}",
                         hint=MULTIPART_HINT) from None
    except Exception as exc:  # noqa: BLE001 - whatever else the parser raises, the body is unreadable
        raise InputError(f"the multipart body cannot be read: {type(exc).__name__}: {exc}",
                         hint=MULTIPART_HINT) from None
    files = []
    try:
        for _key, value in form.multi_items():
            if isinstance(value, UploadFile):
                files.append((value.filename or "", await value.read()))
    finally:
        await form.close()
    if not files:
        raise InputError("the upload holds no files", hint=MULTIPART_HINT)
    return files


def json_documents(body: bytes) -> list[JsonDocument]:
    """The documents of a JSON body; any body that is not such JSON is an InputError."""
    too_deep = InputError(f"the JSON body is nested more than {MAX_DEPTH} levels deep",
                          hint=JSON_HINT)
    try:
        data = json.loads(body)
    except RecursionError:
        raise too_deep from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"the JSON body is malformed: {exc}", hint=JSON_HINT) from None
    except ValueError as exc:  # Python's limit on the digits of an integer
        raise InputError(f"the JSON body holds a number too long to read: "
                         f"{str(exc).split(';')[0]}", hint=JSON_HINT) from None
    if nested_too_deeply(data):
        raise too_deep
    if isinstance(data, list):
        data = {"documents": data}
    try:
        return JsonUpload.model_validate(data).documents
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                             for e in exc.errors()[:5])
        raise InputError(f"invalid documents: {problems}",
                         hint='Each document needs non-empty "text"; "id", "title", "date", '
                              '"url" and "source" are optional.') from None


def safe_name(name: str, number: int) -> str:
    """A file's base name only, in plain characters; never a path."""
    base = PurePosixPath(name.replace("\\", "/")).name
    base = SAFE_NAME.sub("_", base).strip(" .")
    return base[:120] or f"upload-{number}.txt"


def upload_folder(db: str) -> Path:
    """Where uploads wait while they are ingested: `<db>.uploads` beside the database
    (a folder of its own in the temporary folder for an in-memory one)."""
    if db == ":memory:":
        return Path(tempfile.gettempdir()) / f"detente-uploads-{uuid.uuid4().hex}"
    return Path(f"{db}.uploads")


def clear_uploads(folder: Path) -> int:
    """Delete the uploads a killed server left in `folder`; returns how many there were.

    Safe because the caller holds the database: no other server can be using `folder`."""
    if not folder.is_dir():
        return 0
    left = sum(1 for _ in folder.iterdir())
    shutil.rmtree(folder, ignore_errors=True)
    if left:
        log.warning("removed %d upload(s) left in %s by a server that stopped mid-upload",
                    left, folder)
    return left


def ingest_files(ctx: ApiContext, files: Sequence[tuple[str, bytes]]) -> dict[str, Any]:
    """Write the files under a fresh upload folder, ingest them, report and record them
    under their uploaded names."""
    ctx.uploads.mkdir(exist_ok=True)
    # Resolved, so that the paths the pipeline names are the ones in `names`.
    folder = Path(tempfile.mkdtemp(prefix="detente-upload-", dir=ctx.uploads)).resolve()
    names: dict[str, str] = {}
    try:
        paths = []
        for number, (name, content) in enumerate(files, start=1):
            shown = safe_name(name, number)
            path = folder / str(number) / shown
            path.parent.mkdir()
            path.write_bytes(content)
            names[str(path)] = shown
            paths.append(path)
        with ctx.access.writing() as store, closing(store.recording_as(names)) as recorder:
            report = library.ingest(paths, ctx.settings, store=recorder, pool=ctx.coding)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return report_dict(report, names)


def raw_document(number: int, doc: JsonDocument) -> RawDoc:
    """A JSON document as the pipeline's raw record, named "document:N (id ...)" as the API
    reports it; its id is its position when it has none."""
    ident = doc.id if doc.id is not None else str(number)
    meta = {key: value for key in ("title", "date", "url", "source")
            if (value := getattr(doc, key))}
    return RawDoc(name=f"document:{number} (id {ident})", text=doc.text, fmt="json",
                  meta={**meta, "id": ident})


def ingest_json(ctx: ApiContext, docs: Sequence[JsonDocument]) -> dict[str, Any]:
    """Ingest validated JSON documents, passed to the pipeline as raw document records."""
    records = [raw_document(number, doc) for number, doc in enumerate(docs, start=1)]
    with ctx.access.writing() as store:
        report = library.ingest(records, ctx.settings, store=store, pool=ctx.coding)
    return report_dict(report, {})


def report_dict(report: IngestReport, names: dict[str, str]) -> dict[str, Any]:
    """The ingest report, with temporary paths replaced by the uploaded names."""
    data: dict[str, Any] = report.to_dict()
    data.pop("db", None)
    data["failures"] = [{key: renamed(value, names) if isinstance(value, str) else value
                         for key, value in vars(failure).items()}
                        for failure in report.failures]
    return data


@router.post("/documents", summary="Upload documents to ingest (detente ingest)",
             openapi_extra={"requestBody": UPLOAD_BODY}, response_model=None,
             responses={200: {"model": Upload, "description": "What was stored"},
                        400: {"content": ERROR, "description": "A malformed body, or no "
                              "input could be ingested (`failures` says why)"},
                        409: {"content": ERROR, "description": "The database is held by "
                              "another process"},
                        413: {"content": ERROR, "description": "Over max_upload_mb"},
                        415: {"content": ERROR, "description": "Neither multipart nor "
                                                               "JSON"}})
async def upload(request: Request) -> JSONResponse:
    """Ingest uploaded files (multipart `files`: .txt, .md, .html, .pdf, .jsonl) or JSON
    documents (`{"documents": [{"id", "text", "title", "date", "url", "source"}]}`).

    Returns the new document ids, the ids already stored and one failure per bad
    input; the good inputs are stored even when others fail. When nothing at all could
    be ingested the answer is a 400 in the error shape, with the same `failures`.
    """
    ctx = context(request)
    body = await read_limited(request, ctx.settings.max_upload_mb * 1_000_000)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    job: Callable[[], dict[str, Any]]
    if kind == "multipart/form-data":
        files = await form_files(request, body)
        count, job = len(files), partial(ingest_files, ctx, files)
    elif kind == "application/json":
        # Parsed in a worker thread: a large body would otherwise hold up every request.
        docs = await run_in_threadpool(json_documents, body)
        count, job = len(docs), partial(ingest_json, ctx, docs)
    else:
        raise UnsupportedMediaTypeError(
            f"cannot ingest a {kind or 'body without a content type'}",
            hint="Send files as multipart/form-data, or JSON documents as application/json.")
    async with ctx.ingest_lock:
        result = await asyncio.get_running_loop().run_in_executor(ctx.ingester, job)
    if not (result["added"] or result["present"]):
        return error_response(400, f"none of the {count} uploaded input(s) could be ingested",
                              InputError.code, "See `failures` for each input and its fix.",
                              failures=result["failures"])
    return JSONResponse({"ok": True, **result})
