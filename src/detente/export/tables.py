"""Parquet, CSV and JSON Lines: one flat row per stored event, the same columns in all three.

The columns are the `events` table's (EVENTS.md §5, flattened: `source_code`,
`source_sector` ...) followed by the reporting document's `doc_date` (its publication
date, a DATE), `doc_date_precision`, `doc_title` and `doc_url`, then the happening's
(`common.CLUSTER_COLUMNS`): `cluster_id`, the `reports`, `articles` and `sources` that
tell it, the `first_report` and `last_report` dates, and `root` (told in an article's
lead). A row is a canonical event, or with `raw` one report (counted 1, 1, 1). Every missing value is a
NULL (an empty field in CSV, `null` in JSON), never an empty string; booleans are
`true`/`false` in CSV and JSON. `date` keeps the text's precision as a string ("2014",
"2014-03", "2014-03-18"), `date_start`/`date_end`/`doc_date` are typed dates (Parquet) or
`YYYY-MM-DD` (CSV, JSON). `cameo` is a string: "057" must not become 57 (see the README's
dtype note for pandas, polars and DuckDB).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from detente.export.common import CLUSTER_COLUMNS, Written
from detente.store import EVENT_COLUMNS

DOCUMENT_COLUMNS = ("doc_date", "doc_date_precision", "doc_title", "doc_url")
TABLE_COLUMNS = (*EVENT_COLUMNS, *DOCUMENT_COLUMNS, *CLUSTER_COLUMNS)


def table(frame: pl.DataFrame) -> pl.DataFrame:
    """The joined rows as the table formats' columns, with NULL for every missing value."""
    rows = frame.select(TABLE_COLUMNS)
    return rows.with_columns(pl.when(pl.col(name) != "").then(pl.col(name)).alias(name)
                             for name, kind in rows.schema.items() if kind == pl.String)


def write_table(frame: pl.DataFrame, path: Path, fmt: str) -> Written:
    rows = table(frame)
    if fmt == "parquet":
        rows.write_parquet(path)
    elif fmt == "csv":
        rows.write_csv(path)
    else:
        rows.write_ndjson(path)
    return Written(rows.height, TABLE_COLUMNS)
