"""Event-level dates: the event's own clause, then its sentence, then the document
(src/detente/coding/dating.py), with sentences the team wrote."""

from __future__ import annotations

import datetime as dt

import pytest

from detente.coding.dating import DocumentDates
from detente.dates import DateRef, find_dates
from detente.errors import InputError
from detente.known_events import load_known_events
from detente.records import Document

PUBLISHED = dt.date(2015, 3, 25)  # a Wednesday


def when(nlp, text: str, trigger: str, published: dt.date | None = PUBLISHED,
         precision: str = "day", key: tuple[str, str, str] = ("", "", "")) -> DateRef | None:
    doc = nlp(text)
    sentences = list(doc.sents)
    token = next(t for t in doc if t.text == trigger)
    number = next(i for i, s in enumerate(sentences) if s.start <= token.i < s.end)
    dating = DocumentDates(published, precision, sentences, load_known_events())
    return dating.when(number, token, key)


def test_the_events_own_clause_wins_over_a_side_clause(nlp) -> None:
    text = "Following the border crisis of 1990, Chile imposed sanctions on Peru last fall."
    assert when(nlp, text, "imposed").date == "2014-09"


def test_a_date_in_a_side_clause_is_not_the_events(nlp) -> None:
    text = ("The Chilean foreign minister paid the first visit to Lima since Peru "
            "seized the fishing boats in 2009.")
    found = when(nlp, text, "paid")
    assert (found.date, found.source) == ("2015-03-25", "document")


def test_history_mentioned_in_passing_is_not_the_events_year(nlp) -> None:
    text = "Chile and Peru agreed to speed up talks on the basis of the 1929 treaty."
    found = when(nlp, text, "agreed")
    assert (found.date, found.source) == ("2015-03-25", "document")


def test_a_complement_takes_the_sentences_date(nlp) -> None:
    text = "On Monday the Chilean government said it had recalled its ambassador from Lima."
    assert when(nlp, text, "recalled").date == "2015-03-23"


def test_a_date_of_a_dependent_act_does_not_date_the_request(nlp) -> None:
    text = "Bolivia asked the Chilean mission to leave La Paz by September."
    found = when(nlp, text, "asked")
    assert found.source == "document"


def test_weekday_is_the_latest_such_day_on_or_before_publication(nlp) -> None:
    sunday = dt.date(2015, 3, 29)
    text = "Chile and Peru agreed on Friday that the fishing boats will be returned."
    assert when(nlp, text, "agreed", published=sunday).date == "2015-03-27"


def test_an_announced_event_keeps_its_later_date(nlp) -> None:
    text = "The Chilean president will visit Lima on April 3."
    assert when(nlp, text, "visit").date == "2015-04-03"


def test_no_event_is_dated_after_publication_unless_announced(nlp) -> None:
    text = "Chile recalled its ambassador from Lima in December 2016."
    found = when(nlp, text, "recalled")
    assert (found.date, found.source) == ("2015-03-25", "document")


def test_a_year_only_publication_date_keeps_year_precision(nlp) -> None:
    year_only = dt.date(2019, 1, 1)
    found = when(nlp, "Chile protested to Peru last week.", "protested",
                 published=year_only, precision="year")
    assert (found.date, found.precision) == ("2019", "year")
    found = when(nlp, "Chile protested to Peru on January 22.", "protested",
                 published=year_only, precision="year")
    assert found.date == "2019-01-22"  # not 2018: the text's year is all of 2019
    fallback = when(nlp, "Chile protested to Peru.", "protested", published=year_only,
                    precision="year")
    assert (fallback.date, fallback.precision, fallback.source) == ("2019", "year", "document")


def test_a_month_only_publication_date_never_makes_up_a_day(nlp) -> None:
    found = when(nlp, "Chile protested to Peru yesterday.", "protested",
                 published=dt.date(2024, 2, 1), precision="month")
    assert (found.date, found.precision) == ("2024-02", "month")


def test_a_nominal_event_in_a_side_clause_takes_the_known_events_date(nlp) -> None:
    text = "After Iraq's invasion of Kuwait, Syria sent troops to Saudi Arabia last month."
    published = dt.date(1990, 11, 20)
    invasion = when(nlp, text, "invasion", published=published,
                    key=("IRQ", "KWT", "ASSAULT"))
    assert (invasion.date, invasion.source) == ("1990-08-02", "text")
    assert when(nlp, text, "sent", published=published).date == "1990-10"


def test_the_known_events_table_is_user_extendable(tmp_path) -> None:
    extra = tmp_path / "events.csv"
    extra.write_text("name,date,source,target,plover,pattern\n"
                     "the Lake Titicaca incident,2031-05-04,BOL,PER,ASSAULT,Titicaca incident\n",
                     encoding="utf-8")
    events = load_known_events((extra,))
    assert events[0].name == "the Lake Titicaca incident"
    assert events[0].matches("after the Titicaca incident", "BOL", "PER", "ASSAULT")
    assert not events[0].matches("after the Titicaca incident", "PER", "BOL", "ASSAULT")
    bad = tmp_path / "bad.csv"
    bad.write_text("name,date,source,target,plover,pattern\nx,2031-05-04,,,,([\n",
                   encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.csv, line 2"):
        load_known_events((bad,))


def test_a_story_told_about_an_earlier_year_dates_yearless_days_in_it() -> None:
    story = DateRef("1990-08-02", "day", "text", "2 August 1990", 0, 13)
    later = find_dates("On 10 July Washington lifted the sanctions.", dt.date(1991, 8, 20),
                       narrative=story)
    assert later[0].date == "1991-07-10"  # the first 10 July after the story's date
    same = find_dates("On 12 August the envoys met again.", dt.date(1991, 8, 20),
                      narrative=story)
    assert same[0].date == "1990-08-12"


def test_a_yearless_day_reads_the_story_a_few_sentences_back(nlp) -> None:
    text = ("On 2 August 1990 Iraqi forces invaded Kuwait. The emir fled to Saudi Arabia. "
            "Thousands of foreigners were trapped in the city. On 12 August the envoys met "
            "in Cairo.")
    assert when(nlp, text, "met", published=dt.date(2000, 8, 1)).date == "1990-08-12"


def test_days_counted_from_the_story() -> None:
    story = DateRef("2008-08-26", "day", "text", "26 August 2008", 0, 14)
    found = find_dates("Tbilisi severed relations three days later.", dt.date(2009, 1, 5),
                       narrative=story)
    assert [(r.text, r.date) for r in found] == [("three days later", "2008-08-29")]
    inside = find_dates("On 3 May the envoys met, and the next day they signed a pact.",
                        dt.date(2009, 6, 1))
    assert [r.date for r in inside] == ["2009-05-03", "2009-05-04"]
    assert find_dates("Tbilisi severed relations three days later.", dt.date(2009, 1, 5)) == []


def test_the_coder_dates_each_event_by_its_own_clause(nlp) -> None:
    from detente.coding import load_coder
    from detente.settings import load_settings

    coder = load_coder(load_settings({"fast": True}, env={}))
    text = ("Chile and Peru agreed to speed up talks on the basis of the 1929 treaty. "
            "Chile and Peru held talks in Lima from March 10 to 12.")
    events, _ = coder.code(Document.create(text, date=PUBLISHED), nlp(text))
    dated = {(e.sentence_index, e.date, e.date_end) for e in events}
    assert (1, "2015-03-10", "2015-03-12") in dated
    assert all(e.date == "2015-03-25" for e in events if e.sentence_index == 0)
    assert all(e.to_dict()["date_end"] == "2015-03-12" for e in events
               if e.sentence_index == 1)


def test_an_event_told_in_the_past_continues_the_story(nlp) -> None:
    text = ("On 21 July Chile ordered Peru to close its consulate in Arica. "
            "Peru retaliated by expelling two Chilean diplomats. "
            "Peru has refused to reopen the talks.")
    published = dt.date(2020, 9, 1)
    assert when(nlp, text, "retaliated", published=published).date == "2020-07-21"
    assert when(nlp, text, "refused", published=published).source == "document"


def test_a_story_told_on_in_the_simple_past_keeps_its_date(nlp) -> None:
    published = dt.date(2020, 6, 10)
    text = ("On 4 May Chile closed the mountain pass at Tacora. "
            "Peru summoned the Chilean ambassador. "
            "Bolivia offered to mediate between the two.")
    assert when(nlp, text, "offered", published=published).date == "2020-05-04"
    # A sentence in the present leaves the story: what follows is the text's own news.
    text = ("On 4 May Chile closed the mountain pass at Tacora. "
            "The pass is the main route for Bolivian trucks. "
            "Bolivia offered to mediate between the two.")
    assert when(nlp, text, "offered", published=published).source == "document"


def test_the_story_keeps_its_date_as_long_as_it_is_told_in_the_simple_past(nlp) -> None:
    published = dt.date(2020, 6, 10)
    text = ("On 4 May Chile closed the mountain pass at Tacora. "
            "Peru summoned the Chilean ambassador. "
            "Two Peruvian border posts were evacuated. "
            "Lima sent troops to the frontier. "
            "Bolivia offered to mediate between the two.")
    # four sentences on, through a passive in the simple past ("were evacuated")
    assert when(nlp, text, "offered", published=published).date == "2020-05-04"
    # a sentence in the perfect between them ends the story
    text = text.replace("were evacuated", "have been evacuated")
    assert when(nlp, text, "offered", published=published).source == "document"


def test_a_reported_clause_gives_the_story_its_date(nlp) -> None:
    text = ("Chilean troops seized two border posts on Monday, Peruvian officials said. "
            "Peru recalled its ambassador from Santiago.")
    assert when(nlp, text, "recalled").date == "2015-03-23"


def test_a_noun_in_an_of_phrase_takes_the_part_of_the_noun_it_follows(nlp) -> None:
    text = ("The foreign ministers of the two countries signed a fisheries accord in Lima "
            "on 2 March.")
    assert when(nlp, text, "countries").date == "2015-03-02"
    # while a noun in an "of" phrase on the side keeps its own time
    text = "Chile recalled its envoy on 2 March after the seizure of two Peruvian trawlers."
    assert when(nlp, text, "trawlers").source == "document"


def test_a_long_document_is_dated_without_recursion(nlp) -> None:
    text = " ".join(["Talks went on."] * 1500) + " Chile protested to Peru on Monday."
    assert when(nlp, text, "protested").date == "2015-03-23"


def test_a_date_after_since_is_where_a_state_began_not_the_event(nlp) -> None:
    text = ("Chile and Peru agreed on Monday to restore direct flights between their "
            "capitals, halted since 2019.")
    assert when(nlp, text, "agreed").date == "2015-03-23"
    found = when(nlp, "The rebels have fought the Bolivian army since 1987.", "fought")
    assert (found.date, found.source) == ("2015-03-25", "document")


def test_a_deadline_is_not_the_events_date(nlp) -> None:
    found = when(nlp, "Peru will pull its troops out of the valley by July 2016.", "pull")
    assert (found.date, found.source) == ("2015-03-25", "document")


def test_every_year_of_a_coordinated_date_stays_with_its_noun(nlp) -> None:
    text = "Chile has accused Peru of breaching the 1929 and 1952 fishing treaties."
    found = when(nlp, text, "accused")
    assert (found.date, found.source) == ("2015-03-25", "document")


def test_due_reads_a_yearless_date_forward() -> None:
    text = "The Chilean envoy is due back in Santiago next Monday, March 30."
    assert [r.date for r in find_dates(text, PUBLISHED)] == ["2015-03-30"]


def test_a_past_state_reached_by_a_date_takes_it(nlp) -> None:
    text = "By December 2014 both armies had massed troops along the border."
    assert when(nlp, text, "massed").date == "2014-12"


def test_an_event_noun_inside_the_object_takes_the_clauses_date(nlp) -> None:
    text = "Chile offered Peru an aid package worth two million dollars on Monday."
    assert when(nlp, text, "aid").date == "2015-03-23"


def test_an_infinitive_of_purpose_takes_the_main_clauses_date(nlp) -> None:
    text = "Chile sent two navy ships to Peru on Monday to help the flood victims."
    assert when(nlp, text, "help").date == "2015-03-23"


def test_a_bare_participle_shares_its_clauses_date(nlp) -> None:
    text = ("Bolivian troops occupied the border post on Monday, firing on the guards "
            "who had stayed inside.")
    assert when(nlp, text, "firing").date == "2015-03-23"


def test_a_participle_on_a_noun_shares_the_clauses_date(nlp) -> None:
    text = "In February the Chilean president sent Lima a letter expressing regret."
    assert when(nlp, text, "expressing").date == "2015-02"


def test_a_bare_participles_date_is_its_clauses(nlp) -> None:
    text = "Chile and Peru signed a treaty settling the border dispute on 3 June 1929."
    assert when(nlp, text, "signed").date == "1929-06-03"


@pytest.mark.parametrize(("text", "trigger", "date"), [
    (("Peru recalled its ambassador on Monday, three days after Chile expelled a Peruvian "
     "diplomat."), "expelled", "2015-03-20"),
    (("Protesters gathered outside the embassy on Sunday, a day after the army shelled the "
     "border town."), "shelled", "2015-03-21"),
    ("Oslo hosted the talks in May 2014, two months before both sides signed the accord.",
     "signed", "2014-07"),
    (("Troops crossed the border on Friday, hours after the government declared a state of "
     "emergency."), "declared", "2015-03-20"),
    # the parser hangs the span on "after" rather than on the clause
    (("Chile's senate on Wednesday approved the purchase of frigates, two days after Peru "
      "and Bolivia closed the border with Chile."), "closed", "2015-03-23"),
    # the side clause's own date wins
    (("Peru recalled its ambassador on Monday, three days after Chile expelled a diplomat on "
     "4 March."), "expelled", "2015-03-04"),
])
def test_a_side_clause_set_a_span_from_its_clause_is_dated_by_it(nlp, text, trigger,
                                                                 date) -> None:
    assert when(nlp, text, trigger).date == date


@pytest.mark.parametrize(("text", "trigger", "date"), [
    # a "when" clause shares its main clause's date, and the other way round
    ("Peru protested on 4 March when Chile closed the mountain pass.", "closed", "2015-03-04"),
    ("When Chile closed the mountain pass on 4 March, Peru protested.", "protested",
     "2015-03-04"),
    ("Peru protested on 4 March while Chile moved troops to the pass.", "moved", "2015-03-04"),
    # an "after" clause with no count does not
    ("Peru protested on 4 March after Chile closed the mountain pass.", "closed", "2015-03-25"),
])
def test_a_when_clause_shares_its_main_clauses_date(nlp, text, trigger, date) -> None:
    assert when(nlp, text, trigger).date == date


def test_a_sentence_parsed_without_a_main_verb_takes_its_clauses_date(nlp) -> None:
    # the parser makes "troops" the root and "crossed" a clause on "gunships"
    text = ("Kenyan troops backed by helicopter gunships crossed into southern Somalia on "
            "Sunday to attack al Shabaab militants.")
    assert nlp(text)[1].dep_ == "ROOT"
    assert when(nlp, text, "troops").date == "2015-03-22"


def test_a_reaction_told_on_a_noun_in_apposition_keeps_its_own_time(nlp) -> None:
    text = "Japan bought three of the islands last week, a move China called illegal."
    assert when(nlp, text, "called").source == "document"


def test_two_days_of_one_month_date_the_event_at_the_first(nlp) -> None:
    text = "During talks in Quito on 9 and 10 March, Peru signed a fishing accord with Ecuador."
    assert when(nlp, text, "signed").date == "2015-03-09"


def test_a_gerund_after_a_preposition_continues_the_story(nlp) -> None:
    text = ("On 14 March Peru expelled four Chilean diplomats. "
            "Chile retaliated by expelling four Peruvian diplomats.")
    assert when(nlp, text, "expelling").date == "2015-03-14"


def test_a_flashback_in_the_perfect_does_not_move_the_story(nlp) -> None:
    text = ("Quito had warned in 2014 that it would close the border. "
            "On 9 March Ecuador closed it, and Peru protested within hours.")
    assert when(nlp, text, "closed").date == "2015-03-09"


def test_an_act_set_for_a_date_takes_it(nlp) -> None:
    text = "The border talks between Chile and Bolivia are due to open on 3 April."
    assert when(nlp, text, "talks").date == "2015-04-03"


def test_an_event_during_which_the_act_happened_shares_its_date(nlp) -> None:
    text = "The ferry deal was agreed last month during the first visit to Lima by a Chilean envoy."
    assert when(nlp, text, "visit").date == "2015-02"


def test_a_date_on_the_occasion_dates_the_act(nlp) -> None:
    text = "Chile lodged a protest during talks in Lima last week."
    assert when(nlp, text, "lodged").date == "2015-03"


def test_a_gerund_after_with_shares_the_main_clauses_date(nlp) -> None:
    text = ("Chile and Peru settled the last stretch of their border in 2011, with Chile "
            "handing back two islets to Peru.")
    assert when(nlp, text, "handing").date == "2011"


def test_a_participle_on_the_event_noun_dates_it(nlp) -> None:
    text = "A ceasefire agreed by Chile and Peru in February has held since."
    assert when(nlp, text, "ceasefire").date == "2015-02"


def test_an_act_in_talks_shares_their_date(nlp) -> None:
    text = "On Monday, in talks with Peru's trade minister, Chile asked for lower tariffs."
    assert when(nlp, text, "talks").date == "2015-03-23"


def test_a_relative_clause_shares_its_clauses_date(nlp) -> None:
    text = ("In February the Chilean envoy met President Ollanta Humala, who agreed to "
            "reopen the crossing.")
    assert when(nlp, text, "agreed").date == "2015-02"


def test_a_relative_clause_in_the_perfect_keeps_its_own_time(nlp) -> None:
    text = "On Monday Chile recalled its envoy from Peru, which had seized two fishing boats."
    assert when(nlp, text, "seized").source == "document"


def test_an_event_reported_by_one_of_its_actors_takes_the_reported_date(nlp) -> None:
    text = "Two Peruvian patrol boats entered the disputed bay on Friday, Chile's navy said."
    assert when(nlp, text, "said").date == "2015-03-20"


def test_a_headline_takes_the_date_its_lead_gives(nlp) -> None:
    text = ("Chile and Bolivia agree to reopen border crossing\n\n"
            "Chile and Bolivia agreed on Monday to reopen the Colchane crossing after "
            "two years. The ministers met in Arica.")
    doc = nlp(text)
    sentences = list(doc.sents)
    agree = next(t for t in doc if t.text == "agree")
    dating = DocumentDates(PUBLISHED, "day", sentences, headline=True)
    assert dating.when(0, agree).date == "2015-03-23"
    # Not a headline: the document's own date.
    assert DocumentDates(PUBLISHED, "day", sentences).when(0, agree).source == "document"


def test_a_party_named_by_by_or_between_stands_for_its_act(nlp) -> None:
    # "by" brings the actors of a passive act; "between", the parties to a noun's act
    text = "The border accord was signed on 4 March by the Chilean and Peruvian envoys."
    assert when(nlp, text, "envoys").date == "2015-03-04"
    text = "The clash between Chilean and Peruvian patrols on 9 March left two dead."
    assert when(nlp, text, "patrols").date == "2015-03-09"


def test_talks_on_the_side_keep_their_own_time_for_their_parties(nlp) -> None:
    text = ("On 9 March Chile and Peru signed a fisheries accord. "
            "The accord came after two days of talks between Chilean and Peruvian officials.")
    assert when(nlp, text, "officials").source == "document"


def test_a_year_alone_does_not_set_the_year_of_a_later_day(nlp) -> None:
    published = dt.date(2020, 9, 1)
    text = ("A boundary treaty was signed in 1974, but Peru never ratified it. "
            "The Chilean president visited Lima on 6 June.")
    assert when(nlp, text, "visited", published=published).date == "2020-06-06"
    # while a month of an earlier year does ("in August 1990 … on 10 July" is 1991)
    text = ("Chile closed the pass in August 2017, and Peru never reopened it. "
            "The Chilean president visited Lima on 6 June.")
    assert when(nlp, text, "visited", published=published).date == "2018-06-06"


def test_a_year_written_into_a_name_is_the_names(nlp) -> None:
    published = dt.date(2020, 9, 1)
    text = ("The Peruvian president praised the March 2012 Arica Protocol. "
            "Bolivia welcomed her words.")
    assert when(nlp, text, "welcomed", published=published).source == "document"


def test_a_date_in_a_clause_of_purpose_dates_the_act(nlp) -> None:
    text = "Peru became the first country to recognise the new government on 2 March."
    assert when(nlp, text, "became").date == "2015-03-02"


def test_a_bare_year_does_not_pass_on_to_the_story(nlp) -> None:
    published = dt.date(2020, 9, 1)
    text = ("Chile and Peru fought over the border in 1998. "
            "Bolivia offered to mediate.")
    assert when(nlp, text, "offered", published=published).source == "document"
    text = ("Chile and Peru fought over the border in March 1998. "
            "Bolivia offered to mediate.")
    assert when(nlp, text, "offered", published=published).date == "1998-03"
    # a year set before its verb frames the story that follows
    text = "In 1998 Chile and Peru fought over the border. Bolivia offered to mediate."
    assert when(nlp, text, "offered", published=published).date == "1998"


def test_later_takes_an_act_out_of_the_story(nlp) -> None:
    published = dt.date(2020, 9, 1)
    text = ("On 4 May Chile closed the mountain pass at Tacora. "
            "Peru later recalled its ambassador.")
    assert when(nlp, text, "recalled", published=published).source == "document"
    # while a count of time from the story is the story's date moved
    text = ("On 4 May Chile closed the mountain pass at Tacora. "
            "Two days later Peru recalled its ambassador.")
    assert when(nlp, text, "recalled", published=published).date == "2020-05-06"


def test_last_week_frames_the_news_and_starts_no_story(nlp) -> None:
    text = ("Chile closed the mountain pass at Tacora last week. "
            "Peru recalled its ambassador.")
    assert when(nlp, text, "recalled").source == "document"
    text = ("Chile closed the mountain pass at Tacora on Monday. "
            "Peru recalled its ambassador.")
    assert when(nlp, text, "recalled").date == "2015-03-23"


def test_a_date_in_an_infinitive_dates_the_act_told_in_the_past(nlp) -> None:
    text = "Chile declined to sign the fisheries accord in 2009."
    assert when(nlp, text, "declined").date == "2009"
    # but not a plan or an act in the perfect
    text = "Chile has agreed to sign the fisheries accord in May."
    assert when(nlp, text, "agreed").source == "document"


def test_a_party_described_by_a_dated_relative_clause_acts_in_it(nlp) -> None:
    text = "Peruvian troops, which crossed the border on 9 March, now hold two villages."
    assert when(nlp, text, "troops").date == "2015-03-09"


def test_a_time_hung_after_the_object_dates_the_clause(nlp) -> None:
    text = ("On 4 March Chile closed the mountain pass at Tacora. "
            "Peru announced a ban on Chilean fruit imports the next day.")
    assert when(nlp, text, "announced").date == "2015-03-05"


def test_a_reported_act_does_not_take_the_statements_date(nlp) -> None:
    text = ("The Peruvian foreign ministry said on Monday that Chile had withdrawn its "
            "patrol boats from the bay.")
    assert when(nlp, text, "said").date == "2015-03-23"
    assert when(nlp, text, "withdrawn").source == "document"


def test_a_participle_after_its_clause_keeps_its_own_date(nlp) -> None:
    text = ("On 17 March the presidents of Chile and Peru announced that their governments "
            "would move to restore diplomatic relations, broken off in January 2009. "
            "Peru released two Chilean fishermen the same day.")
    assert when(nlp, text, "released").date == "2015-03-17"


def test_a_range_of_days_followed_by_a_noun_of_people_is_still_a_range(nlp) -> None:
    published = dt.date(2020, 9, 1)
    text = "On the night of 3 to 4 May troops from Chile crossed into Peru."
    assert when(nlp, text, "crossed", published=published).date == "2020-05-03"
    # while numbers before such a noun count it
    assert find_dates("Chile sent 10 to 12 troops to the border.", published) == []


def test_two_dates_joined_by_and_date_the_act_at_the_first(nlp) -> None:
    published = dt.date(2020, 9, 1)
    text = ("In March and April Chile massed troops near the Peruvian border. "
            "Peru recalled its ambassador from Santiago.")
    assert when(nlp, text, "massed", published=published).date == "2020-03"
    assert when(nlp, text, "recalled", published=published).date == "2020-03"
    # two clauses, each with its own date, keep theirs
    text = "Chile closed the pass on 4 May, and two days later Peru recalled its ambassador."
    assert when(nlp, text, "recalled", published=published).date == "2020-05-06"


def test_a_side_clause_dates_the_story_when_its_main_clause_gives_none(nlp) -> None:
    text = ("Two Peruvian guards were killed when Chilean troops stormed a border post on "
            "Monday. Peru recalled its ambassador from Santiago.")
    assert when(nlp, text, "recalled").date == "2015-03-23"
    # while a date of the main clause is the story's
    text = ("On Sunday Peru closed the border after Chilean troops stormed a post on "
            "Saturday. Chile recalled its ambassador from Lima.")
    assert when(nlp, text, "recalled").date == "2015-03-22"


def test_an_infinitives_date_in_the_past_is_the_storys(nlp) -> None:
    text = ("Chile applied to join the Andean trade pact on 2 March. "
            "Peru welcomed the application.")
    assert when(nlp, text, "welcomed").date == "2015-03-02"
