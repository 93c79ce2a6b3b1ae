"""ICEWS coded-event files: ICEWS's 20 columns, tab-separated, with ICEWS's header line.

- Event ID and Story ID are integers: the first 13 hex digits of detente's event and
  document ids (stable, below 2^53), as for GDELT's GLOBALEVENTID;
- Event Date is YYYY-MM-DD, the first day of the event's date: an event dated to a month
  or a year is written at its first day, and the export's notes say how many;
- Event Text is the CAMEO code's name, as in ICEWS ("Impose embargo or sanctions"), CAMEO
  Code the code as a string ("057"), Intensity its Goldstein score;
- Source/Target Name is the resolved actor name, Sectors an ICEWS-style sector name
  (`data/sectors.csv`), Country the country's name (empty for international actors);
- Sentence Number counts from 1; Publisher is the document's source;
- City, Country, Latitude and Longitude come from detente's gazetteer; District and
  Province are empty (the gazetteer has no administrative divisions).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from detente.coding.ontology import cameo_table
from detente.export.codes import sector
from detente.export.common import Written, coded_events, imprecise, numeric_id, tsv_safe
from detente.export.gazetteer import countries, locate

ICEWS_COLUMNS: tuple[tuple[str, type[pl.DataType]], ...] = (
    ("Event ID", pl.Int64), ("Event Date", pl.Date), ("Source Name", pl.String),
    ("Source Sectors", pl.String), ("Source Country", pl.String), ("Event Text", pl.String),
    ("CAMEO Code", pl.String), ("Intensity", pl.Float64), ("Target Name", pl.String),
    ("Target Sectors", pl.String), ("Target Country", pl.String), ("Story ID", pl.Int64),
    ("Sentence Number", pl.Int64), ("Publisher", pl.String), ("City", pl.String),
    ("District", pl.String), ("Province", pl.String), ("Country", pl.String),
    ("Latitude", pl.Float64), ("Longitude", pl.Float64),
)
ICEWS_SCHEMA: dict[str, type[pl.DataType]] = dict(ICEWS_COLUMNS)


def write_icews(frame: pl.DataFrame, path: Path) -> Written:
    rows, skipped, reason = coded_events(frame)
    table = pl.DataFrame([icews_row(r) for r in rows], schema=ICEWS_SCHEMA, orient="row")
    tsv_safe(table).write_csv(path, separator="\t", quote_style="never")
    return Written(table.height, tuple(ICEWS_SCHEMA), skipped, reason, imprecise(rows))


def icews_row(row: dict[str, Any]) -> dict[str, Any]:
    """One joined event row → the ICEWS columns (empty ones as None)."""
    cameo = row["cameo"] or ""
    label = cameo_table().get(cameo)
    place = locate(row["location_code"], row["location_place"])
    values: dict[str, Any] = {
        "Event ID": numeric_id(row["event_id"]),
        "Event Date": row["date_start"],
        "Event Text": label.label if label else None,
        "CAMEO Code": cameo or None,
        "Intensity": row["goldstein"],
        "Story ID": numeric_id(row["doc_id"]),
        "Sentence Number": row["sentence_index"] + 1,
        "Publisher": row["doc_source"] or None,
        "City": place.name if place and place.level == "city" else None,
        "Country": place.country.name if place else None,
        "Latitude": place.lat if place else None,
        "Longitude": place.long if place else None,
    }
    for prefix, side in (("Source", "source"), ("Target", "target")):
        values.update(_actor(prefix, row[f"{side}_code"], row[f"{side}_sector"] or "",
                             row[f"{side}_name"] or row[f"{side}_text"] or ""))
    return values


def _actor(prefix: str, code: str | None, sector_code: str, name: str) -> dict[str, Any]:
    if not code:
        return {}
    country = countries().get(code)
    return {
        f"{prefix} Name": name or code,
        f"{prefix} Sectors": sector(sector_code).icews if sector_code else None,
        f"{prefix} Country": country.name if country else None,
    }
