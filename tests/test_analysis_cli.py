"""The timeline, key-events, network and export commands, run through a typer app."""

from __future__ import annotations

import json

import click
import polars as pl
import pytest
import typer
from example_stores import make_db
from typer.testing import CliRunner

from detente.analysis import key_events, network, timeline
from detente.cli.analysis import (
    export_command,
    key_events_command,
    network_command,
    timeline_command,
)
from detente.export import read_gdelt

COMMANDS = {"timeline": timeline_command, "key-events": key_events_command,
            "network": network_command, "export": export_command}


@pytest.fixture(scope="module")
def app():
    cli = typer.Typer()
    for name, command in COMMANDS.items():
        cli.command(name)(command)
    return cli


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return make_db(tmp_path_factory.mktemp("cli") / "events.duckdb")[0]


def invoke(app, *args):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def table_periods(text):
    """The periods listed in a rich table's rows."""
    return [line.split("│")[1].strip() for line in text.splitlines() if line.startswith("│")]


def test_timeline_json_is_the_library_result(app, db):
    result = invoke(app, "timeline", "JPN", "Russia", "--by", "quarter", "--since", "2014-01-01",
                    "--until", "2016-12-31", "--format", "json", "--db", db)
    assert result.exit_code == 0, result.output
    expected = timeline(db, "JPN", "RUS", by="quarter", since="2014-01-01", until="2016-12-31")
    assert json.loads(result.stdout) == json.loads(json.dumps(expected.to_dict()))


def test_timeline_table_csv_and_plot(app, db, tmp_path):
    table = invoke(app, "timeline", "JPN", "RUS", "--by", "year", "--db", db)
    assert table.exit_code == 0
    assert "2014" in table.stdout and "-26.0" in table.stdout and "JPN→RUS" in table.stdout
    assert "periods have no events" in table.stdout
    csv = invoke(app, "timeline", "JPN", "RUS", "--by", "year", "--one-direction",
                 "--since", "2014", "--until", "2016", "--format", "csv", "--db", db)
    lines = csv.stdout.strip().splitlines()
    assert lines[0].startswith("period,start,end,direction")
    assert len(lines) == 1 + 3 and all(",JPN->RUS," in line for line in lines[1:])
    plot = tmp_path / "jpn-rus.png"
    drawn = invoke(app, "timeline", "JPN", "RUS", "--by", "quarter", "--since", "2014",
                   "--plot", plot, "--format", "json", "--db", db)
    assert drawn.exit_code == 0 and plot.stat().st_size > 10_000
    json.loads(drawn.stdout)  # the plot notice goes to stderr, stdout stays JSON
    assert "Wrote the plot" in drawn.stderr


def test_timeline_leaves_history_out_and_says_how_to_bring_it_in(app, db):
    # The fixture's 1956 declaration is reported by an article of 2016.
    table = invoke(app, "timeline", "JPN", "RUS", "--by", "year", "--db", db)
    assert table.exit_code == 0, table.output
    assert table_periods(table.stdout) == ["2014", "2016"]
    assert ("1 historical event (1956) left out: dated more than 5 years before its article; "
            "detente timeline --history includes them.") in table.stdout
    data = json.loads(invoke(app, "timeline", "JPN", "RUS", "--by", "year", "--format",
                             "json", "--db", db).stdout)
    assert data["periods"][0] == "2014" and data["historical"] == 1 and not data["history"]
    csv = invoke(app, "timeline", "JPN", "RUS", "--by", "year", "--format", "csv", "--db", db)
    assert "1956" not in csv.stdout and "--history includes them" in csv.stderr
    full = invoke(app, "timeline", "JPN", "RUS", "--by", "year", "--history", "--format",
                  "json", "--db", db)
    assert json.loads(full.stdout) == json.loads(json.dumps(
        timeline(db, "JPN", "RUS", by="year", history=True).to_dict()))
    assert json.loads(full.stdout)["periods"][0] == "1956"
    shown = invoke(app, "timeline", "JPN", "RUS", "--by", "year", "--history", "--db", db)
    assert table_periods(shown.stdout) == ["1956", "2014", "2016"]
    assert "historical event" not in shown.stdout
    early = invoke(app, "timeline", "JPN", "RUS", "--by", "year", "--since", "1950",
                   "--format", "json", "--db", db)
    assert json.loads(early.stdout)["periods"][:2] == ["1950", "1951"]


def test_timeline_empty_dyad_and_errors(app, db):
    empty = invoke(app, "timeline", "JPN", "CHN", "--db", db)
    assert empty.exit_code == 0 and "No events between JPN and CHN" in empty.stdout
    unknown = invoke(app, "timeline", "JPN", "Atlantis", "--db", db)
    assert unknown.exit_code == 2
    assert "ISO 3166 alpha-3 code such as JPN" in unknown.stderr
    period = invoke(app, "timeline", "JPN", "RUS", "--by", "week", "--db", db)
    assert period.exit_code == 2 and "--by: unknown period 'week'" in period.stderr
    assert "Use month, quarter or year." in period.stderr
    missing = invoke(app, "timeline", "JPN", "RUS", "--db", db.parent / "nothing.duckdb")
    assert missing.exit_code != 0 and "no database" in missing.stderr
    fmt = invoke(app, "timeline", "JPN", "RUS", "--format", "xml", "--db", db)
    assert fmt.exit_code == 2


def test_key_events_command(app, db):
    result = invoke(app, "key-events", "JPN", "RUS", "--top", "3", "--format", "json",
                    "--db", db)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [k["rank"] for k in data] == [1, 2, 3]
    assert data == json.loads(json.dumps([k.to_dict() for k in key_events(db, "JPN", "RUS", 3)]))
    table = invoke(app, "key-events", "Japan", "RUS", "--db", db)
    assert table.exit_code == 0 and "SANCTION" in table.stdout and "sanctions" in table.stdout
    empty = invoke(app, "key-events", "JPN", "CHN", "--db", db)
    assert empty.exit_code == 0 and "No events between" in empty.stdout


def test_network_command(app, db, tmp_path):
    result = invoke(app, "network", "--format", "json", "--db", db)
    assert json.loads(result.stdout) == json.loads(json.dumps(network(db).to_dict()))
    plot = tmp_path / "network.png"
    table = invoke(app, "network", "--since", "2014-01-01", "--sectors", "--plot", plot,
                   "--db", db)
    assert table.exit_code == 0 and "JPN-GOV" in table.stdout and "PageRank" in table.stdout
    assert plot.stat().st_size > 10_000


def test_export_command(app, db, tmp_path):
    out = tmp_path / "jpn.tsv"
    result = invoke(app, "export", "--format", "gdelt", "--output", out, "--source", "JPN",
                    "--type", "SANCTION", "--db", db)
    assert result.exit_code == 0, result.output
    assert "Wrote 3 event(s)" in result.stdout and "left out 1" in result.stderr
    frame = read_gdelt(out)
    assert frame["EventCode"].to_list() == ["163", "163", "163"]
    parquet = tmp_path / "all.parquet"
    assert invoke(app, "export", "-f", "parquet", "-o", parquet, "--db", db).exit_code == 0
    assert pl.read_parquet(parquet).height == 15
    bad = invoke(app, "export", "-f", "xlsx", "-o", tmp_path / "x.xlsx", "--db", db)
    assert bad.exit_code == 2 and "parquet" in bad.stderr


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_option_has_help(app, name):
    command = typer.main.get_command(app).commands[name]
    assert command.help and "Example: detente" in command.help
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"{name} {param.name} has no help"
    shown = invoke(app, name, "--help")
    assert shown.exit_code == 0
