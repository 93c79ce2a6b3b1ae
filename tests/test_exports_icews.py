"""ICEWS export: exactly ICEWS's coded-event columns, read back in pandas, polars and DuckDB."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import pytest
from example_stores import make_export_db

from detente.export import ICEWS_SCHEMA, export, read_gdelt

pd = pytest.importorskip("pandas", reason="pandas is not installed here")

ICEWS_HEADER = ["Event ID", "Event Date", "Source Name", "Source Sectors", "Source Country",
                "Event Text", "CAMEO Code", "Intensity", "Target Name", "Target Sectors",
                "Target Country", "Story ID", "Sentence Number", "Publisher", "City",
                "District", "Province", "Country", "Latitude", "Longitude"]


@pytest.fixture(scope="module")
def icews(tmp_path_factory):
    folder = tmp_path_factory.mktemp("icews")
    db, _ = make_export_db(folder / "events.duckdb")
    report = export(db, "icews", folder / "events.tab")
    return folder / "events.tab", report, db


def rows(path) -> pl.DataFrame:
    return pl.read_csv(path, separator="\t", quote_char=None, schema=ICEWS_SCHEMA)


def test_exactly_the_icews_columns(icews):
    path, report, _ = icews
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t") == ICEWS_HEADER == list(report.columns)
    assert report.header is True and report.events == len(lines) - 1 == 8
    assert report.skipped == 2
    (note,) = report.notes
    assert "Event Date is the first day of that month or year" in note


def test_loads_in_pandas_polars_and_duckdb(icews):
    path = icews[0]
    df = pd.read_csv(path, sep="\t", dtype={"CAMEO Code": str}, parse_dates=["Event Date"])
    assert set(df["CAMEO Code"]) >= {"021", "042", "073"}
    assert df["Event ID"].dtype == "int64" and df["Intensity"].dtype == "float64"
    frame = rows(path)
    assert frame.schema["Event Date"] == pl.Date and frame.schema["CAMEO Code"] == pl.String
    assert sorted(frame["Event ID"].to_list()) == sorted(df["Event ID"].to_list())
    with duckdb.connect() as con:
        rel = con.sql(f"SELECT * FROM read_csv('{path}', delim='\t', quote='', "
                      f"types={{'CAMEO Code': 'VARCHAR'}})")
        kinds = dict(zip(rel.columns, map(str, rel.types), strict=True))
    assert (kinds["Event ID"], kinds["Event Date"], kinds["CAMEO Code"], kinds["Latitude"]
            ) == ("BIGINT", "DATE", "VARCHAR", "DOUBLE")


def test_values(icews, tmp_path):
    path, _, db = icews
    frame = rows(path)
    (visit,) = frame.filter(pl.col("CAMEO Code") == "042").to_dicts()
    assert visit == {
        "Event ID": visit["Event ID"], "Event Date": dt.date(2019, 5, 8),
        "Source Name": "Norway", "Source Sectors": "Government", "Source Country": "Norway",
        "Event Text": "Make a visit", "CAMEO Code": "042", "Intensity": 1.9,
        "Target Name": "Chile", "Target Sectors": "Government", "Target Country": "Chile",
        "Story ID": visit["Story ID"], "Sentence Number": 1, "Publisher": "Harbour Wire",
        "City": "Valparaíso", "District": None, "Province": None, "Country": "Chile",
        "Latitude": pytest.approx(-33.04, abs=0.01), "Longitude": pytest.approx(-71.63, abs=0.01)}
    gdelt = read_gdelt(export(db, "gdelt", tmp_path / "same.tsv").path)
    # The same event has the same integer id in GDELT and ICEWS.
    assert visit["Event ID"] in gdelt["GLOBALEVENTID"].to_list()
    (g7,) = frame.filter(pl.col("CAMEO Code") == "073").to_dicts()
    assert (g7["Source Name"], g7["Source Country"], g7["Event Date"], g7["Country"]) == (
        "Group of Seven", None, dt.date(2018, 1, 1), None)
    assert frame.filter(pl.col("Publisher").is_null()).height == 4
    assert frame["Story ID"].n_unique() == 2
