"""`detente actors ...` and `detente eval actors`: run the commands, check via the library."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from detente.actors import ActorResolver, list_actors
from detente.cli.actors import actors_app, eval_actors_command

runner = CliRunner()


def invoke(*args: str, input: str | None = None):
    return runner.invoke(actors_app, list(args), input=input)


def test_resolve_prints_the_library_result_as_json() -> None:
    result = invoke("resolve", "the Japanese prime minister", "--date", "2015-03-20")
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    expected = ActorResolver().resolve("the Japanese prime minister", dt.date(2015, 3, 20))
    assert printed == expected.to_dict()
    assert {"text", "code", "sector", "name", "reason"} <= set(printed)
    assert printed["name"] == "Shinzo Abe"


def test_resolve_uses_context_and_extra_actor_files(tmp_path: Path) -> None:
    korea = json.loads(invoke("resolve", "Korea", "--context", "talks in Seoul").stdout)
    assert korea["code"] == "KOR"
    extra = tmp_path / "extra.csv"
    extra.write_text("pattern,code,sector,name,start,end\nZorblatt Works,KAZ,BUS,Zorblatt Works,,\n")
    found = json.loads(invoke("resolve", "Zorblatt Works", "--actors", str(extra)).stdout)
    assert (found["code"], found["sector"]) == ("KAZ", "BUS")


def test_resolve_errors_name_the_fix() -> None:
    bad = invoke("resolve", "Abe", "--date", "20-13-2015")
    assert bad.exit_code == 2
    assert "not a date" in bad.output and "YYYY-MM-DD" in bad.output
    missing = invoke("resolve")
    assert missing.exit_code == 2 and "--input" in missing.output


def test_resolve_input_jsonl_keeps_order_and_reports_bad_lines(tmp_path: Path) -> None:
    lines = ['{"text": "Abe", "date": "2015-03-20"}', "not json",
             '{"text": "the Kremlin"}', '{"date": "2015-03-20"}',
             '{"text": "Abe", "date": "someday"}',
             '{"text": "Korea", "context": "the summit in Pyongyang"}']
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n")
    result = invoke("resolve", "--input", str(source))
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 6
    assert out[0]["name"] == "Shinzo Abe"
    assert out[1] == {**out[1], "ok": False, "line": 2, "code": "E100"}
    assert out[2]["code"] == "RUS"
    assert out[3]["ok"] is False and "text" in out[3]["error"]
    assert out[4]["ok"] is False and out[4]["code"] == "E103"
    assert out[5]["code"] == "PRK"
    assert all(set(o) >= {"ok", "line", "error", "code", "hint"} for o in out if "ok" in o)


def test_resolve_input_reads_stdin() -> None:
    result = invoke("resolve", "--input", "-", input='{"text": "Gazprom"}\n')
    assert json.loads(result.stdout)["code"] == "RUS"


def test_list_json_matches_the_library() -> None:
    result = invoke("list", "--country", "RUS", "--on", "2015-03-20", "--format", "json")
    assert result.exit_code == 0, result.output
    names = [a["name"] for a in json.loads(result.stdout)]
    assert names == [a.name for a in list_actors("RUS", dt.date(2015, 3, 20))]
    assert "Vladimir Putin" in names


def test_list_table_and_bad_format() -> None:
    table = invoke("list", "--country", "JPN", "--on", "2015-03-20")
    assert table.exit_code == 0 and "Shinzo Abe" in table.stdout
    assert invoke("list", "--format", "xml").exit_code == 2


def test_import_writes_an_actor_file_the_resolver_reads(tmp_path: Path) -> None:
    source = tmp_path / "small.actors"
    source.write_text("ZORBLATT_FEDERATION_ [KAZGOV]\n+ZORBLATT_\nBAD_ [KAZGOV 99-1]\n")
    target = tmp_path / "out.csv"
    result = invoke("import", str(source), "--output", str(target))
    assert result.exit_code == 0, result.output
    assert "skipped" in result.output
    assert ActorResolver([target]).resolve("Zorblatt").code == "KAZ"
    printed = invoke("import", str(source))
    assert printed.stdout.startswith("pattern,code,sector,name,start,end")


def test_import_missing_file() -> None:
    result = invoke("import", "/nonexistent/file.actors")
    assert result.exit_code == 2 and "Cannot read PETRARCH dictionary" in result.output


def _eval_app() -> typer.Typer:
    app = typer.Typer()
    app.command("actors")(eval_actors_command)

    @app.command("other")
    def other() -> None:  # a second command keeps typer from flattening the group
        """Placeholder."""

    return app


def test_eval_actors_command() -> None:
    path = Path(__file__).resolve().parents[2] / "shared/data-ext/plover/PLOVER_GSR_dev.json"
    if not path.exists():
        pytest.skip("needs ../shared/data-ext (CI has it beside the checkout)")
    result = runner.invoke(_eval_app(), ["actors", str(path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["n"] == 330 and report["accuracy"] >= 0.9
    table = runner.invoke(_eval_app(), ["actors", str(path)])
    assert "code accuracy" in table.stdout


def test_eval_actors_bad_path() -> None:
    result = runner.invoke(_eval_app(), ["actors", "/nonexistent.json"])
    assert result.exit_code == 2 and "Cannot read PLOVER gold records" in result.output


def test_every_command_and_option_has_help() -> None:
    group = typer.main.get_command(actors_app)
    commands = dict(group.commands)  # type: ignore[attr-defined]
    commands["eval actors"] = typer.main.get_command(_eval_app()).commands["actors"]  # type: ignore[attr-defined]
    assert {"resolve", "list", "import"} <= set(commands)
    for name, command in commands.items():
        assert command.help, name
        for param in command.params:
            assert getattr(param, "help", None), f"{name} {param.name}"
