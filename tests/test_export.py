"""Every export format written from a real DuckDB file, read back and compared."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import polars as pl
import pytest
from example_stores import fill, make_db

from detente.errors import InputError, UnknownActorError, UnsupportedFormatError
from detente.export import GDELT_SCHEMA, TABLE_COLUMNS, export, read_gdelt
from detente.store import EVENT_COLUMNS, open_store


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    path, events = make_db(tmp_path_factory.mktemp("export") / "events.duckdb")
    return path, events


def stored_frame(path) -> pl.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.sql(f"SELECT {', '.join(EVENT_COLUMNS)} FROM events").pl()


def by_id(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort("event_id")


def nulls(frame: pl.DataFrame) -> pl.DataFrame:
    """The store's empty strings as the NULLs the exports write."""
    return frame.with_columns(pl.when(pl.col(name) != "").then(pl.col(name)).alias(name)
                              for name, kind in frame.schema.items() if kind == pl.String)


def test_parquet_is_typed_and_equals_the_store(stored, tmp_path):
    path, events = stored
    report = export(path, "parquet", tmp_path / "events.parquet")
    assert report.events == len(events) == 15 and report.columns == TABLE_COLUMNS
    frame = pl.read_parquet(tmp_path / "events.parquet")
    assert frame.schema["date_start"] == pl.Date
    assert frame.schema["date"] == pl.String
    assert frame.schema["quad_class"] == pl.Int32 and frame.schema["goldstein"] == pl.Float64
    assert frame.schema["negated"] == pl.Boolean
    assert by_id(frame.select(EVENT_COLUMNS)).equals(nulls(by_id(stored_frame(path))))
    with duckdb.connect() as con:
        described = con.sql(
            f"DESCRIBE SELECT * FROM read_parquet('{tmp_path}/events.parquet')").fetchall()
        kinds = {name: kind for name, kind, *_ in described}
        assert kinds["date_start"] == "DATE" and kinds["goldstein"] == "DOUBLE"
        first = con.execute(f"SELECT min(date_start) FROM read_parquet('{tmp_path}/events.parquet')"
                        ).fetchone()[0]
        assert first == dt.date(1956, 1, 1)


def test_parquet_loads_in_pyarrow_and_pandas(stored, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path, events = stored
    export(path, "parquet", tmp_path / "events.parquet")
    table = pq.read_table(tmp_path / "events.parquet")
    assert table.schema.field("date_start").type == pa.date32()
    assert table.num_rows == len(events)


def test_parquet_loads_in_pandas(stored, tmp_path):
    pandas = pytest.importorskip("pandas", reason="pandas is not installed here")
    path, events = stored
    export(path, "parquet", tmp_path / "events.parquet")
    frame = pandas.read_parquet(tmp_path / "events.parquet")
    assert len(frame) == len(events)


def test_csv_round_trip(stored, tmp_path):
    path, _ = stored
    report = export(path, "csv", tmp_path / "events.csv")
    assert report.events == 15
    expected = nulls(by_id(stored_frame(path)))
    frame = pl.read_csv(tmp_path / "events.csv", schema_overrides=expected.schema)
    assert frame.columns == list(TABLE_COLUMNS)
    assert by_id(frame.select(EVENT_COLUMNS)).equals(expected)


def test_jsonl_rows_equal_the_store(stored, tmp_path):
    path, _ = stored
    report = export(path, "jsonl", tmp_path / "events.jsonl")
    lines = (tmp_path / "events.jsonl").read_text(encoding="utf-8").splitlines()
    assert report.events == len(lines) == 15
    expected = nulls(by_id(stored_frame(path)))
    frame = pl.read_ndjson(tmp_path / "events.jsonl", schema_overrides=expected.schema)
    assert by_id(frame.select(EVENT_COLUMNS)).equals(expected)


def test_gdelt_columns_types_and_values(stored, tmp_path):
    path, _ = stored
    report = export(path, "gdelt", tmp_path / "events.tsv")
    # The undated and the negated report cannot be GDELT rows.
    assert report.events == 13 and report.skipped == 2 and "undated" in report.skipped_reason
    lines = (tmp_path / "events.tsv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 13 and len(GDELT_SCHEMA) == 61
    assert all(len(line.split("\t")) == 61 for line in lines)
    frame = read_gdelt(tmp_path / "events.tsv")
    assert frame.height == 13
    assert frame.schema["SQLDATE"] == pl.Int64 and frame.schema["QuadClass"] == pl.Int64
    assert frame.schema["GoldsteinScale"] == pl.Float64
    assert frame.schema["EventRootCode"] == pl.String
    assert frame["EventRootCode"].str.len_chars().unique().to_list() == [2]
    assert frame["GLOBALEVENTID"].n_unique() == 13
    (sanction,) = frame.filter((pl.col("SQLDATE") == 20140318)
                               & (pl.col("EventCode") == "163")).to_dicts()
    assert sanction["MonthYear"] == 201403 and sanction["Year"] == 2014
    assert sanction["FractionDate"] == pytest.approx(2014 + (3 * 30 + 18) / 365, abs=1e-4)
    assert (sanction["Actor1Code"], sanction["Actor1CountryCode"],
            sanction["Actor1Type1Code"], sanction["Actor1Name"]) == ("JPNGOV", "JPN", "GOV",
                                                                     "JAPAN")
    assert (sanction["Actor2Code"], sanction["Actor2CountryCode"]) == ("RUSGOV", "RUS")
    assert (sanction["EventBaseCode"], sanction["EventRootCode"]) == ("163", "16")
    assert sanction["QuadClass"] == 4 and sanction["GoldsteinScale"] == -8.0
    assert sanction["IsRootEvent"] == 1 and sanction["NumArticles"] == 1
    assert sanction["AvgTone"] is None
    # The fixture places this event in "Crimea" with the code RUS: the gazetteer has no
    # such city, so the event is placed at country level.
    assert (sanction["ActionGeo_Type"], sanction["ActionGeo_FullName"],
            sanction["ActionGeo_CountryCode"]) == (1, "Russia", "RS")
    assert sanction["SOURCEURL"] == "https://example.org/sanctions"
    assert 20000101000000 < sanction["DATEADDED"] < 21000101000000
    (support,) = frame.filter(pl.col("EventCode") == "057").to_dicts()
    assert support["EventRootCode"] == "05" and support["SQLDATE"] == 19560101
    (g7,) = frame.filter(pl.col("Actor1Code") == "IGOGOS").to_dicts()
    assert g7["Actor1CountryCode"] is None and g7["Actor1KnownGroupCode"] == "GOS"
    assert g7["Actor1Type1Code"] == "IGO" and g7["IsRootEvent"] == 0
    (mobilize,) = frame.filter(pl.col("EventCode") == "150").to_dicts()
    assert mobilize["Actor2Code"] is None


def test_gdelt_without_header_like_gdelt_files(stored, tmp_path):
    path, _ = stored
    report = export(path, "gdelt", tmp_path / "20140318.export.CSV")
    text = (tmp_path / "20140318.export.CSV").read_text(encoding="utf-8")
    assert not text.startswith("GLOBALEVENTID") and report.header is False
    assert read_gdelt(tmp_path / "20140318.export.CSV").height == 13
    with duckdb.connect() as con:
        count, kind = con.execute(
            f"SELECT count(*), any_value(typeof(column01)) FROM read_csv("
            f"'{tmp_path}/20140318.export.CSV', delim='\t', header=false)").fetchone()
    assert count == 13 and kind == "BIGINT"


def test_plover_records(stored, tmp_path):
    path, events = stored
    report = export(path, "plover", tmp_path / "events.json")
    records = json.loads((tmp_path / "events.json").read_text(encoding="utf-8"))
    # The negated and the undated event are not PLOVER events.
    assert report.events == len(records) == 13 and report.skipped == 2
    assert {r["id"] for r in records} == {e.event_id for e in events
                                           if e.date and not e.negated}
    (record,) = [r for r in records if r["date"] == "2014-03-18" and r["event"] == ["SANCTION"]]
    assert record["actor"] == [{"code": "JPN", "sector": "GOV", "entity_text": "Japan",
                                "identifier_text": "Japan"}]
    assert record["recipient"][0]["code"] == "RUS"
    assert record["event_text"][0].startswith("Japan sanction Russia")
    assert (record["cameo"], record["goldstein"], record["quad_code"]) == ("163", -8.0, 3)
    assert record["event_loc"]["extracted_place"] == "Crimea"
    assert record["cite_info"]["title"] == "sanctions"
    assert record["mode"] == [] and record["context"] == []
    (alone,) = [r for r in records if r["event"] == ["MOBILIZE"]]
    assert alone["recipient"] == []
    export(path, "plover", tmp_path / "events.jsonl")
    lines = (tmp_path / "events.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [r["id"] for r in records]


def test_filters_match_the_events_query(stored, tmp_path):
    path, _ = stored
    report = export(path, "jsonl", tmp_path / "jpn.jsonl", source="Japan", target="RUS",
                    type="sanction", since="2014-01-01", until="2014")
    read = [json.loads(line)
            for line in (tmp_path / "jpn.jsonl").read_text(encoding="utf-8").splitlines()]
    assert report.events == 3 and {r["plover"] for r in read} == {"SANCTION"}
    assert report.filters == {"source": "JPN", "target": "RUS", "plover": "SANCTION",
                              "since": dt.date(2014, 1, 1), "until": dt.date(2014, 12, 31)}
    assert json.loads(json.dumps(report.to_dict()))["filters"]["until"] == "2014-12-31"
    none = export(path, "csv", tmp_path / "none.csv", source="CHN")
    assert none.events == 0 and "No stored events" in none.message


def test_export_from_an_open_store(tmp_path):
    with open_store(":memory:") as store:
        fill(store)
        report = export(store, "parquet", tmp_path / "memory.parquet")
    assert report.events == pl.read_parquet(tmp_path / "memory.parquet").height == 15


def test_export_errors(stored, tmp_path):
    path, _ = stored
    with pytest.raises(UnsupportedFormatError, match="xlsx"):
        export(path, "xlsx", tmp_path / "x.xlsx")
    with pytest.raises(InputError, match="does not exist"):
        export(path, "csv", tmp_path / "missing" / "x.csv")
    with pytest.raises(UnknownActorError):
        export(path, "csv", tmp_path / "x.csv", source="Atlantis")
    assert not (tmp_path / "x.csv").exists()
    try:
        import detente.coding.ontology  # noqa: F401
    except ImportError:
        return
    with pytest.raises(InputError, match="unknown event type"):
        export(path, "csv", tmp_path / "x.csv", type="HUG")
