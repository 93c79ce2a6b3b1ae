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

With `--store-docs N`, the state's load is timed on a store of N documents: the coded
stories replayed, each replay a story of its own (its words altered) with its dates moved
and its dyads renamed, five events a document, written at once and then linked and
clustered as a store from before deduplication is. Then the next stories of the corpus
are ingested into it, one (an upload) and `--batch` of them, with the share of each
ingest that loading the state took, and that deduplication took in all (the state's load,
linking, clustering and the counts, timed inside the ingest).

    .venv/bin/python benchmarks/bench_dedup.py [--stories 400] [--fast] [--repeat 50]
        [--store-docs 20000 --batch 20 [--keep-store grown.duckdb]]

With `--keep-store PATH` the grown store is kept at PATH (made there if it does not exist;
each run ingests into a copy of it), so that runs after the first skip its making.

Reads ../shared/corpus/bulk/reuters21578/reuters21578.jsonl (never copied into the repo).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pyarrow as pa
from bench_pipeline import CORPUS, stories

from detente.coding import load_coder
from detente.dedup.documents import DocumentIndex
from detente.dedup.events import EventClusters, EventReport, lead_end
from detente.dedup.state import Deduplicator
from detente.ingest.pipeline import Coded, ingest, process
from detente.ingest.readers import RawDoc
from detente.settings import load_settings
from detente.store import flat_event, open_store

# What deduplication does within an ingest (a call inside another counts once).
DEDUP_STEPS = ("load", "link", "cluster", "cluster_events", "stored", "changed", "forget")

# Codes the replayed events' actors are renamed to, one replay to the next.
CODES = ("ARG", "AUS", "BRA", "CAN", "CHL", "CHN", "DEU", "EGY", "ESP", "FRA", "GBR", "IDN",
         "IND", "IRN", "ISR", "ITA", "JPN", "KEN", "KOR", "MEX", "NGA", "PAK", "PER", "POL",
         "RUS", "SAU", "TUR", "UKR", "USA", "ZAF")


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


def grown_store(coded: list[Coded], size: int, path: Path) -> float:
    """Write a store of `size` documents made from the coded stories (see the module
    docstring) and link and cluster them; returns the seconds the linking took."""
    rng = random.Random(11)
    pool = [e for c in coded for e in c.events]
    docs, events = [], []
    while len(docs) < size:
        replay = len(docs) // len(coded)
        c = coded[len(docs) % len(coded)]
        shift = dt.timedelta(days=rng.randrange(3650))
        tag = f"{replay:x}"
        doc_id = f"{c.doc.doc_id}-{tag}"
        docs.append({"doc_id": doc_id, "title": c.doc.title, "source": c.doc.source,
                     "text": re.sub(r"[^\W\d_]+", lambda m, t=tag: m.group(0) + t, c.doc.text),
                     "date": c.doc.date + shift if c.doc.date else None, "fmt": "txt",
                     "ingested_at": dt.datetime(2024, 1, 1) + dt.timedelta(seconds=len(docs))})
        for n in range(5):
            e = pool[(5 * len(docs) + n) % len(pool)]
            date = e.date
            if date is not None and e.date_precision == "day":
                date = (dt.date.fromisoformat(date) + shift).isoformat()
            renamed = {code: CODES[(CODES.index(code) + replay) % len(CODES)]
                       for code in (e.source.code, e.target.code if e.target else "")
                       if code in CODES}
            events.append(flat_event(replace(
                e, doc_id=doc_id, event_id=f"{e.event_id}-{doc_id}-{n}", date=date,
                date_end=None, source=replace(e.source, code=renamed.get(e.source.code,
                                                                         e.source.code)),
                target=e.target and replace(e.target, code=renamed.get(e.target.code,
                                                                       e.target.code)))))
    with open_store(path) as store:
        store.con.register("new_documents", pa.Table.from_pylist(docs))
        store.con.register("new_events", pa.Table.from_pylist(events))
        columns = ", ".join(events[0])
        store.con.execute("INSERT INTO documents (doc_id, title, source, text, date, fmt,"
                          " ingested_at) SELECT doc_id, title, source, text, date, fmt,"
                          " ingested_at FROM new_documents")
        store.con.execute(f"INSERT INTO events ({columns}) SELECT {columns} FROM new_events")
        started = time.perf_counter()
        Deduplicator.load(store)  # links and clusters what it finds unlinked
        return time.perf_counter() - started


@contextmanager
def dedup_timed() -> Iterator[list[float]]:
    """While open, the seconds spent in `Deduplicator`'s steps add up in the list's one
    item."""
    spent = [0.0]
    depth = [0]
    originals = {name: Deduplicator.__dict__[name] for name in DEDUP_STEPS}

    def timed(step: Callable[..., object]) -> Callable[..., object]:
        def run(*args: object, **kwargs: object) -> object:
            depth[0] += 1
            started = time.perf_counter()
            try:
                return step(*args, **kwargs)
            finally:
                depth[0] -= 1
                if not depth[0]:
                    spent[0] += time.perf_counter() - started
        return run

    for name, original in originals.items():
        if isinstance(original, classmethod):
            setattr(Deduplicator, name, classmethod(timed(original.__func__)))
        else:
            setattr(Deduplicator, name, timed(original))
    try:
        yield spent
    finally:
        for name, original in originals.items():
            setattr(Deduplicator, name, original)


def load_share(coded: list[Coded], corpus: Path, size: int, batch: int, fast: bool,
               keep: Path | None = None) -> None:
    """Time the state's load on a store of `size` documents, and ingests into it."""
    fresh = []  # the corpus's first stories: the grown store holds only altered ones
    with corpus.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record.get("body"):
                fresh.append(RawDoc(name=f"{record['newid']}", text=record["body"], fmt="jsonl",
                                    meta={"title": record.get("title", ""),
                                          "date": record["date"]}))
            if len(fresh) > batch:
                break
    settings = load_settings({"fast": fast, "workers": 1}, env={})
    coder = load_coder(settings)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "grown.duckdb"
        if keep is not None and keep.exists():
            linking = float("nan")  # made by an earlier run
        else:
            linking = grown_store(coded, size, keep or path)
        if keep is not None:
            shutil.copy(keep, path)
        with open_store(path) as store:
            counts = store.one("SELECT (SELECT count(*) FROM documents),"
                               " (SELECT count(*) FROM events),"
                               " (SELECT count(*) FROM event_clusters)")
            loads = []
            for _ in range(3):
                started = time.perf_counter()
                Deduplicator.load(store)
                loads.append(time.perf_counter() - started)
            load = min(loads)
            made = ("made by an earlier run" if math.isnan(linking)
                    else f"linked and clustered in {linking:.1f} s")
            print(f"store of {counts[0]} documents, {counts[1]} events, {counts[2]} happenings"
                  f" told more than once ({made}): loading "
                  f"the state takes {1000 * load:.0f} ms")
            for label, docs in (("upload of 1 document", fresh[:1]),
                                (f"ingest of {batch} documents", fresh[1:batch + 1])):
                with dedup_timed() as dedup:
                    started = time.perf_counter()
                    report = ingest(docs, settings, coder=coder, store=store)
                    took = time.perf_counter() - started
                print(f"{label}: {took:.2f} s ({len(report.added)} added); loading the state "
                      f"is {load / took:.1%} of it; deduplication in all (load, link, "
                      f"clustering, counts) {1000 * dedup[0]:.0f} ms, {dedup[0] / took:.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=400)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--fast", action="store_true", help="code with the --fast coder")
    parser.add_argument("--repeat", type=int, default=50,
                        help="replays of the coded events for the growth run (0: none)")
    parser.add_argument("--store-docs", type=int, default=0,
                        help="time the state's load on a store of this many documents")
    parser.add_argument("--batch", type=int, default=20,
                        help="documents of the ingest timed on that store")
    parser.add_argument("--keep-store", type=Path,
                        help="keep that store here (made if missing), ingest into a copy")
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
    if args.store_docs:
        load_share(stored, args.corpus, args.store_docs, args.batch, args.fast,
                   args.keep_store)


if __name__ == "__main__":
    main()
