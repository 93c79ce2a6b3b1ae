"""One question, one answer: the same event queries through the library, the CLI, the HTTP
API and the exports, over one store, give the same events or the same error, in the
canonical view (one event per happening) and in the raw view (every report).

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
from detente.analysis import network, timeline
from detente.api import create_app
from detente.cli import app
from detente.dedup.state import Deduplicator
from detente.errors import DetenteError
from detente.export import export, read_gdelt
from detente.store import open_store

# (what the user typed, how many of the fixture's 15 reports match and how many
# happenings, once deduplication merged the two reports of Japan's March 2014 sanctions,
# or the error code)
QUERIES: list[tuple[dict[str, str], int | str, int | str]] = [
    ({"source": "Japan"}, 9, 8),
    ({"source": "JPN"}, 9, 8),
    ({"source": "g7", "type": "accuse"}, 1, 1),
    ({"target": "the United States"}, 1, 1),
    ({"since": "2014"}, 13, 12),                   # from 2014-01-01
    ({"until": "2014-03"}, 8, 7),                  # through 2014-03-31
    ({"since": "2014-03-18", "until": "2014-03-18"}, 2, 2),
    ({"type": "DEMAND"}, 1, 1),                    # an older name of REQUEST
    ({"type": "sanction", "source": "JPN"}, 4, 3),
    ({"type": "HUG"}, "E100", "E100"),
    ({"since": "yesterday"}, "E103", "E103"),
    ({"until": "2014-02-30"}, "E103", "E103"),
    ({"target": "Atlantis"}, "E104", "E104"),
    ({"since": "2016", "until": "2014"}, "E100", "E100"),
]
CASES = [(query, raw, reports if raw else happenings) for query, reports, happenings in QUERIES
         for raw in (True, False)]


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture's events as stored before deduplication: each its own happening."""
    return make_db(tmp_path_factory.mktemp("paths") / "events.duckdb")[0]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same events once deduplication has linked and clustered them."""
    path = make_db(tmp_path_factory.mktemp("paths") / "clustered.duckdb")[0]
    with open_store(path) as store:
        Deduplicator.load(store)
    return path


def via_http(db: Path, query: dict[str, Any], path: str = "/api/events") -> httpx.Response:
    """The server holds its database open; the other surfaces read it when it is closed."""
    with TestClient(create_app(db), raise_server_exceptions=False) as client:
        return client.get(path, params=query)


def via_library(db: Path, query: dict[str, Any]) -> tuple[list[Any], DetenteError | None]:
    try:
        found = library.events(db, **query)
    except DetenteError as error:
        return [], error
    return json.loads(json.dumps([e.to_dict() for e in found])), None


def via_export(db: Path, query: dict[str, Any], path: Path) -> tuple[list[str], DetenteError | None]:
    try:
        export(db, "jsonl", path, **query)
    except DetenteError as error:
        return [], error
    return [json.loads(line)["event_id"] for line in path.read_text().splitlines()], None


@pytest.mark.parametrize(("query", "raw", "expected"), CASES,
                         ids=[f"{q}-{'raw' if raw else 'canonical'}" for q, raw, _ in CASES])
def test_every_surface_gives_the_same_answer(db: Path, tmp_path: Path, query: dict[str, str],
                                             raw: bool, expected: int | str) -> None:
    events, error = via_library(db, {**query, "raw": raw})
    exported, export_error = via_export(db, {**query, "raw": raw}, tmp_path / "out.jsonl")
    flags = [part for key, value in query.items() for part in (f"--{key}", value)]
    cli = CliRunner().invoke(app, ["events", "--db", str(db), "--format", "json", *flags,
                                   *(["--raw"] if raw else [])])
    response = via_http(db, {**query, **({"raw": "true"} if raw else {})})

    if isinstance(expected, int):
        assert error is None and len(events) == expected
        assert response.status_code == 200 and response.json()["events"] == events
        assert response.json()["total"] == expected
        assert response.json()["filters"]["raw"] is raw
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


@pytest.mark.parametrize("query", [q for q, reports, _ in QUERIES if isinstance(reports, int)],
                         ids=str)
def test_the_raw_view_answers_as_before_deduplication(db: Path, plain: Path,
                                                      query: dict[str, str]) -> None:
    assert library.events(db, raw=True, **query) == library.events(plain, **query)
    assert library.events(plain, raw=True, **query) == library.events(plain, **query)


def test_analyses_and_exports_switch_view_alike_on_every_surface(db: Path, plain: Path,
                                                                tmp_path: Path) -> None:
    for raw in (True, False):
        series = timeline(db, "JPN", "RUS", by="year", raw=raw)
        both = {r.period: r.events for r in series.series("both")}
        assert both["2014"] == (5 if raw else 4)  # Japan's two March sanction reports: one
        answer = via_http(db, {"a": "JPN", "b": "RUS", "by": "year", "raw": raw},
                          "/api/timeline").json()
        assert {k: v for k, v in answer.items() if k != "ok"} == json.loads(
            json.dumps(series.to_dict()))
        cli = CliRunner().invoke(app, ["timeline", "JPN", "RUS", "--by", "year", "--db",
                                       str(db), "--format", "json", *(["--raw"] if raw else [])])
        assert json.loads(cli.stdout) == json.loads(json.dumps(series.to_dict()))
        graph = network(db, raw=raw)
        edge = next(e for e in graph.edges if (e.source, e.target) == ("JPN", "RUS"))
        assert edge.events == (7 if raw else 6)  # the negated report is no event either way
    # the raw view is the store before deduplication, row for row (DATEADDED: when each
    # store was written)
    export(db, "gdelt", tmp_path / "raw.tsv", raw=True)
    export(plain, "gdelt", tmp_path / "plain.tsv")
    assert read_gdelt(tmp_path / "raw.tsv").drop("DATEADDED").equals(
        read_gdelt(tmp_path / "plain.tsv").drop("DATEADDED"))
    assert timeline(db, "JPN", "RUS", raw=True).rows == timeline(plain, "JPN", "RUS").rows
