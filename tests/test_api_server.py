"""`detente serve` as a real server process: it holds the database, answers reads while
an upload is ingested, and `detente ingest` on the same file fails at once saying what
to do instead."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from click.testing import Result
from test_api_example import DOCUMENTS, build_example_db
from typer.testing import CliRunner

from detente import cli

DETENTE = Path(sys.executable).parent / "detente"
# Every test talks to a `detente serve` process started by the module's fixture.
pytestmark = pytest.mark.subprocess


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clean_env() -> dict[str, str]:
    """The environment without DETENTE_* settings, so only the flags count."""
    return {k: v for k, v in os.environ.items() if not k.startswith("DETENTE_")}


def serve_args(db: Path, port: int) -> list[str]:
    return [str(DETENTE), "serve", "--db", str(db), "--port", str(port)]


@contextmanager
def served(db: Path, cwd: Path) -> Iterator[str]:
    """A `detente serve` subprocess over `db`; yields its base URL once it answers."""
    port = free_port()
    process = subprocess.Popen(serve_args(db, port), cwd=cwd, env=clean_env(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited with {process.returncode}: "
                            f"{process.stderr.read()}")
            try:
                if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the server did not answer within 60 s")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def served_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """One server for the module (starting Python with spaCy takes seconds)."""
    folder = tmp_path_factory.mktemp("served")
    db = build_example_db(folder / "served.duckdb")
    with served(db, folder) as base:
        yield base, db


def serve_in_process(args: list[str]) -> Result:
    """`detente serve` run in this process through the main CLI."""
    return CliRunner().invoke(cli.app, ["serve", *args])


def test_ingest_into_a_served_database_fails_at_once_saying_what_to_do(
        served_db: tuple[str, Path], tmp_path: Path) -> None:
    _base, db = served_db
    article = tmp_path / "article.txt"
    article.write_text("Japan protested to Russia over the drills.\n", encoding="utf-8")
    result = subprocess.run([str(DETENTE), "ingest", str(article), "--db", str(db)],
                            cwd=tmp_path, env=clean_env(), capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 3, result.stderr
    message = " ".join(result.stderr.split())
    assert "in use by another process" in message
    assert "detente serve" in message and "POST /api/documents" in message


def test_a_second_server_on_the_same_database_is_refused(
        served_db: tuple[str, Path]) -> None:
    _base, db = served_db
    result = serve_in_process(["--db", str(db), "--port", str(free_port())])
    assert result.exit_code == 3
    assert "in use by another process" in " ".join(result.output.split())


def test_a_busy_port_is_refused_with_a_hint(served_db: tuple[str, Path],
                                            tmp_path: Path) -> None:
    base, _db = served_db
    port = int(base.rsplit(":", 1)[1])
    result = serve_in_process(["--db", str(tmp_path / "other.duckdb"), "--port", str(port)])
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "already in use" in message and f"--port {port + 1}" in message


def test_reads_stay_answered_while_the_server_ingests(served_db: tuple[str, Path]) -> None:
    base, _db = served_db
    answer: dict[str, httpx.Response] = {}

    def upload() -> None:
        answer["upload"] = httpx.post(f"{base}/api/documents", timeout=120, files=[
            ("files", ("a.txt", (b"Date: 2016-05-06\n\nPrime Minister Shinzo Abe met "
                                 b"President Vladimir Putin in Sochi on Friday.\n"))),
            ("files", ("b.txt", (b"Date: 2016-09-02\n\nJapan and Russia signed an agreement "
                                 b"on economic cooperation in Vladivostok on Friday.\n"))),
        ])

    before = httpx.get(f"{base}/api/health").json()["counts"]["documents"]
    assert before >= len(DOCUMENTS)
    worker = threading.Thread(target=upload)
    worker.start()
    statuses, during, busy_seen = [], 0, False
    with httpx.Client(base_url=base, timeout=10) as http:
        while worker.is_alive():
            response = http.get("/api/events", params={"source": "JPN", "limit": 50})
            health = http.get("/api/health").json()
            statuses.append(response.status_code)
            during += 1
            busy_seen = busy_seen or health["ingesting"]
            time.sleep(0.02)
        worker.join()
        after = http.get("/api/health").json()
    assert answer["upload"].status_code == 200, answer["upload"].text
    assert set(statuses) <= {200}
    # The first upload loads the spaCy model, so reads are answered meanwhile.
    assert during >= 1 and busy_seen
    assert after["counts"]["documents"] == before + 2


def test_a_notebook_reads_the_database_while_the_server_runs(
        served_db: tuple[str, Path]) -> None:
    """What an analyst does in a notebook beside `detente serve`: open the file read-only
    with DuckDB, query the views, load the library's tables, and keep the server busy."""
    import duckdb

    import detente

    base, db = served_db
    with httpx.Client(base_url=base, timeout=30) as http:
        served = http.get("/api/events", params={"source": "JPN", "limit": 1000}).json()
        with duckdb.connect(str(db), read_only=True) as con:
            rows = con.execute("SELECT event_id, doc_title, doc_date FROM events_with_documents"
                               " WHERE source_code = 'JPN'").fetchall()
            mentions = con.execute("SELECT count(*) FROM mentions").fetchone()
            # The server answers while the notebook holds its connection.
            assert http.get("/api/health").status_code == 200
        frame = detente.events(db, source="Japan").to_pandas()
    assert sorted(r[0] for r in rows) == sorted(e["event_id"] for e in served["events"])
    assert all(title for _, title, _ in rows) and mentions is not None
    assert sorted(frame["event_id"]) == sorted(r[0] for r in rows)
    assert str(frame["date_start"].dtype).startswith("datetime64")


def test_an_upload_while_a_notebook_holds_the_file_is_refused_then_accepted(
        served_db: tuple[str, Path]) -> None:
    import duckdb

    base, db = served_db
    upload = [("files", ("later.txt", (b"Date: 2017-04-27\n\nPrime Minister Shinzo Abe met "
                                       b"President Vladimir Putin in Moscow on Thursday.\n")))]
    with duckdb.connect(str(db), read_only=True):
        busy = httpx.post(f"{base}/api/documents", files=upload, timeout=120)
    assert busy.status_code == 409, busy.text
    assert busy.json()["code"] == "E201" and "Close the other connection" in busy.json()["hint"]
    done = httpx.post(f"{base}/api/documents", files=upload, timeout=120)
    assert done.status_code == 200, done.text
