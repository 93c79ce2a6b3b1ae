"""The event coder on hand-written sentences: each construction, positive and negative."""

from __future__ import annotations

import datetime as dt

import pytest

from detente.records import Document

DATE = dt.date(2015, 3, 25)


@pytest.fixture(scope="module")
def coder():
    from detente.coding import load_coder
    from detente.settings import load_settings

    return load_coder(load_settings({"fast": True}, env={}))


def code(coder, nlp, text: str, date: dt.date = DATE):
    doc = Document.create(text, date=date)
    events, _mentions = coder.code(doc, nlp(text))
    return events


def triples(events):
    return {(e.source.code, e.target.code if e.target else "", e.plover) for e in events}


@pytest.mark.parametrize("text,expected", [
    ("Japan imposed sanctions on Russia.", {("JPN", "RUS", "SANCTION")}),
    ("Sanctions were imposed on Russia by Japan.", {("JPN", "RUS", "SANCTION")}),
    ("Turkey's foreign ministry criticized Greece's decision to extend the drills.",
     {("TUR", "GRC", "ACCUSE")}),
    ("Japan expelled eight Russian diplomats.", {("JPN", "RUS", "SANCTION")}),
    ("Prime Minister Shinzo Abe met President Vladimir Putin in Sochi.",
     {("JPN", "RUS", "CONSULT")}),
    ("Abe and Putin met in Sochi.", {("JPN", "RUS", "CONSULT"), ("RUS", "JPN", "CONSULT")}),
    ("Abe held talks with Lavrov in Tokyo.", {("JPN", "RUS", "CONSULT")}),
    ("The United States, France and Britain launched strikes on Syria.",
     {("USA", "SYR", "ASSAULT"), ("FRA", "SYR", "ASSAULT"), ("GBR", "SYR", "ASSAULT")}),
    (("Chief Cabinet Secretary Yoshihide Suga told reporters that Russia's annexation of "
      "Crimea violated international law."), {("JPN", "RUS", "ACCUSE")}),
    ("Japan protested to Russia over Medvedev's visit to the islands.",
     {("JPN", "RUS", "ACCUSE")}),
    ("Japan and Russia signed an agreement on fisheries.",
     {("JPN", "RUS", "SUPPORT"), ("RUS", "JPN", "SUPPORT")}),
    ("Tokyo called on Moscow to return the islands.", {("JPN", "RUS", "REQUEST")}),
    ("Russia rejected Japan's proposal.", {("RUS", "JPN", "REJECT")}),
])
def test_constructions(coder, nlp, text, expected):
    assert expected <= triples(code(coder, nlp, text))


@pytest.mark.parametrize("text", [
    "Japan was the only G7 country not to expel Russian diplomats.",
    "No visit by Erdogan to Greece will take place.",
    "Japan should seek regional cooperation with Russia.",
    "If Russia returned the islands, Japan would sign a peace treaty with Russia.",
    "Will Japan impose sanctions on Russia?",
    "It seems unlikely that Abe will achieve a deal with Putin.",
    "Japan did not impose sanctions on Russia.",
])
def test_not_coded(coder, nlp, text):
    assert not code(coder, nlp, text), text


def test_refused_to_accuse_is_reject_not_accuse(coder, nlp):
    found = triples(code(coder, nlp, "Japan refused to accuse Russia of the attack."))
    assert ("JPN", "RUS", "ACCUSE") not in found
    assert ("JPN", "RUS", "REJECT") in found


def test_record_fields_and_date(coder, nlp):
    [event] = [e for e in code(coder, nlp, "Last September Turkey's foreign ministry "
                                            "criticized Greece's decision to extend the drills.")
               if e.plover == "ACCUSE"]
    assert event.date == "2014-09" and event.date_precision == "month"
    assert event.date_source == "text"
    assert event.source.sector == "GOV" and event.source.code == "TUR"
    assert event.cameo.startswith("11") and event.quad_class == 3
    assert event.goldstein < 0 and 0 < event.confidence <= 1
    assert event.evidence.startswith("Last September Turkey's foreign ministry")
    assert event.coder.startswith("coder.rules.v1")


def test_time_aware_actor(coder, nlp):
    text = "Suga met Lavrov in Moscow."
    [e2014] = code(coder, nlp, text, dt.date(2014, 6, 1))
    [e2020] = code(coder, nlp, text, dt.date(2020, 12, 1))
    assert e2014.source.code == "JPN" and e2014.source.sector == "GOV"
    assert "Suga" in e2020.source.name


def test_document_date_fallback(coder, nlp):
    [event] = code(coder, nlp, "Japan imposed sanctions on Russia.")
    assert event.date == DATE.isoformat() and event.date_source == "document"


def test_repeated_event_coded_once(coder, nlp):
    text = ("Japan imposed sanctions on Russia in August 2014. "
            "Japan imposed sanctions on Russia, officials said.")
    events = [e for e in code(coder, nlp, text) if e.plover == "SANCTION"]
    assert len(events) == 1 and events[0].date == "2014-08"


def test_title_only_official_takes_the_datelines_country(coder, nlp):
    from detente.ingest.clean import clean_text

    text = clean_text("TOKYO - Vice Foreign Minister Takeo Mori summoned Russian Ambassador "
                      "Mikhail Galuzin on Monday to protest the visit.")
    found = triples(code(coder, nlp, text))
    assert found == {("JPN", "RUS", "ACCUSE")}  # summoned *to protest*: the protest counts


def test_light_verb_is_coded_from_its_noun(coder, nlp):
    found = triples(code(coder, nlp, "Japan lodged a protest with Russia over the drills."))
    assert found == {("JPN", "RUS", "ACCUSE")}


def test_reported_demand(coder, nlp):
    found = triples(code(coder, nlp, "Russia said on Tuesday that Sudan must return the "
                                     "helicopter."))
    assert ("RUS", "SDN", "REQUEST") in found


def test_future_meeting_is_intent(coder, nlp):
    [event] = code(coder, nlp, "Abe will meet Putin in Vladivostok next month.")
    assert event.plover == "AGREE" and event.cameo == "036"


def test_protest_without_target_is_aimed_at_the_government_where_it_happens(coder, nlp):
    events = [e for e in code(coder, nlp, "Thousands of Russian protesters demonstrated in "
                                          "Moscow on Sunday.") if e.plover == "PROTEST"]
    assert events and events[0].target.code == "RUS" and events[0].target.sector == "GOV"


@pytest.mark.parametrize("text,expected", [
    ("Syria says it is willing to withdraw its troops from Lebanon.", ("SYR", "LBN", "AGREE")),
    ("Russia said it was prepared to impose sanctions on Japan.", ("RUS", "JPN", "THREATEN")),
])
def test_stated_intentions(coder, nlp, text, expected):
    assert expected in triples(code(coder, nlp, text))


def test_force_with_no_actor_target_falls_on_the_place(coder, nlp):
    found = triples(code(coder, nlp, "Russian forces held military exercises on Etorofu and "
                                     "deployed missiles in Crimea."))
    assert ("RUS", "UKR", "MOBILIZE") in found


def test_people_take_their_role_on_the_events_date(coder, nlp):
    text = ("The Budapest Memorandum, signed by Yeltsin and Prime Minister John Major "
            "in December 1994, gave assurances to Ukraine.")
    events = code(coder, nlp, text, dt.date(2015, 3, 25))
    [event] = [e for e in events if e.source.code == "RUS"]
    assert event.date == "1994-12" and event.source.sector == "GOV"


def test_a_repeat_dated_less_precisely_within_another_is_the_same_event():
    from example_stores import Spec, make_event

    from detente.coding.coder import dedupe

    def sanction(date: str, sentence: int):
        return make_event("d1", Spec("CHL", "PER", "SANCTION", date, -8.0, 4, "163",
                                     sentence=sentence), "Chile sanctioned Peru.")

    headline, body, later = sanction("2018-11", 0), sanction("2018-11-14", 3), \
        sanction("2019-02", 7)
    assert dedupe([headline, body, later]) == [body, later]
