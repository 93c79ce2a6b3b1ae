"""The exports' data tables cover what detente emits, and the gazetteer finds places."""

from __future__ import annotations

import csv
from importlib.resources import files

from detente.coding.ontology import PLOVER_TYPES
from detente.export.codes import international, international_codes, plover_scale, sector
from detente.export.gazetteer import countries, locate


def actor_rows(name: str) -> list[dict[str, str]]:
    text = files("detente").joinpath("actors", "data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def test_every_international_code_has_cameo_and_plover_codes():
    emitted = {r["code"] for r in actor_rows("organisations.csv")}
    assert emitted - international_codes() == set()
    for code in emitted:
        codes = international(code)
        assert codes.cameo[:3] in {"IGO", "NGO", "NGM", "IMG", "WST", "EUR"}, code
        assert codes.plover in {"IGO", "UNO", "EUR", "NGO", "IMG", ""}, code
    assert international("EU").cameo == "IGOEEC" and international("EU").plover == "EUR"


def test_every_country_code_is_in_the_gazetteer():
    emitted = {r["code"] for r in actor_rows("countries.csv")}
    assert emitted - set(countries()) == set()
    members = [c for c in countries().values() if c.cow is not None]
    assert len(members) > 190
    assert all(c.fips and c.lat is not None and c.long is not None and c.gw is not None
               for c in members)
    assert (countries()["SRB"].cow, countries()["SRB"].gw) == (345, 340)


def test_every_actor_sector_has_cameo_plover_and_icews_names():
    emitted = {r["sector"] for name in ("sectors.csv", "groups.csv", "people.csv")
               for r in actor_rows(name)} | {"IGO"}
    for code in emitted:
        assert sector(code).icews != code, code
    assert (sector("MED").plover, sector("PTY").cameo, sector("IGO").plover) == ("JRN", "", "")


def test_every_plover_type_has_a_manual_score_and_quad():
    quads = {event: plover_scale(event)[0] for event in PLOVER_TYPES}
    assert quads == {"AGREE": 1, "CONSULT": 1, "SUPPORT": 1, "CONCEDE": 1, "COOPERATE": 2,
                     "AID": 2, "RETREAT": 2, "REQUEST": 3, "ACCUSE": 3, "REJECT": 3,
                     "SANCTION": 3, "THREATEN": 3, "PROTEST": 4, "MOBILIZE": 4,
                     "COERCE": 4, "ASSAULT": 4}
    assert plover_scale("ASSAULT", "aerial") == (4, -9.5)
    assert plover_scale("COERCE", "annex") == plover_scale("COERCE")


def test_places_are_found_by_name_alias_or_country():
    kyiv = locate("UKR", "Kiev")
    assert (kyiv.level, kyiv.name, kyiv.country.fips) == ("city", "Kyiv", "UP")
    assert locate("CHL", "VALPARAISO").name == "Valparaíso"
    assert locate("CHL", "the Atacama Desert").level == "country"
    assert locate("CHL", "the Atacama Desert").extracted == "the Atacama Desert"
    assert locate("XYZ", "Nowhere") is None
