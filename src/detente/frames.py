"""Library results as typed tables: Arrow first, pandas and polars made from it.

`detente.events()` and `detente.docs()` return lists (iterate, index, compare them as
before) that also convert, and so do `Timeline` and `Network`:

>>> found = events("detente.duckdb", source="Japan")  # doctest: +SKIP
>>> found.to_pandas().dtypes["date_start"]  # doctest: +SKIP
dtype('<M8[ms]')

Every table has one fixed schema, written out below, so an empty result has the same
columns and types as a full one. Dates are typed (`date_start`, `date_end`, a document's
`date`), `date_precision` says whether a date stands for its day, month or year, `cameo`
and the ids stay strings, and a missing value is a null, never "" (as in the exports).
pyarrow is a dependency; pandas and polars load only when asked for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from detente.date_input import last_day
from detente.records import DocumentInfo, Event
from detente.store import flat_event

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    import pyarrow as pa

# Column → type name, in order. "date" is a calendar day, "str" text (NULL when empty).
EVENT_TYPES: dict[str, str] = {
    "event_id": "str", "doc_id": "str", "sentence_index": "int32", "char_start": "int32",
    "char_end": "int32", "evidence": "str", "date": "str", "date_precision": "str",
    "date_source": "str", "date_start": "date", "date_end": "date",
    "source_code": "str", "source_sector": "str", "source_name": "str", "source_text": "str",
    "target_code": "str", "target_sector": "str", "target_name": "str", "target_text": "str",
    "plover": "str", "plover_mode": "str", "cameo": "str", "quad_class": "int32",
    "goldstein": "float64", "negated": "bool", "confidence": "float64",
    "location_code": "str", "location_place": "str", "coder": "str",
}
DOCUMENT_TYPES: dict[str, str] = {
    "doc_id": "str", "title": "str", "source": "str", "url": "str", "path": "str",
    "date": "date", "date_end": "date", "date_precision": "str", "date_inferred": "bool",
    "date_reason": "str", "sentences": "int64", "events": "int64", "canonical_id": "str",
    "copy_of": "str", "cluster_size": "int64",
}
# How many characters of an ISO date each precision keeps.
ISO_LENGTH = {"year": 4, "month": 7, "day": 10}


def arrow_schema(types: Mapping[str, str]) -> pa.Schema:
    """An Arrow schema from column → type name ("str", "date", "int64", ...)."""
    import pyarrow as pa

    kinds = {"str": pa.string(), "date": pa.date32(), "bool": pa.bool_(),
             "int32": pa.int32(), "int64": pa.int64(), "float64": pa.float64()}
    return pa.schema([(name, kinds[kind]) for name, kind in types.items()])


def arrow_table(rows: Iterable[Mapping[str, Any]], types: Mapping[str, str]) -> pa.Table:
    """Rows as an Arrow table of exactly these columns; "" in a text column is a null."""
    import pyarrow as pa

    text = [name for name, kind in types.items() if kind == "str"]
    cleaned = [{**row, **{name: row[name] or None for name in text}} for row in rows]
    return pa.Table.from_pylist(cleaned, schema=arrow_schema(types))


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as pandas, dates as datetime64 (so `.dt` and `pd.to_datetime` work)."""
    return table.to_pandas(date_as_object=False)


def to_polars(table: pa.Table) -> pl.DataFrame:
    """An Arrow table as a polars DataFrame, types kept (Date, String, Int, Float)."""
    import polars as pl

    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)  # a Table, never a single column, comes back
    return frame


class Tabular:
    """`to_pandas()` and `to_polars()` for anything with `to_arrow()`."""

    def to_arrow(self) -> pa.Table:
        raise NotImplementedError

    def to_pandas(self) -> pd.DataFrame:
        """The table as a pandas DataFrame (needs pandas installed)."""
        return to_pandas(self.to_arrow())

    def to_polars(self) -> pl.DataFrame:
        """The table as a polars DataFrame."""
        return to_polars(self.to_arrow())


class EventList(list[Event], Tabular):
    """Events, as `detente.events()` returns them: a list, and a table with the columns of
    the `events` table (EVENTS.md §5 flattened: `source_code`, `source_sector`, ...)."""

    def to_arrow(self) -> pa.Table:
        """One row per event; `date_start` and `date_end` are dates."""
        return arrow_table((flat_event(e) for e in self), EVENT_TYPES)

    def to_dicts(self) -> list[dict[str, Any]]:
        """The events as JSON-ready records (`Event.to_dict`)."""
        return [e.to_dict() for e in self]


class DocumentList(list[DocumentInfo], Tabular):
    """Documents, as `detente.docs()` returns them: a list, and a table with a typed
    `date`, the last day it stands for (`date_end`) and its `date_precision`."""

    def to_arrow(self) -> pa.Table:
        """One row per document."""
        return arrow_table(({**vars(d), "date_end": document_end(d)} for d in self),
                           DOCUMENT_TYPES)

    def to_dicts(self) -> list[dict[str, Any]]:
        """The documents as JSON-ready records (`DocumentInfo.to_dict`)."""
        return [d.to_dict() for d in self]


def document_end(doc: DocumentInfo) -> dt.date | None:
    """The last day a document's date stands for: 2019-12-31 for a date known as "2019"."""
    if doc.date is None:
        return None
    return last_day(doc.date.isoformat()[:ISO_LENGTH[doc.date_precision or "day"]])
