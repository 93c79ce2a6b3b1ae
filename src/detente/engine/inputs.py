"""What `run` reads, cut into resumable inputs: each file is one input, and each JSONL file
is cut into slices of at most SLICE_LINES lines (SLICE_BYTES bytes), so that a corpus in
one large JSONL file is spread over the workers and resumed slice by slice.

An input's key names it in the dataset's manifest: a file by its absolute path, size and
modification time; a JSONL slice by its path, byte range and the hash of its bytes, so
lines appended to a file later leave the earlier slices done.
"""

from __future__ import annotations

import glob
import hashlib
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from detente.errors import InputError
from detente.ingest.pipeline import file_documents, missing, named
from detente.ingest.readers import (
    RawDoc,
    is_jsonl,
    iter_paths,
    open_regular,
    printable,
    read_jsonl,
    stream_lines,
    unexpected,
)

# Documents a worker codes in one task: one spaCy batch, so that a few thousand documents
# already keep every worker busy, and a task's memory and its loss to a dying worker stay
# small (at ~1 ms of scheduling per task, 100M documents are 1.6M tasks).
SLICE_LINES = 64
SLICE_BYTES = 8_000_000
GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class Input:
    """One resumable piece of input: a file, or lines `first_line`... of a JSONL file
    between bytes `start` and `end`. `path` is the file as ingest names it, unless `name`
    says otherwise (`<stdin>` for standard input, which `run` reads from a copy)."""

    path: str
    key: str
    documents: int = 1
    size: int = 0
    start: int = 0
    end: int | None = None
    first_line: int = 1
    name: str = ""

    def raw_documents(self, max_bytes: int) -> Iterator[RawDoc | InputError]:
        """The raw documents of this input, or the errors of those that cannot be read,
        named as `ingest` names them."""
        if self.end is None:
            yield from file_documents(Path(self.path), max_bytes)
            return
        name = self.name or printable(self.path)
        try:
            with open_regular(Path(self.path)) as handle:
                yield from read_jsonl(lines_between(handle, self.start, self.end, max_bytes),
                                      name, max_bytes, first_line=self.first_line)
        except InputError as exc:
            yield named(exc, name)
        except Exception as exc:  # noqa: BLE001 - whatever the slice raises is its failure
            yield named(unexpected(exc, name), name)


def plan(items: Sequence[str | Path], max_bytes: int) -> list[Input]:
    """The inputs of files, folders and glob patterns (`data/*.jsonl`, for a shell that
    did not expand it), in ingest's order. A path that does not exist, a pattern that
    matches nothing and `-` (standard input: `run` saves it into a file first,
    `runner.saved_stdin`) are refused before anything starts.

    >>> [i.path for i in plan(["examples/japan-russia"], 10**6)][:1]  # doctest: +SKIP
    ['examples/japan-russia/2013-04-30-abe-putin-moscow-summit.txt']
    """
    inputs: list[Input] = []
    for item in items:
        for path in expand(str(item)):
            for file in iter_paths(path):
                inputs.extend(file_inputs(file, max_bytes))
    return inputs


def expand(item: str) -> list[Path]:
    """A path as given, or the sorted matches of a glob pattern."""
    if item == "-":
        raise InputError("`plan` reads files, not standard input",
                         hint="Pass `-` to `run`, which saves standard input into the "
                              "dataset folder first.")
    path = Path(item)
    if path.exists() or path.is_symlink():
        return [path]
    if GLOB_CHARS & set(item):
        matches = sorted(glob.glob(item, recursive=True))
        if matches:
            return [Path(match) for match in matches]
        raise InputError(f"{item}: the pattern matches no file",
                         hint="Check the pattern (quote it to let detente expand it, "
                              "`**` for subfolders).")
    raise missing(path)


def file_inputs(file: Path, max_bytes: int) -> list[Input]:
    """One input for a file; a readable JSONL file's slices."""
    try:
        info = file.stat()
    except OSError:  # a dangling link, no permission: reading it reports why
        return [Input(str(file), key_of(os.path.abspath(file)))]
    identity = f"{os.path.abspath(file)}|{info.st_size}|{info.st_mtime_ns}"
    if not is_jsonl(file) or not stat.S_ISREG(info.st_mode):
        return [Input(str(file), key_of(identity), size=info.st_size)]
    try:
        with open_regular(file) as handle:
            return list(slices(str(file), handle, max_bytes))
    except InputError:  # refused when read: the worker records the error
        return [Input(str(file), key_of(identity), size=info.st_size)]


def slices(path: str, handle: IO[bytes], max_bytes: int) -> Iterator[Input]:
    """Consecutive slices of a JSONL file of at most SLICE_LINES lines and SLICE_BYTES
    bytes (a longer line is a slice of its own)."""
    start, lines, first_line = 0, 0, 1
    digest = hashlib.sha256()
    where = os.path.abspath(path)
    for line in stream_lines(handle, max_bytes):
        digest.update(line if isinstance(line, bytes) else line.encode("utf-8"))
        lines += 1
        end = handle.tell()
        if lines == SLICE_LINES or end - start >= SLICE_BYTES:
            yield Input(path, key_of(f"{where}|{start}-{end}|{digest.hexdigest()}"), lines,
                        end - start, start, end, first_line)
            start, first_line, lines = end, first_line + lines, 0
            digest = hashlib.sha256()
    if lines:
        end = handle.tell()
        yield Input(path, key_of(f"{where}|{start}-{end}|{digest.hexdigest()}"), lines,
                    end - start, start, end, first_line)


def lines_between(handle: IO[bytes], start: int, end: int, max_bytes: int
                  ) -> Iterator[str | bytes]:
    """The lines of `handle` from byte `start` (a line's start) to byte `end`, each cut at
    `max_bytes + 1` as `stream_lines` cuts them."""
    handle.seek(start)
    if start >= end:
        return
    for line in stream_lines(handle, max_bytes):
        yield line
        if handle.tell() >= end:
            return


def key_of(identity: str) -> str:
    return hashlib.sha256(identity.encode("utf-8", "backslashreplace")).hexdigest()[:16]


def tasks(inputs: Sequence[Input]) -> Iterator[tuple[Input, ...]]:
    """Consecutive inputs grouped into tasks of at most SLICE_LINES documents and
    SLICE_BYTES bytes (an input over either is a task of its own)."""
    group: list[Input] = []
    count = total = 0
    for item in inputs:
        if group and (count + item.documents > SLICE_LINES or total + item.size > SLICE_BYTES):
            yield tuple(group)
            group, count, total = [], 0, 0
        group.append(item)
        count += item.documents
        total += item.size
    if group:
        yield tuple(group)
