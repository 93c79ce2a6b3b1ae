"""Parquet, CSV and JSON Lines exports read back in pandas, polars and DuckDB with the types
the README's dtype note documents; document columns on every row; NULL for missing."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import pytest
from example_stores import make_export_db

from detente.export import TABLE_COLUMNS, export
from detente.store import EVENT_COLUMNS

pd = pytest.importorskip("pandas", reason="pandas is not installed here")

# The README's dtype note.
IDS = {"event_id": str, "doc_id": str, "date": str, "cameo": str}
DATES = ["date_start", "date_end", "doc_date"]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return make_export_db(tmp_path_factory.mktemp("tables") / "events.duckdb")


@pytest.fixture(scope="module")
def files(db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("out")
    for fmt in ("parquet", "csv", "jsonl"):
        report = export(db[0], fmt, folder / f"events.{fmt}")
        assert report.events == 10 and report.columns == TABLE_COLUMNS
    return folder


def test_columns_are_the_events_then_the_document(files):
    frame = pl.read_parquet(files / "events.parquet")
    assert tuple(frame.columns) == (*EVENT_COLUMNS, "doc_date", "doc_date_precision",
                                    "doc_title", "doc_url", "cluster_id", "reports", "articles",
                                    "sources", "first_report", "last_report", "root")
    # a store written without deduplication: each event its own happening, told once
    assert frame["cluster_id"].to_list() == frame["event_id"].to_list()
    assert set(zip(frame["reports"], frame["articles"], frame["sources"])) == {(1, 1, 1)}
    talks = frame.filter(pl.col("cameo") == "042").row(0, named=True)
    assert (talks["doc_date"], talks["doc_date_precision"], talks["doc_title"],
            talks["doc_url"]) == (dt.date(2019, 5, 10), "day", "talks",
                                  "https://example.org/talks")
    aid = frame.filter(pl.col("cameo") == "071").row(0, named=True)
    assert (aid["doc_date"], aid["doc_date_precision"], aid["doc_title"],
            aid["doc_url"]) == (dt.date(2019, 1, 1), "year", None, None)


def test_parquet_types_in_polars_pandas_and_duckdb(files):
    path = files / "events.parquet"
    frame = pl.read_parquet(path)
    assert {name: frame.schema[name] for name in (*DATES, "cameo", "negated", "goldstein")} \
        == {"date_start": pl.Date, "date_end": pl.Date, "doc_date": pl.Date,
            "cameo": pl.String, "negated": pl.Boolean, "goldstein": pl.Float64}
    df = pd.read_parquet(path)
    assert sorted(df["cameo"]) == sorted(frame["cameo"].to_list())
    assert "021" in set(df["cameo"])
    with duckdb.connect() as con:
        kinds = dict(con.sql(f"SELECT column_name, column_type FROM "
                             f"(DESCRIBE SELECT * FROM read_parquet('{path}'))").fetchall())
    assert (kinds["date_start"], kinds["doc_date"], kinds["cameo"], kinds["negated"]) == (
        "DATE", "DATE", "VARCHAR", "BOOLEAN")


def test_missing_values_are_null_never_empty_strings(files):
    frame = pl.read_parquet(files / "events.parquet")
    strings = [name for name, kind in frame.schema.items() if kind == pl.String]
    assert frame.select((pl.col(strings) == "").any()).row(0) == (False,) * len(strings)
    # The plover_mode of events without one, the undated event's date, the target-less
    # columns: all NULL.
    assert frame.filter(pl.col("cameo") == "021")["plover_mode"].to_list() == [None]
    assert frame.filter(pl.col("cameo") == "120")["date"].to_list() == [None]
    assert frame.filter(pl.col("cameo") == "073")["location_code"].to_list() == [None]


def test_csv_in_pandas_polars_and_duckdb(files):
    path = files / "events.csv"
    text = path.read_text(encoding="utf-8")
    assert ",true," in text and ",false," in text and "True" not in text and '""' not in text
    df = pd.read_csv(path, dtype=IDS, parse_dates=DATES)
    assert set(df["cameo"]) >= {"021", "042", "073"}
    assert str(df["date_start"].dtype).startswith("datetime64")
    assert df["negated"].dtype == bool and df["negated"].sum() == 1
    assert df["plover_mode"].isna().sum() == 8
    frame = pl.read_csv(path, schema_overrides={k: pl.String for k in IDS},
                        try_parse_dates=True)
    assert frame.schema["date_start"] == pl.Date and frame.schema["cameo"] == pl.String
    assert frame.schema["negated"] == pl.Boolean
    assert frame.sort("event_id").equals(
        pl.read_parquet(files / "events.parquet").sort("event_id"))
    with duckdb.connect() as con:
        rel = con.sql(f"SELECT * FROM read_csv('{path}', types={{'cameo': 'VARCHAR', "
                      f"'date': 'VARCHAR'}})")
        kinds = dict(zip(rel.columns, map(str, rel.types), strict=True))
        assert (kinds["cameo"], kinds["date_start"], kinds["negated"]) == (
            "VARCHAR", "DATE", "BOOLEAN")
        assert sorted(r[0] for r in rel.filter("date IS NOT NULL").select("date").fetchall()
                      ) == sorted(d for d in frame["date"].to_list() if d)


def test_jsonl_in_pandas_polars_and_duckdb(files):
    path = files / "events.jsonl"
    text = path.read_text(encoding="utf-8")
    assert '"negated":true' in text and '"plover_mode":null' in text and '""' not in text
    df = pd.read_json(path, lines=True, dtype=False)
    assert set(df["cameo"]) >= {"021", "042"} and df["negated"].dtype == bool
    frame = pl.read_ndjson(path, schema_overrides=dict.fromkeys(DATES, pl.Date))
    assert frame.schema["date_start"] == pl.Date
    assert frame.select(TABLE_COLUMNS).sort("event_id").equals(
        pl.read_parquet(files / "events.parquet").sort("event_id"))
    with duckdb.connect() as con:
        rel = con.sql(f"SELECT * FROM read_json('{path}')")
        kinds = dict(zip(rel.columns, map(str, rel.types), strict=True))
    assert (kinds["cameo"], kinds["date_start"], kinds["negated"], kinds["goldstein"]) == (
        "VARCHAR", "DATE", "BOOLEAN", "DOUBLE")
