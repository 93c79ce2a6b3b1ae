"""Dates in the store: each event's first and last day, a document's date precision, the
migration of a schema-1 database, and the date columns of the exports."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import duckdb

from detente.export import export
from detente.records import ActorRef, Document, Event, event_id_for
from detente.store import MIGRATIONS, SCHEMA_VERSION, open_store


def event(date: str | None, precision: str | None, date_end: str | None = None,
          start: int = 0) -> Event:
    return Event(
        event_id=event_id_for("d1", 0, "NOR", "CHL", "SUPPORT", start), doc_id="d1",
        sentence_index=0, char_start=start, char_end=start + 40,
        evidence="Norway and Chile signed a fisheries accord.", date=date,
        date_precision=precision, date_source="text" if date else None,
        source=ActorRef("NOR", "GOV", "Norway", "Norway"),
        target=ActorRef("CHL", "GOV", "Chile", "Chile"), plover="SUPPORT", plover_mode="",
        cameo="057", quad_class=1, goldstein=3.4, confidence=0.9, coder="test",
        date_end=date_end)


EVENTS = [event("2014", "year"), event("2014-09", "month", start=1),
          event("2016-02-29", "day", start=2),
          event("2015-03-10", "day", date_end="2015-03-15", start=3),
          event(None, None, start=4)]
SPANS = [("2014-01-01", "2014-12-31"), ("2014-09-01", "2014-09-30"),
         ("2016-02-29", "2016-02-29"), ("2015-03-10", "2015-03-15"), (None, None)]


def test_event_records_give_first_and_last_day() -> None:
    records = [e.to_dict() for e in EVENTS]
    assert [(r["date_start"], r["date_end"]) for r in records] == SPANS
    keys = list(records[0])
    assert keys[keys.index("date_source") + 1:keys.index("date_source") + 3] == [
        "date_start", "date_end"]
    assert [Event.from_dict(json.loads(json.dumps(r))) for r in records] == EVENTS


def stored(tmp_path: Path) -> Path:
    db = tmp_path / "t.duckdb"
    doc = Document(doc_id="d1", text="Norway and Chile signed a fisheries accord.",
                   title="accord", date=dt.date(2019, 1, 1), date_precision="year",
                   date_reason="metadata")
    with open_store(db) as store:
        store.add_document(doc, [], EVENTS)
    return db


def test_store_writes_and_reads_back_date_end_and_document_precision(tmp_path: Path) -> None:
    db = stored(tmp_path)
    with open_store(db) as store:
        rows = store.query("SELECT char_start, date_start, date_end FROM events "
                           "ORDER BY char_start")
        assert [(str(r["date_start"]) if r["date_start"] else None,
                 str(r["date_end"]) if r["date_end"] else None) for r in rows] == SPANS
        assert sorted(store.events(), key=lambda e: e.char_start) == EVENTS
        assert store.document("d1")["date_precision"] == "year"
        assert store.documents()[0]["date_precision"] == "year"


def test_exports_carry_date_start_and_date_end(tmp_path: Path) -> None:
    db = stored(tmp_path)
    export(db, "csv", tmp_path / "events.csv")
    with (tmp_path / "events.csv").open(encoding="utf-8") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda r: int(r["char_start"]))
    assert [(r["date_start"] or None, r["date_end"] or None) for r in rows] == SPANS
    export(db, "plover", tmp_path / "events.json")
    records = json.loads((tmp_path / "events.json").read_text(encoding="utf-8"))
    assert {(r["date"], r["enddate"], r["date_precision"]) for r in records} >= {
        ("2015-03-10", "2015-03-15", "day"), ("2014-09-01", "2014-09-30", "month")}
    export(db, "jsonl", tmp_path / "events.jsonl")
    lines = (tmp_path / "events.jsonl").read_text(encoding="utf-8").splitlines()
    rows = sorted((json.loads(line) for line in lines), key=lambda r: r["char_start"])
    assert [(r["date_start"], r["date_end"]) for r in rows] == SPANS


def test_a_schema_1_store_migrates(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE schema_version (version INTEGER)")
        con.execute(MIGRATIONS[0])
        con.execute("INSERT INTO schema_version VALUES (1)")
        con.execute("INSERT INTO documents (doc_id, title, date) VALUES ('d0', 'old', "
                    "DATE '2015-03-25')")
        for number, (date, precision, start) in enumerate([
                ("2014", "year", "2014-01-01"), ("2016-02", "month", "2016-02-01"),
                ("2014-09-24", "day", "2014-09-24"), (None, None, None)]):
            con.execute("INSERT INTO events (event_id, doc_id, date, date_precision, "
                        "date_start, source_code, target_code, plover) VALUES (?, 'd0', ?, "
                        "?, ?, 'SWE', 'NOR', 'SUPPORT')", [f"e{number}", date, precision, start])
    with open_store(db) as store:
        assert store.schema_version == SCHEMA_VERSION == 6
        ends = store.query("SELECT event_id, date_end FROM events ORDER BY event_id")
        assert [r["date_end"] for r in ends] == [dt.date(2014, 12, 31), dt.date(2016, 2, 29),
                                                 dt.date(2014, 9, 24), None]
        assert all(e.date_end is None for e in store.events())  # each its own period's end
        assert store.document("d0")["date_precision"] is None  # not known before version 2
        # version 6: each event carries its document's publication date and its dyad
        assert {r["doc_date"] for r in store.query("SELECT doc_date FROM events")} == {
            dt.date(2015, 3, 25)}
        assert {r["dyad"] for r in store.query("SELECT dyad FROM events")} == {"NOR SWE"}
        assert store.add_document(Document(doc_id="d1", text="New text here.",
                                           date=dt.date(2024, 2, 1), date_precision="month"),
                                  [])
        assert store.document("d1")["date_precision"] == "month"
    with open_store(db) as store:  # reopening runs no migration twice
        assert store.query("SELECT version FROM schema_version ORDER BY version") == [
            {"version": v} for v in range(1, 7)]
