"""Repeated reports of one happening: merged into one canonical event that counts its
reports, articles and sources; distinct happenings that look alike stay apart; later
reports join without a recompute; the state round-trips."""

from __future__ import annotations

import datetime as dt

import pytest

from detente.dedup import EventClusters, EventReport, EventRules, lead_end
from detente.errors import InputError
from detente.records import ActorRef, Event
from detente.store import flat_event


def report(event_id: str, doc_id: str, date: str | None, evidence: str, *,
           source: str = "NOR", target: str = "ISL", plover: str = "SANCTION",
           source_text: str = "Norway", target_text: str = "Iceland",
           dated_by: str = "text", doc_date: str = "2024-01-01", publisher: str = "",
           lead: bool = False) -> EventReport:
    precision = {4: "year", 7: "month", 10: "day"}[len(date)] if date else None
    return EventReport(event_id, doc_id, source, target, plover, date, precision, evidence,
                       source_text, target_text, date_source=dated_by,
                       doc_date=dt.date.fromisoformat(doc_date), doc_source=publisher,
                       lead=lead)


JUNE = "Norway on Tuesday banned Icelandic trawlers from its mackerel grounds near Svalbard."
JUNE_AGAIN = "Oslo barred trawlers from Iceland from the mackerel grounds off Svalbard on Tuesday."
OCTOBER = ("Norway on Thursday froze the accounts of two Icelandic shipping firms accused of "
           "breaking the fishing ban.")


def clustered(*reports: EventReport) -> tuple[EventClusters, list[str]]:
    clusters = EventClusters()
    return clusters, [clusters.add(r) for r in reports]


def test_reports_of_one_happening_make_one_canonical_event_with_its_counts():
    clusters, ids = clustered(
        report("a", "d1", "2024-06-11", JUNE, doc_date="2024-06-11", publisher="Nordic Post",
               lead=True),
        report("b", "d2", "2024-06-11", JUNE_AGAIN, source_text="Oslo",
               doc_date="2024-06-12", publisher="Arctic Wire"),
        report("c", "d3", "2024-06", "Norway's June ban on Icelandic trawlers near Svalbard "
               "angered Reykjavik.", doc_date="2024-07-02", publisher="Nordic Post"))
    assert ids == ["a", "a", "a"]
    [event] = clusters.canonical()
    assert (event.cluster_id, event.event_id, event.date, event.reports, event.articles,
            event.sources) == ("a", "a", "2024-06-11", 3, 3, 2)
    assert (event.first_report, event.last_report, event.root) == (
        dt.date(2024, 6, 11), dt.date(2024, 7, 2), True)
    assert event.event_ids == ("a", "b", "c")


def test_two_sanction_rounds_in_one_year_stay_apart_and_restatements_find_theirs():
    clusters, ids = clustered(
        report("june", "d1", "2024-06-11", JUNE),
        report("october", "d2", "2024-10-03", OCTOBER),
        report("october-again", "d3", "2024-10", "In October Norway froze the accounts of "
               "two Icelandic shipping firms."),
        report("june-again", "d4", "2024", "Earlier this year Norway banned Icelandic "
               "trawlers from its mackerel grounds."))
    assert ids == ["june", "october", "october", "june"]
    assert len(clusters) == 2


def test_two_meetings_in_one_month_stay_apart():
    met = "The foreign ministers of Norway and Iceland met in {} to discuss fishing quotas."
    _, ids = clustered(
        report("first", "d1", "2024-03-04", met.format("Tromso"), plover="CONSULT"),
        report("second", "d2", "2024-03-18", met.format("Reykjavik"), plover="CONSULT"),
        report("first-again", "d3", "2024-03-04", "Talks in Tromso between the two "
               "ministers ended without a deal.", plover="CONSULT", source_text="",
               target_text=""))
    assert ids == ["first", "second", "first"]


def test_another_type_or_direction_is_another_event():
    _, ids = clustered(
        report("ban", "d1", "2024-06-11", JUNE),
        report("protest", "d2", "2024-06-11", "Norway criticised Icelandic trawlers for "
               "ignoring the ban.", plover="ACCUSE"),
        report("reply", "d3", "2024-06-11", "Iceland banned Norwegian trawlers from its "
               "mackerel grounds.", source="ISL", target="NOR", source_text="Iceland",
               target_text="Norwegian trawlers"))
    assert ids == ["ban", "protest", "reply"]


def test_a_removed_report_leaves_its_cluster_to_the_others():
    clusters, ids = clustered(report("a", "d1", "2024-06-11", JUNE),
                              report("b", "d2", "2024-06-11", JUNE_AGAIN, source_text="Oslo"))
    assert ids == ["a", "a"] and "a" in clusters
    clusters.remove("a")
    assert "a" not in clusters and clusters.cluster_of("b") == "a"  # the id stays
    [event] = clusters.canonical()
    assert event.event_ids == ("b",)
    clusters.remove("b")
    assert len(clusters) == 0
    assert clusters.add(report("c", "d3", "2024-06-11", JUNE)) == "c"  # nothing left to join


def test_reports_of_one_document_are_never_merged():
    _, ids = clustered(report("first", "d1", "2024-06-11", JUNE),
                       report("second", "d1", "2024-06-11", JUNE_AGAIN))
    assert ids == ["first", "second"]


def test_a_publication_date_stands_for_the_days_before_it():
    restated = "Norway's ban on Icelandic trawlers near Svalbard is hurting Icelandic ports."
    _, ids = clustered(
        report("ban", "d1", "2024-06-11", JUNE),
        report("within", "d2", "2024-06-20", restated, dated_by="document"),
        report("too-late", "d3", "2024-07-20", restated, dated_by="document"))
    assert ids == ["ban", "ban", "too-late"]
    assert EventRules(lookback_days=0).relation(
        report("x", "d1", "2024-06-11", JUNE),
        report("y", "d2", "2024-06-20", restated, dated_by="document")) is None


def test_undated_reports_are_never_merged():
    _, ids = clustered(report("a", "d1", None, JUNE), report("b", "d2", None, JUNE))
    assert ids == ["a", "b"]


def test_a_later_report_joins_without_moving_earlier_ones():
    clusters, _ = clustered(report("june", "d1", "2024-06", "Norway's June ban on "
                                   "Icelandic trawlers near Svalbard."),
                            report("october", "d2", "2024-10-03", OCTOBER))
    later = report("june-day", "d3", "2024-06-11", JUNE)
    assert clusters.match(later) == "june"
    assert len(list(clusters.assignments())) == 2  # match() changes nothing
    assert clusters.add(later) == "june"
    june = clusters.canonical()[0]
    # the cluster keeps its id; the day-precise report now stands for it
    assert (june.cluster_id, june.event_id, june.date) == ("june", "june-day", "2024-06-11")
    assert clusters.cluster_of("october") == "october"


def test_assignments_round_trip_and_the_restored_clusters_keep_growing():
    clusters, _ = clustered(report("june", "d1", "2024-06-11", JUNE),
                            report("october", "d2", "2024-10-03", OCTOBER),
                            report("june-again", "d3", "2024-06-11", JUNE_AGAIN))
    restored = EventClusters.from_assignments(clusters.assignments())
    assert restored.canonical() == clusters.canonical()
    assert restored.add(report("october-again", "d4", "2024-10-03", OCTOBER)) == "october"


def test_a_report_reads_the_store_row_of_an_event():
    event = Event("e1", "d1", 0, 0, 40, JUNE, "2024-06-11", "day", "text",
                  ActorRef("NOR", "GOV", "Norway", "Norway"),
                  ActorRef("ISL", "", "Iceland", "Icelandic trawlers"), "SANCTION", "", "163",
                  4, -8.0, 0.9, "test")
    row = flat_event(event) | {"doc_date": "2024-06-12", "doc_source": "Arctic Wire"}
    from_row = EventReport.from_row(row)
    assert from_row == EventReport.from_event(event, dt.date(2024, 6, 12), "Arctic Wire")
    assert (from_row.block, from_row.span(), from_row.target_text) == (
        ("NOR", "ISL", "SANCTION"), (dt.date(2024, 6, 11), dt.date(2024, 6, 11)),
        "Icelandic trawlers")


def test_bad_input_names_the_event():
    clusters, _ = clustered(report("june", "d1", "2024-06-11", JUNE))
    with pytest.raises(InputError, match="'june' is already clustered"):
        clusters.add(report("june", "d2", "2024-06-11", JUNE))
    with pytest.raises(InputError, match="'ghost' is not clustered"):
        clusters.cluster_of("ghost")
    with pytest.raises(InputError, match="'e9' lacks doc_id, plover"):
        EventReport.from_row({"event_id": "e9", "source_code": "NOR"})


def test_the_lead_paragraph_ends_after_the_first_paragraph_of_words():
    text = "OSLO -\n\nNorway banned the trawlers.\n\nIceland protested."
    assert text[:lead_end(text)] == "OSLO -\n\nNorway banned the trawlers."
