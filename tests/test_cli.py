"""The CLI end to end: help everywhere, stream commands, events, eval on small fixtures.
Results are checked through the library, as sqlite-utils does."""

from __future__ import annotations

import json

import pytest
import typer
from example_stores import make_db
from fastapi.testclient import TestClient
from typer.main import get_command
from typer.testing import CliRunner

from detente import library
from detente.api import create_app
from detente.cli import app
from detente.cli.common import ARGUMENTS, written_as
from detente.records import doc_id_for
from detente.store import open_store

runner = CliRunner()


def all_commands(command=None, prefix=()):
    command = command or get_command(app)
    for name, sub in getattr(command, "commands", {}).items():
        yield (*prefix, name), sub
        yield from all_commands(sub, (*prefix, name))


def test_every_command_and_option_has_help():
    for path, command in all_commands():
        assert command.help, f"`detente {' '.join(path)}` has no help text"
        for param in command.params:
            if param.param_type_name == "option":
                assert param.help, f"--{param.name} of `detente {' '.join(path)}` has no help"


def test_every_command_is_in_the_readme():
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    for path, _command in all_commands():
        if len(path) == 1:
            assert f"detente {path[0]}" in readme, f"README lacks `detente {path[0]}`"


@pytest.mark.slow
def test_code_streams_jsonl_to_events(tmp_path):
    lines = [json.dumps({"id": "doc-1", "date": "2014-09-25",
                         "text": "Japan imposed new sanctions on Russia on Wednesday."}),
             "not json",
             json.dumps({"id": "doc-2", "date": "2016-05-07",
                         "text": "Prime Minister Shinzo Abe met President Vladimir Putin in "
                                 "Sochi on Friday."})]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    target = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["code", "--input", str(source), "--output", str(target),
                                 "--fast"])
    assert result.exit_code == 0, result.output
    assert "malformed JSON" in result.output
    events = [json.loads(line) for line in target.read_text().splitlines()]
    # doc_id is the document's id, as ingest gives it: the hash of its text.
    first, second = (doc_id_for(json.loads(lines[i])["text"]) for i in (0, 2))
    assert {(e["doc_id"], e["source"]["code"], e["plover"], e["target"]["code"], e["date"])
            for e in events} >= {(first, "JPN", "SANCTION", "RUS", "2014-09-24"),
                                 (second, "JPN", "CONSULT", "RUS", "2016-05-06")}


@pytest.mark.slow
def test_code_from_stdin_to_stdout():
    line = json.dumps({"id": 7, "text": "Russia expelled eight Japanese diplomats.",
                       "date": "2022-04-28"})
    result = runner.invoke(app, ["code", "--fast"], input=line + "\n")
    assert result.exit_code == 0, result.output
    [event] = [json.loads(x) for x in result.stdout.splitlines() if x.startswith("{")]
    assert event["doc_id"] == doc_id_for("Russia expelled eight Japanese diplomats.")
    assert event["plover"] == "SANCTION"


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    folder = tmp_path_factory.mktemp("docs")
    (folder / "a.txt").write_text(
        "Title: Sanctions\nDate: 2014-09-25\n\nJapan on Wednesday expanded its sanctions "
        "against Russia. Russia's foreign ministry condemned the sanctions as unfriendly.\n")
    (folder / "b.txt").write_text(
        "Title: Summit\nDate: 2016-05-07\n\nPrime Minister Shinzo Abe held talks with "
        "President Vladimir Putin in Sochi on Friday.\n")
    db = folder / "t.duckdb"
    result = runner.invoke(app, ["ingest", str(folder), "--db", str(db), "--fast", "-q"])
    assert result.exit_code == 0, result.output
    return db


@pytest.mark.slow
def test_events_filters_and_formats(ingested):
    result = runner.invoke(app, ["events", "--db", str(ingested), "--source", "JPN",
                                 "--type", "sanction", "--format", "json"])
    assert result.exit_code == 0, result.output
    events = json.loads(result.stdout)
    assert events and all(e["plover"] == "SANCTION" and e["source"]["code"] == "JPN"
                          for e in events)
    assert len(events) == len(library.events(ingested, source="JPN", type="SANCTION"))
    csv_out = runner.invoke(app, ["events", "--db", str(ingested), "--format", "csv"])
    assert csv_out.stdout.splitlines()[0].startswith("event_id,doc_id")
    since = runner.invoke(app, ["events", "--db", str(ingested), "--since", "2016-01-01",
                                "--format", "json"])
    assert all(e["date"] >= "2016" for e in json.loads(since.stdout))


def test_docs_json_is_pipeable(ingested):
    result = runner.invoke(app, ["docs", "--db", str(ingested), "--format", "json"])
    rows = json.loads(result.stdout)
    assert {r["title"] for r in rows} == {"Sanctions", "Summit"}
    assert all(r["events"] >= 1 for r in rows)


def test_bad_arguments_name_the_fix(ingested, tmp_path):
    bad_date = runner.invoke(app, ["events", "--db", str(ingested), "--since", "yesterday"])
    assert bad_date.exit_code == 2 and "YYYY-MM-DD" in bad_date.output
    bad_format = runner.invoke(app, ["docs", "--db", str(ingested), "--format", "xml"])
    assert bad_format.exit_code == 2 and "table, json, csv" in bad_format.output
    missing = runner.invoke(app, ["docs", "--db", str(tmp_path / "none.duckdb")])
    assert missing.exit_code != 0 and "detente ingest" in missing.output


def test_doc_and_errors_show_what_the_library_and_the_api_show(tmp_path):
    db, events = make_db(tmp_path / "store.duckdb")
    with open_store(db) as store:
        store.record_error("typo.md", "E103", "typo.md: '2014-02-30' is not a date",
                           "Write the date as YYYY-MM-DD.")
    doc_id = events[1].doc_id  # the "sanctions" document
    shown = runner.invoke(app, ["doc", doc_id, "--db", str(db), "--format", "json"])
    assert shown.exit_code == 0, shown.output
    detail = json.loads(shown.stdout)
    assert detail == json.loads(json.dumps(library.doc(db, doc_id).to_dict()))
    assert detail["document"]["title"] == "sanctions" and len(detail["events"]) == 5
    text = runner.invoke(app, ["doc", doc_id, "--db", str(db)])
    assert "title: sanctions" in text.stdout and "Japan sanction Russia" in text.stdout
    assert "5 events" in text.stdout
    missing = runner.invoke(app, ["doc", "0000000000000000", "--db", str(db)])
    assert missing.exit_code == 1 and "no document with id" in missing.stderr
    errors = runner.invoke(app, ["errors", "--db", str(db), "--format", "json"])
    assert [(e["input"], e["code"], e["hint"]) for e in json.loads(errors.stdout)] == [
        ("typo.md", "E103", "Write the date as YYYY-MM-DD.")]
    assert "typo.md" in runner.invoke(app, ["errors", "--db", str(db)]).stdout
    with TestClient(create_app(db)) as client:
        assert client.get(f"/api/docs/{doc_id}").json() == {"ok": True, **detail}
        assert client.get("/api/errors").json()["errors"] == json.loads(errors.stdout)


def test_options_are_written_as_their_parameters_names():
    """Errors name a parameter; the CLI writes it as the flag `written_as` gives, so each
    option's flag must be its parameter's name (`since` is --since, `a` is A)."""
    for path, command in all_commands():
        for param in command.params:
            name = param.name.rstrip("_")
            if param.param_type_name == "argument":
                assert name not in ARGUMENTS or (param.metavar or name.upper()) == name.upper()
            else:
                assert written_as(name) in param.opts, f"detente {' '.join(path)} {param.opts}"


@pytest.mark.slow
def test_eval_docs_on_a_small_fixture(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "x.txt").write_text("Title: X\nDate: 2022-04-09\n\nJapan on Friday expelled eight "
                                "Russian diplomats.\n")
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"doc": "x.txt", "quote": "Japan on Friday expelled",
                                "source": "JPN", "target": "RUS", "plover": "SANCTION",
                                "date": "2022-04-08"}) + "\n")
    result = runner.invoke(app, ["eval", "docs", str(gold), "--docs", str(docs), "--fast",
                                 "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["matched"] == 1 and report["recall"] == 1.0
    assert report["date_accuracy"] == 1.0


@pytest.mark.slow
def test_eval_docs_names_jsonl_documents_by_their_record_id(tmp_path):
    # An id that looks like the display name "file:1 (id ...)" must survive as it is.
    ident = "brief (id 7)"
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": ident, "date": "2022-04-09", "text":
                                "Chile on Friday expelled eight Peruvian diplomats."}) + "\n")
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"doc": ident, "source": "CHL", "target": "PER",
                                "plover": "SANCTION", "date": "2022-04-08"}) + "\n")
    result = runner.invoke(app, ["eval", "docs", str(gold), "--docs", str(feed), "--fast",
                                 "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["matched"] == 1


@pytest.mark.slow
def test_eval_gsr_on_a_small_fixture(tmp_path):
    records = [{"id": "DOCUMENT"},
               {"id": "r1", "event": "DEMAND", "date": "2000-01-01",
                "text": "Russia demanded that Japan return the documents.",
                "source": [{"actorText": "Russia", "code": "RUS"}],
                "target": [{"actorText": "Japan", "code": "JPN"}]},
               {"id": "r2", "event": "CONSULT", "date": "2000-01-01",
                "text": "The United Nations envoy met Iraqi officials in Baghdad.",
                "source": [{"actorText": "United Nations", "code": "IGO"}],
                "target": [{"actorText": "Iraqi", "code": "IRQ"}]}]
    path = tmp_path / "gsr.json"
    path.write_text(json.dumps(records))
    result = runner.invoke(app, ["eval", "gsr", str(path), "--fast", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["gold"] == 2 and report["matched"] == 2


def test_typer_app_is_thin():
    """Command bodies stay short: logic belongs in the library (STYLE.md)."""
    import inspect

    for path, command in all_commands():
        callback = getattr(command, "callback", None)
        if callback is None or isinstance(callback, typer.Typer):
            continue
        lines = inspect.getsource(callback).count("\n")
        assert lines < 60, f"`detente {' '.join(path)}` body is {lines} lines"
