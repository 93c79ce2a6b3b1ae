"""GDELT 2.0 event files: the 61 columns of GDELT's event table, tab-separated, unquoted.

Written as GDELT writes them, so GDELT tools give the same numbers:

- no header line (`header=True`, `--header`, adds one); `read_gdelt` reads either;
- QuadClass from the CAMEO root, GDELT's rule (01–05 verbal cooperation, 06–09 material
  cooperation, 10–14 verbal conflict, 15–20 material conflict);
- actor codes are CAMEO's: a country and its CAMEO type (`JPNGOV`; parties, which CAMEO
  has no type for, are the bare country), and international actors from
  `data/international_actors.csv` (`IGOGOS` for the G7, `IGOEEC` for the EU,
  `IGOWSTNAT` for NATO), with the country/region and known-group codes split out;
- ActionGeo from detente's gazetteer: type 1 (country) or 4 (world city; 3 in the United
  States), "City, Country" or "Country" as FullName, FIPS 10-4 country codes, the country
  as ADM1Code at country level (as GDELT), latitude and longitude, and as FeatureID the
  FIPS code at country level and the GeoNames id of a city (GDELT uses GNS ids there);
- SQLDATE, MonthYear, Year and FractionDate (GDELT's YYYY + (MM*30+DD)/365) from the
  event's first day: an event dated to a month or a year is written at its first day, and
  the export's notes say how many (`--day-only` leaves them out);
- GLOBALEVENTID is the event id's first 13 hex digits as an integer (below 2^53, so R and
  JavaScript read it exactly; the same event always gets the same number);
- DATEADDED is when the document was stored, in UTC (YYYYMMDDHHMMSS);
- SOURCEURL is the document's URL, else the name of the file it was read from.

- a row is one happening (a canonical event): NumMentions counts its reports (a copy
  of an article repeats each of its reports), NumArticles the articles and NumSources the
  publishers that tell it, and IsRootEvent is 1 when one of its reports is in the first
  three sentences (the lead) of its article. In the raw view (`raw=True`, `--raw`) a row
  is one report: 1, 1 and 1, and IsRootEvent from its own sentence.

What GDELT has and detente does not: AvgTone is empty (detente does not score tone);
Actor1Geo and Actor2Geo and the ADM codes of cities are empty.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl

from detente.coding.ontology import cameo_quad_class
from detente.export.codes import international, sector
from detente.export.common import (
    Written,
    coded_events,
    imprecise,
    numeric_id,
    source_name,
    tsv_safe,
)
from detente.export.gazetteer import locate

# The GDELT 2.0 event table's columns in file order (GDELT Event Codebook V2.0 and the
# gdeltv2.events table), with the types GDELT's files are read with.
GDELT_COLUMNS: tuple[tuple[str, type[pl.DataType]], ...] = (
    ("GLOBALEVENTID", pl.Int64), ("SQLDATE", pl.Int64), ("MonthYear", pl.Int64),
    ("Year", pl.Int64), ("FractionDate", pl.Float64),
    ("Actor1Code", pl.String), ("Actor1Name", pl.String), ("Actor1CountryCode", pl.String),
    ("Actor1KnownGroupCode", pl.String), ("Actor1EthnicCode", pl.String),
    ("Actor1Religion1Code", pl.String), ("Actor1Religion2Code", pl.String),
    ("Actor1Type1Code", pl.String), ("Actor1Type2Code", pl.String),
    ("Actor1Type3Code", pl.String),
    ("Actor2Code", pl.String), ("Actor2Name", pl.String), ("Actor2CountryCode", pl.String),
    ("Actor2KnownGroupCode", pl.String), ("Actor2EthnicCode", pl.String),
    ("Actor2Religion1Code", pl.String), ("Actor2Religion2Code", pl.String),
    ("Actor2Type1Code", pl.String), ("Actor2Type2Code", pl.String),
    ("Actor2Type3Code", pl.String),
    ("IsRootEvent", pl.Int64), ("EventCode", pl.String), ("EventBaseCode", pl.String),
    ("EventRootCode", pl.String), ("QuadClass", pl.Int64), ("GoldsteinScale", pl.Float64),
    ("NumMentions", pl.Int64), ("NumSources", pl.Int64), ("NumArticles", pl.Int64),
    ("AvgTone", pl.Float64),
    ("Actor1Geo_Type", pl.Int64), ("Actor1Geo_FullName", pl.String),
    ("Actor1Geo_CountryCode", pl.String), ("Actor1Geo_ADM1Code", pl.String),
    ("Actor1Geo_ADM2Code", pl.String), ("Actor1Geo_Lat", pl.Float64),
    ("Actor1Geo_Long", pl.Float64), ("Actor1Geo_FeatureID", pl.String),
    ("Actor2Geo_Type", pl.Int64), ("Actor2Geo_FullName", pl.String),
    ("Actor2Geo_CountryCode", pl.String), ("Actor2Geo_ADM1Code", pl.String),
    ("Actor2Geo_ADM2Code", pl.String), ("Actor2Geo_Lat", pl.Float64),
    ("Actor2Geo_Long", pl.Float64), ("Actor2Geo_FeatureID", pl.String),
    ("ActionGeo_Type", pl.Int64), ("ActionGeo_FullName", pl.String),
    ("ActionGeo_CountryCode", pl.String), ("ActionGeo_ADM1Code", pl.String),
    ("ActionGeo_ADM2Code", pl.String), ("ActionGeo_Lat", pl.Float64),
    ("ActionGeo_Long", pl.Float64), ("ActionGeo_FeatureID", pl.String),
    ("DATEADDED", pl.Int64), ("SOURCEURL", pl.String),
)
GDELT_SCHEMA: dict[str, type[pl.DataType]] = dict(GDELT_COLUMNS)

# GDELT's geographic resolution types.
COUNTRY, US_CITY, WORLD_CITY = 1, 3, 4


def write_gdelt(frame: pl.DataFrame, path: Path, header: bool) -> Written:
    rows, skipped, reason = coded_events(frame)
    table = pl.DataFrame([gdelt_row(r) for r in rows], schema=GDELT_SCHEMA, orient="row")
    tsv_safe(table).write_csv(path, separator="\t", include_header=header,
                              quote_style="never")
    return Written(table.height, tuple(GDELT_SCHEMA), skipped, reason, imprecise(rows))


def gdelt_row(row: dict[str, Any]) -> dict[str, Any]:
    """One joined event row → the GDELT 2.0 columns (empty ones as None)."""
    day: dt.date = row["date_start"]
    cameo = row["cameo"] or ""
    added: dt.datetime | None = row["doc_added_utc"]
    values: dict[str, Any] = dict.fromkeys(GDELT_SCHEMA)
    values.update({
        "GLOBALEVENTID": numeric_id(row["event_id"]),
        "SQLDATE": day.year * 10000 + day.month * 100 + day.day,
        "MonthYear": day.year * 100 + day.month,
        "Year": day.year,
        "FractionDate": round(day.year + (day.month * 30 + day.day) / 365, 4),
        "IsRootEvent": int(bool(row["root"])),
        "EventCode": cameo,
        "EventBaseCode": cameo[:3],
        "EventRootCode": cameo[:2],
        "QuadClass": cameo_quad_class(cameo) if cameo else row["quad_class"],
        "GoldsteinScale": row["goldstein"],
        "NumMentions": row["reports"], "NumSources": row["sources"],
        "NumArticles": row["articles"],
        "DATEADDED": int(added.strftime("%Y%m%d%H%M%S")) if added else None,
        "SOURCEURL": source_name(row),
    })
    for prefix, side in (("Actor1", "source"), ("Actor2", "target")):
        values.update(gdelt_actor(prefix, row[f"{side}_code"], row[f"{side}_sector"] or "",
                                  row[f"{side}_name"] or row[f"{side}_text"] or ""))
    values.update(_action_geo(row["location_code"], row["location_place"]))
    return values


def gdelt_actor(prefix: str, code: str | None, sector_code: str, name: str
                ) -> dict[str, Any]:
    """The ten Actor columns of one side, as CAMEO writes the actor.

    >>> gdelt_actor("Actor1", "NATO", "IGO", "North Atlantic Treaty Organization")[
    ...     "Actor1Code"]
    'IGOWSTNAT'
    """
    if not code:
        return {}
    codes = international(code, name)
    if codes is not None:
        actor, country, group, types = codes.cameo, codes.country, codes.known_group, codes.types
    else:
        kind = sector(sector_code).cameo if sector_code else ""
        actor, country, group, types = code + kind, code, "", (kind,) if kind else ()
    return {
        f"{prefix}Code": actor,
        f"{prefix}Name": (name or code).upper(),
        f"{prefix}CountryCode": country or None,
        f"{prefix}KnownGroupCode": group or None,
        **{f"{prefix}Type{n}Code": kind for n, kind in enumerate(types[:3], start=1)},
    }


def _action_geo(code: str | None, place: str | None) -> dict[str, Any]:
    found = locate(code, place)
    if found is None:
        return {}
    country = found.country
    adm1: str | None
    feature: str | None
    if found.level == "city":
        kind = US_CITY if country.iso3 == "USA" else WORLD_CITY
        adm1, feature = None, str(found.geonameid)
    else:
        kind, adm1, feature = COUNTRY, country.fips or None, country.fips or None
    return {"ActionGeo_Type": kind, "ActionGeo_FullName": found.full_name,
            "ActionGeo_CountryCode": country.fips or None, "ActionGeo_ADM1Code": adm1,
            "ActionGeo_Lat": found.lat, "ActionGeo_Long": found.long,
            "ActionGeo_FeatureID": feature}


def read_gdelt(path: str | Path) -> pl.DataFrame:
    """Read a GDELT 2.0 event file (detente's or GDELT's, header or not) with GDELT's types.

    >>> read_gdelt("20140318.export.CSV").schema["SQLDATE"]  # doctest: +SKIP
    Int64
    """
    path = Path(path)
    with path.open(encoding="utf-8") as handle:
        has_header = handle.readline().startswith("GLOBALEVENTID\t")
    return pl.read_csv(path, separator="\t", has_header=has_header, schema=GDELT_SCHEMA,
                       quote_char=None)
