"""Publication dates through ingest: every metadata form, the precision kept from the feed to
the API, the --date and --day-first options, and an unreadable date recorded against its
own line while the batch goes on."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from detente import library
from detente.api import create_app
from detente.cli import app
from detente.errors import BadDateError
from detente.ingest.pipeline import ingest
from detente.settings import load_settings
from detente.store import open_store

runner = CliRunner()

TEXTS = {
    "fish": "Norway and Chile signed a fisheries accord in Santiago after two days of talks "
            "between their ministers.",
    "grain": "Kenya asked Egypt to reopen the grain corridor, and its envoy said the request "
             "would be repeated at the regional summit.",
    "ports": "Portugal offered Morocco technical help to modernise three container ports, "
             "the transport ministry in Lisbon said.",
    "dateline": "SANTIAGO, March 3, 2015 (Reuters) - Chile recalled its ambassador from Peru "
                "over a fishing dispute, the foreign ministry said.",
}


def write_feed(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    return path


def stored_dates(db: Path) -> dict[str, tuple[str | None, str | None, str]]:
    return {d.title: (d.date.isoformat() if d.date else None, d.date_precision,
                      d.date_reason.split(":")[0]) for d in library.docs(db)}


@pytest.mark.slow
def test_an_unreadable_date_fails_its_own_line_and_the_batch_goes_on(tmp_path: Path) -> None:
    feed = write_feed(tmp_path / "feed.jsonl", [
        {"id": "a", "title": "fish", "text": TEXTS["fish"], "date": "2015-03-25"},
        {"id": "b", "title": "grain", "text": TEXTS["grain"], "date": "not a date"},
        {"id": "c", "title": "ports", "text": TEXTS["ports"], "date": "26-FEB-1987 18:04:52.91"},
    ])
    db = tmp_path / "t.duckdb"
    report = ingest([feed], load_settings({"db": db}, env={}))
    assert len(report.added) == 2
    [failure] = report.failures
    assert failure.input == f"{feed}:2 (id b)"
    assert (failure.code, failure.message) == (
        "E103", f"{feed}:2 (id b): 'not a date' is not a date (unknown string format)")
    assert "YYYY-MM-DD" in failure.hint and "leave the date out" in failure.hint
    with open_store(db) as store:
        [error] = store.errors()
    assert (error["input"], error["code"], error["message"]) == (
        failure.input, "E103", failure.message)
    assert stored_dates(db) == {"fish": ("2015-03-25", "day", "metadata"),
                                "ports": ("1987-02-26", "day", "metadata")}


@pytest.mark.slow
def test_partial_dates_keep_their_precision_up_to_the_api(tmp_path: Path) -> None:
    feed = write_feed(tmp_path / "feed.jsonl", [
        {"id": "a", "title": "fish", "text": TEXTS["fish"], "date": "2019"},
        {"id": "b", "title": "grain", "text": TEXTS["grain"], "date": "2024-02"},
        {"id": "c", "title": "ports", "text": TEXTS["ports"],
         "date": "Thu, 26 Feb 1987 18:04:52 GMT"},
        {"id": "d", "title": "dateline", "text": TEXTS["dateline"]},
    ])
    db = tmp_path / "t.duckdb"
    report = ingest([feed], load_settings({"db": db}, env={}))
    assert len(report.added) == 4 and not report.failures
    assert stored_dates(db) == {"fish": ("2019-01-01", "year", "metadata"),
                                "grain": ("2024-02-01", "month", "metadata"),
                                "ports": ("1987-02-26", "day", "metadata"),
                                "dateline": ("2015-03-03", "day", "inferred")}
    with TestClient(create_app(db)) as client:
        listed = {d["title"]: d for d in client.get("/api/docs").json()["documents"]}
        assert (listed["fish"]["date"], listed["fish"]["date_precision"]) == ("2019-01-01",
                                                                              "year")
        one = client.get(f"/api/docs/{listed['grain']['doc_id']}").json()["document"]
        assert (one["date"], one["date_precision"]) == ("2024-02-01", "month")


@pytest.mark.slow
def test_cli_date_override_keeps_the_precision_given(tmp_path: Path) -> None:
    feed = write_feed(tmp_path / "feed.jsonl", [
        {"id": "a", "title": "fish", "text": TEXTS["fish"], "date": "2015-03-25"}])
    db = tmp_path / "t.duckdb"
    result = runner.invoke(app, ["ingest", str(feed), "--db", str(db), "--date", "2016-05",
                                 "--quiet"])
    assert result.exit_code == 0, result.output
    assert stored_dates(db) == {"fish": ("2016-05-01", "month", "given")}
    bad = runner.invoke(app, ["ingest", str(feed), "--db", str(db), "--date", "someday"])
    assert bad.exit_code == 2
    assert "date: 'someday' is not a date" in bad.output and "YYYY-MM-DD" in bad.output


@pytest.mark.parametrize(("flags", "expected"), [([], "1987-03-04"),
                                                 (["--day-first"], "1987-04-03")])
@pytest.mark.slow
def test_cli_day_first_reads_ambiguous_numeric_dates(tmp_path: Path, flags: list[str],
                                                     expected: str) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text(f"Title: fish\nDate: 03/04/1987\n\n{TEXTS['fish']}\n", encoding="utf-8")
    db = tmp_path / "t.duckdb"
    result = runner.invoke(app, ["ingest", str(doc), "--db", str(db), "--quiet", *flags])
    assert result.exit_code == 0, result.output
    assert stored_dates(db) == {"fish": (expected, "day", "metadata")}


def test_library_ingest_refuses_an_unreadable_override(tmp_path: Path) -> None:
    with pytest.raises(BadDateError, match="date: 'soon' is not a date"):
        library.ingest([], load_settings({"db": tmp_path / "t.duckdb"}, env={}), date="soon")
    assert not (tmp_path / "t.duckdb").exists()


@pytest.mark.slow
def test_a_day_override_is_day_precision(tmp_path: Path) -> None:
    feed = write_feed(tmp_path / "feed.jsonl", [
        {"id": "a", "title": "fish", "text": TEXTS["fish"], "date": "2019"}])
    db = tmp_path / "t.duckdb"
    library.ingest([feed], load_settings({"db": db}, env={}), date=dt.date(2015, 3, 25))
    assert stored_dates(db) == {"fish": ("2015-03-25", "day", "given")}
