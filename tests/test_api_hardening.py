"""The HTTP API against bad bodies, bad inputs and a killed server: every malformed body
is a 400 in the one error shape, a mixed upload keeps its good files, uploads are
recorded under their own names, and one bad request never resets the connection.

The connection tests speak raw HTTP/1.1 to a real uvicorn server, in a thread, so that
a connection the server closes is seen as closed.
"""

from __future__ import annotations

import os
import re
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from serving import serving
from test_api import assert_error
from test_api_example import DOCUMENTS, build_example_db

from detente.api import create_app
from detente.api.app import INGEST_NICENESS
from detente.settings import Settings
from detente.store import open_store

GOOD = (b"Title: Oslo fishing accord\nDate: 2016-04-11\n\n"
        b"Norway signed a fishing agreement with Chile in Oslo on Monday. The two "
        b"governments agreed to share data on catches.\n")
DATE_TYPO = (b"---\ntitle: Drills near the border\ndate: 2014-02-30\n---\n"
             b"Kenya protested to Ghana on Friday over drills near the border.\n")
# One good JSONL line, then one whose text ends in half an emoji (an unpaired surrogate).
JSONL = (b'{"id": "c1", "text": "Peru offered flood relief to Ecuador on Tuesday, the '
         b'foreign ministry said."}\n'
         b'{"id": "c2", "text": "Mexico recalled its ambassador from Brazil \\ud83d"}\n')


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return build_example_db(tmp_path / "hardening.duckdb")


@pytest.fixture
def client(db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(db=db)), raise_server_exceptions=False) as session:
        yield session


# -- uploads: names, retries, leftovers -------------------------------------------------

@pytest.mark.slow
def test_uploads_are_recorded_under_their_own_names(client: TestClient) -> None:
    response = client.post("/api/documents", files=[
        ("files", ("../reports/oslo accord.txt", GOOD)),
        ("files", ("typo.md", DATE_TYPO)),
    ])
    assert response.status_code == 200, response.text
    added = response.json()["added"]
    assert len(added) == 1
    document = client.get(f"/api/docs/{added[0]}").json()["document"]
    assert document["path"] == "oslo accord.txt"
    errors = client.get("/api/errors").json()["errors"]
    assert [(e["input"], e["code"]) for e in errors] == [("typo.md", "E103")]
    assert errors[0]["message"].startswith("typo.md: '2014-02-30' is not a date")
    for route in ("/api/docs", "/api/errors", f"/api/docs/{added[0]}"):
        assert "detente-upload" not in client.get(route).text


def test_a_retried_failing_upload_adds_no_second_error(client: TestClient) -> None:
    for _ in range(3):
        body = assert_error(client.post("/api/documents",
                                        files=[("files", ("typo.md", DATE_TYPO))]), 400)
        assert [f["input"] for f in body["failures"]] == ["typo.md"]
    assert client.get("/api/errors").json()["total"] == 1
    assert client.get("/api/health").json()["counts"]["ingest_errors"] == 1


@pytest.mark.slow
def test_uploads_left_by_a_killed_server_are_cleared_at_start(db: Path) -> None:
    left = Path(f"{db}.uploads") / "detente-upload-k1ll3d" / "1" / "half-read.txt"
    left.parent.mkdir(parents=True)
    left.write_bytes(GOOD)
    with TestClient(create_app(db)) as session:
        assert not left.parent.parent.exists()
        response = session.post("/api/documents", files=[("files", ("oslo.txt", GOOD))])
        assert response.status_code == 200, response.text
        assert list(Path(f"{db}.uploads").iterdir()) == []  # each upload cleans up after itself
    assert not Path(f"{db}.uploads").exists()  # and the server after itself


@pytest.mark.slow
def test_a_mixed_upload_stores_the_good_files_and_reports_the_bad(client: TestClient) -> None:
    response = client.post("/api/documents", files=[
        ("files", ("oslo.txt", GOOD)),
        ("files", ("typo.md", DATE_TYPO)),
        ("files", ("relief.jsonl", JSONL)),
    ])
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["added"]) == 2
    assert sorted((f["input"], f["code"]) for f in body["failures"]) == [
        ("relief.jsonl:2", "E100"), ("typo.md", "E103")]
    paths = sorted(d["path"] for d in client.get("/api/docs").json()["documents"]
                   if d["doc_id"] in body["added"])
    assert paths == ["oslo.txt", "relief.jsonl:1 (id c1)"]
    assert client.get("/api/errors").json()["total"] == 2


# -- malformed bodies -------------------------------------------------------------------

JSON = {"content-type": "application/json"}


def nested(depth: int, kind: str) -> bytes:
    """{"documents": ...} holding `depth` nested lists or objects."""
    opening, closing = ("[", "]") if kind == "list" else ('{"a": ', "}")
    return b'{"documents": ' + (opening * depth + "1" + closing * depth).encode() + b"}"


@pytest.mark.parametrize("depth", [600, 5_000, 200_000])
@pytest.mark.parametrize("kind", ["list", "object"])
def test_json_of_any_depth_is_a_400(client: TestClient, depth: int, kind: str) -> None:
    body = assert_error(client.post("/api/documents", content=nested(depth, kind),
                                    headers=JSON), 400)
    # detente's own limit, below every Python's (3.13's json reads 10,000 levels)
    assert body["error"] == "the JSON body is nested more than 500 levels deep"
    assert body["code"] == "E100" and '"documents"' in body["hint"]


def test_json_nested_a_thousand_levels_is_a_400(client: TestClient) -> None:
    body = assert_error(client.post("/api/documents", content=nested(1_000, "list"),
                                    headers=JSON), 400)
    assert body["code"] == "E100"


@pytest.mark.parametrize(("content", "words"), [
    (b'{"documents": [{"text": "x", "id": 1' + b"1" * 5000 + b"}]}", "number too long"),
    (b'{"documents": [{"text": "caf\xe9 au lait"}]}', "malformed"),
    (b'\xff{"documents": []}', "malformed"),
    (b'{"documents": [{"text": "Chile met Peru \\ud83d"}]}', "documents.0.text"),
    (b'{"documents": NaN}', "documents"),
    (b"", "malformed"),
])
def test_malformed_json_is_a_400(client: TestClient, content: bytes, words: str) -> None:
    body = assert_error(client.post("/api/documents", content=content, headers=JSON), 400)
    assert words in body["error"] and body["code"] == "E100"


def test_every_cut_json_body_is_a_400(client: TestClient) -> None:
    whole = (b'{"documents": [{"id": "n1", "text": "Norway signed a fishing agreement '
             b'with Chile.", "date": "2016-04-11"}]}')
    for end in range(0, len(whole), 7):
        assert_error(client.post("/api/documents", content=whole[:end], headers=JSON), 400)
    assert client.get("/api/health").json()["counts"]["documents"] == len(DOCUMENTS)


MULTIPART = "multipart/form-data; boundary=b0undary"


@pytest.mark.parametrize(("content", "content_type", "words"), [
    (bytes(range(256)) * 4, MULTIPART, "multipart body is malformed"),
    (b"--b0undary\r\n\r\nno headers\r\n--b0undary--\r\n", MULTIPART,
     "multipart body is malformed"),
    ((b"--b0undary\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.txt\""
      b"\r\n\r\ncut before its end"), MULTIPART, "no files"),
    (b"--x\r\n", "multipart/form-data", "Missing boundary"),
    (b"".join(b"--b0undary\r\nContent-Disposition: form-data; name=\"files\"; "
              b"filename=\"f%d.txt\"\r\n\r\nx\r\n" % n for n in range(201))
     + b"--b0undary--\r\n", MULTIPART, "Too many files"),
])
def test_malformed_multipart_is_a_400(client: TestClient, content: bytes, content_type: str,
                                      words: str) -> None:
    body = assert_error(client.post("/api/documents", content=content,
                                    headers={"content-type": content_type}), 400)
    assert words in body["error"] and body["code"] == "E100"
    assert "curl -F files=@" in body["hint"]


# -- reads while a write is open --------------------------------------------------------

def test_reads_are_answered_while_a_write_is_open(db: Path) -> None:
    """A read route answers from its own cursor while the store's writer holds an open
    transaction (as the ingest does for each document), and sees only committed rows."""
    with open_store(db) as store, TestClient(create_app(store)) as session:
        writer = store.cursor()
        writer.con.execute("BEGIN")
        writer.con.execute("INSERT INTO documents (doc_id, title) VALUES ('pending', 'x')")
        health = session.get("/api/health").json()
        assert health["counts"]["documents"] == len(DOCUMENTS)
        assert "pending" not in session.get("/api/docs").text
        writer.con.execute("COMMIT")
        writer.close()
        assert session.get("/api/health").json()["counts"]["documents"] == len(DOCUMENTS) + 1


# -- the connection survives --------------------------------------------------------------

def exchange(connection: socket.socket, request: httpx.Request) -> tuple[int, dict[str, Any]]:
    """Send `request` on an open connection and read one whole response from it."""
    content = request.read()
    head = f"{request.method} {request.url.raw_path.decode()} HTTP/1.1\r\n"
    headers = dict(request.headers)
    headers["content-length"] = str(len(content))
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items() if k != "accept-encoding")
    connection.sendall(head.encode() + b"\r\n" + content)
    data = b""
    while b"\r\n\r\n" not in data:
        data += receive(connection)
    header, body = data.split(b"\r\n\r\n", 1)
    match = re.search(rb"(?i)\r\ncontent-length: *(\d+)", header)
    assert match, header
    while len(body) < int(match[1]):
        body += receive(connection)
    status = int(header.split()[1])
    is_json = b"application/json" in header
    return status, httpx.Response(status, content=body).json() if is_json else {}


def receive(connection: socket.socket) -> bytes:
    chunk = connection.recv(1 << 16)
    if not chunk:
        raise ConnectionResetError("the server closed the connection")
    return chunk


@pytest.mark.slow
def test_bad_requests_keep_the_connection_open(db: Path) -> None:
    with serving(create_app(db)) as port, socket.create_connection(
            ("127.0.0.1", port), timeout=120) as connection:
        base = f"http://127.0.0.1:{port}"
        deep = httpx.Request("POST", f"{base}/api/documents", content=nested(100_000, "list"),
                             headers=JSON)
        assert exchange(connection, deep)[0] == 400
        mixed = httpx.Request("POST", f"{base}/api/documents", files=[
            ("files", ("oslo.txt", GOOD)), ("files", ("typo.md", DATE_TYPO))])
        status, body = exchange(connection, mixed)
        assert status == 200 and len(body["added"]) == 1
        assert [f["input"] for f in body["failures"]] == ["typo.md"]
        status, health = exchange(connection, httpx.Request("GET", f"{base}/api/health"))
        assert status == 200 and health["counts"]["documents"] == len(DOCUMENTS) + 1


def test_an_internal_error_keeps_the_connection_open(tmp_path: Path) -> None:
    with open_store(tmp_path / "closed.duckdb") as store:
        app = create_app(store)
    # The store is closed now: every query fails inside its route with a DuckDB error.
    with serving(app) as port, socket.create_connection(("127.0.0.1", port),
                                                        timeout=60) as connection:
        base = f"http://127.0.0.1:{port}"
        status, body = exchange(connection, httpx.Request("GET", f"{base}/api/docs"))
        assert status == 500 and body["error"].startswith("internal error")
        assert body["code"] == "E000" and "server log" in body["hint"]
        assert exchange(connection, httpx.Request("GET", f"{base}/"))[0] == 200


@pytest.mark.skipif(sys.platform != "linux", reason="thread priorities are set on Linux only")
def test_uploads_are_coded_at_a_lower_priority_than_reads(client: TestClient) -> None:
    """The thread that ingests uploads runs INGEST_NICENESS below the readers."""
    ctx = client.app.state.detente  # type: ignore[attr-defined]

    def niceness() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    assert ctx.ingester.submit(niceness).result() == min(niceness() + INGEST_NICENESS, 19)


@pytest.mark.slow
def test_uploads_are_coded_in_a_worker_process_at_a_lower_priority(client: TestClient
                                                                    ) -> None:
    """The server parses and codes uploads in a worker process (never its own GIL),
    INGEST_NICENESS below itself."""
    response = client.post("/api/documents", files=[("files", ("oslo.txt", GOOD))])
    assert response.status_code == 200 and response.json()["events"] >= 1, response.text
    workers = client.app.state.detente.coding.workers  # type: ignore[attr-defined]
    assert workers.submit(os.getpid).result() != os.getpid()
    own = os.getpriority(os.PRIO_PROCESS, 0)
    assert workers.submit(os.getpriority, os.PRIO_PROCESS, 0).result() == \
        min(own + INGEST_NICENESS, 19)


@pytest.mark.slow
def test_a_killed_coding_worker_is_replaced_at_the_next_upload(client: TestClient) -> None:
    """A worker that dies (a parser crash, the OOM killer) takes no part of the server
    with it: the next upload starts a fresh one and is coded."""
    import signal

    first = client.post("/api/documents", files=[("files", ("oslo.txt", GOOD))])
    assert first.status_code == 200, first.text
    workers = client.app.state.detente.coding.workers  # type: ignore[attr-defined]
    os.kill(workers.submit(os.getpid).result(), signal.SIGKILL)
    again = GOOD.replace(b"Chile", b"Peru")
    second = client.post("/api/documents", files=[("files", ("lima.txt", again))])
    assert second.status_code == 200 and second.json()["events"] >= 1, second.text
    assert client.get("/api/health").json()["counts"]["documents"] == len(DOCUMENTS) + 2
