"""The classifier's commands, run through detente's own CLI app (so that a command the app
forgets to register fails here)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from detente.cli.main import app


def test_classify_reads_jsonl_and_reports_bad_lines(tmp_path: Path) -> None:
    source = tmp_path / "pairs.jsonl"
    source.write_text(
        json.dumps({"id": 1, "sentence": "Japan imposed sanctions on Russia", "source": "Japan",
                    "target": "Russia"}) + "\n" + "[1, 2]\n", encoding="utf-8")
    target = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        app, ["classify", "--input", str(source), "--output", str(target), "--fast"]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["id"] == 1 and lines[0]["plover"] == "SANCTION"
    assert lines[1] == {"id": 2, "error": "line 2: a JSONL line must be a JSON object, not a list"}


def test_classify_from_stdin_to_stdout() -> None:
    line = json.dumps({"id": "x", "sentence": "Abe met Putin in Sochi", "source": "Abe",
                       "target": "Putin"})
    result = CliRunner().invoke(app, ["classify", "--fast"], input=line + "\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["plover"] == "CONSULT"


def test_eval_plv_prints_json(tmp_path: Path) -> None:
    path = tmp_path / "tiny.tsv"
    path.write_text(
        "uid\tsentence\tsource\ttarget\tgold_root\n"
        "1\tAbe met Putin in Sochi.\tAbe\tPutin\tCONSULT\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "plv", str(path), "--fast", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["items"] == 1


def test_every_option_has_help() -> None:
    result = CliRunner().invoke(app, ["train", "--help"])
    assert result.exit_code == 0
    for option in ("--shared", "--kind", "--epochs", "--output"):
        assert option in result.stdout
    result = CliRunner().invoke(app, ["eval", "plv", "--help"])
    for option in ("--limit", "--folds", "--fast", "--json"):
        assert option in result.stdout


def test_train_rejects_an_unknown_kind() -> None:
    result = CliRunner().invoke(app, ["train", "--kind", "huge"])
    assert result.exit_code != 0
