"""Actor coverage (issue 10): people the registry lacks, coordinated actors and
historical states. Every sentence here is written for these tests."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from detente.actors import ActorResolver, Mention, find_mentions
from detente.coding.coder import with_home_country
from detente.errors import InputError

DATA = Path(__file__).resolve().parents[1] / "src/detente/actors/data"
D2019 = dt.date(2019, 5, 10)


@pytest.fixture(scope="module")
def resolver() -> ActorResolver:
    return ActorResolver()


def mentions(nlp, resolver: ActorResolver, text: str,
             date: dt.date | None = D2019) -> dict[str, Mention]:
    return {m.text: m for m in find_mentions(nlp(text), date, resolver)}


def sides(found: dict[str, Mention]) -> list[tuple[str | None, str | None]]:
    return [(m.code, m.sector) for m in found.values() if m.kind != "pronoun"]


# -- people the registry lacks, placed by their title ------------------------------------

def test_a_titled_unknown_person_takes_country_and_sector_from_the_title(resolver) -> None:
    found = resolver.resolve("Polish Deputy Defence Minister Anna Kowalska", D2019)
    assert (found.code, found.sector, found.name, found.kind) == (
        "POL", "GOV", "Anna Kowalska", "person")
    assert "'Anna Kowalska' is not in the registry" in found.reason
    assert "Deputy Defence Minister of Poland" in found.reason


def test_without_a_country_the_title_still_gives_the_sector(resolver) -> None:
    found = resolver.resolve("Security Council Secretary Ivan Morozov", D2019)
    assert (found.code, found.sector, found.name, found.kind) == (
        None, "GOV", "Ivan Morozov", "person")
    assert "not in the registry" in found.reason


@pytest.mark.parametrize(("text", "sector"), [
    ("Senator Laura Vega", "LEG"),
    ("General Pedro Alvarez", "MIL"),
    ("Judge Carmen Ortiz", "JUD"),
    ("Ambassador Marek Nowak", "GOV"),
])
def test_the_title_decides_the_sector(resolver, text, sector) -> None:
    found = resolver.resolve(text, D2019)
    assert (found.sector, found.kind, found.name) == (sector, "person", text.split(" ", 1)[1])


def test_a_deputy_is_not_the_minister(resolver) -> None:
    # Without "deputy" the office would be the minister's, and its holder named.
    found = resolver.resolve("American Deputy Defense Secretary", dt.date(1995, 6, 1))
    assert (found.code, found.sector) == ("USA", "GOV")
    assert found.name != resolver.resolve("American Defense Secretary", dt.date(1995, 6, 1)).name
    assert resolver.resolve("Vice Defence Minister Ana Ruiz", D2019).name == "Ana Ruiz"


def test_a_title_of_an_institution_places_the_person(resolver) -> None:
    found = resolver.resolve("Sejm deputy Anna Nowak", D2019)
    assert (found.code, found.sector, found.name, found.kind) == (
        "POL", "LEG", "Anna Nowak", "person")


def test_former_in_a_title_makes_an_unknown_person_elite(resolver) -> None:
    found = resolver.resolve("former Chilean Defence Minister Ana Ruiz", D2019)
    assert (found.code, found.sector, found.name) == ("CHL", "ELI", "Ana Ruiz")


@pytest.mark.parametrize("text", [
    "Marek Nowak, Poland's ambassador to Chile, protested the decision.",
    "Poland's ambassador to Chile, Marek Nowak, protested the decision.",
])
def test_an_apposition_places_an_unknown_person(nlp, resolver, text) -> None:
    person = mentions(nlp, resolver, text)["Marek Nowak"]
    assert (person.code, person.sector, person.name, person.kind) == (
        "POL", "GOV", "Marek Nowak", "person")
    assert "described as 'Poland's ambassador to Chile'" in person.reason


def test_an_apposition_gives_the_country_to_a_titled_person(nlp, resolver) -> None:
    found = mentions(nlp, resolver,
                     "General Pedro Alvarez, the Peruvian army chief, inspected the border.")
    person = found["General Pedro Alvarez"]
    assert (person.code, person.sector, person.name) == ("PER", "MIL", "Pedro Alvarez")


def test_a_former_office_in_an_apposition_is_elite(nlp, resolver) -> None:
    found = mentions(nlp, resolver, "Tomas Rivera, a former defence minister, criticised Peru.")
    assert found["Tomas Rivera"].sector == "ELI"


def test_an_office_holder_named_earlier_gives_the_apposition_its_country(nlp, resolver) -> None:
    text = ("Chilean President Elena Vargas opened the summit on Monday. Tomas Rivera, the "
            "president's national security adviser, warned Bolivia. He later met Peruvian "
            "officials.")
    found = find_mentions(nlp(text), D2019, resolver)
    rivera = next(m for m in found if m.text == "Tomas Rivera")
    assert (rivera.code, rivera.sector, rivera.name) == ("CHL", "GOV", "Tomas Rivera")
    assert "'president' is Elena Vargas (CHL), named earlier" in rivera.reason
    he = next(m for m in found if m.text == "He")
    assert (he.code, he.sector, he.name) == ("CHL", "GOV", "Tomas Rivera")


def test_an_unplaced_titled_person_is_kept_for_the_dateline(nlp, resolver) -> None:
    # No country in the sentence: the person is kept with a sector, and the coder's
    # dateline step (with_home_country) gives the country.
    found = find_mentions(nlp("Tomas Rivera, the president's national security adviser, "
                              "warned Bolivia."), D2019, resolver)
    rivera = next(m for m in found if m.text == "Tomas Rivera")
    assert (rivera.code, rivera.sector, rivera.kind) == (None, "GOV", "person")
    placed = next(m for m in with_home_country(found, "CHL") if m.text == "Tomas Rivera")
    assert (placed.code, placed.sector, placed.name) == ("CHL", "GOV", "Tomas Rivera")


def test_an_apposition_naming_a_country_is_no_description(nlp, resolver) -> None:
    found = mentions(nlp, resolver, "Tomas Rivera, Chile, and Peru signed the accord.")
    assert found["Tomas Rivera"].code is None


# -- coordinated countries sharing one head noun ----------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("The leaders of Chile and Peru signed a border accord.",
     [("CHL", "GOV"), ("PER", "GOV")]),
    ("The foreign ministers of Chile, Peru and Bolivia met in Quito.",
     [("CHL", "GOV"), ("PER", "GOV"), ("BOL", "GOV"), ("ECU", "GOV")]),
    ("Chile and Peru's leaders signed a border accord.", [("CHL", "GOV"), ("PER", "GOV")]),
    ("The Chilean and Peruvian presidents signed a border accord.",
     [("CHL", "GOV"), ("PER", "GOV")]),
    ("Chilean, Peruvian and Bolivian generals toured the border.",
     [("CHL", "MIL"), ("PER", "MIL"), ("BOL", "MIL")]),
    ("The leaders of North and South Korea met at the border.",
     [("PRK", "GOV"), ("KOR", "GOV")]),
])
def test_every_side_of_a_coordination_gets_the_head(nlp, resolver, text, expected) -> None:
    assert sides(mentions(nlp, resolver, text, None)) == expected


def test_a_shared_title_names_each_countrys_office(nlp, resolver) -> None:
    found = mentions(nlp, resolver, "The Chilean and Peruvian presidents met.", None)
    assert found["Chilean"].name == "President of Chile"
    assert "'presidents' is shared with it in the sentence" in found["Chilean"].reason


@pytest.mark.parametrize(("text", "country"), [
    ("Peru and the leaders of Chile met in Quito.", "Peru"),
    ("Peru and the Chilean leaders met in Quito.", "Peru"),
    ("Troops arrived in Bolivia, Defence Minister Ana Ruiz said.", "Bolivia"),
    ("Talks with Bolivia, Chilean officials said, will resume.", "Bolivia"),
])
def test_a_head_with_its_own_country_or_after_a_comma_is_not_shared(nlp, resolver, text,
                                                                     country) -> None:
    assert mentions(nlp, resolver, text, None)[country].sector == ""


def test_an_elided_country_name_is_read_in_full(nlp, resolver) -> None:
    found = mentions(nlp, resolver, "East and West Germany signed the basic treaty.", None)
    assert [(m.code, m.name) for m in found.values()] == [("DEU", "East Germany"),
                                                          ("DEU", "West Germany")]


# -- historical states -------------------------------------------------------------------

@pytest.mark.parametrize(("text", "code", "name"), [
    ("the Soviet Union", "RUS", "Soviet Union"),
    ("USSR", "RUS", "Soviet Union"),
    ("the Russian Empire", "RUS", "Russian Empire"),
    ("East Germany", "DEU", "East Germany"),
    ("the GDR", "DEU", "East Germany"),
    ("West Germany", "DEU", "West Germany"),
    ("Yugoslavia", "SRB", "Yugoslavia"),
    ("Czechoslovakia", "CZE", "Czechoslovakia"),
    ("the Ottoman Empire", "TUR", "Ottoman Empire"),
])
def test_a_historical_state_keeps_its_name_and_its_successors_code(resolver, text, code,
                                                                   name) -> None:
    found = resolver.resolve(text)
    assert (found.code, found.sector, found.name, found.kind) == (code, "", name, "country")
    assert "a historical state, coded as its successor" in found.reason


def test_a_historical_demonym_names_the_historical_state(resolver) -> None:
    found = resolver.resolve("the Soviet government")
    assert (found.code, found.sector, found.name) == ("RUS", "GOV", "Government of Soviet Union")
    found = resolver.resolve("East German troops")
    assert (found.code, found.sector, found.name) == ("DEU", "MIL", "Armed Forces of East Germany")


def test_a_historical_office_is_held_only_while_the_state_existed(resolver) -> None:
    assert resolver.resolve("the Soviet leader", dt.date(2019, 1, 1)).name == \
        "Leader of Soviet Union"
    assert resolver.resolve("the Soviet leader", dt.date(1988, 1, 1)).name == "Mikhail Gorbachev"


def test_historical_states_in_a_document(nlp, resolver) -> None:
    found = mentions(nlp, resolver, "Yugoslavia and the Soviet Union signed a trade pact.",
                     dt.date(1955, 6, 2))
    assert [(m.code, m.name) for m in found.values()] == [("SRB", "Yugoslavia"),
                                                          ("RUS", "Soviet Union")]


def test_historical_states_data_is_consistent() -> None:
    with (DATA / "countries.csv").open(encoding="utf-8", newline="") as fh:
        countries = list(csv.DictReader(fh))
    current = {f for r in countries for f in [r["name"], *r["aliases"].split("|"),
                                              *r["demonyms"].split("|")] if f}
    with (DATA / "historical.csv").open(encoding="utf-8", newline="") as fh:
        states = list(csv.DictReader(fh))
    codes = {r["code"] for r in countries}
    for row in states:
        assert row["country"] in codes, row["name"]
        forms = {f for f in [row["name"], *row["aliases"].split("|"),
                             *row["demonyms"].split("|")] if f}
        assert not forms & current, (row["name"], forms & current)  # one entry per form
        if row["start"] and row["end"]:
            assert row["start"] < row["end"], row["name"]


def test_users_add_historical_states_in_the_same_layout(tmp_path: Path) -> None:
    extra = tmp_path / "states.csv"
    extra.write_text("name,aliases,demonyms,country,leader,start,end\n"
                     "Grand Duchy of Finland,,,FIN,,1809-03-29,1917-12-06\n", encoding="utf-8")
    found = ActorResolver([extra]).resolve("the Grand Duchy of Finland")
    assert (found.code, found.name) == ("FIN", "Grand Duchy of Finland")
    bad = tmp_path / "bad.csv"
    bad.write_text("name,aliases,demonyms,country,leader,start,end\nAtlantis,,,,,,\n",
                   encoding="utf-8")
    with pytest.raises(InputError, match="line 2: a historical state needs a name and the code"):
        ActorResolver([bad])
