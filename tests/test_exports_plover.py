"""PLOVER records: the manual's fields, valid against the JSON Schema written from it; and
the POLECAT-style TSV with COW and Gleditsch–Ward codes, read back in pandas, polars and
DuckDB."""

from __future__ import annotations

import copy
import datetime as dt
import json

import duckdb
import polars as pl
import pytest
from example_stores import make_export_db

from detente.export import POLECAT_SCHEMA, export, plover_schema

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed here")
pd = pytest.importorskip("pandas", reason="pandas is not installed here")


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return make_export_db(tmp_path_factory.mktemp("plover") / "events.duckdb")


@pytest.fixture(scope="module")
def records(db, tmp_path_factory):
    path = tmp_path_factory.mktemp("out") / "events.json"
    report = export(db[0], "plover", path)
    return json.loads(path.read_text(encoding="utf-8")), report


def by_cameo(records: list[dict], cameo: str) -> dict:
    (record,) = [r for r in records if r["cameo"] == cameo]
    return record


def test_every_record_validates_against_the_schema(records):
    schema = plover_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    found, report = records
    assert len(found) == report.events == 7
    for record in found:
        assert list(record) == list(schema["properties"])
        assert not list(validator.iter_errors(record)), record["id"]


def test_the_schema_rejects_what_the_manual_rules_out(records):
    validator = jsonschema.Draft202012Validator(plover_schema())
    record = records[0][0]
    broken = {
        "a month as date": {**record, "date": "2019-04"},
        "a single event, not a list": {**record, "event": "CONSULT"},
        "an unknown category": {**record, "event": ["HUG"]},
        "no actor": {k: v for k, v in record.items() if k != "actor"},
        "quad code 5": {**record, "quad_code": 5},
        "negative offset": {**record, "text_info": {**record["text_info"], "start": -1}},
    }
    lowered = copy.deepcopy(record)
    lowered["actor"][0]["code"] = "nor"
    broken["a lower-case code"] = lowered
    for what, bad in broken.items():
        assert list(validator.iter_errors(bad)), what


def test_record_fields(records, db):
    found, report = records
    visit = by_cameo(found, "042")
    assert (visit["date"], visit["enddate"], visit["date_precision"]) == (
        "2019-05-08", "2019-05-08", "day")
    assert visit["actor"] == [{"code": "NOR", "sector": "GOV", "entity_text": "Norway",
                               "identifier_text": "Norway"}]
    assert visit["recipient"][0]["code"] == "CHL"
    assert (visit["event"], visit["mode"], visit["context"]) == (["CONSULT"], ["visit"], [])
    assert (visit["quad_code"], visit["event_scale"]) == (1, 4.0)
    (event,) = [e for e in db[1] if e.cameo == "042"]
    assert visit["event_text"] == [event.evidence]
    assert visit["text_info"] == {"sequence": 0, "start": event.char_start,
                                  "end": event.char_end}
    assert visit["cite_info"]["url"] == "https://example.org/talks"
    assert visit["cite_info"]["citation"] == event.doc_id
    assert visit["event_loc"]["resolved_place"] == "Valparaíso, Chile"
    assert (visit["event_loc"]["resolution"], visit["event_loc"]["country_code"]) == (4, "CHL")
    assert dt.date.fromisoformat(visit["coded_date"]) <= dt.datetime.now(dt.UTC).date()
    month = by_cameo(found, "021")
    assert (month["date"], month["enddate"], month["date_precision"]) == (
        "2019-04-01", "2019-04-30", "month")
    assert by_cameo(found, "073")["actor"][0]["code"] == "IGO"
    assert by_cameo(found, "071")["actor"][0]["code"] == "UNO"
    press = [r for r in found if r["actor"][0]["sector"] == "JRN"]
    assert [r["actor"][0]["identifier_text"] for r in press] == ["Brazilian press"]
    # The West is a region, which PLOVER does not code.
    assert "WST" not in {r["actor"][0]["code"] for r in found}
    assert report.skipped == 3 and "regional" in report.skipped_reason


def test_jsonl_holds_the_same_records(db, records, tmp_path):
    export(db[0], "plover", tmp_path / "events.jsonl")
    lines = (tmp_path / "events.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == records[0]


def test_polecat_tsv(db, records, tmp_path):
    report = export(db[0], "polecat", tmp_path / "polecat.tsv")
    assert report.events == 7 and report.header is True
    frame = pl.read_csv(tmp_path / "polecat.tsv", separator="\t", schema=POLECAT_SCHEMA)
    assert frame["Event ID"].to_list() == [r["id"] for r in records[0]]
    (visit,) = frame.filter(pl.col("Event Type") == "CONSULT").to_dicts()
    assert (visit["Actor Country"], visit["Actor COW"], visit["Actor GW"],
            visit["Recipient Country"], visit["Recipient COW"], visit["Recipient GW"]) == (
        "Norway", 385, 385, "Chile", 155, 155)
    assert (visit["Event Mode"], visit["Event Intensity"], visit["Quad Code"],
            visit["Publication Date"], visit["Raw Placename"], visit["City"]) == (
        "visit", 4.0, 1, dt.date(2019, 5, 10), "Valparaiso", "Valparaíso")
    (g7,) = frame.filter(pl.col("Actor Name") == "Group of Seven").to_dicts()
    assert (g7["Actor Country"], g7["Actor COW"], g7["Date Precision"],
            g7["Event Date"]) == ("International Governmental Organization", None, "year",
                                  dt.date(2018, 1, 1))
    df = pd.read_csv(tmp_path / "polecat.tsv", sep="\t", parse_dates=["Event Date"])
    assert df["Actor COW"].dropna().astype(int).tolist() == [
        c for c in frame["Actor COW"].to_list() if c is not None]
    with duckdb.connect() as con:
        rel = con.sql(f"SELECT * FROM read_csv('{tmp_path / 'polecat.tsv'}', delim='\t')")
        kinds = dict(zip(rel.columns, map(str, rel.types), strict=True))
    assert (kinds["Event Date"], kinds["Actor GW"], kinds["Quad Code"]) == (
        "DATE", "BIGINT", "BIGINT")
