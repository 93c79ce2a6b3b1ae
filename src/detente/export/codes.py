"""Codes other event data sets use for detente's actors and events, read from data tables.

- `international_actors.csv`: each international code detente emits (G7, EU, NATO, UN, NGO
  ...; optionally narrowed by the resolved name, as UN agencies) → its CAMEO actor code
  (`IGOGOS`, `IGOEEC`, `IGOWSTNAT`), the CAMEO country/region code and known-group code
  GDELT splits out of it, its CAMEO type codes, and its PLOVER country code (IGO, UNO, EUR
  for the European Union, NGO, IMG; empty for regions, which PLOVER does not code).
- `sectors.csv`: detente's sector codes → the CAMEO type code (empty: CAMEO has none, as
  for parties), the PLOVER sector (media is JRN in PLOVER) and an ICEWS-style sector name.
- `plover_scale.csv`: the PLOVER manual's quad category and conflict–cooperation score of
  each event type and mode.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files


@dataclass(frozen=True)
class ActorCodes:
    """How one actor is written in CAMEO-based (GDELT) and PLOVER data.

    `country` is the CAMEO country or region code (GDELT's ActorCountryCode), `types` the
    CAMEO type codes (ActorType1Code, ...), `plover` the PLOVER country code.
    """

    cameo: str
    country: str
    known_group: str
    types: tuple[str, ...]
    plover: str


@dataclass(frozen=True)
class Sector:
    cameo: str
    plover: str
    icews: str


def _rows(name: str) -> list[dict[str, str]]:
    text = files("detente").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@lru_cache(maxsize=1)
def _international() -> dict[tuple[str, str], ActorCodes]:
    return {(r["code"], r["name"]): ActorCodes(
        r["cameo"], r["cameo_country"], r["known_group"],
        tuple(filter(None, r["cameo_types"].split("|"))), r["plover"])
        for r in _rows("international_actors.csv")}


def international_codes() -> frozenset[str]:
    """The international codes the table covers (a test checks it covers detente's)."""
    return frozenset(code for code, _ in _international())


def international(code: str, name: str = "") -> ActorCodes | None:
    """CAMEO and PLOVER codes of an international actor; None for a country code.

    >>> international("G7").cameo, international("NATO").country
    ('IGOGOS', 'WST')
    >>> international("UN", "World Food Programme").cameo, international("UN", "UNSC").cameo
    ('IGOUNOWFP', 'IGOUNO')
    >>> international("JPN") is None
    True
    """
    table = _international()
    return table.get((code, name)) or table.get((code, ""))


@lru_cache(maxsize=1)
def _sectors() -> dict[str, Sector]:
    return {r["sector"]: Sector(r["cameo"], r["plover"], r["icews"])
            for r in _rows("sectors.csv")}


def sector(code: str) -> Sector:
    """A detente sector in CAMEO, PLOVER and ICEWS terms; an unknown (user-made) sector
    is written as it is.

    >>> sector("MED"), sector("PTY").cameo
    (Sector(cameo='MED', plover='JRN', icews='Media'), '')
    """
    return _sectors().get(code) or Sector(code, code, code)


@lru_cache(maxsize=1)
def _scale() -> dict[tuple[str, str], tuple[int, float]]:
    return {(r["event"], r["mode"]): (int(r["quad_code"]), float(r["event_scale"]))
            for r in _rows("plover_scale.csv")}


def plover_scale(event: str, mode: str = "") -> tuple[int, float]:
    """The PLOVER manual's quad code and score of an event type, by its mode where the
    manual scores that mode.

    >>> plover_scale("CONSULT", "visit"), plover_scale("SANCTION"), plover_scale("AID", "x")
    ((1, 4.0), (3, -6.0), (2, 10.0))
    """
    table = _scale()
    return table.get((event, mode or "")) or table[(event, "")]
