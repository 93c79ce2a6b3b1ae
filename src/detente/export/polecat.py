"""POLECAT-style event files: tab-separated, with POLECAT's column names where detente has
the value, one row per PLOVER record (`plover.py` decides what is an event and codes it).

Beside POLECAT's columns: `Date Precision` (Event Date is the first day of an event dated
to a month or a year; the export's notes say how many), and `Actor GW`/`Recipient GW`,
the Gleditsch–Ward state codes next to POLECAT's Correlates of War codes (`Actor COW`;
both from `data/countries_geo.csv`, empty for non-state actors and for territories that
are not members of the state system). Country columns hold names: the country's, or the
PLOVER manual's name for a non-state code ("United Nations"). Contexts is empty, and
POLECAT's Wikipedia ids, titles, story entities, districts and provinces are left out.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl

from detente.export.common import Written, imprecise
from detente.export.gazetteer import countries
from detente.export.plover import PLOVER_COUNTRY_CODES, plover_records

POLECAT_COLUMNS: tuple[tuple[str, type[pl.DataType]], ...] = (
    ("Event ID", pl.String), ("Event Date", pl.Date), ("Date Precision", pl.String),
    ("Event Type", pl.String), ("Event Mode", pl.String), ("Event Intensity", pl.Float64),
    ("Quad Code", pl.Int64), ("Contexts", pl.String),
    ("Actor Name", pl.String), ("Actor Country", pl.String), ("Actor COW", pl.Int64),
    ("Actor GW", pl.Int64), ("Primary Actor Sector", pl.String),
    ("Actor Sectors", pl.String), ("Actor Name Raw", pl.String),
    ("Recipient Name", pl.String), ("Recipient Country", pl.String),
    ("Recipient COW", pl.Int64), ("Recipient GW", pl.Int64),
    ("Primary Recipient Sector", pl.String), ("Recipient Sectors", pl.String),
    ("Recipient Name Raw", pl.String),
    ("Placename", pl.String), ("City", pl.String), ("Country", pl.String),
    ("Latitude", pl.Float64), ("Longitude", pl.Float64), ("GeoNames ID", pl.Int64),
    ("Raw Placename", pl.String),
    ("Source", pl.String), ("Publication Date", pl.Date), ("Language", pl.String),
    ("Version", pl.String),
)
POLECAT_SCHEMA: dict[str, type[pl.DataType]] = dict(POLECAT_COLUMNS)

# The PLOVER manual's names of its non-state country codes.
NON_STATE_NAMES = {
    "IGO": "International Governmental Organization", "UNO": "United Nations",
    "EUR": "European Union", "NGO": "Non-governmental Organization",
    "ISM": "International Social Movement", "IMG": "Transnational Militarized Group",
    "MNC": "Multi-national Corporation",
}
ISO_CODES = {plover: iso for iso, plover in PLOVER_COUNTRY_CODES.items()}


def write_polecat(frame: pl.DataFrame, path: Path) -> Written:
    records, skipped, reason = plover_records(frame)
    published = dict(zip(frame["event_id"], frame["doc_date"], strict=True))
    rows = [polecat_row(r, published[r["id"]]) for r in records]
    table = pl.DataFrame(rows, schema=POLECAT_SCHEMA, orient="row")
    table.write_csv(path, separator="\t")
    return Written(table.height, tuple(POLECAT_SCHEMA), skipped, reason, imprecise(records))


def polecat_row(record: dict[str, Any], published: dt.date | None) -> dict[str, Any]:
    """One PLOVER record (and its document's publication date) → the POLECAT columns."""
    place = record["event_loc"] or {}
    cite = record["cite_info"]
    values: dict[str, Any] = {
        "Event ID": record["id"],
        "Event Date": dt.date.fromisoformat(record["date"]),
        "Date Precision": record["date_precision"],
        "Event Type": record["event"][0],
        "Event Mode": ";".join(record["mode"]) or None,
        "Event Intensity": record["event_scale"],
        "Quad Code": record["quad_code"],
        "Contexts": ";".join(record["context"]) or None,
        "Placename": place.get("resolved_place"), "City": place.get("city"),
        "Country": place.get("country"), "Latitude": place.get("lat"),
        "Longitude": place.get("lon"), "GeoNames ID": place.get("geonameid"),
        "Raw Placename": place.get("extracted_place"),
        "Source": cite["publication"], "Publication Date": published,
        "Language": cite["language"], "Version": cite["version"],
    }
    for prefix, side in (("Actor", record["actor"]), ("Recipient", record["recipient"])):
        if side:
            values.update(_entity(prefix, side[0]))
    return values


def _entity(prefix: str, entity: dict[str, Any]) -> dict[str, Any]:
    code = entity["code"]
    country = countries().get(ISO_CODES.get(code, code))
    return {
        f"{prefix} Name": entity["identifier_text"],
        f"{prefix} Country": country.name if country else NON_STATE_NAMES.get(code, code),
        f"{prefix} COW": country.cow if country else None,
        f"{prefix} GW": country.gw if country else None,
        f"Primary {prefix} Sector": entity["sector"],
        f"{prefix} Sectors": entity["sector"],
        f"{prefix} Name Raw": entity["entity_text"],
    }
