"""Cost of deduplication per document, against the cost of coding the same documents.

Codes N Reuters stories as ingest does (parse, actors, events, dates; store writes left
out, so the share below is an upper bound of dedup's share of ingest), then times, per
document: (1) the near-duplicate check (normalise, shingle, MinHash, LSH query and
insert) and (2) clustering of the document's events into canonical events. Then, as
ingest runs it (`detente.dedup.state`): the coded stories stored into a DuckDB file
without deduplication and again with it (link, cluster, and the signature and cluster
ids written with each document), and the state loaded back from the second store, as
the next ingest loads it. A last run replays the coded events `--repeat` times with
dates spread over ten years, to show the cost per report as the event index grows.

    .venv/bin/python benchmarks/bench_dedup.py [--stories 400] [--fast] [--repeat 50]

Reads ../shared/corpus/bulk/reuters21578/reuters21578.jsonl (never copied into the repo).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bench_pipeline import CORPUS, stories

from detente.coding import load_coder
from detente.dedup.documents import DocumentIndex
from detente.dedup.events import EventClusters, EventReport, lead_end
from detente.dedup.state import Deduplicator
from detente.ingest.pipeline import Coded, process
from detente.settings import load_settings
from detente.store import open_store


def coded_stories(path: Path, limit: int, fast: bool) -> tuple[list[Coded], float]:
    """The coded stories and the seconds their coding took."""
    docs = stories(path, limit)
    coder = load_coder(load_settings({"fast": fast}, env={}))
    list(process(docs[:20], coder))  # warm up: matchers, models
    started = time.perf_counter()
    coded = [c for c in process(docs, coder, batch_size=64) if isinstance(c, Coded)]
    return coded, time.perf_counter() - started


def reports_of(item: Coded) -> list[EventReport]:
    lead = lead_end(item.doc.text)
    return [EventReport.from_event(e, item.doc.date, item.doc.source, e.char_start < lead)
            for e in item.events]


def spread(reports: list[EventReport], copies: int) -> list[EventReport]:
    """`copies` replays of the reports, each copy's dates moved by a random number of
    days within ten years, as new reports of new documents."""
    rng = random.Random(7)
    out = []
    for copy in range(copies):
        shift = dt.timedelta(days=rng.randrange(3650))
        for r in reports:
            date = r.date
            if date is not None and r.date_precision == "day":
                date = (dt.date.fromisoformat(date) + shift).isoformat()
            out.append(replace(r, event_id=f"{r.event_id}-{copy}", doc_id=f"{r.doc_id}-{copy}",
                               date=date, date_end=None))
    return out


def store_twice(coded: list[Coded], folder: Path) -> tuple[float, float, float]:
    """Seconds to store the coded stories without and with deduplication (as ingest does
    it: each document linked, its events clustered, all in its transaction), and to load
    the deduplicated store's state back."""
    plain, deduped = folder / "plain.duckdb", folder / "deduped.duckdb"
    with open_store(plain) as store:
        started = time.perf_counter()
        for c in coded:
            store.add_document(c.doc, c.sentences, c.events, c.mentions)
        without = time.perf_counter() - started
    with open_store(deduped) as store:
        started = time.perf_counter()
        dedup = Deduplicator.load(store)
        for c in coded:
            copy = dedup.link(c.doc.doc_id, c.doc.text).copy_of is not None
            clusters = {} if copy else dedup.cluster_events(c.doc, c.events)
            parts = ([], [], []) if copy else (c.sentences, c.events, c.mentions)
            link = dedup.stored(c.doc.doc_id, c.doc.source, c.doc.date)
            store.add_document(c.doc, *parts, link=link, clusters=clusters,
                               happenings=dedup.changed())
        with_dedup = time.perf_counter() - started
        started = time.perf_counter()
        Deduplicator.load(store)
        load = time.perf_counter() - started
    return without, with_dedup, load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=400)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--fast", action="store_true", help="code with the --fast coder")
    parser.add_argument("--repeat", type=int, default=50,
                        help="replays of the coded events for the growth run (0: none)")
    args = parser.parse_args()
    if not args.corpus.exists():
        raise SystemExit(f"corpus not found: {args.corpus} (needs ../shared beside the checkout)")
    coded, coding = coded_stories(args.corpus, args.stories, args.fast)
    n = len(coded)
    index = DocumentIndex()
    exact = near = 0
    stored = []  # what ingest stores: each text once (a repeated id is skipped)
    started = time.perf_counter()
    for c in coded:
        if c.doc.doc_id in index:
            exact += 1
            continue
        stored.append(c)
        if index.add(c.doc.doc_id, c.doc.text) is not None:
            near += 1
    doc_time = time.perf_counter() - started
    # the store keeps one event per id (INSERT ... ON CONFLICT DO NOTHING)
    reports = list({r.event_id: r for c in stored for r in reports_of(c)}.values())
    clusters = EventClusters()
    started = time.perf_counter()
    for r in reports:
        clusters.add(r)
    event_time = time.perf_counter() - started
    mode = "--fast" if args.fast else "default"
    print(f"{n} stories ({exact} repeated exactly), {len(reports)} events; "
          f"coding ({mode}): {1000 * coding / n:.1f} ms/doc")
    print(f"{'step':<34}{'ms/doc':>9}{'share of coding':>17}{'found':>8}")
    for label, took, found in (
            ("near-duplicate documents", doc_time, f"{near} dup"),
            ("event clustering", event_time, f"{len(clusters)} ev"),
            ("both", doc_time + event_time, "")):
        print(f"{label:<34}{1000 * took / n:>9.3f}{took / coding:>17.2%}{found:>8}")
    with tempfile.TemporaryDirectory() as folder:
        without, with_dedup, load = store_twice(stored, Path(folder))
    m = len(stored)
    print(f"store writes, {m} documents: {1000 * without / m:.2f} ms/doc without dedup, "
          f"{1000 * with_dedup / m:.2f} ms/doc with it (+{1000 * (with_dedup - without) / m:.2f}"
          f" ms/doc, {(with_dedup - without) / (coding + without):.2%} of coding and storing);"
          f" loading the state back: {1000 * load:.0f} ms")
    if args.repeat:
        grown = spread(reports, args.repeat)
        clusters = EventClusters()
        started = time.perf_counter()
        for r in grown:
            clusters.add(r)
        took = time.perf_counter() - started
        print(f"growth: {len(grown)} reports of {n * args.repeat} documents clustered in "
              f"{took:.2f} s: {1e6 * took / len(grown):.0f} µs/report, "
              f"{1000 * took / (n * args.repeat):.3f} ms/doc")


if __name__ == "__main__":
    main()
