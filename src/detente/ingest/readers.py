"""Readers: turn a file (or a JSONL line) into raw text plus metadata.

Each reader returns `RawDoc`s or raises an `InputError` naming the input and the fix.
A reader never touches the store; the pipeline decides what to keep.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, ClassVar

import yaml

from detente.errors import (
    EmptyDocumentError,
    InputError,
    NotRegularFileError,
    UnsupportedFormatError,
    unexpected,
)
from detente.jsonio import json_lines, json_object, json_type

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | {".pdf", ".jsonl", ".ndjson"}

# Header lines of pasted or hand-written text files that carry metadata.
HEADER_KEYS = {"title", "date", "source", "url", "published", "author", "id"}
HEADER_RE = re.compile(r"^(?P<key>[A-Za-z]+):\s*(?P<value>.*\S)\s*$")

# Magic numbers of common binary formats people rename by mistake.
BINARY_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"\x7fELF", b"%PDF")
# Byte-order marks of the wide encodings; UTF-32 LE's starts with UTF-16 LE's, so it is first.
WIDE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
             (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Front matter is a few lines of metadata; anything longer is not front matter.
MAX_FRONT_MATTER = 64_000
# The JSON scalars a metadata field may hold (a list or an object is refused).
SCALARS = (str, int, float, bool)
# What a non-regular file is, by its stat mode.
FILE_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
              (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
              (stat.S_ISSOCK, "a socket"))


@dataclass(frozen=True)
class RawDoc:
    """Text and metadata as read, before cleaning. `name` identifies the input."""

    name: str
    text: str
    fmt: str
    meta: dict[str, str] = field(default_factory=dict)


def iter_paths(path: Path) -> Iterator[Path]:
    """Files under `path` (recursively, sorted, hidden ones left out), or `path` itself.

    The folder is listed and sorted once, before the first file is read: a file removed
    during the run is still yielded, and reading it fails with a recorded error. Anything
    that is not a folder is yielded (FIFOs and devices too), for the reader to refuse by name.
    """
    if not path.is_dir():
        yield path
        return
    listed = sorted(child for child in path.rglob("*") if not child.name.startswith("."))
    yield from [child for child in listed if not child.is_dir()]


def printable(text: str) -> str:
    """`text` without lone surrogates (a file name that is not UTF-8), so that it can be
    printed and stored: each is written as its escape, \\udce9."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


@contextmanager
def open_regular(path: Path, max_bytes: int | None = None) -> Iterator[IO[bytes]]:
    """A regular file opened for reading in binary, checked on the open file itself (so a
    link swapped after the check changes nothing): FIFOs, devices, sockets and folders are
    refused, as is a file over `max_bytes`. A FIFO is opened without blocking, so it never
    hangs the run."""
    name = printable(str(path))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except PermissionError as exc:
        raise InputError(f"{name} cannot be read: permission denied",
                         hint="Check the file's permissions (chmod +r).") from exc
    except OSError as exc:
        raise InputError(f"{name} cannot be read: {exc.strerror}",
                         hint="Check that the path exists and is a readable file (it may "
                              "have been moved or deleted during the run).") from exc
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((label for test, label in FILE_KINDS if test(info.st_mode)),
                        "a special file")
            target = os.path.realpath(path)
            via = f" (a link to {printable(target)})" if target != os.path.abspath(path) else ""
            raise NotRegularFileError(f"{name}{via} is {kind}, not a regular file; not read",
                                      hint="Pass regular files only; copy the data into a "
                                           "file first.")
        if max_bytes is not None and info.st_size > max_bytes:
            raise too_big(name, info.st_size, max_bytes)
        yield handle


def too_big(name: str, size: int, max_bytes: int) -> InputError:
    return InputError(
        f"{name} is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit",
        hint="Raise the max_doc_mb setting (DETENTE_MAX_DOC_MB), or split the file.")


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes` (one that grows past the limit
    while it is read is refused too)."""
    with open_regular(path, max_bytes) as handle:
        try:
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise InputError(f"{printable(str(path))} cannot be read: {exc.strerror}",
                             hint="Check the disk and the file, then run again.") from exc
    if len(data) > max_bytes:
        raise too_big(printable(str(path)), len(data), max_bytes)
    return data


def decode_bytes(data: bytes, name: str) -> str:
    """UTF-32 or UTF-16 with a byte-order mark; else UTF-8 (with or without BOM), else
    cp1252, else latin-1; binary content is refused."""
    for bom, encoding in WIDE_BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)  # the codec reads the mark and drops it
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{name} starts with a {encoding.upper()} byte-order mark but is not "
                    f"valid {encoding.upper()} (at byte {exc.start})",
                    hint="Re-save the file as UTF-8.") from exc
    if any(data.startswith(magic) for magic in BINARY_MAGIC) or b"\x00" in data[:8192]:
        raise UnsupportedFormatError(
            f"{name} is a binary file, not text",
            hint="Pass .txt, .md, .html, .pdf or .jsonl files; rename it if it has "
                 "the wrong extension (UTF-16 text needs its byte-order mark).",
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def is_jsonl(path: Path) -> bool:
    return path.suffix.lower() in {".jsonl", ".ndjson"}


def read_file(path: Path, max_bytes: int) -> list[RawDoc]:
    """Read one regular file into raw documents (JSONL is read line by line instead:
    see `read_jsonl`)."""
    name = printable(str(path))
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise UnsupportedFormatError(
            f"{name}: unsupported file type {suffix or '(none)'}",
            hint=f"Supported: {', '.join(sorted(SUPPORTED))}.",
        )
    if is_jsonl(path):
        raise InputError(f"{name}: JSONL must be read line by line",
                         hint="Use read_jsonl().")  # the pipeline routes JSONL itself
    data = read_bytes(path, max_bytes)
    if not data.strip():
        raise EmptyDocumentError(f"{name} is empty", hint="Remove it or add text.")
    if suffix == ".pdf":
        return [read_pdf(data, name)]
    if suffix in HTML_SUFFIXES:
        return [read_html(decode_bytes(data, name), name)]
    return [read_text(decode_bytes(data, name), name, fmt=suffix.lstrip(".") or "txt")]


class FrontMatterLoader(yaml.SafeLoader):
    """YAML for front matter: no aliases (a few hundred bytes of nested aliases expand
    to billions of nodes), and dates kept as text, for `read_date` to read or refuse
    with a message (YAML's own parser raises a bare ValueError on 2014-02-30)."""

    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, re.Pattern[str]]]]] = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in front matter",
                event.start_mark)
        return super().compose_node(parent, index)


def yaml_problem(exc: BaseException) -> str:
    """What is wrong and where, in the file's own line numbers (the block starts on the
    line after the first ---)."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)[:300]
    if mark is None:
        return problem
    return f"{problem} at line {mark.line + 2}, column {mark.column + 1}"


def front_matter(block: str, name: str) -> dict[str, str] | None:
    """The metadata of a YAML front-matter block: scalar values as text, keys lower-cased;
    None when the block is not a mapping. A known field (title, date, ...) holding a list
    or a mapping is an error."""
    if len(block) > MAX_FRONT_MATTER:
        raise InputError(f"{name}: the front matter is over {MAX_FRONT_MATTER // 1000} KB",
                         hint="Keep only metadata (title, date, source, url) between the "
                              "--- lines.")
    try:
        front = yaml.load(block, Loader=FrontMatterLoader) or {}
    except (yaml.YAMLError, RecursionError) as exc:
        raise InputError(f"{name}: invalid YAML front matter: {yaml_problem(exc)}",
                         hint="Fix the block between the --- lines.") from exc
    if not isinstance(front, dict):
        return None
    meta: dict[str, str] = {}
    for key, value in front.items():
        field_name = str(key).lower()
        if value is None:
            continue
        if isinstance(value, SCALARS):
            meta[field_name] = str(value)
        elif field_name in HEADER_KEYS:
            raise InputError(f"{name}: `{field_name}` in the front matter is "
                             f"{json_type(value)}, not text",
                             hint=f"Write one value: {field_name}: ...")
    return meta


def read_text(text: str, name: str, fmt: str = "txt") -> RawDoc:
    """Plain text or Markdown: YAML front matter or `Key: value` header lines → metadata."""
    meta: dict[str, str] = {}
    body = text.replace("\r\n", "\n").replace("\r", "\n")
    if body.startswith("---\n"):
        end = body.find("\n---", 4)
        if end > 0:
            front = front_matter(body[4:end], name)
            if front is not None:
                meta, body = front, body[end + 4:].lstrip("\n")
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
    text = re.sub(r"^#{1,6}\s*", "", text, flags=re.MULTILINE)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    # Emphasis spans are bounded: unbounded lazy spans made a long line quadratic.
    text = re.sub(r"(\*\*|__)(.{1,500}?)\1", r"\2", text)
    text = re.sub(r"(?<!\w)[*_](\S.{0,500}?\S|\S)[*_](?!\w)", r"\1", text)
    return re.sub(r"^\s*[-*+]\s+", "", text, flags=re.MULTILINE)


def read_html(html: str, name: str) -> RawDoc:
    """Main text of a web page (trafilatura), with title, date and URL from its metadata."""
    import trafilatura

    result = trafilatura.bare_extraction(html_tree(html, name), with_metadata=True,
                                         include_comments=False, include_tables=False,
                                         favor_precision=True)
    text = (getattr(result, "text", None) or "") if result is not None else ""
    if len(text.split()) < 20:
        raise EmptyDocumentError(
            f"{name}: no article text found in the HTML page (navigation or boilerplate only)",
            hint="Save the article page itself, or paste its text into a .txt file.",
        )
    meta = {}
    for key, field_name in (("title", "title"), ("date", "date"), ("url", "url"),
                            ("source", "sitename")):
        value = getattr(result, field_name, None)
        if value:
            meta[key] = str(value)
    return RawDoc(name=name, text=text, fmt="html", meta=meta)


# Elements that only wrap others; dropped when a page nests too deeply for lxml.
WRAPPER_TAGS = re.compile(r"</?(?:div|span|section|font|center|main|b|i|em|strong)\b[^>]*>",
                          re.IGNORECASE)


def html_tree(html: str, name: str) -> Any:
    """The page parsed by lxml with trafilatura's options and `huge_tree`: libxml2 stops at
    255 levels of nesting otherwise, and a page nested deeper lost its article. A page
    nested past even the huge limit (2,048) is read again without its wrapper elements."""
    from lxml import etree
    from lxml import html as lxml_html

    for attempt in (html, WRAPPER_TAGS.sub(" ", html)):
        parser = lxml_html.HTMLParser(collect_ids=False, default_doctype=False,
                                      encoding="utf-8", remove_comments=True,
                                      remove_pis=True, huge_tree=True)
        try:
            tree = lxml_html.fromstring(attempt.encode("utf-8", "replace"), parser=parser)
        except etree.ParserError as exc:
            raise EmptyDocumentError(f"{name}: no HTML content ({exc})",
                                     hint="Save the article page itself.") from exc
        if not any("Excessive depth" in entry.message for entry in parser.error_log):
            return tree
    raise InputError(f"{name}: the page nests its elements over 2,048 levels deep",
                     hint="Save the article's text into a .txt file and ingest that.")


def read_pdf(data: bytes, name: str) -> RawDoc:
    """The PDF's text layer (pypdf); a scanned PDF without one is refused. A damaged PDF
    is refused whatever pypdf raises (mutated files raise far more than PdfReadError)."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
        title = str(info.title) if info is not None and info.title else ""
    except Exception as exc:  # any pypdf failure is this file's alone
        raise InputError(f"{name}: not a readable PDF ({type(exc).__name__}: "
                         f"{str(exc)[:200]})",
                         hint="Check the file, or export it to text first.") from exc
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if len(text.split()) < 5:
        raise EmptyDocumentError(
            f"{name}: the PDF has no text layer (a scan?)",
            hint="Run OCR first (e.g. `ocrmypdf in.pdf out.pdf`) and ingest the result.",
        )
    return RawDoc(name=name, text=text, fmt="pdf", meta={"title": title} if title else {})


JSONL_HINT = 'Write lines like {"id": "a1", "text": "...", "date": "2015-03-25"}.'
# What a line of a JSONL document feed holds, for the lines that are not such an object.
LINE_HINT = "Each line must be one JSON object with `id` and `text`."
# Any UTF-16 surrogate left after json.loads is unpaired (pairs become one character).
SURROGATE = re.compile("[\ud800-\udfff]")


def stream_lines(handle: IO[Any], max_bytes: int) -> Iterator[str | bytes]:
    """The lines of a text or binary stream; a line over `max_bytes` is cut to
    `max_bytes + 1` (for `read_jsonl` to refuse) and the rest of it skipped, so that a
    stream with no line break (a link to /dev/zero, a pipe) never fills the memory."""
    while True:
        line = handle.readline(max_bytes + 1)
        if not line:
            return
        newline = "\n" if isinstance(line, str) else b"\n"
        if len(line) > max_bytes and not line.endswith(newline):
            while (rest := handle.readline(1 << 20)) and not rest.endswith(newline):
                pass
        yield line


def read_jsonl(lines: Iterable[str | bytes], name: str, max_bytes: int | None = None,
               first_line: int = 1) -> Iterator[RawDoc | InputError]:
    """One document per line (`id` and `text` required), named by `name` and line number
    (`first_line` for the first of `lines`: a slice of a file keeps the file's numbers).
    Lines may be text or UTF-8 bytes, read by the one JSONL reader (`jsonio.json_lines`).
    Errors are yielded, not raised: one bad line never stops the others, and a stream
    that fails (a pipe closed, undecodable text) ends with its error."""
    for item in json_lines(lines, name, hint=LINE_HINT, max_bytes=max_bytes,
                           first_line=first_line):
        if isinstance(item, InputError):
            yield item
            continue
        where, record = item
        try:
            yield jsonl_record(record, where)
        except InputError as exc:
            yield _at(where, exc)
        except Exception as exc:  # noqa: BLE001 - whatever one line does, it is that line's failure
            yield unexpected(exc, where)


def _at(where: str, exc: InputError) -> InputError:
    exc.input = where
    return exc


def jsonl_document(line: str | bytes, where: str, max_bytes: int | None = None
                   ) -> RawDoc | None:
    """One JSONL line as a raw document; None for a blank line; InputError for a line
    that is not UTF-8, not JSON, too deep, or holds a field of the wrong type."""
    record = json_object(line, where, hint=LINE_HINT, max_bytes=max_bytes)
    return None if record is None else jsonl_record(record, where)


def jsonl_record(record: dict[str, Any], where: str) -> RawDoc:
    """A JSONL line's object as a raw document; InputError when it lacks `id` or `text`
    or holds a field of the wrong type."""
    if "id" not in record or record.get("text") in (None, ""):
        raise InputError(f"{where}: a JSONL document needs `id` and non-empty `text`",
                         hint=JSONL_HINT)
    for key in ("id", "text", "title", "date", "url", "source"):
        value = record.get(key)
        allowed = str if key == "text" else SCALARS
        if value is not None and (not isinstance(value, allowed) or isinstance(value, bool)):
            raise InputError(f"{where}: `{key}` is {json_type(value)}; it must be "
                             f"{'a string' if key == 'text' else 'a string or a number'}",
                             hint=f'Write `{key}` as a JSON string: "{key}": "...".')
        if isinstance(value, str) and (bad := SURROGATE.search(value)):
            raise InputError(f"{where}: `{key}` holds an unpaired surrogate "
                             f"\\u{ord(bad.group()):04x} at character {bad.start() + 1} "
                             "(half of an emoji, cut off?)",
                             hint="Re-export the line as valid UTF-8 JSON, or remove the "
                                  "broken character.")
    meta = {k: str(record[k]) for k in ("title", "date", "url", "source") if record.get(k)}
    meta["id"] = str(record["id"])
    return RawDoc(name=f"{where} (id {record['id']})", text=record["text"], fmt="jsonl",
                  meta=meta)
