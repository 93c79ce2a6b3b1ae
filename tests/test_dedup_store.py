"""Deduplication kept in the store: documents and events stored before it are linked and
clustered by the next load of the state, once; `canonical_events` counts a happening's
reports, articles and sources, a copy's included; the GDELT export fills NumMentions,
NumSources, NumArticles and IsRootEvent from them (1, 1, 1 and the report's own lead in
the raw view); `forget` takes back a document that could not be stored; and a load reads
the stored happenings of a dyad and type only when a report of them comes."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
from example_stores import Spec, add_document, make_db

from detente import library
from detente.dedup import events as event_clusters
from detente.dedup.events import EventReport
from detente.dedup.state import Deduplicator
from detente.export import export, read_gdelt
from detente.records import Document
from detente.store import EventFilter, open_store

# The dyad store's two reports of Japan's March 2014 sanctions: "sanctions" dated to the
# day by its text, "protest" (a week later) to the month.
MARCH = ("SELECT * FROM canonical_events WHERE source_code = 'JPN' AND plover = 'SANCTION'"
         " AND date LIKE '2014-03%'")


@pytest.fixture
def clustered(tmp_path: Path) -> Path:
    path = make_db(tmp_path / "events.duckdb")[0]
    with open_store(path) as store:
        Deduplicator.load(store)
    return path


def test_what_was_stored_before_is_linked_and_clustered_once(tmp_path: Path) -> None:
    path = make_db(tmp_path / "events.duckdb")[0]
    with open_store(path) as store:
        assert store.one("SELECT count(*) FROM events WHERE cluster_id IS NULL")[0] == 15
        assert store.one("SELECT count(*) FROM canonical_events")[0] == 15  # each its own
        before = store.query("SELECT * EXCLUDE (cluster_id) FROM events ORDER BY event_id")
        Deduplicator.load(store)
        assert store.one("SELECT count(*) FROM events WHERE cluster_id IS NULL")[0] == 0
        assert store.one("SELECT count(*) FROM canonical_events")[0] == 14
        assert store.query("SELECT * EXCLUDE (cluster_id) FROM events ORDER BY event_id"
                           ) == before  # nothing else changes
        # six different stories: each document the first of its own cluster
        assert store.one("SELECT count(*) FROM documents WHERE canonical_id = doc_id")[0] == 6
        assert store.one("SELECT count(*), min(position), max(position) FROM doc_signatures"
                         ) == (6, 0, 5)
        clusters = store.query("SELECT event_id, cluster_id FROM events ORDER BY event_id")
        Deduplicator.load(store)  # the next load finds nothing left to do
        assert store.query("SELECT event_id, cluster_id FROM events ORDER BY event_id"
                           ) == clusters
        assert store.one("SELECT count(*) FROM doc_signatures")[0] == 6


def test_a_happening_is_one_row_with_its_reports_articles_and_sources(clustered: Path
                                                                      ) -> None:
    with open_store(clustered, read_only=True) as store:
        (march,) = store.query(MARCH)
        reports = store.query("SELECT event_id, doc_id FROM events WHERE source_code = 'JPN'"
                              " AND plover = 'SANCTION' AND date LIKE '2014-03%'"
                              " ORDER BY date DESC")
    # the report dated to the day stands for both
    assert (march["date"], march["event_id"]) == ("2014-03-18", reports[0]["event_id"])
    assert (march["reports"], march["articles"], march["sources"]) == (2, 2, 1)  # one wire
    assert (march["first_report"], march["last_report"], march["root"]) == (
        dt.date(2014, 3, 19), dt.date(2014, 3, 25), True)
    assert march["cluster_id"] in {r["event_id"] for r in reports}


def test_a_copy_counts_as_one_more_article_of_each_happening_it_repeats(clustered: Path
                                                                        ) -> None:
    with open_store(clustered) as store:
        (original,) = store.query("SELECT * FROM documents WHERE title = 'sanctions'")
        copy = Document.create(original["text"] + " [syndicated]", title="sanctions",
                               source="Harbour Gazette", date=dt.date(2014, 3, 20))
        dedup = Deduplicator.load(store)
        link = dedup.link(copy.doc_id, copy.text)
        assert (link.copy_of, link.canonical_id) == (original["doc_id"], original["doc_id"])
        assert store.add_document(copy, [], link=dedup.stored(copy.doc_id, copy.source,
                                                              copy.date),
                                  happenings=dedup.changed())
        (march,) = store.query(MARCH)
        assert store.count_events(EventFilter(doc_id=copy.doc_id, raw=True)) == 0
        # in the canonical view a copy reports what the document it repeats reports
        assert store.count_events(EventFilter(doc_id=copy.doc_id)) == 5
    assert (march["reports"], march["articles"], march["sources"]) == (3, 3, 2)
    (info,) = [d for d in library.docs(clustered) if d.doc_id == copy.doc_id]
    assert (info.copy_of, info.canonical_id, info.cluster_size, info.events) == (
        original["doc_id"], original["doc_id"], 2, 0)
    assert library.doc(clustered, copy.doc_id).copy_of == original["doc_id"]


def test_gdelt_counts_come_from_the_happening_and_one_report_in_the_raw_view(
        clustered: Path, tmp_path: Path) -> None:
    export(clustered, "gdelt", tmp_path / "canonical.tsv")
    export(clustered, "gdelt", tmp_path / "raw.tsv", raw=True)
    canonical, raw = read_gdelt(tmp_path / "canonical.tsv"), read_gdelt(tmp_path / "raw.tsv")
    counts = ["NumMentions", "NumSources", "NumArticles", "IsRootEvent"]
    march = canonical.filter((pl.col("EventCode") == "163") & (pl.col("MonthYear") == 201403)
                             & (pl.col("Actor1Code") == "JPNGOV"))
    assert march.select(counts).rows() == [(2, 1, 2, 1)]
    assert raw.height == canonical.height + 1
    assert set(raw.select(counts[:3]).rows()) == {(1, 1, 1)}
    # IsRootEvent in the raw view: the report's own sentence (the mobilisation is the 6th)
    assert raw.filter(pl.col("EventCode") == "150")["IsRootEvent"].to_list() == [0]


def test_look_alike_happenings_keep_apart(tmp_path: Path) -> None:
    path = make_db(tmp_path / "events.duckdb")[0]
    with open_store(path) as store:
        # another report of the August sanctions, and one of new sanctions in September
        add_document(store, "autumn", "2014-09-25", [
            Spec("JPN", "RUS", "SANCTION", "2014-08-05", -8.0, 4, "163"),
            Spec("JPN", "RUS", "SANCTION", "2014-09-24", -8.0, 4, "163", sentence=1)])
        Deduplicator.load(store)
        found = store.query("SELECT date, reports FROM canonical_events WHERE plover = "
                            "'SANCTION' AND source_code = 'JPN' ORDER BY date")
    assert [(r["date"], r["reports"]) for r in found] == [
        ("2014-03-18", 2), ("2014-08-05", 2), ("2014-09-24", 1), ("2018-03-26", 1)]


def test_a_document_that_could_not_be_stored_is_forgotten(tmp_path: Path) -> None:
    path = make_db(tmp_path / "events.duckdb")[0]
    with open_store(path) as store:
        dedup = Deduplicator.load(store)
        (original,) = store.query("SELECT * FROM documents WHERE title = 'assets'")
        events = library.events(store, doc_id=original["doc_id"], raw=True)
        text = original["text"] + " [reposted]"
        first = Document.create(text, title="assets")
        placed = dedup.cluster_events(first, [replace(e, doc_id=first.doc_id, event_id=f"r{n}")
                                              for n, e in enumerate(events)])
        assert set(placed.values()) == {e.event_id for e in events}  # each joined its own
        assert dedup.link(first.doc_id, text).copy_of == original["doc_id"]
        dedup.forget(first.doc_id, placed)
        assert first.doc_id not in dedup.index and not any(e in dedup.clusters for e in placed)
        again = dedup.link(first.doc_id, text)  # as if it came again: placed once more
        assert again.copy_of == original["doc_id"]


def test_a_load_reads_only_the_happenings_a_new_report_may_join(clustered: Path) -> None:
    with open_store(clustered) as store:
        (march,) = store.query(MARCH)
        dedup = Deduplicator.load(store)
        assert len(dedup.clusters) == 0  # no happening read yet
        again = EventReport("late", "later-doc", "JPN", "RUS", "SANCTION", "2014-03-18", "day",
                            "Japan sanction Russia (2014-03-18).", "Japan", "Russia",
                            doc_date=dt.date(2014, 4, 2), doc_source="Other Wire")
        assert dedup.cluster([again]) == {"late": march["cluster_id"]}
        # the JPN-RUS sanctions only: March's two reports, August's, and the new one
        assert len(list(dedup.clusters.assignments())) == 4
        (happening,) = dedup.changed()
    assert (happening.cluster_id, happening.reports, happening.sources) == (
        march["cluster_id"], 3, 2)
    assert (happening.first_report, happening.last_report) == (
        dt.date(2014, 3, 19), dt.date(2014, 4, 2))


def test_after_many_dyads_a_load_reads_the_other_happenings_at_once(
        clustered: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(event_clusters, "READ_ALL_AFTER", 1)
    with open_store(clustered) as store:
        (march,) = store.query(MARCH)
        stored = store.one("SELECT count(*) FROM events WHERE NOT negated")[0]
        dedup = Deduplicator.load(store)
        visit = EventReport("talks", "later-doc", "JPN", "RUS", "CONSULT", "2016-12-15", "day",
                            "Japan consult Russia (2016-12-15).", "Japan", "Russia")
        again = EventReport("late", "later-doc", "JPN", "RUS", "SANCTION", "2014-03-18", "day",
                            "Japan sanction Russia (2014-03-18).", "Japan", "Russia")
        dedup.cluster([visit])
        assert len(list(dedup.clusters.assignments())) == 2  # one dyad and type read
        assert dedup.cluster([again]) == {"late": march["cluster_id"]}
        # the second read is of all the others (each stored report once)
        assert len(list(dedup.clusters.assignments())) == stored + 2
