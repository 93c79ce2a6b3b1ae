"""Export stored events in the formats analysts load: tables and coded-event files.

| format | file | module |
|---|---|---|
| `parquet`, `csv`, `jsonl` | one flat row per event, with its document's date, title, URL and its reports' counts | `tables.py` |
| `gdelt` | GDELT 2.0 event file: 61 columns, TSV, no header unless `header=True` | `gdelt.py` |
| `icews` | ICEWS coded-event file: 20 columns, TSV with header | `icews.py` |
| `plover` | PLOVER records (JSON array; JSON Lines when the name ends in `.jsonl`) | `plover.py` |
| `polecat` | POLECAT-style TSV of the PLOVER records, with COW and G-W codes | `polecat.py` |

Codes and places come from data tables (`detente/data/`, described in its README.md):
`gazetteer.py` reads the countries and cities, `codes.py` the CAMEO/PLOVER actor codes,
sectors and PLOVER scores. `common.py` holds what all formats share, including the rule
for events dated to a month or a year only.

A row is a canonical event (one happening, however many articles report it, with their
counts); `raw=True` writes every report, as detente did before deduplication.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import polars as pl

from detente import query
from detente.errors import InputError, UnsupportedFormatError
from detente.export.common import ExportReport, Written, imprecise_note, joined
from detente.export.gdelt import GDELT_COLUMNS, GDELT_SCHEMA, read_gdelt, write_gdelt
from detente.export.icews import ICEWS_COLUMNS, ICEWS_SCHEMA, write_icews
from detente.export.plover import plover_schema, write_plover
from detente.export.polecat import POLECAT_COLUMNS, POLECAT_SCHEMA, write_polecat
from detente.export.tables import TABLE_COLUMNS, write_table
from detente.settings import Settings
from detente.store import DbLike, reading

FORMATS = ("parquet", "csv", "jsonl", "gdelt", "icews", "plover", "polecat")
# The column that takes a whole day in each format whose dates cannot hold a month.
DAY_COLUMNS = {"gdelt": "SQLDATE", "icews": "Event Date", "polecat": "Event Date"}

__all__ = [
    "FORMATS", "GDELT_COLUMNS", "GDELT_SCHEMA", "ICEWS_COLUMNS", "ICEWS_SCHEMA",
    "POLECAT_COLUMNS", "POLECAT_SCHEMA", "TABLE_COLUMNS", "ExportReport", "export",
    "plover_schema", "read_gdelt",
]


def export(
    db: DbLike,
    fmt: str,
    output: str | Path,
    *,
    source: str | None = None,
    target: str | None = None,
    type: str | None = None,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    doc_id: str | None = None,
    header: bool = False,
    day_only: bool = False,
    raw: bool = False,
    settings: Settings | None = None,
) -> ExportReport:
    """Write the events matching the filters (as `detente.events`) to `output`.

    The filters are read as `detente.events` reads them (`detente.query.event_filter`):
    `source`/`target` take codes or names, `type` a PLOVER type (older names too), `since`
    and `until` dates of any precision. `header=True` gives a GDELT file a header line
    (GDELT's own have none; the other formats always have one where they have columns).
    `day_only=True` leaves out events dated to a month or a year only. Each happening is
    one row (its reports counted: GDELT's NumMentions, NumArticles, NumSources); `raw=True`
    writes one row per report.

    >>> export("detente.duckdb", "gdelt", "events.tsv", source="JPN")  # doctest: +SKIP
    ExportReport(fmt='gdelt', path=PosixPath('events.tsv'), events=42, ...)
    """
    if fmt not in FORMATS:
        raise query.about(UnsupportedFormatError(f"format: unknown export format {fmt!r}",
                                                 hint=f"Use one of: {', '.join(FORMATS)}."),
                          "format")
    path = Path(output)
    if not path.parent.exists():
        raise query.about(InputError(f"output: the folder for {path} does not exist",
                                     hint=f"Create {path.parent} or write somewhere else."),
                          "output")
    if path.is_dir():
        raise query.about(InputError(f"output: {path} is a folder",
                                     hint="Name a file, such as events.parquet."), "output")
    settings = query.given(settings)
    with reading(db) as store:
        filters = query.event_filter(store, settings, source=source, target=target,
                                     type=type, since=since, until=until, doc_id=doc_id,
                                     raw=raw)
        frame = joined(store, filters, day_only)
    temp = path.with_name(f".{path.name}.part")
    try:
        written = _write(frame, temp, fmt, header, lines=path.suffix == ".jsonl")
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    note = imprecise_note(written.imprecise, DAY_COLUMNS[fmt]) if fmt in DAY_COLUMNS else ""
    used = {k: v for k, v in vars(filters).items() if v}
    message = "" if written.events else "No stored events match the filters; the file has no rows."
    return ExportReport(fmt=fmt, path=path, events=written.events, skipped=written.skipped,
                        skipped_reason=written.skipped_reason, columns=written.columns,
                        filters=used, header=_has_header(fmt, header),
                        message=message, notes=(note,) if note else ())


def _write(frame: pl.DataFrame, path: Path, fmt: str, header: bool, lines: bool) -> Written:
    if fmt in {"parquet", "csv", "jsonl"}:
        return write_table(frame, path, fmt)
    if fmt == "gdelt":
        return write_gdelt(frame, path, header)
    if fmt == "icews":
        return write_icews(frame, path)
    if fmt == "plover":
        return write_plover(frame, path, lines)
    return write_polecat(frame, path)


def _has_header(fmt: str, header: bool) -> bool:
    """Whether the written file starts with a header line."""
    return header if fmt == "gdelt" else fmt in {"csv", "icews", "polecat"}
