"""Timelines, key events and the actor network over a real DuckDB file of known events."""

from __future__ import annotations

import datetime as dt
import json
import math

import polars as pl
import pytest
from example_stores import Spec, add_document, fill, make_db

from detente import query
from detente.analysis import key_events, network, timeline
from detente.dates import period_key
from detente.dedup.state import Deduplicator
from detente.errors import BadDateError, InputError, UnknownActorError
from detente.settings import Settings
from detente.store import open_store


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return make_db(tmp_path_factory.mktemp("analysis") / "events.duckdb")[0]


def row(t, direction, period):
    (found,) = [r for r in t.rows if r.direction == direction and r.period == period]
    return found


# -- timeline -------------------------------------------------------------------------------

def test_monthly_counts_sums_and_directions(db):
    t = timeline(db, "JPN", "RUS", by="month", since="2014-01-01", until="2014-12-31")
    assert t.directions == ("JPN->RUS", "RUS->JPN", "both")
    assert t.periods == tuple(f"2014-{m:02d}" for m in range(1, 13))
    march = row(t, "JPN->RUS", "2014-03")
    assert (march.verbal_cooperation, march.material_cooperation, march.verbal_conflict,
            march.material_conflict) == (0, 0, 1, 2)
    assert march.events == 3 and march.goldstein_sum == -18.0 and march.goldstein_mean == -6.0
    assert march.net_cooperation == -3
    assert (march.source, march.target) == ("JPN", "RUS")
    back = row(t, "RUS->JPN", "2014-03")
    assert back.verbal_conflict == 1 and back.goldstein_sum == -2.0
    both = row(t, "both", "2014-03")
    assert both.events == 4 and both.goldstein_sum == -20.0 and both.goldstein_mean == -5.0
    assert both.net_cooperation == -4 and both.source is None
    assert row(t, "JPN->RUS", "2014-08").material_conflict == 1
    assert t.total_events == 5
    assert t.message == ""


def test_empty_periods_inside_the_range_are_zeros(db):
    t = timeline(db, "JPN", "RUS", by="month", since="2014-01-01", until="2014-12-31")
    june = row(t, "both", "2014-06")
    assert june.events == 0 and june.goldstein_sum == 0.0 and june.goldstein_mean is None
    assert len(t.series("both")) == 12
    assert (june.start, june.end) == (dt.date(2014, 6, 1), dt.date(2014, 6, 30))


def test_quarter_and_year_bucketing(db):
    quarters = timeline(db, "JPN", "RUS", by="quarter", history=True)
    # The 1956 declaration (year precision) opens the range; 2016-Q4 closes it.
    assert quarters.periods[0] == "1956-Q1" and quarters.periods[-1] == "2016-Q4"
    assert len(quarters.periods) == (2016 - 1956 + 1) * 4
    assert row(quarters, "both", "2014-Q1").events == 4
    assert row(quarters, "both", "2014-Q3").events == 1
    assert row(quarters, "both", "1956-Q1").imprecise == 1
    years = timeline(db, "JPN", "RUS", by="year", history=True)
    assert row(years, "JPN->RUS", "2014").events == 4
    assert row(years, "JPN->RUS", "2014").goldstein_sum == -26.0
    assert row(years, "RUS->JPN", "2016").goldstein_sum == 7.4
    assert row(years, "both", "2016").events == 3
    assert row(years, "both", "1956").imprecise == 0
    assert years.undated == 1  # the undated REQUEST is counted, not placed


def test_period_keys():
    day = dt.date(2014, 11, 3)
    assert [period_key(day, by) for by in ("month", "quarter", "year")] == [
        "2014-11", "2014-Q4", "2014"]


def test_one_direction_and_reversed_dyad(db):
    one = timeline(db, "JPN", "RUS", by="year", both_directions=False)
    assert one.directions == ("JPN->RUS",)
    assert {r.direction for r in one.rows} == {"JPN->RUS"}
    assert one.total_events == 5 and one.historical == 1  # the 1956 SUPPORT left out
    reverse = timeline(db, "RUS", "JPN", by="year", both_directions=False)
    assert reverse.total_events == 3
    assert reverse.series("RUS->JPN")[-1].goldstein_sum == 7.4


def test_since_until_filter_and_partial_until(db):
    t = timeline(db, "JPN", "RUS", by="month", since="2014-03-20", until="2014")
    assert t.until == dt.date(2014, 12, 31) and t.periods[-1] == "2014-12"
    assert row(t, "both", "2014-03").events == 1  # only RUS ACCUSE JPN on 2014-03-24
    assert t.total_events == 2
    assert query.day("2016-02", "until", Settings(), end=True) == dt.date(2016, 2, 29)


def test_negated_events_are_left_out(db):
    t = timeline(db, "JPN", "RUS", by="year", since="2018-01-01", until="2018-12-31")
    assert t.total_events == 0


def test_empty_dyad_has_a_message_not_an_error(db):
    t = timeline(db, "JPN", "CHN", by="year")
    assert t.empty and t.rows == () and t.periods == ()
    assert "No events between JPN and CHN" in t.message
    quiet = timeline(db, "JPN", "RUS", by="year", since="2015-01-01", until="2015-12-31")
    assert quiet.empty and quiet.periods == ("2015",)
    assert "from 2015-01-01 to 2015-12-31" in quiet.message
    assert row(quiet, "both", "2015").events == 0


def test_unknown_country_names_the_valid_forms(db):
    with pytest.raises(UnknownActorError) as caught:
        timeline(db, "JPN", "Atlantis")
    message = str(caught.value)
    assert "Atlantis" in message and "ISO 3166 alpha-3 code such as JPN" in message
    assert "G7" in message and "Japan" in message
    assert caught.value.code == "E104"
    with pytest.raises(UnknownActorError):
        timeline(db, "XQZ", "RUS")


def test_international_and_lower_case_codes(db):
    with open_store(db, read_only=True) as store:
        assert query.actor("g7", "a", store, Settings()) == "G7"
        assert query.actor("nato", "a", store, Settings()) == "NATO"
        assert query.actor("rus", "a", store, Settings()) == "RUS"
    g7 = timeline(db, "g7", "RUS", by="year")
    assert g7.a == "G7" and g7.total_events == 1


def test_country_names(db):
    t = timeline(db, "Japan", "Russia", by="year", history=True)
    assert (t.a, t.b) == ("JPN", "RUS")
    assert t.total_events == 9


def test_organisation_names_with_the_actor_resolver(db):
    with open_store(db, read_only=True) as store:
        assert query.actor("Group of Seven", "a", store, Settings()) == "G7"
        assert query.actor("the United States", "b", store, Settings()) == "USA"
    assert timeline(db, "Group of Seven", "Russia", by="year").total_events == 1


def test_bad_arguments(db):
    with pytest.raises(InputError) as caught:
        timeline(db, "JPN", "RUS", by="week")
    assert (caught.value.message, caught.value.hint, caught.value.input) == (
        "by: unknown period 'week'", "Use month, quarter or year.", "by")
    with pytest.raises(InputError, match="two different actors"):
        timeline(db, "JPN", "Japan")
    with pytest.raises(InputError) as caught:
        timeline(db, "JPN", "RUS", since="2015-01-01", until="2014")
    assert caught.value.message == "since 2015-01-01 is after until 2014-12-31"
    assert caught.value.input == "since,until"
    with pytest.raises(BadDateError):
        timeline(db, "JPN", "RUS", since="spring 2014")


def test_timeline_json_and_polars(db):
    t = timeline(db, "JPN", "RUS", by="quarter", since="2014-01-01", until="2016-12-31")
    data = json.loads(json.dumps(t.to_dict()))
    assert data["a"] == "JPN" and data["by"] == "quarter" and len(data["periods"]) == 12
    assert data["rows"][0]["start"] == "2014-01-01"
    assert data["key_events"][0]["label"] == "JPN SANCTION RUS"
    frame = t.to_polars()
    assert frame.height == len(t.rows) == 36
    assert frame.schema["start"] == pl.Date and frame.schema["goldstein_sum"] == pl.Float64
    total = frame.filter(pl.col("direction") == "both")["events"].sum()
    assert total == t.total_events == 8


def test_open_store_and_memory_database():
    with open_store(":memory:") as store:
        fill(store)
        t = timeline(store, "JPN", "RUS", by="year")
        assert t.total_events == 8 and t.historical == 1
        assert key_events(store, "JPN", "RUS", top=1, raw=True)[0].label == "JPN SANCTION RUS"
        assert network(store).events == 13


# -- historical events ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def history_db(tmp_path_factory):
    """A 2018 article recalling 1956 and the edges of the 5-year rule; an undated document."""
    path = tmp_path_factory.mktemp("history") / "events.duckdb"
    with open_store(path) as store:
        add_document(store, "treaty talks", "2018-11-14", [
            Spec("JPN", "RUS", "AGREE", "1956", 4.0, 1, "030"),
            Spec("RUS", "JPN", "REJECT", "2013-11-13", -4.0, 3, "120", sentence=1),
            Spec("JPN", "RUS", "ACCUSE", "2013-11-14", -2.0, 3, "111", sentence=2),
            Spec("JPN", "RUS", "CONSULT", "2018-11-14", 1.0, 1, "040", sentence=3),
        ])
        add_document(store, "undated memo", None, [
            Spec("RUS", "JPN", "CONSULT", "1990-05", 1.0, 1, "040")])
    return path


def test_historical_events_are_left_out_and_counted_by_default(history_db):
    t = timeline(history_db, "JPN", "RUS", by="year")
    # 1956 and 2013-11-13 lie more than 5 years before the article of 2018-11-14;
    # 2013-11-14 is exactly 5 years before it; the undated memo's 1990 event stays.
    assert t.periods == tuple(str(y) for y in range(1990, 2019))
    assert t.total_events == 3 and not t.history
    assert (t.historical, t.historical_first, t.historical_last) == (
        2, dt.date(1956, 1, 1), dt.date(2013, 11, 13))
    assert row(t, "both", "2013").events == 1 and row(t, "RUS->JPN", "2013").events == 0
    assert t.history_note == ("2 historical events (1956–2013) left out: dated more than "
                              "5 years before their articles")
    assert {k.date for k in t.key_events} == {"1990-05", "2013-11-14", "2018-11-14"}
    data = json.loads(json.dumps(t.to_dict()))
    assert (data["history"], data["historical"], data["historical_first"]) == (
        False, 2, "1956-01-01")
    assert data["history_note"] == t.history_note


def test_the_span_starts_at_the_first_period_without_history(history_db):
    t = timeline(history_db, "JPN", "RUS", by="quarter", both_directions=False)
    assert t.periods[0] == "2013-Q4" and t.periods[-1] == "2018-Q4"
    assert t.total_events == 2 and t.historical == 1
    assert t.history_note == ("1 historical event (1956) left out: dated more than 5 years "
                              "before its article")


def test_history_brings_historical_events_in(history_db):
    t = timeline(history_db, "JPN", "RUS", by="year", history=True)
    assert t.periods[0] == "1956" and t.periods[-1] == "2018"
    assert t.total_events == 5 and t.history and t.historical == 2
    assert row(t, "JPN->RUS", "1956").verbal_cooperation == 1
    assert t.history_note == ""
    assert "1956" in {k.date for k in t.key_events}


def test_since_before_the_span_keeps_the_users_range(history_db):
    t = timeline(history_db, "JPN", "RUS", by="year", since="1950", until="2018")
    assert t.periods[0] == "1950" and t.periods[-1] == "2018" and t.since == dt.date(1950, 1, 1)
    assert row(t, "both", "1956").events == 0 and t.historical == 2
    with_history = timeline(history_db, "JPN", "RUS", by="year", since="1950", history=True)
    assert with_history.periods[0] == "1950" and row(with_history, "both", "1956").events == 1
    # A range holding only historical events is not "no events in the store".
    old = timeline(history_db, "JPN", "RUS", by="year", since="1950", until="1960")
    assert old.empty and old.periods == tuple(str(y) for y in range(1950, 1961))
    assert old.message == ("No events between JPN and RUS from 1950-01-01 to 1960-12-31 "
                           "other than historical ones, which are left out by default.")
    assert old.history_note.startswith("1 historical event (1956) left out")


# -- key events -----------------------------------------------------------------------------

@pytest.fixture(scope="module", params=["canonical", "raw"])
def key_events_of(request, db, tmp_path_factory):
    """Key events as ranked from canonical events (the store deduplicated: the two March
    2014 sanction reports one happening), and from the raw reports grouped by month (the
    store as stored before deduplication): the same answers here."""
    if request.param == "raw":
        return lambda *args, **kwargs: key_events(db, *args, raw=True, **kwargs)
    path = make_db(tmp_path_factory.mktemp("clustered") / "events.duckdb")[0]
    with open_store(path) as store:
        Deduplicator.load(store)
    return lambda *args, **kwargs: key_events(path, *args, **kwargs)


def test_key_event_ranking(key_events_of):
    found = key_events_of("JPN", "RUS", top=10)
    assert [k.label for k in found[:4]] == [
        "JPN SANCTION RUS", "JPN SUPPORT RUS", "RUS COOPERATE JPN", "JPN SANCTION RUS"]
    assert [k.rank for k in found] == list(range(1, len(found) + 1))
    first = found[0]
    # Two documents report the March 2014 sanctions; the dated, surer report stands for both.
    assert first.sources == 2 and first.first_of_kind and first.date == "2014-03-18"
    assert first.score == 8.0 + 1.5 + 2.0
    assert first.title == "sanctions" and first.evidence.startswith("Japan sanction Russia")
    assert first.url == "https://example.org/sanctions"
    assert "reported in 2 documents" in first.reasons
    assert found[3].date == "2014-08-05" and not found[3].first_of_kind
    assert found[3].sources == 1


def test_mutual_events_are_listed_once(key_events_of):
    found = key_events_of("JPN", "RUS", top=10)
    consults = [k for k in found if k.plover == "CONSULT"]
    assert len(consults) == 1 and consults[0].mutual
    assert consults[0].actors == "RUS <-> JPN"  # the higher-ranked direction names the pair
    assert len(found) == 7  # 8 clusters, the mirrored CONSULT shown once


def test_key_events_top_range_and_errors(key_events_of):
    assert len(key_events_of("JPN", "RUS", top=2)) == 2
    late = key_events_of("JPN", "RUS", since="2016-01-01")
    assert {k.date[:4] for k in late} == {"2016"}
    assert key_events_of("JPN", "CHN") == []
    with pytest.raises(InputError) as caught:
        key_events_of("JPN", "RUS", top=0)
    assert caught.value.message == "top: must be at least 1, got 0"
    with pytest.raises(UnknownActorError):
        key_events_of("Atlantis", "RUS")
    data = json.loads(json.dumps(key_events_of("JPN", "RUS", top=1)[0].to_dict()))
    assert data["actors"] == "JPN -> RUS" and data["date_start"] == "2014-03-18"


# -- network --------------------------------------------------------------------------------

def test_network_edges_and_weights(db):
    net = network(db)
    edges = {(e.source, e.target): e for e in net.edges}
    assert set(edges) == {("JPN", "RUS"), ("RUS", "JPN"), ("USA", "RUS"), ("G7", "RUS"),
                          ("JPN", "USA")}
    jr = edges[("JPN", "RUS")]
    # 7 = 6 dated + 1 undated; the negated 2018 report is not an event.
    assert jr.events == 7 and jr.goldstein_sum == -22.0
    assert jr.goldstein_mean == pytest.approx(-22.0 / 7, abs=1e-3)
    assert (jr.cooperation, jr.conflict) == (2, 5)
    assert edges[("RUS", "JPN")].goldstein_sum == 5.4
    assert net.events == 13 and net.untargeted == 1
    assert net.edges[0].source == "JPN"  # the heaviest edge first


def test_network_centrality(db):
    net = network(db)
    nodes = {n.id: n for n in net.nodes}
    assert [n.id for n in net.nodes] == ["RUS", "JPN", "USA", "G7"]
    rus = nodes["RUS"]
    assert (rus.events_sent, rus.events_received, rus.strength, rus.degree) == (3, 9, 12, 3)
    # RUS lies on G7→JPN, G7→USA and USA→JPN; JPN on G7→USA and RUS→USA (of 6 pairs × 2).
    assert rus.betweenness == pytest.approx(0.5)
    assert nodes["JPN"].betweenness == pytest.approx(1 / 3, abs=1e-5)
    assert nodes["G7"].betweenness == 0.0
    assert math.isclose(sum(n.pagerank for n in net.nodes), 1.0, abs_tol=1e-4)
    assert rus.pagerank == max(n.pagerank for n in net.nodes)


def test_network_sectors_range_and_frames(db):
    sectors = network(db, sectors=True)
    ids = {n.id for n in sectors.nodes}
    assert {"JPN-GOV", "RUS-GOV", "G7-IGO"} <= ids
    late = network(db, since="2016-01-01", until="2016-12-31")
    assert late.events == 3 and {(e.source, e.target) for e in late.edges} == {
        ("JPN", "RUS"), ("RUS", "JPN")}
    empty = network(db, since="2030-01-01")
    assert empty.nodes == () and "No events" in empty.message
    nodes, edges = network(db).to_polars()
    assert nodes.height == 4 and edges["events"].sum() == 13
    graph = network(db).to_networkx()
    assert graph["JPN"]["RUS"]["events"] == 7
    assert json.loads(json.dumps(network(db).to_dict()))["nodes"][0]["id"] == "RUS"
