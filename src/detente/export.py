"""Export stored events as Parquet, CSV, JSON Lines, GDELT 2.0 event files or PLOVER JSON.

- `parquet`, `csv`: the columns of the `events` table (EVENTS.md §5, flattened:
  `source_code`, `source_sector` ...), `date` as the ISO string and `date_start` and
  `date_end` (the first and last day the date covers) as DATEs (typed date columns in
  Parquet, `YYYY-MM-DD` in CSV).
- `jsonl`: one `Event.to_dict()` per line (nested `source`/`target`/`location`);
  `Event.from_dict(json.loads(line))` reads it back.
- `gdelt`: the 61 columns of a GDELT 2.0 event file, tab-separated, in GDELT's order
  (`GDELT_COLUMNS`), filled where detente has the value and left empty otherwise.
  GDELT's files have no header line; detente writes one unless `header=False`.
  `read_gdelt(path)` reads the file back with GDELT's types. Differences from GDELT:
  actor codes are detente's (country code + sector: `JPNGOV`; organisations keep their
  own code, `G7`, also in `Actor1KnownGroupCode`), `ActionGeo_CountryCode` is ISO
  alpha-3 rather than FIPS 10-4, every row is one document's report, so
  `NumMentions`/`NumSources`/`NumArticles` are 1, `IsRootEvent` is 1 for events in the
  first three sentences (the lead), `AvgTone` is empty (detente does not score tone),
  and undated or negated events are left out (they cannot be GDELT rows).
- `plover`: PLOVER JSON records as in the PLOVER gold-standard files (id, date,
  source/target as lists of {actorText, code, sector}, event, mode, eventText,
  context, text) plus detente's extras (cameo, goldstein, quad_class, confidence ...).
  A JSON array, or JSON Lines when the output name ends in `.jsonl`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from detente.analysis.common import INTERNATIONAL_CODES, as_date, check_range, resolve_actor
from detente.errors import InputError, UnsupportedFormatError
from detente.records import Event
from detente.store import EVENT_COLUMNS, DbLike, EventFilter, Store, reading, to_json

FORMATS = ("parquet", "csv", "jsonl", "gdelt", "plover")

# GDELT 2.0 event file columns in file order, with their types when read.
GDELT_COLUMNS: tuple[tuple[str, type[pl.DataType]], ...] = (
    ("GLOBALEVENTID", pl.Int64), ("SQLDATE", pl.Int64), ("MonthYear", pl.Int64),
    ("Year", pl.Int64), ("FractionDate", pl.Float64),
    *((f"Actor{i}{name}", pl.String) for i in (1, 2) for name in (
        "Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
        "Religion2Code", "Type1Code", "Type2Code", "Type3Code")),
    ("IsRootEvent", pl.Int64), ("EventCode", pl.String), ("EventBaseCode", pl.String),
    ("EventRootCode", pl.String), ("QuadClass", pl.Int64), ("GoldsteinScale", pl.Float64),
    ("NumMentions", pl.Int64), ("NumSources", pl.Int64), ("NumArticles", pl.Int64),
    ("AvgTone", pl.Float64),
    *((f"{geo}_{name}", kind) for geo in ("Actor1Geo", "Actor2Geo", "ActionGeo")
      for name, kind in (("Type", pl.Int64), ("FullName", pl.String),
                         ("CountryCode", pl.String), ("ADM1Code", pl.String),
                         ("ADM2Code", pl.String), ("Lat", pl.Float64), ("Long", pl.Float64),
                         ("FeatureID", pl.String))),
    ("DATEADDED", pl.Int64), ("SOURCEURL", pl.String),
)
GDELT_SCHEMA: dict[str, type[pl.DataType]] = dict(GDELT_COLUMNS)

# Codes of groups (not organisations) that have no GDELT known-group code.
NON_ORGANISATIONS = {"WST", "EUR"}
LEAD_SENTENCES = 3


@dataclass(frozen=True)
class ExportReport:
    """What an export wrote: how many events, where, and what was left out and why."""

    fmt: str
    path: Path
    events: int
    skipped: int = 0
    skipped_reason: str = ""
    columns: tuple[str, ...] = ()
    filters: dict[str, Any] = field(default_factory=dict)
    header: bool = True
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"fmt": self.fmt, "path": str(self.path), "events": self.events,
                "skipped": self.skipped, "skipped_reason": self.skipped_reason,
                "columns": list(self.columns), "header": self.header,
                "filters": {k: v.isoformat() if isinstance(v, dt.date) else v
                            for k, v in self.filters.items()},
                "message": self.message}


def export(
    db: DbLike,
    fmt: str,
    output: str | Path,
    *,
    source: str | None = None,
    target: str | None = None,
    plover: str | None = None,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    doc_id: str | None = None,
    header: bool = True,
) -> ExportReport:
    """Write the events matching the filters (as `detente events`) to `output`.

    `source`/`target` take codes or names; `header=False` writes GDELT files without
    the header line, exactly like GDELT's own.

    >>> export("detente.duckdb", "parquet", "events.parquet", source="JPN")  # doctest: +SKIP
    ExportReport(fmt='parquet', path=PosixPath('events.parquet'), events=42, ...)
    """
    if fmt not in FORMATS:
        raise UnsupportedFormatError(f"unknown export format {fmt!r}",
                                     hint=f"Use --format {', '.join(FORMATS)}.")
    path = Path(output)
    if not path.parent.exists():
        raise InputError(f"the folder for the output {path} does not exist",
                         hint=f"Create {path.parent} or pass another --output.")
    if path.is_dir():
        raise InputError(f"the output {path} is a folder",
                         hint="Pass a file name, e.g. --output events.parquet.")
    since, until = as_date(since, "--since"), as_date(until, "--until", end=True)
    check_range(since, until)
    with reading(db) as store:
        filters = EventFilter(
            source=resolve_actor(source, store) if source else None,
            target=resolve_actor(target, store) if target else None,
            plover=_plover_type(plover) if plover else None,
            since=since, until=until, doc_id=doc_id)
        writer = {"parquet": _write_table, "csv": _write_table, "jsonl": _write_jsonl,
                  "gdelt": _write_gdelt, "plover": _write_plover}[fmt]
        temp = path.with_name(f".{path.name}.part")
        try:
            written, skipped, reason, columns = writer(store, filters, temp, fmt, header)
            os.replace(temp, path)
        finally:
            temp.unlink(missing_ok=True)
    used = {k: v for k, v in vars(filters).items() if v}
    message = "" if written else "No stored events match the filters; the file has no rows."
    return ExportReport(fmt=fmt, path=path, events=written, skipped=skipped,
                        skipped_reason=reason, columns=columns, filters=used,
                        header=header if fmt == "gdelt" else fmt == "csv", message=message)


def _plover_type(name: str) -> str:
    try:
        from detente.coding.ontology import PLOVER_TYPES, normalise_type
    except ImportError:
        return name.strip().upper()
    value = normalise_type(name)
    if value not in PLOVER_TYPES:
        raise InputError(f"unknown event type {name!r}",
                         hint=f"Use a PLOVER type: {', '.join(PLOVER_TYPES)}.")
    return value


def _joined(store: Store, filters: EventFilter) -> pl.DataFrame:
    """Matching events with their document's metadata and sentence, in `events` order."""
    clause, params = filters.where()
    return store.con.sql(
        f"""
        SELECT e.*, d.title AS doc_title, d.url AS doc_url, d.path AS doc_path,
               d.source AS doc_source, d.ingested_at AS doc_ingested_at,
               s.text AS sentence_text
        FROM (SELECT {', '.join(EVENT_COLUMNS)} FROM events WHERE {clause}) e
        LEFT JOIN documents d ON d.doc_id = e.doc_id
        LEFT JOIN sentences s ON s.doc_id = e.doc_id AND s.sentence_index = e.sentence_index
        ORDER BY e.date_start NULLS LAST, e.doc_id, e.sentence_index, e.char_start, e.event_id
        """, params=params).pl()


def _write_table(store: Store, filters: EventFilter, path: Path, fmt: str, header: bool
                 ) -> tuple[int, int, str, tuple[str, ...]]:
    frame = _joined(store, filters).select(EVENT_COLUMNS)
    if fmt == "parquet":
        frame.write_parquet(path)
    else:
        frame.write_csv(path)
    return frame.height, 0, "", tuple(frame.columns)


def _write_jsonl(store: Store, filters: EventFilter, path: Path, fmt: str, header: bool
                 ) -> tuple[int, int, str, tuple[str, ...]]:
    events = store.events(filters)
    with path.open("w", encoding="utf-8") as handle:
        for event in events:
            handle.write(to_json(event.to_dict()) + "\n")
    return len(events), 0, "", tuple(Event.__dataclass_fields__)


def _write_gdelt(store: Store, filters: EventFilter, path: Path, fmt: str, header: bool
                 ) -> tuple[int, int, str, tuple[str, ...]]:
    rows = _joined(store, filters).to_dicts()
    kept = [r for r in rows if r["date_start"] is not None and not r["negated"]]
    frame = pl.DataFrame([gdelt_row(r) for r in kept], schema=GDELT_SCHEMA, orient="row")
    # GDELT files are plain TSV: strip what would need quoting, then never quote.
    frame = frame.with_columns(pl.col(pl.String).str.replace_all(r'[\t\r\n"]+', " "))
    frame.write_csv(path, separator="\t", include_header=header, quote_style="never")
    skipped = len(rows) - len(kept)
    reason = "undated or negated events cannot be GDELT rows" if skipped else ""
    return frame.height, skipped, reason, tuple(GDELT_SCHEMA)


def gdelt_row(row: dict[str, Any]) -> dict[str, Any]:
    """One joined event row → the GDELT 2.0 columns (empty ones as None)."""
    day: dt.date = row["date_start"]
    cameo = row["cameo"] or ""
    values: dict[str, Any] = dict.fromkeys(GDELT_SCHEMA)
    values.update({
        "GLOBALEVENTID": int(row["event_id"][:15], 16),
        "SQLDATE": day.year * 10000 + day.month * 100 + day.day,
        "MonthYear": day.year * 100 + day.month,
        "Year": day.year,
        # GDELT's own formula: YYYY + (MONTH * 30 + DAY) / 365.
        "FractionDate": round(day.year + (day.month * 30 + day.day) / 365, 4),
        "IsRootEvent": int((row["sentence_index"] or 0) < LEAD_SENTENCES),
        "EventCode": cameo,
        "EventBaseCode": cameo[:3],
        "EventRootCode": cameo[:2],
        "QuadClass": row["quad_class"],
        "GoldsteinScale": row["goldstein"],
        "NumMentions": 1, "NumSources": 1, "NumArticles": 1,
        "DATEADDED": int(row["doc_ingested_at"].strftime("%Y%m%d%H%M%S"))
        if row["doc_ingested_at"] else None,
        "SOURCEURL": row["doc_url"] or row["doc_path"] or row["doc_title"] or row["doc_id"],
    })
    for prefix, side in (("Actor1", "source"), ("Actor2", "target")):
        values.update(_gdelt_actor(prefix, row[f"{side}_code"], row[f"{side}_sector"] or "",
                                   row[f"{side}_name"] or row[f"{side}_text"] or ""))
    if row["location_code"] or row["location_place"]:
        values["ActionGeo_Type"] = None if row["location_place"] else 1
        values["ActionGeo_FullName"] = row["location_place"] or row["location_code"]
        values["ActionGeo_CountryCode"] = row["location_code"] or None
    return values


def _gdelt_actor(prefix: str, code: str | None, sector: str, name: str) -> dict[str, Any]:
    if not code:
        return {}
    organisation = code in INTERNATIONAL_CODES and code not in NON_ORGANISATIONS
    return {
        f"{prefix}Code": code + (sector if sector != "IGO" else ""),
        f"{prefix}Name": (name or code).upper(),
        f"{prefix}CountryCode": None if code in INTERNATIONAL_CODES else code,
        f"{prefix}KnownGroupCode": code if organisation else None,
        f"{prefix}Type1Code": sector or ("IGO" if organisation else None),
    }


def read_gdelt(path: str | Path) -> pl.DataFrame:
    """Read a GDELT 2.0 event file (detente's or GDELT's, header or not) with GDELT's types."""
    path = Path(path)
    with path.open(encoding="utf-8") as handle:
        has_header = handle.readline().startswith("GLOBALEVENTID\t")
    return pl.read_csv(path, separator="\t", has_header=has_header, schema=GDELT_SCHEMA,
                       quote_char=None)


def plover_records(store: Store, filters: EventFilter) -> Iterator[dict[str, Any]]:
    """Matching events as PLOVER JSON records."""
    for row in _joined(store, filters).iter_rows(named=True):
        record: dict[str, Any] = {
            "id": row["event_id"],
            "date": row["date"],
            "source": [_plover_actor(row, "source")],
            "target": [_plover_actor(row, "target")] if row["target_code"] else [],
            "event": row["plover"],
            "mode": row["plover_mode"] or "",
            "eventText": row["evidence"] or "",
            "context": "",
            "text": row["sentence_text"] or row["evidence"] or "",
            "language": "en",
            "publication": row["doc_source"] or row["doc_title"] or "",
            "coder": row["coder"],
            "cameo": row["cameo"],
            "goldstein": row["goldstein"],
            "quad_class": row["quad_class"],
            "confidence": row["confidence"],
            "negated": bool(row["negated"]),
            "date_precision": row["date_precision"],
            "date_source": row["date_source"],
            "date_start": row["date_start"].isoformat() if row["date_start"] else None,
            "date_end": row["date_end"].isoformat() if row["date_end"] else None,
            "doc_id": row["doc_id"],
            "title": row["doc_title"] or "",
            "url": row["doc_url"] or "",
        }
        if row["location_code"] or row["location_place"]:
            record["eventLoc"] = {"country": row["location_code"] or "",
                                  "name": row["location_place"] or ""}
        yield record


def _plover_actor(row: dict[str, Any], side: str) -> dict[str, str]:
    return {"actorText": row[f"{side}_text"] or "", "code": row[f"{side}_code"],
            "sector": row[f"{side}_sector"] or "", "name": row[f"{side}_name"] or ""}


def _write_plover(store: Store, filters: EventFilter, path: Path, fmt: str, header: bool
                  ) -> tuple[int, int, str, tuple[str, ...]]:
    records = list(plover_records(store, filters))
    # The final name decides the layout; `path` here is the temporary ".part" file.
    lines = path.name.removesuffix(".part").endswith(".jsonl")
    with path.open("w", encoding="utf-8") as handle:
        if lines:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            json.dump(records, handle, ensure_ascii=False, indent=1)
            handle.write("\n")
    columns = tuple(records[0]) if records else ()
    return len(records), 0, "", columns
