"""One question, one answer: the same event queries through the library, the CLI, the HTTP
API and the exports, over one store, give the same events or the same error.

What a user typed is read by `detente.query` for every surface; library and HTTP errors
name the parameter ("since: ..."), and the CLI writes its flag there ("--since: ...").
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from example_stores import make_db
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from detente import library
from detente.api import create_app
from detente.cli import app
from detente.errors import DetenteError
from detente.export import export

# (what the user typed, how many of the fixture's 15 events match, or the error code)
QUERIES: list[tuple[dict[str, str], int | str]] = [
    ({"source": "Japan"}, 9),
    ({"source": "JPN"}, 9),
    ({"source": "g7", "type": "accuse"}, 1),
    ({"target": "the United States"}, 1),
    ({"since": "2014"}, 13),                       # from 2014-01-01
    ({"until": "2014-03"}, 8),                     # through 2014-03-31
    ({"since": "2014-03-18", "until": "2014-03-18"}, 2),
    ({"type": "DEMAND"}, 1),                       # an older name of REQUEST
    ({"type": "HUG"}, "E100"),
    ({"since": "yesterday"}, "E103"),
    ({"until": "2014-02-30"}, "E103"),
    ({"target": "Atlantis"}, "E104"),
    ({"since": "2016", "until": "2014"}, "E100"),
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_db(tmp_path_factory.mktemp("paths") / "events.duckdb")[0]


def via_http(db: Path, query: dict[str, str]) -> httpx.Response:
    """The server holds its database open; the other surfaces read it when it is closed."""
    with TestClient(create_app(db), raise_server_exceptions=False) as client:
        return client.get("/api/events", params=query)


def via_library(db: Path, query: dict[str, str]) -> tuple[list[Any], DetenteError | None]:
    try:
        found = library.events(db, **query)
    except DetenteError as error:
        return [], error
    return json.loads(json.dumps([e.to_dict() for e in found])), None


def via_export(db: Path, query: dict[str, str], path: Path) -> tuple[list[str], DetenteError | None]:
    try:
        export(db, "jsonl", path, **query)
    except DetenteError as error:
        return [], error
    return [json.loads(line)["event_id"] for line in path.read_text().splitlines()], None


@pytest.mark.parametrize(("query", "expected"), QUERIES, ids=[str(q) for q, _ in QUERIES])
def test_every_surface_gives_the_same_answer(db: Path, tmp_path: Path, query: dict[str, str],
                                             expected: int | str) -> None:
    events, error = via_library(db, query)
    exported, export_error = via_export(db, query, tmp_path / "out.jsonl")
    flags = [part for key, value in query.items() for part in (f"--{key}", value)]
    cli = CliRunner().invoke(app, ["events", "--db", str(db), "--format", "json", *flags])
    response = via_http(db, query)

    if isinstance(expected, int):
        assert error is None and len(events) == expected
        assert response.status_code == 200 and response.json()["events"] == events
        assert response.json()["total"] == expected
        assert cli.exit_code == 0 and json.loads(cli.stdout) == events
        assert exported == [e["event_id"] for e in events]
        return

    assert error is not None and error.code == expected
    assert "--" not in error.message and "--" not in (error.hint or "")  # names, not flags
    params = error.input.split(",")
    assert set(params) <= set(query) and error.message.startswith(params[0])
    assert export_error is not None
    assert (export_error.code, export_error.message, export_error.hint) == (
        error.code, error.message, error.hint)
    body = response.json()
    assert response.status_code == error.http_status == 400
    assert (body["code"], body["error"], body["hint"]) == (error.code, error.message,
                                                           error.hint)
    assert cli.exit_code == error.exit_code
    message, hint = cli.stderr.splitlines()
    assert message.startswith(f"error --{params[0]}")
    # The CLI's lines are the library's, with each parameter written as its flag.
    assert message.replace("--", "") == f"error {error.message}"
    assert hint.replace("--", "") == f"hint {error.hint}"
