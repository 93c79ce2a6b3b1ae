"""Library results as tables: `events()`, `docs()`, `timeline()` and `network()` convert
to Arrow, pandas and polars with typed dates, and stay the lists and records they were."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pytest
from test_api_example import DOCUMENTS, build_example_db

import detente
from detente.frames import DOCUMENT_TYPES, EVENT_TYPES
from detente.records import DocumentInfo
from detente.store import open_store

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example_db(tmp_path_factory.mktemp("frames") / "example.duckdb")


def test_events_stay_a_list_of_records(db: Path) -> None:
    found = detente.events(db, source="Japan", type="SANCTION")
    written = [coded for _, _, sentences in DOCUMENTS for _, events in sentences
               for coded in events if coded[0] == "JPN" and coded[2] == "SANCTION"]
    assert isinstance(found, list) and len(found) == len(written) == 5
    assert found == list(found) and found[0].plover == "SANCTION"
    assert json.loads(json.dumps(found.to_dicts())) == [e.to_dict() for e in found]


def test_events_as_arrow_pandas_and_polars_with_typed_dates(db: Path) -> None:
    found = detente.events(db, source="JPN", target="RUS")
    table = found.to_arrow()
    assert table.column_names == list(EVENT_TYPES)
    assert table.schema.field("date_start").type == pa.date32()
    assert table.num_rows == len(found)

    frame = found.to_pandas()
    assert str(frame["date_start"].dtype).startswith("datetime64")
    assert str(frame["date_end"].dtype).startswith("datetime64")
    first = found[0]
    assert frame["date_start"].iloc[0] == pd.Timestamp(first.to_dict()["date_start"])
    assert frame["cameo"].iloc[0] == first.cameo  # a string: "163", never 163
    assert list(frame["date_precision"]) == [e.date_precision for e in found]
    # A missing value is a null, never "" (as in the exports).
    assert frame["location_code"].isna().all()

    polars = found.to_polars()
    assert polars.schema["date_start"] == pl.Date and polars.schema["cameo"] == pl.String
    assert polars["event_id"].to_list() == [e.event_id for e in found]


def test_a_month_dated_event_covers_its_month(tmp_path: Path) -> None:
    from example_stores import Spec, add_document

    db = tmp_path / "month.duckdb"
    with open_store(db) as store:
        add_document(store, "later summary", "2015-06-01",
                     [Spec("JPN", "RUS", "ACCUSE", "2014-09", -2.0, 3, "111")])
    row = detente.events(db).to_polars().row(0, named=True)
    assert (row["date"], row["date_precision"]) == ("2014-09", "month")
    assert (row["date_start"], row["date_end"]) == (dt.date(2014, 9, 1), dt.date(2014, 9, 30))


def test_an_empty_result_has_the_same_columns_and_types(db: Path) -> None:
    none = detente.events(db, since="2030")
    assert none == [] and none.to_arrow().schema == detente.events(db).to_arrow().schema
    assert none.to_polars().schema["date_end"] == pl.Date


def test_documents_as_tables(db: Path) -> None:
    docs = detente.docs(db)
    assert isinstance(docs[0], DocumentInfo) and len(docs) == len(DOCUMENTS)
    frame = docs.to_pandas()
    assert list(frame.columns) == list(DOCUMENT_TYPES)
    assert str(frame["date"].dtype).startswith("datetime64")
    assert frame["events"].sum() == sum(d.events for d in docs)
    polars = docs.to_polars()
    assert polars.schema["date"] == pl.Date and polars["date_inferred"].dtype == pl.Boolean
    # A day-precise or unmarked date stands for its own day.
    assert polars["date_end"].to_list() == polars["date"].to_list()


def test_a_year_dated_document_ends_with_its_year(tmp_path: Path) -> None:
    db = tmp_path / "year.duckdb"
    with open_store(db) as store:
        store.add_document(detente.Document.create("Norway and Chile agreed on fishing.",
                                                   date=dt.date(2019, 1, 1),
                                                   date_precision="year"), [])
    row = detente.docs(db).to_polars().row(0, named=True)
    assert (row["date"], row["date_end"], row["date_precision"]) == (
        dt.date(2019, 1, 1), dt.date(2019, 12, 31), "year")


def test_timeline_as_tables_with_the_document_volume(db: Path) -> None:
    t = detente.timeline(db, "JPN", "RUS", by="year")
    frame = t.to_pandas()
    assert len(frame) == len(t.rows)
    assert str(frame["start"].dtype).startswith("datetime64")
    both = t.to_polars().filter(pl.col("direction") == "both")
    assert both["events"].sum() == t.total_events
    # Documents per publication year, of any dyad: 3 of the example's are from 2014.
    volume = dict(zip(both["period"].to_list(), both["documents"].to_list(), strict=True))
    assert volume["2014"] == sum(1 for day, _, _ in DOCUMENTS if day.startswith("2014")) == 3
    assert t.to_arrow().schema.field("end").type == pa.date32()


def test_network_as_node_and_edge_tables(db: Path) -> None:
    net = detente.network(db)
    nodes, edges = net.to_pandas()
    assert list(nodes["id"]) == [n.id for n in net.nodes]
    assert edges["events"].sum() == net.events
    arrow_nodes, _ = net.to_arrow()
    assert arrow_nodes.schema.field("sector").type == pa.string()
    assert arrow_nodes.column("sector").null_count == len(net.nodes)  # no sectors asked
    polar_nodes, polar_edges = net.to_polars()
    assert polar_nodes.height == len(net.nodes) and polar_edges.schema["events"] == pl.Int64
