"""`detente export` as a user runs it (header, notes on stderr, --day-only, the new
formats), and `detente --version`."""

from __future__ import annotations

from importlib.metadata import version

import pytest
from example_stores import make_export_db
from typer.testing import CliRunner

import detente
from detente.cli import app
from detente.export import read_gdelt


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return make_export_db(tmp_path_factory.mktemp("cli") / "events.duckdb")[0]


def test_version_option_prints_the_package_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"detente {version('detente')}"
    assert detente.__version__ == version("detente")


def test_gdelt_export_says_how_it_dated_months_and_years(db, tmp_path):
    out = tmp_path / "events.tsv"
    result = invoke("export", "--format", "gdelt", "--output", out, "--db", db)
    assert result.exit_code == 0, result.output
    assert "Wrote 8 event(s)" in result.stdout
    assert "left out 2 event(s): undated or negated" in result.stderr
    assert "2 event(s) are dated to a month or a year only: SQLDATE is the first day" in (
        " ".join(result.stderr.split()))
    assert not out.read_text(encoding="utf-8").startswith("GLOBALEVENTID")
    header = invoke("export", "-f", "gdelt", "-o", tmp_path / "h.tsv", "--header", "--db", db)
    assert header.exit_code == 0
    assert (tmp_path / "h.tsv").read_text(encoding="utf-8").startswith("GLOBALEVENTID\t")
    days = invoke("export", "-f", "gdelt", "-o", tmp_path / "d.tsv", "--day-only", "--db", db)
    assert days.exit_code == 0 and "dated to a month" not in days.stderr
    assert read_gdelt(tmp_path / "d.tsv").height == 6


@pytest.mark.parametrize(("fmt", "name", "events"), [
    ("icews", "events.tab", 8), ("plover", "events.jsonl", 7), ("polecat", "events.tsv", 7)])
def test_coded_event_formats(db, tmp_path, fmt, name, events):
    result = invoke("export", "--format", fmt, "--output", tmp_path / name, "--db", db)
    assert result.exit_code == 0, result.output
    assert f"Wrote {events} event(s)" in result.stdout
    lines = (tmp_path / name).read_text(encoding="utf-8").splitlines()
    assert len(lines) == events + (fmt != "plover")
