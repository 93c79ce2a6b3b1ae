"""`detente run` and `detente load` on the command line (the `detente` app),
a run on an existing dask scheduler, settings, and the errors that name their fix."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detente import library
from detente.cli.main import app as detente_app
from detente.engine import load, run
from detente.errors import (
    BadDateError,
    ConfigError,
    InputError,
    NotFoundError,
    StoreError,
)
from detente.settings import Settings, load_settings
from detente.store import open_store

runner = CliRunner()
TEXT = "Chile signed a trade agreement with Peru in Lima on Tuesday."


@pytest.fixture(scope="module")
def app():
    return detente_app


def fast(**flags: object) -> Settings:
    return load_settings({"fast": True, "workers": 1, **flags}, env={})


def note(folder: Path, name: str = "lima.txt", text: str = TEXT) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"Date: 2018-06-05\n\n{text}\n", encoding="utf-8")
    return path


@pytest.mark.slow
def test_run_and_load_commands(app, tmp_path):
    source = note(tmp_path / "in")
    output = tmp_path / "dataset"
    result = runner.invoke(app, ["run", str(source), "--output", str(output), "--fast",
                                 "--workers", "1", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["documents"], report["engine"], report["ok"]) == (1, "local", True)
    [event] = library.events(output)
    assert (event.source.code, event.plover, event.target.code) == ("CHL", "SUPPORT", "PER")
    db = tmp_path / "store.duckdb"
    for added in (1, 0):
        result = runner.invoke(app, ["load", str(output), "--db", str(db), "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["added"] == added
    assert library.events(db) == [event]


def test_run_reports_bad_input_before_it_starts(app, tmp_path):
    output = tmp_path / "dataset"
    result = runner.invoke(app, ["run", str(tmp_path / "missing.txt"), "-o", str(output)])
    assert result.exit_code == InputError.exit_code
    assert "no such file or folder" in result.output
    assert not output.exists()
    result = runner.invoke(app, ["run", str(tmp_path / "*.jsonl"), "-o", str(output)])
    assert result.exit_code == InputError.exit_code and "matches no file" in result.output
    result = runner.invoke(app, ["run", "-", "-o", str(output), "--date", "soon"], input="{}")
    assert result.exit_code == BadDateError.exit_code
    assert "--date: 'soon' is not a date" in result.output
    assert not output.exists()
    result = runner.invoke(app, ["run", str(tmp_path), "-o", str(output), "--scheduler",
                                 "tcp://127.0.0.1:1"])
    assert result.exit_code == ConfigError.exit_code
    assert "--scheduler: 'tcp://127.0.0.1:1' needs the dask engine" in result.output
    result = runner.invoke(app, ["run", str(tmp_path), "-o", str(output), "--engine", "spark"])
    assert result.exit_code == ConfigError.exit_code
    assert "--engine: 'spark' is not an engine" in result.output


def test_run_refuses_a_folder_that_holds_something_else(tmp_path):
    source = note(tmp_path / "in")
    with pytest.raises(StoreError, match="not a detente Parquet dataset"):
        run([source], tmp_path / "in", fast())


@pytest.mark.slow
def test_a_dataset_is_read_only_and_a_plain_folder_no_store(tmp_path):
    source = note(tmp_path / "in")
    output = tmp_path / "dataset"
    run([source], output, fast())
    other = note(tmp_path / "more", "b.txt", "Spain expelled a diplomat from Italy.")
    with pytest.raises(StoreError, match="Parquet dataset") as info:
        library.ingest([other], settings=fast(db=output))
    assert info.value.hint.startswith("Add inputs to it with `detente run`")
    with pytest.raises(StoreError, match="not a detente Parquet dataset"):
        library.events(tmp_path / "in")
    with pytest.raises(NotFoundError):
        load(tmp_path / "nowhere", tmp_path / "x.duckdb")
    with pytest.raises(StoreError, match="a DuckDB file"):
        load(output, output)


@pytest.mark.subprocess
def test_run_on_an_existing_scheduler(tmp_path):
    from distributed import LocalCluster

    folder = tmp_path / "in"
    note(folder, "a.txt")
    note(folder, "b.txt", "Spain expelled a diplomat from Italy on Friday.")
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=True,
                      dashboard_address=None) as cluster:
        report = run([folder], tmp_path / "dataset", fast(), engine="dask",
                     scheduler=cluster.scheduler_address)
    assert (report.documents, report.retry) == (2, [])
    library.ingest([folder], settings=fast(db=tmp_path / "store.duckdb"))
    assert library.events(tmp_path / "dataset") == library.events(tmp_path / "store.duckdb")


def test_workers_are_one_per_core_unless_set():
    import os

    assert Settings().workers == 0
    assert Settings().worker_count == len(os.sched_getaffinity(0))
    assert load_settings({}, env={"DETENTE_WORKERS": "auto"}).workers == 0
    assert load_settings({"workers": "3"}, env={}).worker_count == 3
    with pytest.raises(ConfigError, match="workers"):
        load_settings({"workers": "-2"}, env={})


@pytest.mark.slow
def test_an_undated_document_is_stored_in_the_null_partition(tmp_path):
    source = tmp_path / "undated.txt"
    source.write_text("Kenya recalled its ambassador from Nigeria.", encoding="utf-8")
    output = tmp_path / "dataset"
    run([source], output, fast())
    [part] = (output / "documents").rglob("*.parquet")
    assert part.parent.name == "month=__HIVE_DEFAULT_PARTITION__"
    with open_store(output) as store:
        assert store.documents()[0]["date"] is None


def test_one_run_at_a_time_writes_to_a_dataset(tmp_path):
    from detente.engine import dataset
    from detente.errors import StoreLockedError

    source = note(tmp_path / "in")
    output = tmp_path / "dataset"
    run([source], output, fast())
    with dataset.writing(output), pytest.raises(StoreLockedError, match="another"):
        run([source], output, fast())
    assert run([source], output, fast()).skipped == 1


def test_a_dataset_written_before_deduplication_is_refused_naming_the_fix(tmp_path):
    import pyarrow.parquet as pq

    output = tmp_path / "dataset"
    run([note(tmp_path / "in")], output, fast())
    # as detente wrote documents before they had a place among near duplicates
    for path in (output / "documents").rglob("*.parquet"):
        pq.write_table(pq.read_table(path).drop_columns(["canonical_id", "copy_of",
                                                         "similarity"]), path)
    db = tmp_path / "store.duckdb"
    with pytest.raises(StoreError) as info:
        load(output, db)
    assert info.value.message == (
        f"the Parquet dataset {output} was written by an older detente: its documents "
        "files lack the columns canonical_id, copy_of, similarity")
    assert info.value.hint == (f"code its inputs again into a new folder with `detente run` "
                               f"(detente.engine.run) and load that folder; {output} is "
                               "left as it is")
    assert not db.exists()  # refused before the store is opened
    with pytest.raises(StoreError) as read:  # read in place, as every read command does
        library.events(output)
    assert (read.value.message, read.value.hint) == (info.value.message, info.value.hint)


def test_a_dataset_written_before_events_carried_their_documents_date_and_dyad_is_read(
        tmp_path):
    import pyarrow.parquet as pq

    output = tmp_path / "dataset"
    run([note(tmp_path / "in")], output, fast())
    with open_store(output) as store:
        expected = store.query("SELECT event_id, doc_date, dyad FROM events ORDER BY event_id")
    assert expected and all(r["doc_date"] == dt.date(2018, 6, 5) for r in expected)
    assert {r["dyad"] for r in expected} == {"CHL PER"}
    # as detente wrote events before they carried their document's date and their dyad
    for path in (output / "events").rglob("*.parquet"):
        pq.write_table(pq.read_table(path).drop_columns(["doc_date", "dyad"]), path)
    with open_store(output) as store:  # read in place: worked out from the other columns
        assert store.query("SELECT event_id, doc_date, dyad FROM events ORDER BY event_id"
                           ) == expected
    db = tmp_path / "store.duckdb"
    load(output, db)
    with open_store(db) as store:
        assert store.query("SELECT event_id, doc_date, dyad FROM events ORDER BY event_id"
                           ) == expected


def test_a_store_held_open_reads_the_parts_a_run_adds_meanwhile(tmp_path):
    from detente.api.access import OnDemand

    output = tmp_path / "dataset"
    run([note(tmp_path / "in")], output, fast())
    access = OnDemand(str(output))  # how `detente serve` opens its store
    with access.reading() as first:  # a request in flight keeps the store open...
        assert first.count("documents") == 1
        later = note(tmp_path / "more", "madrid.txt", "Spain expelled a diplomat from Italy.")
        run([later], output, fast())
        with access.reading() as second:  # ...and the next one sees the new part
            assert second.count("documents") == 2
            assert {e.source.code for e in second.events()} == {"CHL", "ESP"}


@pytest.mark.slow
def test_run_reads_stdin_and_a_date_as_ingest_does(app, tmp_path):
    texts = (TEXT, "Spain expelled a diplomat from Italy on Friday.")
    lines = "".join(json.dumps({"id": f"s{n}", "text": text}) + "\n"
                    for n, text in enumerate(texts))
    output, db = tmp_path / "dataset", tmp_path / "store.duckdb"
    args = ["-", "--date", "2016-05", "--fast", "--json"]
    result = runner.invoke(app, ["run", *args, "--workers", "1", "-o", str(output)],
                           input=lines)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["documents"] == 2
    result = runner.invoke(app, ["ingest", *args, "--db", str(db)], input=lines)
    assert result.exit_code == 0, result.output
    assert library.docs(output) == library.docs(db)
    assert library.events(output) == library.events(db)
    with open_store(output) as store:
        found = store.query("SELECT path, CAST(date AS VARCHAR) AS date, date_precision"
                            " FROM documents")
    assert {tuple(row.values()) for row in found} == {("<stdin>:1 (id s0)", "2016-05-01", "month"),
            ("<stdin>:2 (id s1)", "2016-05-01", "month")}
    # the same lines again: done, as a file's would be
    result = runner.invoke(app, ["run", *args, "-o", str(output)], input=lines)
    assert result.exit_code == 0, result.output
    assert (json.loads(result.stdout)["skipped"], json.loads(result.stdout)["documents"]) == (
        1, 0)
