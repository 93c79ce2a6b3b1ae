"""Actor mentions in whole documents: phrases, spaCy's mistakes, coreference, seeds."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from conftest import shared_path

from detente.actors import ActorResolver, Mention, find_mentions

D2015 = dt.date(2015, 3, 20)


@pytest.fixture(scope="module")
def model(nlp):
    """The real spaCy pipeline (loaded once per session by conftest's `nlp`)."""
    return nlp


@pytest.fixture(scope="module")
def resolver() -> ActorResolver:
    return ActorResolver()


def mentions(model, resolver, text: str, date: dt.date | None = D2015) -> list[Mention]:
    return find_mentions(model(text), date, resolver)


def by_text(found: list[Mention]) -> dict[str, Mention]:
    return {m.text: m for m in found}


def test_a_full_actor_phrase_is_one_mention(model, resolver) -> None:
    doc = model("Japanese Prime Minister Shinzo Abe met Russian President Vladimir Putin.")
    found = find_mentions(doc, D2015, resolver)
    assert [m.text for m in found] == ["Japanese Prime Minister Shinzo Abe",
                                      "Russian President Vladimir Putin"]
    abe = found[0]
    assert (abe.code, abe.sector, abe.name, abe.kind) == ("JPN", "GOV", "Shinzo Abe", "person")
    assert (abe.start_char, abe.end_char) == (0, len("Japanese Prime Minister Shinzo Abe"))
    assert (abe.token_start, abe.token_end) == (0, 5)
    assert doc[abe.head].text == "Abe"
    assert found[1].name == "Vladimir Putin"


def test_former_wins_over_the_date(model, resolver) -> None:
    found = mentions(model, resolver, "Former Japanese Prime Minister Yukio Hatoyama spoke.",
                     dt.date(2010, 1, 1))
    assert (found[0].code, found[0].sector) == ("JPN", "ELI")
    assert "former" in found[0].reason


def test_registry_beats_spacy_labels(model, resolver) -> None:
    # The small model tags both "Hatoyama" and "Crimea" as ORG here.
    doc = model("Hatoyama visited Crimea in March, and Hatoyama said Crimea had voted freely.")
    assert {e.label_ for e in doc.ents if e.text in ("Hatoyama", "Crimea")} == {"ORG"}
    found = find_mentions(doc, D2015, resolver)
    assert [m.text for m in found] == ["Hatoyama", "Hatoyama"]
    assert all((m.code, m.sector, m.kind) == ("JPN", "ELI", "person") for m in found)


def test_kinds_of_mentions(model, resolver) -> None:
    text = ("Russia's foreign ministry criticised Japanese officials, the G7 and Gazprom, "
            "while Tokyo and the Kremlin disagreed and Russian troops waited.")
    got = {m.text: (m.code, m.sector, m.kind) for m in mentions(model, resolver, text)}
    assert got["Russia's foreign ministry"] == ("RUS", "GOV", "government")
    assert got["Japanese officials"] == ("JPN", "GOV", "government")
    assert got["G7"] == ("G7", "IGO", "organisation")
    assert got["Gazprom"] == ("RUS", "BUS", "company")
    assert got["Tokyo"] == ("JPN", "GOV", "government")
    assert got["Kremlin"] == ("RUS", "GOV", "government")
    assert got["Russian troops"] == ("RUS", "MIL", "group")


def test_descriptions_and_locations_grow_into_the_phrase(model, resolver) -> None:
    text = "The foreign ministry of Russia protested. Rebels in the Ivory Coast refused."
    got = by_text(mentions(model, resolver, text))
    assert got["foreign ministry of Russia"].name == "Ministry of Foreign Affairs of Russia"
    assert (got["Rebels in the Ivory Coast"].code, got["Rebels in the Ivory Coast"].sector) == (
        "CIV", "REB")


def test_places_and_relations_are_not_mentions(model, resolver) -> None:
    text = ("The quarrel over the Senkaku Islands, which China calls the Diaoyu, "
            "shaped Japan-China relations and the U.S.-Japan alliance.")
    found = mentions(model, resolver, text)
    assert [m.text for m in found] == ["China"]


def test_pronouns_follow_the_most_recent_person(model, resolver) -> None:
    text = ("Prime Minister Shinzo Abe arrived in Sochi on Friday. He met Putin. "
            "Putin said his country wanted a treaty.")
    found = mentions(model, resolver, text)
    pronouns = [m for m in found if m.kind == "pronoun"]
    assert [(m.text, m.name) for m in pronouns] == [("He", "Shinzo Abe"),
                                                    ("his", "Vladimir Putin")]
    assert pronouns[0].reason == "coreference: He → Shinzo Abe"
    assert pronouns[0].code == "JPN"


def test_pronouns_do_not_reach_far_back(model, resolver) -> None:
    text = ("Abe spoke. The talks went on. Nothing changed. Tea was served. "
            "Later he left.")
    assert [m.kind for m in mentions(model, resolver, text)] == ["person"]


def test_descriptions_link_to_an_earlier_mention(model, resolver) -> None:
    text = ("Russia's foreign ministry summoned the ambassador. The ministry said the move was "
            "unfriendly. Both sides and the two countries talked.")
    found = mentions(model, resolver, text)
    ministry = [m for m in found if m.text == "ministry"]
    assert len(ministry) == 1
    assert ministry[0].name == "Ministry of Foreign Affairs of Russia"
    assert ministry[0].reason.startswith("coreference: ministry")
    assert not any("sides" in m.text or "countries" in m.text for m in found)


def test_unlinked_descriptions_are_dropped(model, resolver) -> None:
    assert mentions(model, resolver, "The ministry said nothing.") == []


def test_domestic_actors_take_the_country_the_story_is_in(model, resolver) -> None:
    text = ("Strikes spread across Chile on Monday. Riot police fired tear gas at "
            "protesters in Valparaiso, and the opposition walked out of the senate.")
    found = by_text(mentions(model, resolver, text))
    assert (found["Riot police"].code, found["Riot police"].sector) == ("CHL", "GOV")
    assert (found["protesters"].code, found["protesters"].sector) == ("CHL", "CVL")
    assert (found["opposition"].code, found["opposition"].sector) == ("CHL", "OPP")
    assert found["protesters"].reason == "in the story: protesters of Chile"


def test_a_domestic_actor_with_no_country_in_reach_is_dropped(model, resolver) -> None:
    text = ("Chile and Peru signed a fishing accord. The text runs to forty pages. "
            "It covers quotas and inspections. Police later detained two fishermen.")
    assert "Police" not in by_text(mentions(model, resolver, text))


def test_unknown_people_are_kept_unresolved(model, resolver) -> None:
    found = mentions(model, resolver, "Sergey Naryshkin told reporters on Monday that he would go.")
    person = found[0]
    assert (person.text, person.code, person.kind) == ("Sergey Naryshkin", None, "person")
    assert "unknown name" in person.reason
    assert found[1].kind == "pronoun" and found[1].code is None


def test_surname_ambiguity_uses_the_full_name_named_earlier(model, resolver, tmp_path: Path) -> None:
    extra = tmp_path / "people.csv"
    extra.write_text("name,aliases,country,role,sector,start,end\n"
                     "Ichiro Tanakawa,,JPN,Foreign Minister,GOV,2014-01-01,2016-01-01\n"
                     "Jiro Tanakawa,,JPN,Defence Minister,GOV,2014-06-01,2016-01-01\n")
    two = ActorResolver([extra])
    found = find_mentions(model("Jiro Tanakawa arrived. Later Tanakawa spoke."), D2015, two)
    assert [(m.text, m.name, m.code) for m in found] == [
        ("Jiro Tanakawa", "Jiro Tanakawa", "JPN"), ("Tanakawa", "Jiro Tanakawa", "JPN")]
    assert found[1].reason.startswith("coreference: Tanakawa → Jiro Tanakawa")


def test_mentions_agree_with_the_document(model, resolver) -> None:
    doc = model("Suga, Japan's Chief Cabinet Secretary, said Tokyo would not yield. "
                "The Russian president disagreed.")
    found = find_mentions(doc, dt.date(2014, 5, 1), resolver)
    for m in found:
        assert doc.text[m.start_char:m.end_char] == m.text
        span = doc[m.token_start:m.token_end]
        assert span.start_char <= m.start_char and m.end_char <= span.end_char
        assert m.token_start <= m.head < m.token_end
    got = by_text(found)
    assert got["Suga"].reason.endswith("Chief Cabinet Secretary of JPN on 2014-05-01")
    assert got["Russian president"].name == "Vladimir Putin"
    assert set(got["Suga"].to_dict()) >= {"text", "start_char", "end_char", "token_start",
                                          "token_end", "head", "code", "sector", "name",
                                          "reason", "kind"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        got["Suga"].code = "RUS"  # type: ignore[misc]


# -- the seed articles, at their dates --------------------------------------------------------

SEEDS = {  # file prefix → (publication date, (mention text, code, sector) that must be found)
    "000": (D2015, [("Japanese Prime Minister Shinzo Abe", "JPN", "GOV"),
                    ("Russia’s foreign ministry", "RUS", "GOV"), ("Hatoyama", "JPN", "ELI"),
                    ("Group of Seven", "G7", "IGO"), ("Tokyo", "JPN", "GOV"),
                    ("Moscow", "RUS", "GOV"), ("European states", "EUR", "IGO"),
                    ("Chief Cabinet Secretary Yoshihide Suga", "JPN", "GOV")]),
    "001": (dt.date(2018, 6, 1), [("Abe", "JPN", "GOV"), ("G7", "G7", "IGO"),
                                  ("West", "WST", "IGO")]),
    "002": (dt.date(2014, 9, 30), [("Putin", "RUS", "GOV"), ("Tokyo Gas", "JPN", "BUS"),
                                   ("Russian banks", "RUS", "BUS")]),
    "003": (dt.date(2015, 3, 25), [("Putin", "RUS", "GOV"), ("Yeltsin", "RUS", "ELI"),
                                   ("Foreign Minister Sergei Lavrov", "RUS", "GOV"),
                                   ("NATO", "NATO", "IGO")]),
    "004": (dt.date(2021, 3, 1), [("Suga", "JPN", "GOV"), ("Abe", "JPN", "ELI")]),
}


@pytest.mark.parametrize("prefix", sorted(SEEDS))
def test_seed_articles(model, resolver, prefix: str) -> None:
    folder = shared_path("seeds")
    path = next(folder.glob(f"{prefix}_*.txt"))
    date, expected = SEEDS[prefix]
    found = find_mentions(model(path.read_text(encoding="utf-8")), date, resolver)
    got = {(m.text, m.code, m.sector) for m in found}
    for item in expected:
        assert item in got, item
    texts = {m.text for m in found}
    assert not texts & {"Crimea", "Kuril Islands", "Northern Territories", "Hokkaido"}
    assert all(m.reason for m in found)
