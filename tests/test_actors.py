"""Actor registry, phrase resolution at dates, PETRARCH import and the GSR evaluation."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from conftest import shared_path
from rich.table import Table

from detente.actors import (
    ActorResolver,
    Resolution,
    evaluate_actors,
    import_petrarch,
    list_actors,
    read_petrarch,
    write_actors_file,
)
from detente.actors.registry import load_registry
from detente.errors import InputError

DATA = Path(__file__).resolve().parents[1] / "src/detente/actors/data"
D2015 = dt.date(2015, 3, 20)


@pytest.fixture(scope="module")
def resolver() -> ActorResolver:
    return ActorResolver()


def resolve(resolver: ActorResolver, text: str, date: dt.date | None = D2015,
            context: str | None = None) -> Resolution:
    return resolver.resolve(text, date, context)


# -- data files ------------------------------------------------------------------------

HEADERS = {
    "countries.csv": ["code", "name", "aliases", "demonyms", "capitals", "leader"],
    "historical.csv": ["name", "aliases", "demonyms", "country", "leader", "start", "end"],
    "places.csv": ["name", "aliases", "country", "kind"],
    "seats.csv": ["name", "aliases", "country", "sector", "institution"],
    "organisations.csv": ["code", "name", "aliases", "adjectives", "sector", "kind"],
    "groups.csv": ["name", "aliases", "country", "sector", "kind"],
    "companies.csv": ["name", "aliases", "country", "sector", "kind"],
    "sectors.csv": ["word", "sector", "institution"],
    "titles.csv": ["title", "sector", "office"],
    "modifiers.csv": ["word", "role", "note"],
    "ambiguous.csv": ["name", "candidates", "default", "hints"],
}
# G20 members plus the countries the Japan-Russia corpus talks about most.
COVERED = ("ARG AUS BRA CAN CHN FRA DEU IND IDN ITA JPN KOR MEX RUS SAU ZAF TUR GBR USA UKR PRK "
           "BLR IRN ISR SYR GEO KAZ EST LVA LTU POL NOR NLD ESP VNM PHL TWN MNG").split()


@pytest.mark.parametrize("filename", sorted(HEADERS))
def test_shipped_files_have_their_header_and_full_rows(filename: str) -> None:
    with (DATA / filename).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == HEADERS[filename]
    assert all(len(row) == len(rows[0]) for row in rows), filename


def test_countries_cover_iso_codes_demonyms_and_capitals() -> None:
    with (DATA / "countries.csv").open(encoding="utf-8", newline="") as fh:
        rows = {r["code"]: r for r in csv.DictReader(fh)}
    assert len(rows) >= 249
    assert all(len(code) == 3 and code.isupper() for code in rows)
    for code in COVERED:
        assert rows[code]["demonyms"] and rows[code]["capitals"], code
    with_demonyms = sum(bool(r["demonyms"]) for r in rows.values())
    assert with_demonyms >= 200


def test_every_shared_written_form_is_declared_ambiguous() -> None:
    registry = load_registry()
    undeclared = [k for k in registry.collisions() if k not in registry.ambiguities]
    assert undeclared == []


def test_registry_is_cached_per_file_list(tmp_path: Path) -> None:
    assert load_registry() is load_registry([])
    extra = tmp_path / "extra.csv"
    extra.write_text("pattern,code,sector,name,start,end\nFoo Agency,JPN,GOV,Foo Agency,,\n")
    assert load_registry([extra]) is load_registry([str(extra)])
    assert load_registry([extra]) is not load_registry()


# -- resolution ------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "code", "sector"), [
    ("Japan", "JPN", ""),
    ("Russia", "RUS", ""),
    ("the Soviet Union", "RUS", ""),
    ("USSR", "RUS", ""),
    ("Russian Empire", "RUS", ""),
    ("the United States", "USA", ""),
    ("U.S.", "USA", ""),
    ("Britain", "GBR", ""),
    ("South Korea", "KOR", ""),
    ("North Korea", "PRK", ""),
    ("DPRK", "PRK", ""),
    ("Taiwan", "TWN", ""),
    ("China", "CHN", ""),
    ("Jordan", "JOR", ""),
    ("Chad", "TCD", ""),
    ("Tokyo", "JPN", "GOV"),
    ("Moscow", "RUS", "GOV"),
    ("the Kremlin", "RUS", "GOV"),
    ("Washington", "USA", "GOV"),
    ("the White House", "USA", "GOV"),
    ("the State Department", "USA", "GOV"),
    ("the Pentagon", "USA", "MIL"),
    ("Beijing", "CHN", "GOV"),
    ("Zhongnanhai", "CHN", "GOV"),
    ("Downing Street", "GBR", "GOV"),
    ("the Élysée", "FRA", "GOV"),
    ("Kyiv", "UKR", "GOV"),
    ("Kiev", "UKR", "GOV"),
    ("Kasumigaseki", "JPN", "GOV"),
    ("Japanese officials", "JPN", "GOV"),
    ("the Japanese government", "JPN", "GOV"),
    ("Russian banks", "RUS", "BUS"),
    ("Russian troops", "RUS", "MIL"),
    ("Japanese sanctions", "JPN", ""),
    ("Russia's foreign ministry", "RUS", "GOV"),
    ("Russia’s foreign ministry", "RUS", "GOV"),
    ("the Russian Foreign Ministry", "RUS", "GOV"),
    ("the State Duma", "RUS", "LEG"),
    ("Japan Self-Defense Forces", "JPN", "MIL"),
    ("the LDP", "JPN", "PTY"),
    ("TASS", "RUS", "MED"),
    ("Japanese activists", "JPN", "CVL"),
    ("former residents", None, "CVL"),
    ("the G7", "G7", "IGO"),
    ("Group of Seven", "G7", "IGO"),
    ("G7 nations", "G7", "IGO"),
    ("NATO", "NATO", "IGO"),
    ("the European Union", "EU", "IGO"),
    ("the UN Security Council", "UN", "IGO"),
    ("APEC", "APEC", "IGO"),
    ("the West", "WST", "IGO"),
    ("Western governments", "WST", "IGO"),
    ("European states", "EUR", "IGO"),
    ("Gazprom", "RUS", "BUS"),
    ("Tokyo Gas", "JPN", "BUS"),
    ("Rosneft", "RUS", "BUS"),
    ("Mitsui", "JPN", "BUS"),
    ("ExxonMobil", "USA", "BUS"),
    ("Rebels in the Ivory Coast", "CIV", "REB"),
    ("president of Armenia", "ARM", "GOV"),
    ("Gambian President Dawda Jawara", "GMB", "GOV"),
])
def test_phrases_resolve_to_code_and_sector(resolver, text, code, sector) -> None:
    result = resolve(resolver, text)
    assert (result.code, result.sector) == (code, sector), result.reason


@pytest.mark.parametrize(("text", "date", "code", "sector", "name", "why"), [
    ("Abe", D2015, "JPN", "GOV", "Shinzo Abe", "Prime Minister of JPN on 2015-03-20"),
    ("Putin", D2015, "RUS", "GOV", "Vladimir Putin", "President"),
    ("Prime Minister Abe", D2015, "JPN", "GOV", "Shinzo Abe", "surname 'Abe'"),
    ("Mr. Abe", D2015, "JPN", "GOV", "Shinzo Abe", "surname 'Abe'"),
    ("Japanese Prime Minister Shinzo Abe", D2015, "JPN", "GOV", "Shinzo Abe", "Prime Minister"),
    ("Hatoyama", D2015, "JPN", "ELI", "Yukio Hatoyama", "former Prime Minister"),
    ("former Japanese Prime Minister Yukio Hatoyama", dt.date(2010, 1, 1), "JPN", "ELI",
     "Yukio Hatoyama", "'former' in the text"),
    ("Yoshihide Suga", dt.date(2014, 5, 1), "JPN", "GOV", "Yoshihide Suga",
     "Chief Cabinet Secretary"),
    ("Suga", dt.date(2020, 10, 1), "JPN", "GOV", "Yoshihide Suga", "Prime Minister"),
    ("Medvedev", dt.date(2010, 1, 1), "RUS", "GOV", "Dmitry Medvedev", "President"),
    ("Medvedev", D2015, "RUS", "GOV", "Dmitry Medvedev", "Prime Minister"),
    ("Lavrov", D2015, "RUS", "GOV", "Sergey Lavrov", "Foreign Minister"),
    ("the Japanese prime minister", D2015, "JPN", "GOV", "Shinzo Abe", "prime minister"),
    ("the Japanese leader", D2015, "JPN", "GOV", "Shinzo Abe", "leader"),
    ("the Russian president", D2015, "RUS", "GOV", "Vladimir Putin", "president"),
    ("Russia's foreign minister", D2015, "RUS", "GOV", "Sergey Lavrov", "foreign minister"),
    ("Japan's Chief Cabinet Secretary", D2015, "JPN", "GOV", "Yoshihide Suga",
     "Chief Cabinet Secretary"),
    ("Russia's foreign ministry", None, "RUS", "GOV", "Ministry of Foreign Affairs of Russia",
     "foreign ministry"),
    ("Putin's spokesman", D2015, "RUS", "GOV", None, "Vladimir Putin"),
])
def test_people_and_offices_at_a_date(resolver, text, date, code, sector, name, why) -> None:
    result = resolve(resolver, text, date)
    assert (result.code, result.sector, result.name) == (code, sector, name), result.reason
    assert why in result.reason


def test_explicit_title_in_text_beats_the_date(resolver) -> None:
    # A history passage: the title in the text says when, not the article's date.
    result = resolve(resolver, "then-Prime Minister Morihiro Hosokawa", D2015)
    assert (result.code, result.sector) == ("JPN", "GOV")
    assert "the text calls them" in result.reason


@pytest.mark.parametrize(("text", "location"), [
    ("Crimea", "UKR"), ("the Kuril Islands", "RUS"), ("the Kurils", "RUS"),
    ("the Northern Territories", "RUS"), ("Etorofu", "RUS"), ("Iturup", "RUS"),
    ("Kunashiri", "RUS"), ("Shikotan", "RUS"), ("Habomai", "RUS"), ("Donbas", "UKR"),
    ("Sakhalin", "RUS"), ("Hokkaido", "JPN"), ("Okinawa", "JPN"), ("Vladivostok", "RUS"),
    ("Sochi", "RUS"), ("Nagato", "JPN"), ("Osaka", "JPN"),
])
def test_places_are_not_actors(resolver, text, location) -> None:
    result = resolve(resolver, text)
    assert result.code is None and not result.resolved
    assert result.is_place and result.location == location
    assert result.reason.startswith("place, not an actor")


@pytest.mark.parametrize(("text", "context", "code", "why"), [
    ("Korea", None, None, "ambiguous"),
    ("Korea", "talks in Seoul on Monday", "KOR", "Seoul"),
    ("Congo", None, None, "ambiguous"),
    ("Georgia", None, "GEO", "usual reading"),
    ("Georgia", "the governor of Georgia spoke in Atlanta", "USA", "Atlanta"),
    ("Brussels", None, "BEL", "usual reading"),
    ("Brussels", "EU officials in Brussels agreed new sanctions", "EU", "EU"),
    ("Korean officials", None, None, "ambiguous"),
])
def test_ambiguous_names_need_context(resolver, text, context, code, why) -> None:
    result = resolve(resolver, text, context=context)
    assert result.code == code
    assert why in result.reason


@pytest.mark.parametrize(("text", "why"), [
    ("us", "no actor words"),
    ("Japan-Russia", "relation between JPN and RUS"),
    ("Russian and Japanese officials", "several countries"),
    ("the president", "without a country"),
    ("Zorblatt Quenfield", "unknown name"),
    ("car bomb", "no actor words"),
    ("", "no words"),
])
def test_unresolved_phrases_say_why(resolver, text, why) -> None:
    result = resolve(resolver, text)
    assert result.code is None
    assert why in result.reason


def test_anti_prefix_and_spelling_variants(resolver) -> None:
    assert resolve(resolver, "anti-Syria journalist").code is None
    ukraine = resolve(resolver, "Ukriane")
    assert ukraine.code == "UKR" and "read as 'ukraine'" in ukraine.reason
    assert resolve(resolver, "Zambia").code == "ZMB"


def test_lower_case_input_is_read_but_acronyms_stay_strict(resolver) -> None:
    assert resolve(resolver, "japan").code == "JPN"
    assert resolve(resolver, "us").code is None
    assert resolve(resolver, "US").code == "USA"


def test_context_gives_a_bare_demonym_its_sector(resolver) -> None:
    result = resolve(resolver, "Hungarian", None,
                     "Senior Hungarian and Romanian officials agreed on Wednesday.")
    assert (result.code, result.sector) == ("HUN", "GOV")


def test_office_holder_is_not_given_the_other_sides_country(resolver) -> None:
    context = "Vice Foreign Minister Takeo Mori summoned the Russian ambassador on Monday."
    assert resolve(resolver, "Vice Foreign Minister Takeo Mori", D2015, context).code is None
    context = "Rebels in the Ivory Coast dismissed an appeal from President Laurent Gbagbo."
    result = resolve(resolver, "President Laurent Gbagbo", None, context)
    assert result.code == "CIV" and "the sentence names only" in result.reason


def test_resolution_record() -> None:
    result = ActorResolver().resolve("Tokyo")
    assert result.resolved
    assert set(result.to_dict()) >= {"text", "code", "sector", "name", "reason"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.code = "RUS"  # type: ignore[misc]


# -- surname ambiguity and user files -----------------------------------------------------

PEOPLE_HEADER = "name,aliases,country,role,sector,start,end\n"


def test_two_office_holders_with_one_surname_stay_unresolved(tmp_path: Path) -> None:
    extra = tmp_path / "people.csv"
    extra.write_text(PEOPLE_HEADER
                     + "Ichiro Tanakawa,,JPN,Foreign Minister,GOV,2014-01-01,2016-01-01\n"
                     + "Jiro Tanakawa,,JPN,Defence Minister,GOV,2014-06-01,2016-01-01\n"
                     + "Saburo Tanakawa,,JPN,Prime Minister,GOV,2001-01-01,2002-01-01\n")
    resolver = ActorResolver([extra])
    both = resolver.resolve("Tanakawa", D2015)
    assert both.code is None and "both hold office" in both.reason
    one = resolver.resolve("Tanakawa", dt.date(2014, 3, 1))
    assert one.name == "Ichiro Tanakawa"
    by_title = resolver.resolve("Defence Minister Tanakawa", D2015)
    assert by_title.name == "Jiro Tanakawa"
    in_context = resolver.resolve("Tanakawa", D2015, "Ichiro Tanakawa said on Monday ...")
    assert in_context.name == "Ichiro Tanakawa"


def test_user_people_file_overrides_shipped_person(tmp_path: Path) -> None:
    extra = tmp_path / "people.csv"
    extra.write_text(PEOPLE_HEADER + "Shinzo Abe,,JPN,Special Envoy,GOV,2015-01-01,2015-12-31\n")
    result = ActorResolver([extra]).resolve("Abe", dt.date(2014, 1, 1))
    assert (result.code, result.sector) == ("JPN", "ELI")
    assert "not yet in office" in result.reason


def test_actor_format_file_adds_dated_patterns(tmp_path: Path) -> None:
    extra = tmp_path / "actors.csv"
    extra.write_text("pattern,code,sector,name,start,end\n"
                     "Zorblatt|Mr Zorblatt,RUS,GOV,Ivan Zorblatt,2010-01-01,2012-12-31\n"
                     "Zorblatt,RUS,ELI,Ivan Zorblatt,,\n"
                     "Acme Energy,KAZ,BUS,Acme Energy,,\n")
    resolver = ActorResolver([extra])
    assert resolver.resolve("Zorblatt", dt.date(2011, 1, 1)).sector == "GOV"
    assert resolver.resolve("Zorblatt", D2015).sector == "ELI"
    assert (resolver.resolve("Acme Energy").code, resolver.resolve("Acme Energy").sector) == (
        "KAZ", "BUS")


def test_bad_user_files_name_the_problem(tmp_path: Path) -> None:
    bad_header = tmp_path / "bad.csv"
    bad_header.write_text("who,what\nx,y\n")
    with pytest.raises(InputError, match="unknown actor file layout"):
        ActorResolver([bad_header])
    bad_date = tmp_path / "date.csv"
    bad_date.write_text(PEOPLE_HEADER + "Ann Other,,JPN,Minister,GOV,2015-13-01,\n")
    with pytest.raises(InputError, match="line 2"):
        ActorResolver([bad_date])
    with pytest.raises(InputError, match="actors: cannot read the actor file"):
        ActorResolver([tmp_path / "missing.csv"])


def test_list_actors_by_country_and_day() -> None:
    holders = {a.name: a for a in list_actors("RUS", dt.date(2015, 3, 20))}
    assert {"Vladimir Putin", "Sergey Lavrov"} <= set(holders)
    assert all(r.active(dt.date(2015, 3, 20)) for r in holders["Vladimir Putin"].roles)
    japan = {(a.kind, a.name) for a in list_actors("JPN")}
    assert {("country", "Japan"), ("company", "Tokyo Gas"), ("place", "Hokkaido")} <= japan


# -- PETRARCH dictionaries ---------------------------------------------------------------

PETRARCH_SNIPPET = """\
# a hand-written dictionary in PETRARCH format
SHINZO_ABE_  [JPNGOV 121226-200916]
+ABE_SHINZO_
+PRIME_MINISTER_ABE_
ZORBLATT_INDUSTRIES_ [RUSBUS]
GEORGE_EXAMPLE_  # comment
\t[USAGOV >20090120]
\t[USAELI <090119]
KOFI_EXAMPLE_
\t[IGOUNO 970101-061231]
\t[ELI]
BROKEN_DATE_ [JPNGOV 9008223-991231]
<!-- a comment block
NOT_AN_ACTOR_ [XXX]
-->
DISCARDED_ [---]
"""


def test_import_petrarch_reads_roles_synonyms_and_dates(tmp_path: Path) -> None:
    source = tmp_path / "small.actors"
    source.write_text(PETRARCH_SNIPPET)
    rows = import_petrarch(source)
    by_name: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_name.setdefault(row["name"], []).append(row)
    assert set(by_name) == {"Shinzo Abe", "Zorblatt Industries", "George Example", "Kofi Example"}
    abe = by_name["Shinzo Abe"][0]
    assert abe["pattern"] == "Shinzo Abe|Abe Shinzo|Prime Minister Abe"
    assert (abe["code"], abe["sector"], abe["start"], abe["end"]) == (
        "JPN", "GOV", "2012-12-26", "2020-09-16")
    george = {(r["sector"], r["start"], r["end"]) for r in by_name["George Example"]}
    assert george == {("GOV", "2009-01-20", ""), ("ELI", "", "2009-01-19")}
    kofi = [(r["code"], r["sector"]) for r in by_name["Kofi Example"]]
    assert kofi == [("UN", "IGO"), ("UN", "ELI")]
    skipped = read_petrarch(source).skipped
    assert len(skipped) == 1 and "9008223" in skipped[0] and "line 12" in skipped[0]


def test_imported_dictionary_works_as_an_actor_file(tmp_path: Path) -> None:
    source = tmp_path / "small.actors"
    source.write_text(PETRARCH_SNIPPET)
    target = write_actors_file(import_petrarch(source), tmp_path / "imported.csv")
    resolver = ActorResolver([target])
    george = resolver.resolve("George Example", dt.date(2010, 1, 1))
    assert (george.code, george.sector) == ("USA", "GOV")
    assert resolver.resolve("Zorblatt Industries").code == "RUS"
    assert resolver.resolve("GEORGE EXAMPLE", dt.date(2005, 1, 1)).sector == "ELI"


def test_import_petrarch_on_the_shared_dictionary() -> None:
    path = shared_path("data-ext", "petrarch2", "PETR.Validate.actors.txt")
    rows = import_petrarch(path)
    assert len(rows) > 100
    assert all(len(r["code"]) >= 2 for r in rows)


# -- evaluation ------------------------------------------------------------------------

def test_actor_resolution_on_the_plover_gold_records() -> None:
    path = Path(__file__).resolve().parents[2] / "shared/data-ext/plover/PLOVER_GSR_dev.json"
    if not path.exists():
        pytest.skip("needs ../shared/data-ext (CI has it beside the checkout)")
    report = evaluate_actors(path)
    assert report.n == 330
    assert report.accuracy >= 0.9, [(m.text, m.gold_code, m.code) for m in report.misses]
    data = report.to_dict()
    assert {"n", "accuracy", "strict_accuracy", "sector_accuracy", "misses"} <= set(data)
    assert len(data["misses"]) == report.n - report.correct
    assert isinstance(report.to_table(), Table)


def test_evaluate_rejects_a_file_that_is_not_gold_records(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(InputError, match="Cannot read PLOVER gold records"):
        evaluate_actors(bad)


@pytest.mark.parametrize(("text", "code", "name"), [
    ("Chilean Trade Secretary Ana Ruiz", "CHL", "Ana Ruiz"),
    ("Peruvian Trade Representative Luis Soto", "PER", "Luis Soto"),
    ("Bolivian Commerce Secretary Eva Quispe", "BOL", "Eva Quispe"),
])
def test_a_portfolio_title_is_not_taken_for_the_name(resolver, text, code, name) -> None:
    found = resolve(resolver, text)
    assert (found.code, found.sector, found.name) == (code, "GOV", name)
