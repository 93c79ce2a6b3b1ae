"""Messages name the parameter; the CLI adds flag names.

The library's errors reach Python callers, HTTP clients and CLI users alike, so a
message or hint names the parameter it is about ("db: no database at x.duckdb", with
"db" in the error's `input`), never a flag; the CLI writes the flag in its place
("--db: no database at x.duckdb", `detente.cli.common.with_flags`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from example_stores import make_db
from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

import detente
from detente.actors import ActorResolver
from detente.api import create_app
from detente.cli import app
from detente.cli.common import with_flags
from detente.errors import InputError, NotFoundError, SchemaVersionError, StoreError
from detente.known_events import load_known_events
from detente.settings import Settings
from detente.store import open_store

SRC = Path(detente.__file__).resolve().parent
# The CLI writes flags; training and evaluation are developer command-line tools.
OUTSIDE = ("cli/", "training/", "evaluation/", "dedup/evaluate.py")
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
# A message may quote a whole command to run, flags and all: `dask worker ADDRESS
# --nthreads 1`, `detente train --kind fast`.
COMMAND = re.compile(r"`[^`]*`")
# Flags still named outside a quoted command, each with why it is there.
KNOWN = {
    # CorpusError's hint: raised only by the training corpus reader (`detente train`).
    ("errors.py", "--shared"),
}

runner = CliRunner()


def texts(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """Every string literal of a module but its docstrings, an f-string as one text
    (its values as {})."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skip.add(id(first.value))
        elif isinstance(node, ast.JoinedStr):
            skip.update(id(part) for part in node.values)
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.JoinedStr):
            yield node.lineno, "".join(part.value if isinstance(part, ast.Constant) else "{}"
                                       for part in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def test_library_messages_name_parameters_not_flags() -> None:
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        name = path.relative_to(SRC).as_posix()
        if name.startswith(OUTSIDE):
            continue
        for line, text in texts(ast.parse(path.read_text(encoding="utf-8"))):
            for flag in FLAG.findall(COMMAND.sub("", text)):
                found[(name, flag)] = f"{name}:{line}: {text!r}"
    new = {key: where for key, where in found.items() if key not in KNOWN}
    assert not new, "name the parameter, not the flag:\n" + "\n".join(new.values())
    assert KNOWN <= found.keys(), f"fixed, so drop from KNOWN: {KNOWN - found.keys()}"


def said(result: Result) -> str:
    """What a command wrote to stderr, as one line (rich wraps long ones)."""
    return " ".join(result.stderr.split())


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_db(tmp_path_factory.mktemp("messages") / "events.duckdb")[0]


def test_a_missing_database(tmp_path: Path) -> None:
    missing = tmp_path / "none.duckdb"
    with pytest.raises(NotFoundError) as caught:
        detente.events(db=missing)
    error = caught.value
    assert (error.message, error.input) == (f"db: no database at {missing}", "db")
    assert error.hint == ("Ingest documents into it first (`detente ingest`, "
                          "detente.ingest()), or use the database that holds them.")

    result = runner.invoke(app, ["events", "--db", str(missing)])
    assert result.exit_code == 1
    assert said(result) == (f"error --db: no database at {missing} hint {error.hint}")


def test_a_database_in_a_missing_folder(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "events.duckdb"
    with pytest.raises(StoreError) as caught, open_store(path):
        pass
    assert caught.value.message == f"db: the folder for the database {path} does not exist"

    result = runner.invoke(app, ["docs", "--db", str(path)])
    assert result.exit_code == 3
    assert f"error --db: the folder for the database {path} does not exist" in said(result)
    assert f"hint Create {path.parent}, or use a database file" in said(result)


def test_a_database_newer_than_detente(tmp_path: Path) -> None:
    path = tmp_path / "newer.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE schema_version (version INTEGER)")
        con.execute("INSERT INTO schema_version VALUES (99)")
    with pytest.raises(SchemaVersionError) as caught, open_store(path):
        pass
    assert caught.value.message.startswith(f"db: {path} has schema version 99")

    article = tmp_path / "article.txt"
    article.write_text("Japan protested to Russia.\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(article), "--db", str(path), "--fast"])
    assert result.exit_code == 3
    assert said(result).startswith(f"error --db: {path} has schema version 99")
    assert "or use another database file." in said(result)


def ingest_with(tmp_path: Path, flag: str, path: Path) -> Result:
    """`detente ingest` of a one-line article with `flag path` added."""
    article = tmp_path / "article.txt"
    article.write_text("Japan protested to Russia.\n", encoding="utf-8")
    return runner.invoke(app, ["ingest", str(article), "--db", str(tmp_path / "a.duckdb"),
                               "--fast", flag, str(path)])


def test_a_missing_actor_file(tmp_path: Path) -> None:
    missing = tmp_path / "people.csv"
    with pytest.raises(InputError) as caught:
        ActorResolver([missing])
    error = caught.value
    assert (error.message, error.hint, error.input) == (
        f"actors: cannot read the actor file {missing}: No such file or directory",
        "Check the path.", "actors")

    result = ingest_with(tmp_path, "--actors", missing)
    assert result.exit_code == 2
    assert said(result) == (f"error --actors: cannot read the actor file {missing}: "
                            "No such file or directory hint Check the path.")


def test_a_missing_known_events_file(tmp_path: Path) -> None:
    missing = tmp_path / "known.csv"
    with pytest.raises(InputError) as caught:
        load_known_events((missing,))
    assert caught.value.input == "known_events"
    assert caught.value.message == (f"known_events: cannot read the known events file "
                                    f"{missing}: No such file or directory")

    result = ingest_with(tmp_path, "--known-events", missing)
    assert result.exit_code == 2
    assert said(result) == (f"error --known-events: cannot read the known events file "
                            f"{missing}: No such file or directory hint Check the path.")


def test_an_input_over_the_size_limit_names_the_setting(db: Path, tmp_path: Path) -> None:
    """A per-input failure, recorded against the input: its hint names the setting, which
    every surface has (the HTTP server's operator sets it too)."""
    hint = "Raise the max_doc_mb setting (DETENTE_MAX_DOC_MB), or split the file."
    big = tmp_path / "big.txt"
    big.write_bytes(b"Japan met Russia. " * 70_000)  # 1.26 MB
    report = detente.ingest([big], Settings(db=tmp_path / "big.duckdb", max_doc_mb=1))
    assert [(f.message, f.hint) for f in report.failures] == [
        (f"{big} is 1.3 MB, over the 1 MB limit", hint)]

    settings = Settings(db=db, max_doc_mb=1, max_upload_mb=5)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        response = client.post("/api/documents",
                               files=[("files", ("big.txt", big.read_bytes()))])
    assert response.status_code == 400
    assert response.json()["failures"] == [{"input": "big.txt", "code": "E100", "hint": hint,
                                            "message": "big.txt is 1.3 MB, over the 1 MB limit"}]


def test_a_bad_date_names_since_in_the_library_and_over_http_and_the_flag_in_the_cli(
        db: Path) -> None:
    message = "since: 'yesterday' is not a date (unknown string format)"
    with pytest.raises(InputError) as caught:
        detente.events(db, since="yesterday")
    assert caught.value.message == message
    with TestClient(create_app(db), raise_server_exceptions=False) as client:
        assert client.get("/api/events", params={"since": "yesterday"}).json()["error"] == (
            message)
    result = runner.invoke(app, ["events", "--db", str(db), "--since", "yesterday"])
    assert result.exit_code == 2
    assert said(result).startswith("error --" + message)


def test_a_path_ending_in_a_parameter_name_stays_as_written() -> None:
    error = StoreError("db: cannot open the database data/db: IO Error", input="db")
    assert with_flags(error.message, error) == (
        "--db: cannot open the database data/db: IO Error")
