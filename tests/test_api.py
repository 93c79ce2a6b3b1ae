"""The HTTP API in-process: every route, bad parameters, the error shape, uploads.

Requests go through the real ASGI app (FastAPI's TestClient) over a real DuckDB file
holding the hand-made example of `test_api_example.py`.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from example_stores import make_db
from fastapi.testclient import TestClient
from test_api_example import DOCUMENTS, build_example_db

from detente.api import create_app
from detente.api.app import READERS, WEB_DIR
from detente.settings import Settings
from detente.store import open_store

ALL_EVENTS = sum(len(coded) for _, _, sentences in DOCUMENTS for _, coded in sentences)


def expected(source: str | None = None, target: str | None = None, plover: str | None = None,
             date: str = "") -> int:
    """How many example events match, counted from the example's own table."""
    return sum(1 for day, _, sentences in DOCUMENTS for _, coded in sentences
               for s, t, p, when in coded
               if source in (None, s) and target in (None, t) and plover in (None, p)
               and (when or day).startswith(date))


@pytest.fixture(scope="module")
def example_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example_db(tmp_path_factory.mktemp("api") / "example.duckdb")


@pytest.fixture(scope="module")
def client(example_db: Path) -> Iterator[TestClient]:
    """A read-only session over the shared example (tests here must not write)."""
    with TestClient(create_app(example_db), raise_server_exceptions=False) as session:
        yield session


@pytest.fixture
def fresh_client(tmp_path: Path) -> Iterator[TestClient]:
    """A client over its own copy of the example, for tests that upload."""
    db = build_example_db(tmp_path / "upload.duckdb")
    settings = Settings(db=db, max_upload_mb=1)
    with TestClient(create_app(settings), raise_server_exceptions=False) as session:
        yield session


def assert_error(response: httpx.Response, status: int) -> dict[str, Any]:
    """The one error shape: ok false, a message, the HTTP status, a code and a hint."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["ok"] is False
    assert isinstance(body["error"], str) and body["error"]
    assert body["status"] == status
    assert isinstance(body["code"], str) and body["code"]
    assert "hint" in body
    return body


# -- reads ----------------------------------------------------------------------------

def test_health_counts_the_example(client: TestClient) -> None:
    body = client.get("/api/health").json()
    assert body["ok"] is True
    assert body["db"] == "example.duckdb"
    assert body["counts"]["documents"] == len(DOCUMENTS)
    assert body["counts"]["events"] == ALL_EVENTS
    assert body["ingesting"] is False


def test_docs_lists_documents_oldest_first(client: TestClient) -> None:
    body = client.get("/api/docs").json()
    assert body["total"] == len(DOCUMENTS)
    dates = [d["date"] for d in body["documents"]]
    assert dates == sorted(dates) and dates[0] == "2014-03-18"
    first = body["documents"][0]
    assert first["title"] == "Japan announces first sanctions over Crimea"
    assert (first["sentences"], first["events"]) == (4, 4)


def test_document_has_sentences_and_events_with_offsets_into_its_text(
        client: TestClient) -> None:
    doc_id = client.get("/api/docs").json()["documents"][0]["doc_id"]
    body = client.get(f"/api/docs/{doc_id}").json()
    text = body["document"]["text"]
    assert body["document"]["doc_id"] == doc_id
    for sentence in body["sentences"]:
        assert text[sentence["start"]:sentence["end"]] == sentence["text"]
    assert len(body["events"]) == 4
    for event in body["events"]:
        assert text[event["char_start"]:event["char_end"]] == event["evidence"]
    assert {e["plover"] for e in body["events"]} == {"SANCTION", "COERCE", "ACCUSE"}


def test_unknown_document_is_a_404(client: TestClient) -> None:
    body = assert_error(client.get("/api/docs/0000000000000000"), 404)
    assert "0000000000000000" in body["error"]


def test_events_filters_and_pages(client: TestClient) -> None:
    body = client.get("/api/events", params={"source": "JPN", "target": "RUS"}).json()
    jpn_rus = expected("JPN", "RUS")
    assert body["total"] == jpn_rus
    assert all(e["source"]["code"] == "JPN" and e["target"]["code"] == "RUS"
               for e in body["events"])
    dates = [e["date"] for e in body["events"]]
    assert dates == sorted(dates)

    page = client.get("/api/events", params={"source": "JPN", "target": "RUS", "limit": 5,
                                             "offset": 10}).json()
    assert (page["total"], page["limit"], page["offset"]) == (jpn_rus, 5, 10)
    assert [e["event_id"] for e in page["events"]] == [e["event_id"]
                                                       for e in body["events"][10:15]]
    # Every kind of page gives the same total: full, short (the last), empty past the end.
    for limit, offset in [(jpn_rus - 1, 0), (jpn_rus + 5, 0), (5, jpn_rus - 2),
                          (5, jpn_rus), (5, jpn_rus + 7)]:
        page = client.get("/api/events", params={"source": "JPN", "target": "RUS",
                                                 "limit": limit, "offset": offset}).json()
        assert page["total"] == jpn_rus, (limit, offset)
        assert len(page["events"]) == max(0, min(limit, jpn_rus - offset))

    sanctions = client.get("/api/events", params={"type": "sanction", "source": "Japan"}).json()
    assert sanctions["filters"]["type"] == "SANCTION"
    assert sanctions["filters"]["source"] == "JPN"
    assert sanctions["total"] == expected("JPN", None, "SANCTION")


def test_events_periods_run_to_the_end_of_until(client: TestClient) -> None:
    march = client.get("/api/events", params={"since": "2014-03", "until": "2014-03"}).json()
    assert march["filters"]["since"] == "2014-03-01"
    assert march["filters"]["until"] == "2014-03-31"
    assert march["total"] == expected(date="2014-03")
    year = client.get("/api/events", params={"since": "2022", "until": "2022"}).json()
    assert all(e["date"].startswith("2022") for e in year["events"])
    assert year["total"] == expected(date="2022")
    day = client.get("/api/events", params={"since": "2022-02-24",
                                            "until": "2022-02-24"}).json()
    assert [e["plover"] for e in day["events"]] == ["ASSAULT"]


def test_events_of_one_document(client: TestClient) -> None:
    doc_id = client.get("/api/docs").json()["documents"][3]["doc_id"]
    body = client.get("/api/events", params={"doc_id": doc_id}).json()
    assert body["total"] == 4 and {e["doc_id"] for e in body["events"]} == {doc_id}


@pytest.mark.parametrize(("params", "words"), [
    ({"source": "XQZ"}, "unknown country"),
    ({"target": "Atlantis"}, "unknown country"),
    ({"type": "HUG"}, "unknown event type"),
    ({"since": "2014-13"}, "not a date"),
    ({"until": "yesterday"}, "not a date"),
    ({"since": "2020", "until": "2019"}, "after"),
    ({"limit": "0"}, "limit"),
    ({"limit": "5000"}, "limit"),
    ({"offset": "-1"}, "offset"),
    ({"doc_id": "x' OR '1'='1"}, "doc_id"),
    ({"source": "JPN' OR '1'='1"}, "unknown country"),
])
def test_bad_event_parameters_are_400s(client: TestClient, params: dict[str, str],
                                       words: str) -> None:
    body = assert_error(client.get("/api/events", params=params), 400)
    assert words in body["error"]
    assert body["hint"]


def test_timeline_by_month_and_year(client: TestClient) -> None:
    body = client.get("/api/timeline", params={"a": "JPN", "b": "RUS"}).json()
    assert body["ok"] is True and (body["a"], body["b"], body["by"]) == ("JPN", "RUS", "month")
    assert body["directions"] == ["JPN->RUS", "RUS->JPN", "both"]
    both = {r["period"]: r for r in body["rows"] if r["direction"] == "both"}
    assert both["2014-03"]["events"] == expected("JPN", "RUS", date="2014-03") + expected(
        "RUS", "JPN", date="2014-03")
    assert both["2014-03"]["material_conflict"] == expected("JPN", "RUS", "SANCTION", "2014-03")
    assert both["2015-06"]["events"] == 0
    assert body["total_events"] == expected("JPN", "RUS") + expected("RUS", "JPN")

    years = client.get("/api/timeline", params={"a": "Japan", "b": "Russia", "by": "year",
                                                "both": "false", "since": "2016"}).json()
    assert years["directions"] == ["JPN->RUS"]
    assert [r["period"] for r in years["rows"]] == ["2016", "2017", "2018", "2019", "2020",
                                                    "2021", "2022"]


def test_timeline_leaves_history_out_unless_asked(tmp_path: Path) -> None:
    # The analysis fixture: a 1956 declaration recalled in an article of 2016.
    with TestClient(create_app(make_db(tmp_path / "history.duckdb")[0])) as session:
        query = {"a": "JPN", "b": "RUS", "by": "year"}
        default = session.get("/api/timeline", params=query).json()
        assert default["periods"] == ["2014", "2015", "2016"]
        assert (default["history"], default["historical"]) == (False, 1)
        assert default["history_note"] == ("1 historical event (1956) left out: dated more "
                                           "than 5 years before its article")
        full = session.get("/api/timeline", params={**query, "history": "true"}).json()
        assert full["periods"][0] == "1956" and full["history_note"] == ""
        assert full["total_events"] == default["total_events"] + 1
        early = session.get("/api/timeline", params={**query, "since": "1950"}).json()
        assert early["periods"][0] == "1950" and early["historical"] == 1
        assert_error(session.get("/api/timeline", params={**query, "history": "maybe"}), 400)


@pytest.mark.parametrize(("params", "words"), [
    ({"a": "JPN", "b": "XQZ"}, "unknown country"),
    ({"a": "JPN", "b": "RUS", "by": "week"}, "period"),
    ({"a": "JPN", "b": "JPN"}, "two different"),
    ({"a": "JPN", "b": "RUS", "since": "March"}, "not a date"),
    ({"a": "JPN"}, "b"),
])
def test_bad_timeline_parameters_are_400s(client: TestClient, params: dict[str, str],
                                          words: str) -> None:
    assert words in assert_error(client.get("/api/timeline", params=params), 400)["error"]


def test_key_events_rank_the_dyad(client: TestClient) -> None:
    body = client.get("/api/key-events", params={"a": "JPN", "b": "RUS", "top": 3}).json()
    assert body["total"] == 3
    first = body["key_events"][0]
    assert first["rank"] == 1 and first["evidence"] and first["doc_id"]
    assert_error(client.get("/api/key-events", params={"a": "JPN", "b": "RUS", "top": 0}), 400)
    assert_error(client.get("/api/key-events", params={"a": "XQZ", "b": "RUS"}), 400)


def test_network_has_the_example_actors(client: TestClient) -> None:
    body = client.get("/api/network").json()
    assert {n["code"] for n in body["nodes"]} == {"JPN", "RUS", "UKR", "USA"}
    edge = next(e for e in body["edges"] if (e["source"], e["target"]) == ("JPN", "RUS"))
    assert edge["events"] == expected("JPN", "RUS")
    recent = client.get("/api/network", params={"since": "2022-03-01"}).json()
    assert {n["code"] for n in recent["nodes"]} == {"JPN", "RUS", "UKR", "USA"}
    assert recent["events"] == sum(expected(date=d) for d in ("2022-03", "2022-04"))
    assert_error(client.get("/api/network", params={"until": "2022-02-30"}), 400)


def test_actor_resolution_is_time_aware(client: TestClient) -> None:
    actors = pytest.importorskip("detente.actors")
    if not hasattr(actors, "ActorResolver"):
        pytest.skip("detente.actors does not export ActorResolver yet")
    body = client.get("/api/actors/resolve", params={"text": "Suga",
                                                     "date": "2020-10-01"}).json()
    assert (body["code"], body["sector"], body["resolved"]) == ("JPN", "GOV", True)
    unknown = client.get("/api/actors/resolve", params={"text": "Xyzzy"}).json()
    assert unknown["resolved"] is False and unknown["code"] is None
    assert_error(client.get("/api/actors/resolve", params={"text": ""}), 400)
    assert_error(client.get("/api/actors/resolve", params={"text": "Abe", "date": "x"}), 400)


def test_ingest_errors_list_starts_empty(client: TestClient) -> None:
    assert client.get("/api/errors").json() == {"ok": True, "total": 0, "errors": []}


# -- the dashboard and its assets -----------------------------------------------------

def test_dashboard_and_assets_are_served_with_a_strict_policy(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-eval" not in policy
    assert client.get("/static/js/main.js").status_code == 200
    assert client.get("/static/app.css").status_code == 200
    vega = client.get("/vendor/vega.js")
    assert vega.status_code == 200 and "javascript" in vega.headers["content-type"]
    assert b"vegaEmbed" in vega.content
    assert client.get("/api/health").headers["cache-control"] == "no-store"


def test_web_files_use_no_inline_handlers_cdns_or_html_injection() -> None:
    files = [p for p in WEB_DIR.rglob("*") if p.suffix in {".html", ".js", ".css"}]
    assert len(files) >= 5
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\son[a-z]+\s*=\s*[\"']", text), f"inline handler in {path}"
        assert "innerHTML" not in text and "insertAdjacentHTML" not in text, path
        urls = re.findall(r"https?://[^\s\"'`)]+", text)
        # The only URLs are names that are never fetched: Vega-Lite's schema id and the
        # SVG namespace.
        assert all(u.startswith("https://vega.github.io/schema/")
                   or u == "http://www.w3.org/2000/svg" for u in urls), (path, urls)
        if path.suffix == ".html":
            assert "<script>" not in text and "style=" not in text, path


def test_openapi_lists_every_route(client: TestClient) -> None:
    paths = set(client.get("/api/openapi.json").json()["paths"])
    assert paths == {"/api/health", "/api/docs", "/api/docs/{doc_id}", "/api/events",
                     "/api/errors", "/api/timeline", "/api/key-events", "/api/network",
                     "/api/actors/resolve", "/api/documents", "/api/export"}


# -- the one error shape, across every route -------------------------------------------

# One request per route that must fail with a 400; a new route needs a line here.
BAD_REQUESTS = {
    "/api/health": None,  # takes no parameters
    "/api/docs": None,
    "/api/docs/{doc_id}": ("GET", "/api/docs/not%20an%20id"),
    "/api/events": ("GET", "/api/events?since=tomorrow"),
    "/api/errors": None,
    "/api/timeline": ("GET", "/api/timeline?a=JPN&b=RUS&by=decade"),
    "/api/key-events": ("GET", "/api/key-events?a=JPN"),
    "/api/network": ("GET", "/api/network?sectors=perhaps"),
    "/api/actors/resolve": ("GET", "/api/actors/resolve"),
    "/api/documents": ("POST", "/api/documents"),
    "/api/export": ("GET", "/api/export?format=xlsx"),
}


def test_every_route_answers_errors_in_the_one_shape(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert set(paths) == set(BAD_REQUESTS), "add the new route to BAD_REQUESTS"
    for path, methods in paths.items():
        concrete = path.replace("{doc_id}", "0000000000000000")
        wrong = "DELETE" if "delete" not in methods else "PUT"
        body = assert_error(client.request(wrong, concrete), 405)
        assert wrong in body["error"]
        if BAD_REQUESTS[path]:
            method, url = BAD_REQUESTS[path]
            assert_error(client.request(method, url, content=b"?",
                                        headers={"content-type": "text/plain"})
                         if method == "POST" else client.request(method, url),
                         415 if method == "POST" else 400)
    assert_error(client.get("/api/nothing-here"), 404)
    assert_error(client.get("/static/missing.js"), 404)
    assert_error(client.get("/nowhere"), 404)


def test_writes_from_other_sites_are_refused(fresh_client: TestClient) -> None:
    body = assert_error(fresh_client.post(
        "/api/documents", json={"documents": [{"text": "Japan met Russia in Moscow."}]},
        headers={"origin": "http://evil.example"}), 403)
    assert "another site" in body["error"]
    same_site = fresh_client.post(
        "/api/documents", json={"documents": [{"text": "Japan met Russia in Moscow."}]},
        headers={"origin": "http://testserver"})
    assert same_site.status_code == 200, same_site.text


def test_a_loopback_server_answers_loopback_host_names_only(example_db: Path) -> None:
    app = create_app(example_db, allowed_hosts={"127.0.0.1", "localhost", "::1"})
    with TestClient(app, base_url="http://127.0.0.1:8000") as local:
        assert local.get("/api/health").status_code == 200
        assert local.get("/api/health", headers={"host": "[::1]:8000"}).status_code == 200
        body = assert_error(local.get("/", headers={"host": "attacker.example:8000"}), 403)
        assert "attacker.example" in body["error"]


def test_a_failing_database_is_a_500_in_the_same_shape(tmp_path: Path) -> None:
    with open_store(tmp_path / "closed.duckdb") as store:
        app = create_app(store)
    # The store is closed now: every query fails inside the route.
    with TestClient(app, raise_server_exceptions=False) as broken:
        body = assert_error(broken.get("/api/docs"), 500)
        assert "internal error" in body["error"]


def test_the_app_opens_its_database_only_while_it_answers(example_db: Path) -> None:
    client = TestClient(create_app(example_db), raise_server_exceptions=False)
    assert client.get("/api/docs").json()["total"] == len(DOCUMENTS)
    # Closed again: DuckDB would refuse a writer beside the app's read-only connection.
    with open_store(example_db) as store:
        assert store.count("documents") == len(DOCUMENTS)
    assert client.get("/api/health").status_code == 200


# -- uploads --------------------------------------------------------------------------

GOOD_TXT = (b"Title: Abe meets Putin in Sochi\nDate: 2014-02-08\n\n"
            b"Prime Minister Shinzo Abe met President Vladimir Putin in Sochi on Saturday. "
            b"The two leaders agreed to continue talks on a peace treaty.\n")
GOOD_MD = (b"# Japan protests Russian drills\n\nDate: 2015-06-12\n\n"
           b"Japan protested to Russia on Friday over military exercises on the Kuril "
           b"Islands.\n")


def test_upload_files_keeps_the_good_and_reports_the_bad(fresh_client: TestClient,
                                                         tmp_path: Path) -> None:
    response = fresh_client.post("/api/documents", files=[
        ("files", ("sochi.txt", GOOD_TXT, "text/plain")),
        ("files", ("../../outside/drills.md", GOOD_MD, "text/markdown")),
        ("files", ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00binary", "image/png")),
    ])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ok"] is True and len(body["added"]) == 2 and body["sentences"] >= 3
    assert [f["input"] for f in body["failures"]] == ["photo.png"]
    assert body["failures"][0]["code"] == "E101" and body["failures"][0]["hint"]
    assert "detente-upload" not in response.text  # no server paths in the answer
    assert not (tmp_path.parent / "outside").exists()

    docs = fresh_client.get("/api/docs").json()
    assert docs["total"] == len(DOCUMENTS) + 2
    titles = {d["title"] for d in docs["documents"]}
    assert {"Abe meets Putin in Sochi", "Japan protests Russian drills"} <= titles
    errors = fresh_client.get("/api/errors").json()
    assert errors["total"] == 1 and errors["errors"][0]["code"] == "E101"

    again = fresh_client.post("/api/documents", files=[("files", ("copy.txt", GOOD_TXT))])
    assert again.json()["present"] == body["added"][:1] and again.json()["added"] == []


def test_upload_json_documents(fresh_client: TestClient) -> None:
    response = fresh_client.post("/api/documents", json={"documents": [
        {"id": "g1", "text": "Russia warned Japan on Monday against joining the sanctions.",
         "title": "Moscow warns Tokyo", "date": "2014-03-17"},
        {"text": "Bonjour tout le monde, ceci est un texte entièrement en français et "
                 "il ne parle pas de relations internationales du tout. Le gouvernement "
                 "a publié un communiqué sur la météo de la semaine prochaine dans le "
                 "nord du pays."},
    ]})
    body = response.json()
    assert response.status_code == 200, body
    assert len(body["added"]) == 1
    assert len(body["failures"]) == 1 and "not English" in body["failures"][0]["message"]
    doc = fresh_client.get(f"/api/docs/{body['added'][0]}").json()["document"]
    assert (doc["title"], doc["date"]) == ("Moscow warns Tokyo", "2014-03-17")


def test_upload_where_everything_fails_is_a_400_with_the_failures(
        fresh_client: TestClient) -> None:
    body = assert_error(fresh_client.post("/api/documents", files=[
        ("files", ("empty.txt", b"   \n")), ("files", ("tool.exe", b"MZ\x90\x00"))]), 400)
    inputs = sorted(f["input"] for f in body["failures"])
    assert inputs[0].startswith("empty.txt") and inputs[1] == "tool.exe"
    assert "detente-upload" not in str(body)


@pytest.mark.parametrize(("kwargs", "status", "words"), [
    ({"json": {"documents": []}}, 400, "documents"),
    ({"json": {"documents": [{"id": "x"}]}}, 400, "text"),
    ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 400,
     "malformed"),
    ({"content": b"plain words", "headers": {"content-type": "text/plain"}}, 415, "text/plain"),
    ({"data": {"note": "no files"}}, 400, "no files"),
])
def test_bad_uploads(fresh_client: TestClient, kwargs: dict[str, Any], status: int,
                     words: str) -> None:
    if "data" in kwargs:  # a multipart form with a field and no file
        kwargs = {"files": {"note": (None, b"no files")}}
    body = assert_error(fresh_client.post("/api/documents", **kwargs), status)
    assert words in body["error"]


def test_uploads_over_the_limit_are_refused_with_413(fresh_client: TestClient) -> None:
    big = b"Japan met Russia. " * 70_000  # 1.26 MB, over the 1 MB limit of fresh_client
    body = assert_error(fresh_client.post("/api/documents",
                                          files=[("files", ("big.txt", big))]), 413)
    assert "1 MB" in body["error"] and "max_upload_mb" in body["hint"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit applies while reading
        for _ in range(40):
            yield b'{"documents": [' + b" " * 40_000

    assert_error(fresh_client.post("/api/documents", content=chunks(),
                                   headers={"content-type": "application/json"}), 413)
    assert fresh_client.get("/api/health").json()["counts"]["documents"] == len(DOCUMENTS)


def test_reads_answer_while_an_upload_waits_for_the_ingest(tmp_path: Path) -> None:
    """The ingest lock serialises uploads only: reads go through their own cursors."""
    db = build_example_db(tmp_path / "busy.duckdb")

    async def scenario() -> None:
        with open_store(db) as store:
            app = create_app(store)
            lock = app.state.detente.ingest_lock
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
                await lock.acquire()  # as if another upload were being ingested
                upload = asyncio.create_task(http.post("/api/documents", files=[
                    ("files", ("sochi.txt", GOOD_TXT))]))
                await asyncio.sleep(0.2)
                reads = await asyncio.wait_for(asyncio.gather(
                    http.get("/api/health"), http.get("/api/docs"),
                    http.get("/api/events", params={"source": "JPN"}),
                    http.get("/api/timeline", params={"a": "JPN", "b": "RUS"})), timeout=10)
                assert [r.status_code for r in reads] == [200, 200, 200, 200]
                assert reads[0].json()["ingesting"] is True
                assert not upload.done()
                lock.release()
                done = await asyncio.wait_for(upload, timeout=60)
                assert done.status_code == 200 and len(done.json()["added"]) == 1
                after = await http.get("/api/health")
                assert after.json()["counts"]["documents"] == len(DOCUMENTS) + 1

    asyncio.run(scenario())


def test_more_reads_at_once_than_reader_slots_wait_their_turn(example_db: Path) -> None:
    """Reads past the READERS answered at once wait without a worker thread, so however
    many arrive together (more than the thread pool's 40), every one is answered, each
    as it would be alone."""
    app = create_app(example_db)
    params = {"a": "JPN", "b": "RUS", "by": "year"}
    with TestClient(app) as session:
        alone = session.get("/api/timeline", params=params).json()

    async def scenario() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            return await asyncio.wait_for(asyncio.gather(
                *(http.get("/api/timeline", params=params) for _ in range(READERS + 50))),
                timeout=120)

    answers = asyncio.run(scenario())
    assert [r.status_code for r in answers] == [200] * (READERS + 50)
    assert all(r.json() == alone for r in answers)
