"""PLOVER event records, as the PLOVER manual (draft 2.0) names their fields.

One record per coded event (JSON array, or JSON Lines when the output ends in `.jsonl`):

- `id`, `has_event` (true), `date` (YYYY-MM-DD, the first day of the event's date) and
  `enddate` (its last day), with detente's `date_precision` (day, month or year) and
  `date_source` beside them, so "2014-03" is `date` 2014-03-01, `enddate` 2014-03-31,
  `date_precision` month;
- `actor` and `recipient`: lists of entity objects {code, sector, entity_text,
  identifier_text} (recipient empty when the event has none). `code` is the ISO 3166
  alpha-3 code (KOS for Kosovo, as the manual) or the manual's code for non-state actors
  (IGO, UNO for the UN and its agencies, EUR for the European Union, NGO, IMG); `sector`
  is PLOVER's (media is JRN);
- `event`, `mode` and `context`: lists (detente codes one event type and at most one
  mode per record, and no context);
- `event_text`: the evidence (sentence or clause); `text_info`: its sentence number and
  its character offsets in the document; `cite_info`: the document (citation = its id,
  url, title, language, publication, coder, codebook, version);
- `event_loc`: the place from detente's gazetteer (GeoNames fields: extracted_place,
  resolved_place, geonameid, lat, lon, city, country, country_code, feature_class,
  resolution 4 for a city or 1 for a country), or null;
- `quad_code` and `event_scale`: the manual's quad category and conflict–cooperation
  score of the event type and mode (`data/plover_scale.csv`; note that the manual puts
  CONCEDE in verbal cooperation and SANCTION in verbal conflict, unlike CAMEO's roots);
- `coder`, `coded_date` (the day the document was stored, UTC), and detente's `cameo`,
  `goldstein` and `confidence`.

Left out, as the manual says: events whose actor or recipient is a region ("the West",
"Europe"), which PLOVER does not code; and, as in every coded-event format, undated and
negated events. `data/plover_record.schema.json` is a JSON Schema of these records,
written from the manual's field tables; `plover_schema()` returns it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import polars as pl

from detente.export.codes import international, plover_scale, sector
from detente.export.common import Written, coded_events
from detente.export.gazetteer import Place, locate

CODEBOOK = "PLOVER manual, draft 2.0"
# The manual's own codes where they differ from ISO 3166 alpha-3.
PLOVER_COUNTRY_CODES = {"XKX": "KOS"}
REGION_REASON = "PLOVER does not code regional actors (the West, Europe)"


@lru_cache(maxsize=1)
def plover_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) the PLOVER records validate against."""
    text = files("detente").joinpath("data", "plover_record.schema.json").read_text(
        encoding="utf-8")
    return json.loads(text)


def plover_records(frame: pl.DataFrame) -> tuple[list[dict[str, Any]], int, str]:
    """The joined rows as PLOVER records, how many rows were left out, and why."""
    rows, skipped, reason = coded_events(frame)
    records = [r for r in map(plover_record, rows) if r is not None]
    if len(records) < len(rows):
        skipped += len(rows) - len(records)
        reason = "; ".join(filter(None, (reason, REGION_REASON)))
    return records, skipped, reason


def write_plover(frame: pl.DataFrame, path: Path, lines: bool) -> Written:
    records, skipped, reason = plover_records(frame)
    with path.open("w", encoding="utf-8") as handle:
        if lines:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            json.dump(records, handle, ensure_ascii=False, indent=1)
            handle.write("\n")
    columns = tuple(plover_schema()["properties"])
    return Written(len(records), columns, skipped, reason)


def entity(code: str | None, sector_code: str, name: str, text: str
           ) -> dict[str, Any] | None:
    """One side of an event as a PLOVER entity object; None for a regional actor.

    >>> entity("UN", "IGO", "World Food Programme", "the WFP")["code"]
    'UNO'
    >>> entity("WST", "IGO", "the West", "the West") is None
    True
    """
    codes = international(code or "", name)
    if codes is not None and not codes.plover:
        return None
    plover_code = codes.plover if codes else PLOVER_COUNTRY_CODES.get(code or "", code)
    kind = sector(sector_code).plover if sector_code else ""
    return {"code": plover_code, "sector": kind or None, "entity_text": text or None,
            "identifier_text": name or None}


def plover_record(row: dict[str, Any]) -> dict[str, Any] | None:
    """One joined, dated event row → its PLOVER record; None when PLOVER cannot code it."""
    from detente.version import __version__

    actor = entity(row["source_code"], row["source_sector"] or "", row["source_name"] or "",
                   row["source_text"] or "")
    recipient = None
    if row["target_code"]:
        recipient = entity(row["target_code"], row["target_sector"] or "",
                           row["target_name"] or "", row["target_text"] or "")
        if recipient is None:
            return None
    if actor is None:
        return None
    mode = row["plover_mode"] or ""
    quad, scale = plover_scale(row["plover"], mode)
    added = row["doc_added_utc"]
    return {
        "id": row["event_id"],
        "has_event": True,
        "date": row["date_start"].isoformat(),
        "enddate": row["date_end"].isoformat() if row["date_end"] else None,
        "date_precision": row["date_precision"],
        "date_source": row["date_source"],
        "actor": [actor],
        "recipient": [recipient] if recipient else [],
        "event": [row["plover"]],
        "mode": [mode] if mode else [],
        "context": [],
        "event_text": [row["evidence"]] if row["evidence"] else [],
        "event_loc": event_loc(locate(row["location_code"], row["location_place"])),
        "quad_code": quad,
        "event_scale": scale,
        "text_info": {"sequence": row["sentence_index"], "start": row["char_start"],
                      "end": row["char_end"]},
        "cite_info": {"citation": row["doc_id"], "url": row["doc_url"] or None,
                      "title": row["doc_title"] or None, "language": "en",
                      "publication": row["doc_source"] or None, "coder": row["coder"],
                      "codebook": CODEBOOK, "version": f"detente {__version__}"},
        "coder": row["coder"],
        "coded_date": added.date().isoformat() if added else None,
        "cameo": row["cameo"],
        "goldstein": row["goldstein"],
        "confidence": row["confidence"],
    }


def event_loc(place: Place | None) -> dict[str, Any] | None:
    """A gazetteer place as PLOVER's location object (GeoNames field names)."""
    if place is None:
        return None
    city = place.level == "city"
    return {"extracted_place": place.extracted or None, "resolved_place": place.full_name,
            "geonameid": place.geonameid, "lat": place.lat, "lon": place.long,
            "city": place.name if city else None, "country": place.country.name,
            "country_code": PLOVER_COUNTRY_CODES.get(place.country.iso3, place.country.iso3),
            "feature_class": "P" if city else "A", "resolution": 4 if city else 1}
