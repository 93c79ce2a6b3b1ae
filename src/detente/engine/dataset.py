"""A Parquet dataset on disk: one folder per table, Hive-partitioned by publication year and
month (`events/year=2015/month=3/part-<key>.parquet`), a marker file, and a manifest.

Writes are crash-safe. Each part file is written under a temporary name, flushed to disk
and renamed into place; only then is a line naming the part, its files and the inputs it
holds appended to the manifest (`_manifest.jsonl`). A part whose line is missing (the run
was killed between the two) is an orphan: `prepare` deletes it before a run goes on, and
readers never see it, since they read the files the manifest lists. So a killed run
loses at most the parts it was writing and duplicates nothing; its re-run codes again
the inputs of those parts.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from detente.engine.tables import PARTITION_COLUMNS, PARTITIONED
from detente.errors import StoreError, StoreLockedError
from detente.store import (
    DATASET_MANIFEST,
    DATASET_MARKER,
    DATASET_TABLES,
    SCHEMA_VERSION,
    DatasetPart,
    dataset_files,
    dataset_parts,
    is_dataset,
)

LOCK = "_run.lock"
FORMAT = "detente-parquet"
# A null partition value, as Hive (and DuckDB, reading it back as NULL) writes it.
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"


def create(root: Path) -> None:
    """Make `root` a dataset folder (an existing dataset is kept as it is). A folder that
    holds other files is refused, so a typo never mixes a dataset into unrelated data."""
    if is_dataset(root):
        return
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise StoreError(f"{root} exists and is not a detente Parquet dataset",
                         hint="write to a new or empty folder, or to the folder of an "
                              "earlier run to add to it", input="output")
    root.mkdir(parents=True, exist_ok=True)
    marker = {"format": FORMAT, "schema_version": SCHEMA_VERSION,
              "tables": sorted(DATASET_TABLES), "partitioned_by": list(PARTITION_COLUMNS)}
    write_atomically(root / DATASET_MARKER, json.dumps(marker, indent=2).encode("utf-8"))


@contextmanager
def writing(root: Path) -> Iterator[None]:
    """Hold the dataset for one run: a second run on it would take the first one's
    unfinished parts for orphans. The lock goes with the process, however it ends."""
    with (root / LOCK).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise StoreLockedError(f"another `detente run` is writing to {root}",
                                   hint="wait for it to finish, or write to another "
                                        "folder", input="output") from exc
        yield


def prepare(root: Path) -> list[DatasetPart]:
    """Before a run writes: cut a manifest line a killed run left unfinished, remove
    temporary files and orphan parts, and return the finished parts."""
    manifest = root / DATASET_MANIFEST
    if manifest.exists():
        text = manifest.read_bytes()
        if text and not text.endswith(b"\n"):
            write_atomically(manifest, text[:text.rfind(b"\n") + 1])
    done = dataset_parts(root)
    listed = {name for part in done for name in part.files}
    for folder in DATASET_TABLES:
        for path in (root / folder).rglob("*"):
            name = path.relative_to(root).as_posix()
            if path.is_file() and name not in listed:
                path.unlink()
    return done


def doc_ids(root: Path, done: Sequence[DatasetPart]) -> set[str]:
    """The ids of the documents in the finished parts `done`."""
    found: set[str] = set()
    for path in dataset_files(root, done, "documents"):
        found.update(pq.read_table(path, columns=["doc_id"]).column("doc_id").to_pylist())
    return found


def write_part(root: Path, key: str, tables: dict[str, pa.Table], inputs: Sequence[str]
               ) -> DatasetPart:
    """Write one part: each table's rows into its partitions' files, then the manifest
    line that makes them visible."""
    written = []
    for folder, table in tables.items():
        for relative, rows in partitions(folder, key, table):
            write_atomically(root / relative, parquet_bytes(rows))
            written.append(relative)
    part = DatasetPart(key, tuple(inputs), tuple(written), tables["documents"].num_rows,
                       tables["events"].num_rows)
    line = json.dumps({"part": part.key, "inputs": part.inputs, "files": part.files,
                       "documents": part.documents, "events": part.events})
    with (root / DATASET_MANIFEST).open("a", encoding="utf-8") as manifest:
        manifest.write(line + "\n")
        manifest.flush()
        os.fsync(manifest.fileno())
    return part


def partitions(folder: str, key: str, table: pa.Table) -> Iterator[tuple[str, pa.Table]]:
    """(relative path, rows) of each partition of a table's rows for the part `key`."""
    name = f"part-{key}.parquet"
    if table.num_rows == 0:
        return
    if folder not in PARTITIONED:
        yield f"{folder}/{name}", table
        return
    months = table.select(list(PARTITION_COLUMNS)).group_by(list(PARTITION_COLUMNS)) \
        .aggregate([]).to_pylist()
    for month in months:
        mask = pc.and_kleene(*(same(table[column], month[column])
                               for column in PARTITION_COLUMNS))
        rows = table.filter(mask).drop_columns(list(PARTITION_COLUMNS))
        where = "/".join(f"{column}={NULL_PARTITION if month[column] is None else month[column]}"
                         for column in PARTITION_COLUMNS)
        yield f"{folder}/{where}/{name}", rows


def same(column: pa.ChunkedArray, value: int | None) -> pa.ChunkedArray:
    return pc.is_null(column) if value is None else pc.equal(column, value)


def parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` whole or not at all: a hidden temporary file in the same
    folder, flushed to disk, then renamed over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
