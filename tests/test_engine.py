"""The scale engine: the same documents give the same rows through `ingest`, `code`,
`run --engine local` and `run --engine dask` (a real dask.distributed LocalCluster of two
worker processes), and a Parquet dataset reads and loads as the DuckDB store."""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

import pytest

from detente import library
from detente.engine import load, run
from detente.engine.runner import local_cluster
from detente.settings import Settings, load_settings
from detente.store import EventFilter, open_store

# Short documents of several formats, months and years; one undated, one empty, one a
# repost of another, one JSONL line malformed and one repeating an earlier line's text.
FILES = {
    "brazil.txt": """Title: Brazil and Argentina sign a trade pact
Date: 2019-03-14

Brazilian President Jair Bolsonaro met Argentine President Mauricio Macri in Buenos Aires on Thursday.
The two governments signed an agreement to cut tariffs on cars and steel.
Argentina also promised to buy more Brazilian wheat next year.
""",
    "france.md": """---
title: France criticises Germany over budget rules
date: 2019-04-02
---

# France criticises Germany over budget rules

The French government criticised Germany on Tuesday for blocking a joint eurozone budget.
German Chancellor Angela Merkel rejected the French proposal in Berlin.
""",
    "border.txt": """India accused Pakistan of shelling villages along the border in Kashmir.
Pakistan rejected the accusation and summoned the Indian envoy in Islamabad.
The United Nations urged both countries to show restraint.
""",
    "empty.txt": "",
    # brazil.txt as a wire service reposts it: coded once, stored as a copy
    "brazil_wire.txt": """Title: Brazil, Argentina agree to cut car and steel tariffs
Date: 2019-03-14
Source: Pampas Wire

By Lucia Ferreyra

BUENOS AIRES (Reuters) - Brazilian President Jair Bolsonaro met Argentine President Mauricio Macri in Buenos Aires on Thursday.
The two governments signed an agreement to cut tariffs on cars and steel.
Argentina also promised to buy more Brazilian wheat next year.

(Reporting by Lucia Ferreyra; Editing by Tomas Reed)
""",
}
SANCTIONS = ("Canada imposed sanctions on Venezuela on Monday over the disputed election. "
             "Venezuela condemned the Canadian sanctions as illegal.")
LINES = [
    json.dumps({"id": "n1", "date": "2020-01-20", "text": SANCTIONS}),
    json.dumps({"id": "n2", "date": "2020-02-11",
                "text": "Mexican President Andres Manuel Lopez Obrador met U.S. President "
                        "Donald Trump at the White House. The United States and Mexico "
                        "agreed to expand security cooperation."}),
    "not json at all",
    json.dumps({"id": "n3", "date": "2020-02-28", "text": SANCTIONS}),
    json.dumps({"id": "n4", "date": "2020-03-05",
                "text": "Egypt expelled two Turkish diplomats on Thursday. Turkey protested "
                        "the expulsion and recalled its ambassador from Cairo."}),
]
# Columns whose value is the time of writing, not of the document.
WRITE_TIMES = {"ingested_at", "recorded_at"}
TABLES = ("documents", "sentences", "actors", "events", "doc_signatures", "event_clusters",
          "ingest_errors")


def write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "feed.jsonl").write_text("\n".join(LINES) + "\n", encoding="utf-8")
    return folder


def fast(**flags: object) -> Settings:
    return load_settings({"fast": True, "workers": 1, **flags}, env={})


def rows(db: Path | str, table: str) -> list[tuple[object, ...]]:
    """A table's rows, sorted, without the columns that hold the time of writing."""
    with open_store(db, read_only=True) as store:
        found = store.query(f"SELECT * FROM {table}")
    return sorted((tuple(v for k, v in row.items() if k not in WRITE_TIMES) for row in found),
                  key=repr)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus") / "docs")


@pytest.fixture(scope="module")
def ingested(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("ingest") / "store.duckdb"
    library.ingest([corpus], settings=fast(db=db))
    return db


@pytest.fixture(scope="module")
def local_dataset(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("local") / "dataset"
    # One document per part: several parts, in several partitions each.
    run([corpus], output, fast(), engine="local", part_documents=1)
    return output


@pytest.fixture(scope="module")
def dask_dataset(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("dask") / "dataset"
    # A LocalCluster of 2 worker processes (processes=True, one thread each).
    report = run([str(corpus / "*.*")], output, fast(workers=2), engine="dask")
    assert (report.engine, report.workers) == ("dask", 2)
    return output


@pytest.mark.subprocess
def test_the_local_clusters_workers_run_quiet_with_glibcs_own_heap_trimming() -> None:
    import dask
    from distributed import Client

    with local_cluster(1) as cluster, Client(cluster) as client:
        trim = client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
        profile = client.run(lambda: dask.config.get("distributed.worker.profile.enabled"))
    # dask's nanny would set 65536 (a page fault storm per batch); the worker keeps glibc's
    assert list(trim.values()) == [None]
    assert list(profile.values()) == [False]


@pytest.mark.subprocess
def test_ingest_run_local_and_run_dask_store_the_same_rows(ingested, local_dataset,
                                                           dask_dataset):
    for table in TABLES:
        assert rows(local_dataset, table) == rows(ingested, table), table
        assert rows(dask_dataset, table) == rows(ingested, table), table
    with open_store(ingested, read_only=True) as store:
        assert store.count("documents") == 7
        assert store.count("events") >= 10
        copies = store.query("SELECT d.doc_id, d.copy_of, o.title FROM documents d "
                             "JOIN documents o ON o.doc_id = d.copy_of")
        assert [c["title"] for c in copies] == ["Brazil and Argentina sign a trade pact"]
        assert store.count_events(EventFilter(doc_id=copies[0]["doc_id"], raw=True)) == 0
        assert {e["input"].rsplit("/", 1)[-1] for e in store.errors()} == {
            "empty.txt", "feed.jsonl:3"}


@pytest.mark.slow
def test_code_gives_the_events_and_ids_ingest_stores(corpus, ingested):
    with (corpus / "feed.jsonl").open("rb") as lines:
        coded = list(library.code(lines, settings=fast()))
    stored = library.events(ingested)
    # n3 repeats n1's text: one document, stored once (from n1), whatever its line says.
    first, repeated = (item for item in coded if item.input.endswith(("(id n1)", "(id n3)")))
    assert first.doc_id == repeated.doc_id
    assert [e.event_id for e in first.events] == [e.event_id for e in repeated.events]
    found = [e for item in coded if item is not repeated for e in item.events]
    assert len(found) >= 5
    assert sorted(found, key=repr) == sorted(
        (e for e in stored if e.doc_id in {item.doc_id for item in coded}), key=repr)


@pytest.mark.slow
def test_workers_code_in_a_pool_as_in_process(corpus, ingested, tmp_path):
    # Batches of one document: past the first four, the rest go to two worker processes.
    db = tmp_path / "pool.duckdb"
    workers_seen = []

    def count_workers(_documents: int, _sentences: int) -> None:
        workers_seen.append(len(multiprocessing.active_children()))

    report = library.ingest([corpus], settings=fast(db=db, workers=2, batch_size=1),
                            progress=count_workers)
    assert len(report.added) == 7 and max(workers_seen) == 2
    for table in TABLES:
        assert rows(db, table) == rows(ingested, table), table
    more = ("Kenya recalled its ambassador from Nigeria on Friday.",
            "Spain expelled a diplomat from Italy on Monday.",
            "Chile signed a fishing agreement with Peru in Lima.")
    lines = [*LINES, *(json.dumps({"id": f"m{n}", "text": text}) for n, text in enumerate(more))]
    pooled, workers_seen = [], []
    for item in library.code(lines, settings=fast(workers=2, batch_size=1)):
        pooled.append(item)
        workers_seen.append(len(multiprocessing.active_children()))
    alone = list(library.code(lines, settings=fast()))
    assert max(workers_seen) == 2
    # The same documents and failures; a pool reads ahead, so a failure may come sooner.
    assert sorted(pooled, key=repr) == sorted(alone, key=repr)


def test_read_commands_answer_the_same_from_a_dataset(ingested, local_dataset, tmp_path):
    from detente.analysis import key_events, network, timeline
    from detente.export import export

    for db in (ingested, local_dataset):
        assert library.docs(db)
    assert library.events(local_dataset) == library.events(ingested)
    assert library.events(local_dataset, source="CAN") == library.events(ingested, source="CAN")
    assert library.docs(local_dataset) == library.docs(ingested)
    assert timeline(local_dataset, "CAN", "VEN") == timeline(ingested, "CAN", "VEN")
    assert key_events(local_dataset, "EGY", "TUR") == key_events(ingested, "EGY", "TUR")
    assert network(local_dataset) == network(ingested)
    for db, name in ((ingested, "a.csv"), (local_dataset, "b.csv")):
        export(db, "csv", tmp_path / name)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_a_date_range_reads_the_same_from_a_dataset(ingested, local_dataset):
    from detente.analysis import timeline

    for since, until in (("2020-02-01", None), ("2019", "2019"), ("2020-03", "2020-03")):
        assert library.events(local_dataset, since=since, until=until) == library.events(
            ingested, since=since, until=until)
        assert library.events(local_dataset, since=since, until=until, raw=True) == \
            library.events(ingested, since=since, until=until, raw=True)
    assert timeline(local_dataset, "CAN", "VEN", since="2020-02") == timeline(
        ingested, "CAN", "VEN", since="2020-02")


def test_serve_answers_from_a_dataset(ingested, local_dataset):
    from fastapi.testclient import TestClient

    from detente.api.app import create_app

    answers = []
    for db in (ingested, local_dataset):
        with TestClient(create_app(db)) as client:
            answers.append([client.get(path).json() for path in (
                "/api/events", "/api/docs", "/api/timeline?a=CAN&b=VEN",
                "/api/key-events?a=EGY&b=TUR", "/api/network")])
    assert answers[0] == answers[1]
    assert answers[0][0]


def test_load_brings_a_dataset_into_a_store_once(ingested, local_dataset, tmp_path):
    db = tmp_path / "loaded.duckdb"
    first = load(local_dataset, db)
    assert (first.added, first.present, first.errors) == (7, 0, 2)
    for table in TABLES:
        assert rows(db, table) == rows(ingested, table), table
    again = load(local_dataset, db)
    assert (again.added, again.present, again.events, again.errors) == (0, 7, 0, 0)
    for table in TABLES:
        assert rows(db, table) == rows(ingested, table), table


def test_a_dataset_is_partitioned_by_publication_month(local_dataset):
    months = {p.parent.relative_to(local_dataset / "events").as_posix()
              for p in (local_dataset / "events").rglob("*.parquet")}
    assert months == {"year=2019/month=3", "year=2019/month=4", "year=2020/month=1",
                      "year=2020/month=2", "year=2020/month=3",
                      "year=__HIVE_DEFAULT_PARTITION__/month=__HIVE_DEFAULT_PARTITION__"}


# A story stored by ingest, then a dataset written without the store: a repost of the
# story, a follow-up retelling most of it with a new turn, and an unrelated story.
RECALL = ("Chile recalled its ambassador from Bolivia on Monday after a dispute over water "
          "rights in the Silala river.\n\nBolivia accused Chile of taking water from the river "
          "for decades without paying for it. The foreign ministry in Santiago said talks "
          "would resume once both governments agreed on a mediator.\n\nOfficials in La Paz "
          "said they had not been told of the recall in advance, and that the Bolivian envoy "
          "in Santiago would stay at his post for now.")
LATER = {
    "repost.txt": ("Chile recalls ambassador", "2021-09-06", "Pacific Wire",
                   "SANTIAGO (Reuters) - " + RECALL
                   + "\n\n(Reporting by Ana Vidal; Editing by Tom Hale)"),
    "follow-up.txt": ("Bolivia protests the recall", "2021-09-07", "Altiplano News",
                      RECALL.rsplit("\n\n", 1)[0] + "\n\nOn Tuesday Bolivia summoned the "
                      "Chilean consul in La Paz to protest against the recall, and its "
                      "president called for international arbitration of the dispute."),
    "rail.txt": ("Kenya and Uganda agree on a railway", "2021-09-08", "Lake Post",
                 ("Kenya signed an agreement with Uganda in Nairobi on Wednesday to extend "
                  "the railway from Naivasha to Kampala. Uganda promised to pay for the part "
                  "of the line on its side of the border.")),
}


def test_load_links_a_dataset_to_what_the_store_holds_as_ingest_would(tmp_path):
    first, later = tmp_path / "first", tmp_path / "later"
    first.mkdir()
    later.mkdir()
    (first / "recall.txt").write_text("Title: Chile recalls its envoy to Bolivia\n"
                                      "Date: 2021-09-06\nSource: Andes Daily\n\n" + RECALL,
                                      encoding="utf-8")
    for name, (title, date, source, body) in LATER.items():
        (later / name).write_text(f"Title: {title}\nDate: {date}\nSource: {source}\n\n{body}",
                                  encoding="utf-8")
    ingested, loaded = tmp_path / "ingested.duckdb", tmp_path / "loaded.duckdb"
    for folder in (first, later):
        library.ingest([folder], settings=fast(db=ingested))
    library.ingest([first], settings=fast(db=loaded))
    run([later], tmp_path / "dataset", fast(), engine="local")

    report = load(tmp_path / "dataset", loaded)
    assert (report.added, report.present) == (3, 0)
    for table in TABLES:
        if table != "doc_signatures":
            assert rows(loaded, table) == rows(ingested, table), table
    # Ingest stores a copy of a stored document before the documents it codes, so only
    # the signatures' order in the index differs.
    assert [row[:1] + row[2:] for row in rows(loaded, "doc_signatures")] == [
        row[:1] + row[2:] for row in rows(ingested, "doc_signatures")]
    with open_store(loaded, read_only=True) as store:
        docs = {row["title"]: row for row in store.query("SELECT * FROM documents")}
        story = docs["Chile recalls its envoy to Bolivia"]["doc_id"]
        repost, follow_up = docs["Chile recalls ambassador"], docs["Bolivia protests the recall"]
        assert (repost["copy_of"], repost["canonical_id"]) == (story, story)
        assert (follow_up["copy_of"], follow_up["canonical_id"]) == (None, story)
        assert store.count_events(EventFilter(doc_id=repost["doc_id"], raw=True)) == 0
        # the recall: the story's report, its repost's and the follow-up's
        (recall,) = store.query("SELECT * FROM canonical_events WHERE plover = 'SANCTION'")
    assert (recall["reports"], recall["articles"], recall["sources"]) == (3, 3, 3)
    again = load(tmp_path / "dataset", loaded)
    assert (again.added, again.present, again.events) == (0, 3, 0)
    assert rows(loaded, "event_clusters") == rows(ingested, "event_clusters")
