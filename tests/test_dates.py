"""Date expressions and their resolution against a publication date (detente.dates)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import doctest

import pytest

from detente import dates
from detente.dates import DateRef, event_date, find_dates, infer_publication_date

REF = dt.date(2015, 3, 25)  # a Wednesday; the seed articles were published in March 2015


def only(sentence: str, reference: dt.date | None = REF) -> tuple[str, str, str, str | None]:
    """(text, date, precision, end_date) of the single expression in `sentence`."""
    refs = find_dates(sentence, reference)
    assert len(refs) == 1, refs
    r = refs[0]
    return r.text, r.date, r.precision, r.end_date


EXPLICIT = [
    ("Russia annexed Crimea on March 18, 2014.", ("March 18, 2014", "2014-03-18", "day", None)),
    ("Russia annexed Crimea on 18 March 2014.", ("18 March 2014", "2014-03-18", "day", None)),
    ("on the 18th of March 2014", ("18th of March 2014", "2014-03-18", "day", None)),
    ("MARCH 18, 2014: Crimea is annexed", ("MARCH 18, 2014", "2014-03-18", "day", None)),
    ("Published 18 Mar 2015", ("18 Mar 2015", "2015-03-18", "day", None)),
    ("the decree of 2014-03-18 took effect", ("2014-03-18", "2014-03-18", "day", None)),
    ("logged at 2015-03-25T10:31:00Z", ("2015-03-25T10:31:00Z", "2015-03-25", "day", None)),
    ("On Tuesday, March 18, 2014, Putin spoke", ("Tuesday, March 18, 2014", "2014-03-18", "day",
                                                 None)),
    ("(Interfax, November19 2014)", ("November19 2014", "2014-11-19", "day", None)),
    ("(Xinhua, Sept. 24, 2014)", ("Sept. 24, 2014", "2014-09-24", "day", None)),
    ("sanctions imposed in March 2014", ("March 2014", "2014-03", "month", None)),
    ("the Tokyo Declaration, signed in October 1993", ("October 1993", "1993-10", "month", None)),
    ("Japan’s victory in 1905 solidified", ("1905", "1905", "year", None)),
    ("the Franco-German friendship treaty of 1963", ("1963", "1963", "year", None)),
    ("relations have been tense since 2012", ("2012", "2012", "year", None)),
    ("the 2014 sanctions hurt trade", ("2014", "2014", "year", None)),
    ("the 1993 Tokyo Declaration", ("1993", "1993", "year", None)),
    ("2014's sanctions", ("2014", "2014", "year", None)),
    ("a summit in the spring of 2014", ("spring of 2014", "2014-03", "month", None)),
    ("Putin's visit scheduled for autumn 2014", ("autumn 2014", "2014-09", "month", None)),
    ("in the 1990s", ("1990s", "1990", "year", "1999")),
    ("in the early 1990s", ("early 1990s", "1990", "year", "1993")),
    ("Through the 18th and 19th centuries, trade", ("18th and 19th centuries", "1700", "year",
                                                   "1899")),
    ("the 20th century", ("20th century", "1900", "year", "1999")),
    ("at the end of 2014, Ukraine held elections", ("the end of 2014", "2014-12", "month", None)),
    ("late 2014", ("late 2014", "2014-12", "month", None)),
    ("early 2015", ("early 2015", "2015-01", "month", None)),
    ("the beginning of 2015", ("the beginning of 2015", "2015-01", "month", None)),
    ("by mid-2016", ("mid-2016", "2016-06", "month", None)),
    ("at the end of May 2014", ("the end of May 2014", "2014-05", "month", None)),
]


@pytest.mark.parametrize(("sentence", "expected"), EXPLICIT)
def test_explicit_dates(sentence: str, expected: tuple[str, str, str, str | None]) -> None:
    assert only(sentence) == expected


YEARLESS = [
    # A day and month without a year: the latest such day on or before publication.
    ("The talks took place on March 10.", "2015-03-10", "day"),
    ("The talks took place on December 15.", "2014-12-15", "day"),
    ("The talks took place on March 25.", "2015-03-25", "day"),
    ("The talks took place on 26 March.", "2014-03-26", "day"),
    ("He arrived Mar. 18.", "2015-03-18", "day"),
    ("On April 11, the second meeting was held", "2014-04-11", "day"),
    ("Putin signed it on May 9.", "2014-05-09", "day"),
    # A month alone needs a preposition; the latest such month on or before publication.
    ("Naryshkin attended the event in May.", "2014-05", "month"),
    ("The ceasefire was reached in March.", "2015-03", "month"),
    ("earlier in September", "2014-09", "month"),
    ("in late March", "2015-03", "month"),
    ("the end of May", "2014-05", "month"),
    ("the end of March", "2015-03", "month"),
]


@pytest.mark.parametrize(("sentence", "date", "precision"), YEARLESS)
def test_yearless_dates_take_the_latest_year_on_or_before_publication(
        sentence: str, date: str, precision: str) -> None:
    assert only(sentence)[1:3] == (date, precision)


FUTURE = [
    ("Merkel is still expected to travel to Beijing in May.", "2015-05"),
    ("Abe visited Russia in May.", "2014-05"),
    ("Abe will meet Putin on Tuesday.", "2015-03-31"),
    ("Abe met Putin on Tuesday.", "2015-03-24"),
    ("The trip will end at the end of May.", "2015-05"),
    ("The forum is anticipated to open on May 25.", "2015-05-25"),
    # The future cue counts only in its own clause.
    ("Putin visited Tokyo in May; Abe will go to Moscow.", "2014-05"),
    # A date something is prepared for lies ahead.
    ("Lima pressed its claim ahead of a May 2 deadline set by the court.", "2015-05-02"),
    ("Envoys met in preparation for the summit in Quito, April 20 to 22.", "2015-04-20"),
]


@pytest.mark.parametrize(("sentence", "date"), FUTURE)
def test_future_tense_clause_reads_yearless_dates_forward(sentence: str, date: str) -> None:
    assert only(sentence)[1] == date


RANGES = [
    ("a delegation toured Gdansk from March 10 to 15.", ("from March 10 to 15", "2015-03-10",
                                                         "day", "2015-03-15")),
    ("the visit of March 10 to 15", ("March 10 to 15", "2015-03-10", "day", "2015-03-15")),
    ("the visit of 10-15 March", ("10-15 March", "2015-03-10", "day", "2015-03-15")),
    ("the summit on March 19–20", ("March 19–20", "2015-03-19", "day", "2015-03-20")),
    ("in Toronto on April 22-24, 2018, Japan", ("April 22-24, 2018", "2018-04-22", "day",
                                                "2018-04-24")),
    ("from March 10 to April 2, 2014", ("from March 10 to April 2, 2014", "2014-03-10", "day",
                                        "2014-04-02")),
    ("between 2014 and 2016", ("between 2014 and 2016", "2014", "year", "2016")),
    ("talks in Hanoi on 9 and 10 March", ("9 and 10 March", "2015-03-09", "day", "2015-03-10")),
    ("talks in Hanoi on March 9 and 10", ("March 9 and 10", "2015-03-09", "day", "2015-03-10")),
    ("In office from 2012 to 2020, Abe", ("from 2012 to 2020", "2012", "year", "2020")),
    ("the 1941-45 war", ("1941-45", "1941", "year", "1945")),
    ("(November 2013 to February 2014)", ("November 2013 to February 2014", "2013-11", "month",
                                          "2014-02")),
    ("(February to March 2014)", ("February to March 2014", "2014-02", "month", "2014-03")),
    ("from December to February 2015", ("from December to February 2015", "2014-12", "month",
                                        "2015-02")),
]


@pytest.mark.parametrize(("sentence", "expected"), RANGES)
def test_ranges_give_start_and_end(sentence: str, expected: tuple[str, str, str, str]) -> None:
    assert only(sentence) == expected


@pytest.mark.parametrize(("sentence", "date"), [
    ("The 1978 border treaty, signed in Lima in October of that year, still holds.",
     "1978-10"),
    ("Chile and Peru met in 1999 and signed the accord on 12 August that year.",
     "1999-08-12"),
])
def test_a_month_of_that_year_takes_the_year_written_before_it(sentence: str,
                                                               date: str) -> None:
    assert [r.date for r in find_dates(sentence, REF)][-1] == date


def test_and_without_between_is_two_dates_sharing_a_year() -> None:
    refs = find_dates("calls in September and October 2014", REF)
    assert [(r.text, r.date) for r in refs] == [("September", "2014-09"),
                                                ("October 2014", "2014-10")]


RELATIVE = [
    ("Ankara recalled its envoy on March 18 last year", ("March 18 last year", "2014-03-18",
                                                      "day")),
    ("in May last year", ("May last year", "2014-05", "month")),
    ("Japan expanded sanctions last September", ("last September", "2014-09", "month")),
    ("last March", ("last March", "2014-03", "month")),
    ("last May", ("last May", "2014-05", "month")),
    ("next May", ("next May", "2015-05", "month")),
    ("next March", ("next March", "2016-03", "month")),
    ("this May", ("this May", "2015-05", "month")),
    ("next month", ("next month", "2015-04", "month")),
    ("this month", ("this month", "2015-03", "month")),
    ("earlier this month", ("earlier this month", "2015-03", "month")),
    ("last month", ("last month", "2015-02", "month")),
    ("last year", ("last year", "2014", "year")),
    ("this year", ("this year", "2015", "year")),
    ("next year", ("next year", "2016", "year")),
    ("earlier this year", ("earlier this year", "2015", "year")),
    ("late last year", ("late last year", "2014-12", "month")),
    ("by the end of next year", ("the end of next year", "2016-12", "month")),
    ("at the end of the year", ("the end of the year", "2015-12", "month")),
    # a week is no day: the month of its day seven days off (annotation guide §10)
    ("last week", ("last week", "2015-03", "month")),
    ("this week", ("this week", "2015-03", "month")),
    ("next week", ("next week", "2015-04", "month")),
    ("Japan sided with the U.S. to sanction Russia last fall", ("last fall", "2014-09", "month")),
    ("last autumn", ("last autumn", "2014-09", "month")),
    ("last spring", ("last spring", "2014-03", "month")),
    ("last summer", ("last summer", "2014-06", "month")),
    ("last winter", ("last winter", "2014-12", "month")),
    ("this spring", ("this spring", "2015-03", "month")),
    ("next fall", ("next fall", "2015-09", "month")),
    ("They met on Tuesday.", ("Tuesday", "2015-03-24", "day")),
    ("They met on Wednesday.", ("Wednesday", "2015-03-25", "day")),
    ("They met last Wednesday.", ("last Wednesday", "2015-03-18", "day")),
    ("They meet next Tuesday.", ("next Tuesday", "2015-03-31", "day")),
    ("Tuesday's meeting", ("Tuesday", "2015-03-24", "day")),
    ("Moscow said yesterday", ("yesterday", "2015-03-24", "day")),
    ("Moscow said today", ("today", "2015-03-25", "day")),
    ("Moscow will answer tomorrow", ("tomorrow", "2015-03-26", "day")),
    ("two years ago", ("two years ago", "2013", "year")),
    ("three months ago", ("three months ago", "2014-12", "month")),
    ("twelve months ago", ("twelve months ago", "2014-03", "month")),
    ("10 days ago", ("10 days ago", "2015-03-15", "day")),
    ("a week ago", ("a week ago", "2015-03-18", "day")),
    ("two decades ago", ("two decades ago", "1995", "year")),
]


@pytest.mark.parametrize(("sentence", "expected"), RELATIVE)
def test_relative_expressions(sentence: str, expected: tuple[str, str, str]) -> None:
    assert only(sentence)[:3] == expected


def test_this_winter_in_january_is_the_winter_that_began_in_december() -> None:
    assert only("this winter", dt.date(2015, 1, 10))[1] == "2014-12"


WRITTEN = [
    (("Canada joined Britain and the Netherlands to sanction Belarus last fall, despite "
      "earlier hopes of a thaw"), dt.date(2015, 3, 20), "2014-09", None),
    (("The Turkish foreign ministry condemned Greece's decision to extend the exercises last "
      "September, saying"), dt.date(2015, 3, 20), "2014-09", None),
    (("the trip of a former Italian premier to Tehran from March 10 "
      "to 15."), dt.date(2015, 3, 20), "2015-03-10", "2015-03-15"),
    ("The border crossing was closed by Hungary on March 18 last year, and neighbours objected",
     dt.date(2015, 3, 20), "2014-03-18", None),
    ("When the Polish president took office in December 2012, he faced",
     REF, "2012-12", None),
    (("Instead, the Chancellor will see the Chinese premier at the regional trade "
      "summit next month (November 2014) in Jakarta."),
     dt.date(2014, 9, 25), "2014-11", None),
]


@pytest.mark.parametrize(("sentence", "reference", "date", "end_date"), WRITTEN)
def test_written_analysis_sentences(sentence: str, reference: dt.date, date: str,
                                    end_date: str | None) -> None:
    _, got, _, got_end = only(sentence, reference)
    assert (got, got_end) == (date, end_date)


def test_explicit_date_in_brackets_overrides_relative_one() -> None:
    sentence = "Abe will meet Putin next month (November 2014) in Beijing."
    (r,) = find_dates(sentence, REF)
    assert (r.text, r.date, r.precision) == ("next month (November 2014)", "2014-11", "month")
    assert sentence[r.start:r.end] == r.text
    assert only("Trade grew this year (2013).")[1] == "2013"


def test_longest_match_wins_and_spans_do_not_overlap() -> None:
    refs = find_dates("On March 18, 2014 and in October 1993, and later in 2014", REF)
    assert [r.text for r in refs] == ["March 18, 2014", "October 1993", "2014"]


NOT_DATES = [
    "Russia may respond to the new sanctions.",
    "May Russia respond in kind?",
    "Putin might march on Kyiv.",
    "The March on Moscow drew crowds.",
    "The Sunday Times reported the deal.",
    "Japan sent 2,000 troops.",
    "Japan sent the 2000 troops home.",
    "Japan and Russia signed a treaty.",
    "Theresa May met Shinzo Abe.",
    "Russia Today reported the meeting.",
    "Trade rose from 10 to 15 percent.",
    "Resolution 2166 passed unanimously.",
    "a 1,000-page report",
    "The talks took place on April 31.",
    "The treaty was signed on February 29, 2015.",
    "",
]


@pytest.mark.parametrize("sentence", NOT_DATES)
def test_not_dates(sentence: str) -> None:
    assert find_dates(sentence, REF) == []


def test_may_the_month_next_to_may_the_name() -> None:
    assert only("Theresa May met Abe in May.")[:2] == ("May", "2014-05")


FEB_29 = [
    ("The talks took place on February 29.", REF, "2012-02-29"),
    ("The talks will take place on Feb. 29.", REF, "2016-02-29"),
    ("The treaty was signed on February 29, 2016.", REF, "2016-02-29"),
    ("It happened on February 29 last year.", dt.date(2017, 3, 1), "2016-02-29"),
    ("It happened 365 days ago.", dt.date(2016, 2, 29), "2015-03-01"),
]


@pytest.mark.parametrize(("sentence", "reference", "date"), FEB_29)
def test_february_29(sentence: str, reference: dt.date, date: str) -> None:
    assert only(sentence, reference)[1] == date


def test_february_29_last_year_that_did_not_exist_is_not_resolved() -> None:
    refs = find_dates("It happened on February 29 last year.", dt.date(2016, 3, 1))
    assert "February 29 last year" not in [r.text for r in refs]
    assert "2015-02-28" not in [r.date for r in refs]


WITHOUT_REFERENCE = [
    ("Japan sanctioned Russia last fall.", []),
    ("The talks took place on March 10.", []),
    ("from March 10 to 15", []),
    ("on Tuesday, yesterday, two years ago, next month", []),
    ("March 18, 2014 and last year", ["2014-03-18"]),
    ("between 2014 and 2016", ["2014"]),
    ("(November 2013 to February 2014)", ["2013-11"]),
    ("(February to March 2014)", ["2014-02"]),
    ("the end of 2014", ["2014-12"]),
]


@pytest.mark.parametrize(("sentence", "expected"), WITHOUT_REFERENCE)
def test_without_reference_only_written_years_survive(sentence: str,
                                                      expected: list[str]) -> None:
    assert [r.date for r in find_dates(sentence, None)] == expected


ALL_SENTENCES = ([s for s, _ in EXPLICIT] + [s for s, *_ in YEARLESS] + [s for s, _ in RANGES]
                 + [s for s, _ in RELATIVE] + [s for s, *_ in WRITTEN])


@pytest.mark.parametrize("sentence", ALL_SENTENCES)
def test_offsets_match_text_and_source_is_text(sentence: str) -> None:
    for r in find_dates(sentence, REF):
        assert sentence[r.start:r.end] == r.text
        assert r.source == "text"


def test_dateref_is_frozen() -> None:
    r = only("in 2014")
    ref = find_dates("in 2014", REF)[0]
    assert r[1] == ref.date
    with pytest.raises(dataclasses.FrozenInstanceError):
        ref.date = "2015"  # type: ignore[misc]


# --- event_date -------------------------------------------------------------------------------


def test_event_date_falls_back_to_document() -> None:
    assert event_date("Japan protested the visit.", REF) == DateRef(
        "2015-03-25", "day", "document", "", -1, -1)


def test_event_date_is_none_without_any_date() -> None:
    assert event_date("Japan protested the visit.", None) is None
    assert event_date("Japan protested the visit last week.", None) is None


def test_event_date_takes_the_expression_nearest_the_verb() -> None:
    s = "Japan imposed sanctions in 2014 and now says that it will meet Russia next month."
    assert event_date(s, REF, anchor=s.index("imposed")).date == "2014"
    assert event_date(s, REF, anchor=s.index("meet")).date == "2015-04"


def test_event_date_prefers_the_same_clause() -> None:
    s = "Talks stalled in November 2015; then at last Abe met Putin in Sochi on May 6, 2016."
    anchor = s.index("met")
    nearest = min(find_dates(s, REF), key=lambda r: min(abs(r.start - anchor),
                                                          abs(r.end - anchor)))
    assert nearest.date == "2015-11"  # the other clause's date is nearer ...
    assert event_date(s, REF, anchor=anchor).date == "2016-05-06"  # ... but not preferred


def test_event_date_uses_a_bracketed_citation_when_nothing_else_dates_the_clause() -> None:
    s = "No state visit by the Turkish president to Cyprus is planned (Daily Sabah, September 24)."
    r = event_date(s, dt.date(2014, 9, 25), anchor=s.index("visit"))
    assert (r.date, r.source) == ("2014-09-24", "text")


def test_event_date_without_anchor_is_the_first_expression() -> None:
    r = event_date("Hatoyama visited Crimea from March 10 to 15 and again in May.", REF)
    assert (r.date, r.end_date) == ("2015-03-10", "2015-03-15")


# --- infer_publication_date -------------------------------------------------------------------

INFER = [
    ("Japan-Russia Relations\n\n25 Mar 2015\n\nWhat will it take? Talks in May 2016.",
     dt.date(2015, 3, 25), "date line"),
    ("Headline\nMarch 25, 2015\nBody text from January 2, 2016.", dt.date(2015, 3, 25),
     "date line"),
    ("Headline\n2015-03-25\nBody.", dt.date(2015, 3, 25), "date line"),
    ("Headline\nPublished: Wednesday, March 25, 2015 10:31 GMT\nBody.", dt.date(2015, 3, 25),
     "date line"),
    ("TOKYO, March 3, 2015 (Reuters) - Japan protested.", dt.date(2015, 3, 3), "dateline"),
    (("TOKYO, March 3 (Reuters) - Japan protested the visit of November 2014. Talks were held "
      "on February 2, 2015 and in 1990."), dt.date(2015, 2, 2), "latest"),
    ("Talks were held on February 2, 2015. Abe will visit Moscow in May 2015.",
     dt.date(2015, 2, 2), "latest"),
    ("The book was published in March 2015. Accessed February 4, 2015.", dt.date(2015, 3, 1),
     "latest"),
    (("Japan met Russia in Tokyo on 25 Mar 2015 to discuss the islands at length.\n"
      "Accessed April 2, 2015"), dt.date(2015, 4, 2), "latest"),
]


@pytest.mark.parametrize(("text", "date", "rule"), INFER)
def test_infer_publication_date(text: str, date: dt.date, rule: str) -> None:
    got = infer_publication_date(text)
    assert got is not None
    assert got[0] == date
    assert rule in got[1]


@pytest.mark.parametrize("text", ["No dates here.", "It happened in 2014.", "It was last May.",
                                  ""])
def test_infer_publication_date_none(text: str) -> None:
    assert infer_publication_date(text) is None


def test_docstring_examples_run() -> None:
    assert doctest.testmod(dates).failed == 0


def test_publication_year_from_a_known_event_dated_relatively():
    from detente.dates import infer_publication_date

    text = ("A group of French deputies toured Crimea from March 10 to 15. The peninsula was "
            "absorbed by Moscow in March last year; the annexation of Crimea still divides "
            "European capitals, and Paris joined the sanctions last fall.")
    day, reason = infer_publication_date(text)
    assert day == dt.date(2015, 3, 15)
    assert "annexation of Crimea" in reason and "last year" in reason
