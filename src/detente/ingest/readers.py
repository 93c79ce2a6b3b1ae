"""Readers: turn a file (or a JSONL line) into raw text plus metadata.

Each reader returns `RawDoc`s or raises an `InputError` naming the input and the fix.
A reader never touches the store; the pipeline decides what to keep.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from detente.errors import EmptyDocumentError, InputError, UnsupportedFormatError

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | {".pdf", ".jsonl", ".ndjson"}

# Header lines of pasted or hand-written text files that carry metadata.
HEADER_KEYS = {"title", "date", "source", "url", "published", "author", "id"}
HEADER_RE = re.compile(r"^(?P<key>[A-Za-z]+):\s*(?P<value>.*\S)\s*$")

# Magic numbers of common binary formats people rename by mistake.
BINARY_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"\x7fELF", b"%PDF")


@dataclass(frozen=True)
class RawDoc:
    """Text and metadata as read, before cleaning. `name` identifies the input."""

    name: str
    text: str
    fmt: str
    meta: dict[str, str] = field(default_factory=dict)


def iter_paths(path: Path) -> Iterator[Path]:
    """Files under `path` (recursively, sorted), or `path` itself."""
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            # Dangling links are yielded too: reading them fails with a recorded error.
            if (child.is_file() or child.is_symlink()) and not child.name.startswith("."):
                yield child
    else:
        yield path


def decode_bytes(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), else cp1252, else latin-1; refuse binary content."""
    if any(data.startswith(magic) for magic in BINARY_MAGIC) or b"\x00" in data[:8192]:
        raise UnsupportedFormatError(
            f"{name} is a binary file, not text",
            hint="Pass .txt, .md, .html, .pdf or .jsonl files; rename it if it has "
                 "the wrong extension.",
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def read_file(path: Path, max_bytes: int) -> list[RawDoc]:
    """Read one file into raw documents (several for JSONL: see `read_jsonl`)."""
    name = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise UnsupportedFormatError(
            f"{name}: unsupported file type {suffix or '(none)'}",
            hint=f"Supported: {', '.join(sorted(SUPPORTED))}.",
        )
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"{name} is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit",
                hint="Raise the limit with --max-mb (or DETENTE_MAX_DOC_MB), or split the file.",
            )
        data = path.read_bytes()
    except PermissionError as exc:
        raise InputError(f"{name} cannot be read: permission denied",
                         hint="Check the file's permissions (chmod +r).") from exc
    except OSError as exc:
        raise InputError(f"{name} cannot be read: {exc.strerror}",
                         hint="Check that the path exists and is a readable file.") from exc
    if not data.strip():
        raise EmptyDocumentError(f"{name} is empty", hint="Remove it or add text.")
    if suffix == ".pdf":
        return [read_pdf(data, name)]
    if suffix in HTML_SUFFIXES:
        return [read_html(decode_bytes(data, name), name)]
    if suffix in {".jsonl", ".ndjson"}:
        raise InputError(f"{name}: JSONL must be read line by line",
                         hint="Use read_jsonl().")  # the pipeline routes JSONL itself
    return [read_text(decode_bytes(data, name), name, fmt=suffix.lstrip(".") or "txt")]


def read_text(text: str, name: str, fmt: str = "txt") -> RawDoc:
    """Plain text or Markdown: YAML front matter or `Key: value` header lines → metadata."""
    meta: dict[str, str] = {}
    body = text.replace("\r\n", "\n").replace("\r", "\n")
    if body.startswith("---\n"):
        end = body.find("\n---", 4)
        if end > 0:
            try:
                front = yaml.safe_load(body[4:end]) or {}
            except yaml.YAMLError as exc:
                raise InputError(f"{name}: invalid YAML front matter: {exc}",
                                 hint="Fix the block between the --- lines.") from exc
            if isinstance(front, dict):
                meta = {str(k).lower(): str(v) for k, v in front.items() if v is not None}
                body = body[end + 4:].lstrip("\n")
    else:
        lines = body.split("\n")
        taken = 0
        for line in lines:
            match = HEADER_RE.match(line)
            if match and match["key"].lower() in HEADER_KEYS:
                meta[match["key"].lower()] = match["value"]
                taken += 1
            elif not line.strip() and taken:
                break
            else:
                taken = 0 if not meta else taken
                break
        if meta:
            body = "\n".join(lines[taken:]).lstrip("\n")
    if fmt in {"md", "markdown"}:
        body = strip_markdown(body)
    return RawDoc(name=name, text=body, fmt=fmt, meta=meta)


def strip_markdown(text: str) -> str:
    """Drop Markdown syntax that would pollute sentences (headings, emphasis, links)."""
    text = re.sub(r"^#{1,6}\s*", "", text, flags=re.M)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<!\w)[*_](\S.*?\S|\S)[*_](?!\w)", r"\1", text)
    return re.sub(r"^\s*[-*+]\s+", "", text, flags=re.M)


def read_html(html: str, name: str) -> RawDoc:
    """Main text of a web page (trafilatura), with title, date and URL from its metadata."""
    import trafilatura

    result = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                         include_tables=False, favor_precision=True)
    text = (getattr(result, "text", None) or "") if result is not None else ""
    if len(text.split()) < 20:
        raise EmptyDocumentError(
            f"{name}: no article text found in the HTML page (navigation or boilerplate only)",
            hint="Save the article page itself, or paste its text into a .txt file.",
        )
    meta = {}
    for key in ("title", "date", "url"):
        value = getattr(result, key, None)
        if value:
            meta[key] = str(value)
    if getattr(result, "sitename", None):
        meta["source"] = str(result.sitename)
    return RawDoc(name=name, text=text, fmt="html", meta=meta)


def read_pdf(data: bytes, name: str) -> RawDoc:
    """The PDF's text layer (pypdf); a scanned PDF without one is refused."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError) as exc:
        raise InputError(f"{name}: not a readable PDF ({exc})",
                         hint="Check the file, or export it to text first.") from exc
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if len(text.split()) < 5:
        raise EmptyDocumentError(
            f"{name}: the PDF has no text layer (a scan?)",
            hint="Run OCR first (e.g. `ocrmypdf in.pdf out.pdf`) and ingest the result.",
        )
    meta = {}
    info = reader.metadata
    if info is not None and info.title:
        meta["title"] = str(info.title)
    return RawDoc(name=name, text=text, fmt="pdf", meta=meta)


def _at(where: str, exc: InputError) -> InputError:
    exc.input = where
    return exc


def read_jsonl(lines: Iterator[str] | io.TextIOBase, name: str) -> Iterator[RawDoc | InputError]:
    """One document per line (`id` and `text` required); errors are yielded, not raised,
    so one bad line never stops the others."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield _at(where, InputError(
                f"{where}: malformed JSON ({exc.msg} at column {exc.colno})",
                hint="Each line must be one JSON object with `id` and `text`."))
            continue
        if not isinstance(record, dict) or not record.get("text") or "id" not in record:
            yield _at(where, InputError(f"{where}: a JSONL document needs `id` and non-empty `text`",
                             hint='Write lines like {"id": "a1", "text": "...", '
                                  '"date": "2015-03-25"}.'))
            continue
        meta = {k: str(record[k]) for k in ("title", "date", "url", "source")
                if record.get(k)}
        meta["id"] = str(record["id"])
        yield RawDoc(name=f"{where} (id {record['id']})", text=str(record["text"]),
                     fmt="jsonl", meta=meta)
