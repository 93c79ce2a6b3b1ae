"""Plots rendered offline to real files, and the demo's analysis step."""

from __future__ import annotations

import datetime as dt

import pytest
from example_stores import make_db

from detente.analysis import (
    demo_analysis,
    network,
    network_chart,
    plot_network,
    plot_timeline,
    timeline,
    timeline_chart,
)
from detente.analysis.plots import marker_levels
from detente.errors import InputError

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """The dyad store, its reports clustered into happenings as the next ingest would
    (the demo counts happenings)."""
    from detente.dedup.state import Deduplicator
    from detente.store import open_store

    path = make_db(tmp_path_factory.mktemp("plots") / "events.duckdb")[0]
    with open_store(path) as store:
        Deduplicator.load(store)
    return path


def assert_png(path):
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC)
    assert len(data) > 10_000


def test_timeline_png_svg_and_offline_html(db, tmp_path):
    t = timeline(db, "JPN", "RUS", by="quarter", since="2014-01-01", until="2016-12-31")
    assert_png(plot_timeline(t, tmp_path / "t.png"))
    svg = plot_timeline(t, tmp_path / "t.svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<svg") and "JPN–RUS events by quarter" in svg
    assert "Key events" in svg and "JPN SANCTION RUS" in svg
    html = plot_timeline(t, tmp_path / "t.html").read_text(encoding="utf-8")
    # Vega is bundled into the page: no script is loaded from a CDN.
    assert "vegaEmbed" in html and "cdn.jsdelivr" not in html and "<script src=" not in html


def test_timeline_chart_layers(db):
    t = timeline(db, "JPN", "RUS", by="year", since="2014-01-01", until="2016-12-31")
    spec = timeline_chart(t).to_dict()
    # Marker strip, stacked bars, Goldstein lines, caption of key events.
    assert len(spec["vconcat"]) == 4
    text = str(spec)
    assert "verbal cooperation" in text and "material conflict" in text
    assert "JPN → RUS" in text and "RUS → JPN" in text


def test_timeline_chart_says_what_history_it_left_out(db):
    note = ("1 historical event (1956) left out: dated more than 5 years before its article; "
            "the history option draws them.")
    default = timeline_chart(timeline(db, "JPN", "RUS", by="year")).to_dict()
    assert note in default["title"]["subtitle"]
    assert default["vconcat"][1]["layer"][0]["encoding"]["x"]["scale"]["domain"][0] == (
        "2014-01-01")
    full = timeline_chart(timeline(db, "JPN", "RUS", by="year", history=True)).to_dict()
    assert "historical" not in str(full["title"]["subtitle"])
    assert full["vconcat"][1]["layer"][0]["encoding"]["x"]["scale"]["domain"][0] == (
        "1956-01-01")
    only_history = timeline_chart(timeline(db, "JPN", "RUS", since="1950", until="1960"))
    assert "1 historical event (1956) left out" in str(only_history.to_dict())


def test_empty_timeline_still_draws_its_message(db, tmp_path):
    t = timeline(db, "JPN", "CHN")
    assert_png(plot_timeline(t, tmp_path / "empty.png"))
    assert "No events between JPN and CHN" in str(timeline_chart(t).to_dict())


def test_network_png(db, tmp_path):
    net = network(db)
    assert_png(plot_network(net, tmp_path / "network.png"))
    spec = str(network_chart(net, top=2).to_dict())
    assert "the 2 most active actors" in spec and "'G7'" not in spec


def test_plot_file_errors(db, tmp_path):
    t = timeline(db, "JPN", "RUS", by="year")
    with pytest.raises(InputError, match=".png, .svg or .html"):
        plot_timeline(t, tmp_path / "t.jpg")
    with pytest.raises(InputError, match="does not exist"):
        plot_timeline(t, tmp_path / "missing" / "t.png")


def test_marker_levels_keep_close_markers_apart():
    first, last = dt.date(2014, 1, 1), dt.date(2024, 1, 1)
    dates = [dt.date(2016, 12, 15), dt.date(2016, 12, 16), dt.date(2014, 3, 1),
             dt.date(2016, 12, 1), dt.date(2020, 1, 1)]
    levels = marker_levels(dates, first, last)
    assert len({levels[0], levels[1], levels[3]}) == 3  # three markers within two weeks
    assert levels[2] == 0 and levels[4] == 0  # lone markers stay on the first row


def test_demo_analysis_writes_plots(db, tmp_path):
    demo = demo_analysis(db, tmp_path / "out")
    assert [p.name for p in demo.plots] == ["jpn-rus-timeline.png", "jpn-rus-timeline.svg",
                                            "network.png"]
    for path in demo.plots:
        assert path.is_file()
    assert_png(demo.plots[0])
    assert_png(demo.plots[2])
    # The series starts in the year of the first stored document (2014), by quarter.
    assert demo.timeline.by == "quarter" and demo.timeline.periods[0] == "2014-Q1"
    assert demo.key_events[0].label == "JPN SANCTION RUS"
    assert any(k.date == "1956" for k in demo.key_events)  # history stays in the list
    assert demo.to_dict()["plots"][0].endswith("jpn-rus-timeline.png")
