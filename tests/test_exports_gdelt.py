"""GDELT 2.0 export: GDELT's 61 columns without a header, read back in pandas, polars and
DuckDB with GDELT's types; quad classes by the CAMEO root; CAMEO actor codes; FIPS
geography; stable ids below 2^53; dates less precise than a day."""

from __future__ import annotations

import collections
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest
from example_stores import make_export_db

from detente.coding.ontology import cameo_quad_class
from detente.export import export, read_gdelt

pd = pytest.importorskip("pandas", reason="pandas is not installed here")

# The GDELT 2.0 event table's columns, in file order, written out from GDELT's codebook.
GDELT_HEADER = ["GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate", "Actor1Code",
    "Actor1Name", "Actor1CountryCode", "Actor1KnownGroupCode", "Actor1EthnicCode",
    "Actor1Religion1Code", "Actor1Religion2Code", "Actor1Type1Code", "Actor1Type2Code",
    "Actor1Type3Code", "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2KnownGroupCode",
    "Actor2EthnicCode", "Actor2Religion1Code", "Actor2Religion2Code", "Actor2Type1Code",
    "Actor2Type2Code", "Actor2Type3Code", "IsRootEvent", "EventCode", "EventBaseCode",
    "EventRootCode", "QuadClass", "GoldsteinScale", "NumMentions", "NumSources", "NumArticles",
    "AvgTone", "Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode",
    "Actor1Geo_ADM1Code", "Actor1Geo_ADM2Code", "Actor1Geo_Lat", "Actor1Geo_Long",
    "Actor1Geo_FeatureID", "Actor2Geo_Type", "Actor2Geo_FullName", "Actor2Geo_CountryCode",
    "Actor2Geo_ADM1Code", "Actor2Geo_ADM2Code", "Actor2Geo_Lat", "Actor2Geo_Long",
    "Actor2Geo_FeatureID", "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode",
    "ActionGeo_ADM1Code", "ActionGeo_ADM2Code", "ActionGeo_Lat", "ActionGeo_Long",
    "ActionGeo_FeatureID", "DATEADDED", "SOURCEURL"]
CODES = {"EventCode": str, "EventBaseCode": str, "EventRootCode": str}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return make_export_db(tmp_path_factory.mktemp("gdelt") / "events.duckdb")


@pytest.fixture(scope="module")
def gdelt(db, tmp_path_factory):
    path = tmp_path_factory.mktemp("out") / "20190510.export.CSV"
    report = export(db[0], "gdelt", path)
    return path, report


def by_code(frame: pl.DataFrame, code: str) -> dict:
    (row,) = frame.filter(pl.col("EventCode") == code).to_dicts()
    return row


def test_no_header_and_61_columns_like_gdelt_files(gdelt):
    path, report = gdelt
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(GDELT_HEADER) == 61 and report.columns == tuple(GDELT_HEADER)
    assert report.header is False and not lines[0].startswith("GLOBALEVENTID")
    assert len(lines) == report.events == 8 and {len(line.split("\t")) for line in lines} == {61}
    # The negated and the undated event are no GDELT rows.
    assert report.skipped == 2 and report.skipped_reason == (
        "undated or negated events are not coded events")


def test_header_on_request(db, gdelt, tmp_path):
    report = export(db[0], "gdelt", tmp_path / "with-header.tsv", header=True)
    first = (tmp_path / "with-header.tsv").read_text(encoding="utf-8").splitlines()[0]
    assert report.header is True and first.split("\t") == GDELT_HEADER
    assert read_gdelt(tmp_path / "with-header.tsv").equals(read_gdelt(gdelt[0]))


def test_reads_with_gdelt_names_and_types_in_pandas_polars_duckdb(gdelt):
    path, _ = gdelt
    df = pd.read_csv(path, sep="\t", header=None, names=GDELT_HEADER, dtype=CODES)
    assert len(df) == 8 and set(df["EventRootCode"]) >= {"02", "04", "07", "15"}
    assert df["GLOBALEVENTID"].dtype == "int64" and df["SQLDATE"].dtype == "int64"
    frame = read_gdelt(path)
    assert frame.columns == GDELT_HEADER
    assert (frame.schema["GLOBALEVENTID"], frame.schema["QuadClass"],
            frame.schema["GoldsteinScale"], frame.schema["EventCode"]) == (
        pl.Int64, pl.Int64, pl.Float64, pl.String)
    assert frame["GLOBALEVENTID"].to_list() == df["GLOBALEVENTID"].to_list()
    with duckdb.connect() as con:
        names = ", ".join(f"'{n}'" for n in GDELT_HEADER)
        rel = con.sql(f"SELECT * FROM read_csv('{path}', delim='\t', header=false, "
                      f"quote='', names=[{names}], types={{'EventCode': 'VARCHAR', "
                      f"'EventBaseCode': 'VARCHAR', 'EventRootCode': 'VARCHAR'}})")
        kinds = dict(zip(rel.columns, map(str, rel.types), strict=True))
        assert (kinds["GLOBALEVENTID"], kinds["EventRootCode"], kinds["ActionGeo_Lat"]) == (
            "BIGINT", "VARCHAR", "DOUBLE")
        assert sorted(r[0] for r in rel.select("EventRootCode").fetchall()) == sorted(
            frame["EventRootCode"].to_list())


def test_quad_class_counts_follow_the_cameo_root(gdelt, db):
    frame = read_gdelt(gdelt[0])
    written = {e.event_id for e in db[1] if e.date and not e.negated}
    expected = collections.Counter(cameo_quad_class(e.cameo) for e in db[1]
                                   if e.event_id in written)
    assert collections.Counter(frame["QuadClass"].to_list()) == expected
    # An appeal (CAMEO 021) is verbal cooperation in GDELT, although its PLOVER type,
    # REQUEST, is stored as verbal conflict.
    assert by_code(frame, "021")["QuadClass"] == 1
    assert [e.quad_class for e in db[1] if e.cameo == "021"] == [3]


def test_cameo_actor_codes(gdelt):
    frame = read_gdelt(gdelt[0])
    g7 = by_code(frame, "073")
    assert (g7["Actor1Code"], g7["Actor1CountryCode"], g7["Actor1KnownGroupCode"],
            g7["Actor1Type1Code"], g7["Actor1Name"]) == ("IGOGOS", None, "GOS", "IGO",
                                                         "GROUP OF SEVEN")
    assert (g7["Actor2Code"], g7["Actor2CountryCode"], g7["Actor2Type1Code"]) == (
        "KENGOV", "KEN", "GOV")
    nato = by_code(frame, "150")
    assert (nato["Actor1Code"], nato["Actor1CountryCode"], nato["Actor1KnownGroupCode"]) == (
        "IGOWSTNAT", "WST", "NAT")
    assert nato["Actor2Code"] == "CANMIL"
    wfp = by_code(frame, "071")
    assert (wfp["Actor1Code"], wfp["Actor1KnownGroupCode"]) == ("IGOUNOWFP", "WFP")
    party = by_code(frame, "112")
    assert (party["Actor1Code"], party["Actor1CountryCode"], party["Actor1Type1Code"]) == (
        "BRA", "BRA", None)
    west = frame.filter((pl.col("EventCode") == "111") & (pl.col("Actor2Code") == "BRAGOV"))
    assert west.select("Actor1Code", "Actor1CountryCode").row(0) == ("WST", "WST")


def test_action_geography_from_the_gazetteer(gdelt):
    frame = read_gdelt(gdelt[0])
    city = by_code(frame, "042")
    assert (city["ActionGeo_Type"], city["ActionGeo_FullName"],
            city["ActionGeo_CountryCode"], city["ActionGeo_ADM1Code"]) == (
        4, "Valparaíso, Chile", "CI", None)
    assert city["ActionGeo_Lat"] == pytest.approx(-33.04, abs=0.01)
    assert city["ActionGeo_Long"] == pytest.approx(-71.63, abs=0.01)
    assert city["ActionGeo_FeatureID"] == "3868626"
    country = by_code(frame, "021")
    assert (country["ActionGeo_Type"], country["ActionGeo_FullName"],
            country["ActionGeo_CountryCode"], country["ActionGeo_ADM1Code"],
            country["ActionGeo_FeatureID"]) == (1, "Chile", "CI", "CI", "CI")
    assert (country["ActionGeo_Lat"], country["ActionGeo_Long"]) == (-30.0, -71.0)
    us_city = frame.filter((pl.col("EventCode") == "111")
                           & (pl.col("Actor2Code") == "USAGOV")).row(0, named=True)
    assert (us_city["ActionGeo_Type"], us_city["ActionGeo_CountryCode"]) == (3, "US")
    unplaced = by_code(frame, "073")
    assert unplaced["ActionGeo_Type"] is None and unplaced["ActionGeo_CountryCode"] is None


def test_ids_dates_and_sources(gdelt, db, tmp_path):
    frame = read_gdelt(gdelt[0])
    assert frame["GLOBALEVENTID"].n_unique() == 8
    assert frame["GLOBALEVENTID"].max() < 2 ** 53
    again = read_gdelt(export(db[0], "gdelt", tmp_path / "again.tsv").path)
    assert again["GLOBALEVENTID"].to_list() == frame["GLOBALEVENTID"].to_list()
    visit = by_code(frame, "042")
    assert (visit["SQLDATE"], visit["MonthYear"], visit["Year"]) == (20190508, 201905, 2019)
    assert visit["FractionDate"] == pytest.approx(2019 + (5 * 30 + 8) / 365, abs=1e-4)
    assert visit["SOURCEURL"] == "https://example.org/talks"
    assert by_code(frame, "071")["SOURCEURL"] == "brief-07.txt"
    assert (visit["IsRootEvent"], visit["NumArticles"], visit["AvgTone"]) == (1, 1, None)
    assert by_code(frame, "150")["IsRootEvent"] == 0


def test_dateadded_is_utc_whatever_the_local_time_zone(tmp_path):
    # Store and export on a machine twelve or thirteen hours ahead of UTC.
    script = (
        "import sys; from example_stores import make_export_db; "
        "from detente.export import export; "
        f"db, _ = make_export_db(Path({str(tmp_path / 'nz.duckdb')!r})); "
        f"export(db, 'gdelt', Path({str(tmp_path / 'nz.tsv')!r}))")
    env = {**os.environ, "TZ": "Pacific/Auckland"}
    subprocess.run([sys.executable, "-c", "from pathlib import Path; " + script], check=True,
                   env=env, cwd=Path(__file__).parent, timeout=120)
    added = dt.datetime.strptime(str(read_gdelt(tmp_path / "nz.tsv")["DATEADDED"][0]),
                                 "%Y%m%d%H%M%S")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert abs(now - added) < dt.timedelta(minutes=10)


def test_month_and_year_dates_are_the_first_day_and_said_so(gdelt, db, tmp_path):
    frame = read_gdelt(gdelt[0])
    assert by_code(frame, "021")["SQLDATE"] == 20190401
    assert by_code(frame, "073")["SQLDATE"] == 20180101
    (note,) = gdelt[1].notes
    assert note.startswith("2 event(s) are dated to a month or a year only: SQLDATE is the "
                           "first day")
    days = export(db[0], "gdelt", tmp_path / "days.tsv", day_only=True)
    assert days.events == 6 and days.notes == ()
    assert set(read_gdelt(days.path)["EventCode"]) == {"042", "150", "071", "111", "112"}
