"""A Parquet dataset read in place, as a store: an in-memory DuckDB whose tables are views
over the dataset's finished files, so every read command (events, timeline, key-events,
network, export, serve) answers from a dataset as from a DuckDB file.

>>> with open_store("out/") as store:  # doctest: +SKIP
...     store.count("events")
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import duckdb

from detente.engine.dataset import Part, files, is_dataset, not_a_dataset, parts
from detente.engine.tables import TABLES, store_columns
from detente.errors import StoreError
from detente.records import Document, Event, Sentence, StoredMention
from detente.store import Store


class DatasetStore(Store):
    """A store over a Parquet dataset: reads as any store, refuses writes by name."""

    def add_document(self, doc: Document, sentences: Sequence[Sentence],
                     events: Sequence[Event] = (),
                     mentions: Sequence[StoredMention] = ()) -> bool:
        self.refuse()

    def add_events(self, events: Sequence[Event]) -> int:
        self.refuse()

    def record_error(self, input_name: str, code: str, message: str, hint: str = "") -> None:
        self.refuse()

    def refuse(self) -> NoReturn:
        raise StoreError(f"{self.path} is a Parquet dataset, which detente reads but does "
                         "not write into",
                         hint=f"Add documents with `detente run INPUT... --output {self.path}`, "
                              f"or `detente load {self.path} --db FILE` and ingest into FILE.")

    def cursor(self) -> DatasetStore:
        return DatasetStore(self.con.cursor(), self.path, self.names)

    def recording_as(self, names: Mapping[str, str]) -> DatasetStore:
        return DatasetStore(self.con.cursor(), self.path, names)


@contextmanager
def open_dataset(root: Path) -> Iterator[DatasetStore]:
    """The dataset at `root` as a read-only store (the files finished when it opens)."""
    if not is_dataset(root):
        raise not_a_dataset(root)
    con = duckdb.connect(":memory:")
    # Footers read once per connection: a timeline asks several questions of every file.
    con.execute("SET parquet_metadata_cache = true")
    store = DatasetStore(con, str(root))
    try:
        store.migrate()  # the store's tables, empty: kept for a table with no files yet
        done = parts(root)
        for folder, table in TABLES.items():
            sql = source_sql(root, done, folder)
            if sql is not None:
                con.execute(f"DROP TABLE {table}")
                try:
                    con.execute(f"CREATE VIEW {table} AS {sql}")
                except duckdb.Error as exc:
                    raise store_error(root, exc) from exc
        yield store
    finally:
        con.close()


def source_sql(root: Path, done: Sequence[Part], folder: str) -> str | None:
    """A SELECT of a table's files in the finished parts `done`, with the store's columns
    and types; None when there are none."""
    paths = files(root, done, folder)
    if not paths:
        return None
    listed = ", ".join(quoted(str(path)) for path in paths)
    columns = ", ".join(f'CAST("{name}" AS {kind}) AS "{name}"'
                        for name, kind in store_columns()[folder])
    # Every file of a table has the store's columns (tables.py): no file's schema but the
    # first needs reading to open the view.
    return f"SELECT {columns} FROM read_parquet([{listed}], hive_partitioning = false)"


def quoted(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def store_error(root: Path, exc: duckdb.Error) -> StoreError:
    return StoreError(f"cannot read the Parquet dataset {root}: {exc}",
                      hint="Check that its files are complete (a run still writing, or a "
                           "copy cut short?); run `detente run` again on it to repair it.")
