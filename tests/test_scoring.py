"""Event scoring (detente.evaluation.scoring): matching, grouped errors, intervals, dates."""

from __future__ import annotations

from detente.evaluation.scoring import (
    FoundKey,
    GoldKey,
    ScoredDocument,
    date_right,
    match,
    score,
)


def doc(name, gold, found, kind="wire", date="2019-06-12"):
    return ScoredDocument(name, kind, gold, found, date)


def test_each_gold_event_matches_one_found_event():
    d = doc("a", [GoldKey("DEU", "RUS", "SANCTION")] * 2,
            [FoundKey("DEU", "RUS", "SANCTION")] * 3)
    matched = match(d)
    assert (len(matched.pairs), len(matched.missed), len(matched.spurious)) == (2, 0, 1)


def test_matching_prefers_the_found_event_with_the_gold_date():
    d = doc("a", [GoldKey("FRA", "MLI", "RETREAT", "2022-02")],
            [FoundKey("FRA", "MLI", "RETREAT", "2019-06-12"),
             FoundKey("FRA", "MLI", "RETREAT", "2022-02-17")])
    assert match(d).pairs[0][1].date == "2022-02-17"


def test_errors_are_grouped_by_what_went_wrong():
    d = doc("a",
            [GoldKey("CHN", "PHL", "MOBILIZE"), GoldKey("PHL", "CHN", "ACCUSE"),
             GoldKey("USA", "PHL", "SUPPORT"), GoldKey("VNM", "CHN", "REJECT"),
             GoldKey("ASE", "CHN", "REQUEST")],
            [FoundKey("CHN", "PHL", "COERCE"), FoundKey("VNM", "CHN", "ACCUSE"),
             FoundKey("USA", "JPN", "SUPPORT"), FoundKey("GBR", "FRA", "CONSULT")])
    report = score([d], rounds=50)
    assert {k: len(v) for k, v in report.errors.items()} == {
        "missed": 2, "wrong type": 1, "wrong source": 1, "wrong target": 1,
        "not an event": 1}
    assert report.overall.tp == 0


def test_figures_per_type_and_kind_with_an_interval_around_the_estimate():
    wire = doc("w", [GoldKey("IND", "PAK", "ACCUSE"), GoldKey("PAK", "IND", "REJECT")],
               [FoundKey("IND", "PAK", "ACCUSE")])
    prose = doc("p", [GoldKey("EGY", "ETH", "THREATEN")],
                [FoundKey("EGY", "ETH", "THREATEN"), FoundKey("ETH", "EGY", "REJECT")],
                kind="analysis")
    report = score([wire, prose], rounds=200)
    assert (report.overall.tp, report.overall.gold, report.overall.found) == (2, 3, 3)
    assert report.per_type["REJECT"].recall == 0.0
    assert report.per_kind["analysis"].precision == 0.5
    low, high = report.interval["f1"]
    assert low <= report.overall.f1 <= high
    assert set(report.to_dict()["per_kind"]) == {"wire", "analysis"}


def test_date_is_right_at_the_gold_precision_or_the_publication_date():
    assert date_right(GoldKey("A", "B", "CONSULT", "2016-05"),
                      FoundKey("A", "B", "CONSULT", "2016-05-06"), None)
    assert not date_right(GoldKey("A", "B", "CONSULT", "2016-05"),
                          FoundKey("A", "B", "CONSULT", "2016-04-30"), None)
    assert date_right(GoldKey("A", "B", "CONSULT"),
                      FoundKey("A", "B", "CONSULT", "2019-06-12"), "2019-06-12")
    assert not date_right(GoldKey("A", "B", "CONSULT"),
                          FoundKey("A", "B", "CONSULT", None), "2019-06-12")


def test_date_accuracy_counts_matched_events_with_a_known_date():
    d = doc("a", [GoldKey("A", "B", "AID", "2020"), GoldKey("A", "C", "AID", "2021")],
            [FoundKey("A", "B", "AID", "2020-03"), FoundKey("A", "C", "AID", "2020-01")])
    report = score([d], rounds=10)
    assert (report.date_accuracy, report.dated) == (0.5, 2)
