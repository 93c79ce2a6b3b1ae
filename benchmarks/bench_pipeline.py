"""Throughput of detente's coder against raw spaCy parsing, on the same stories and cores.

Prints documents/s, sentences/s and words/s for (1) spaCy `nlp.pipe` alone, (2) detente
end to end (parse + actors + candidates + filters + classifier + dates) in default mode and
(3) in --fast mode, each as a share of (1), plus the peak resident memory of the process.
The CPU columns count the process's CPU time (all its threads) per 100 stories and its
share: steadier than the wall clock on shared cores, and they count the CPU that threads
burn waiting, which the wall clock does not.

    .venv/bin/python benchmarks/bench_pipeline.py [--stories 2000] [--corpus PATH]

Reads ../shared/corpus/bulk/reuters21578/reuters21578.jsonl (never copied into the repo).
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from detente.coding import load_coder
from detente.errors import InputError
from detente.ingest.pipeline import Coded, process
from detente.ingest.prepare import prepare
from detente.ingest.readers import RawDoc
from detente.nlp import load_nlp
from detente.records import Document
from detente.settings import load_settings

CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/bulk/reuters21578/reuters21578.jsonl"


def stories(path: Path, limit: int) -> list[Document]:
    docs = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if not record.get("body"):
                continue
            raw = RawDoc(name=str(record["newid"]), text=record["body"], fmt="jsonl",
                         meta={"title": record.get("title", ""), "date": record["date"]})
            try:
                docs.append(prepare(raw))  # cleaned and dated as ingest does
            except InputError:
                continue
            if len(docs) == limit:
                break
    return docs


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    if not args.corpus.exists():
        raise SystemExit(f"corpus not found: {args.corpus} (needs ../shared beside the checkout)")
    docs = stories(args.corpus, args.stories)
    words = sum(len(d.text.split()) for d in docs)
    nlp = load_nlp()
    list(nlp.pipe([d.text for d in docs[:50]]))  # warm up
    started, cpu = time.perf_counter(), time.process_time()
    sentences = sum(len(list(parsed.sents)) for parsed in nlp.pipe((d.text for d in docs),
                                                                   batch_size=64))
    raw, raw_cpu = time.perf_counter() - started, time.process_time() - cpu
    per_100 = 100 / len(docs)
    print(f"{len(docs)} stories, {sentences} sentences, {words} words")
    print(f"{'run':<22}{'docs/s':>10}{'sent/s':>10}{'words/s':>10}{'share':>8}{'events':>8}"
          f"{'cpu s/100':>11}{'cpu share':>11}")
    print(f"{'spaCy nlp.pipe':<22}{len(docs) / raw:>10.1f}{sentences / raw:>10.0f}"
          f"{words / raw:>10.0f}{'100%':>8}{'':>8}{raw_cpu * per_100:>11.2f}{'100%':>11}")
    for label, fast in (("detente (default)", False), ("detente --fast", True)):
        coder = load_coder(load_settings({"fast": fast}, env={}))
        list(process(docs[:20], coder))  # warm up: matchers, models
        started, cpu = time.perf_counter(), time.process_time()
        events = sum(len(c.events) for c in process(docs, coder, batch_size=64)
                     if isinstance(c, Coded))
        took, took_cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"{label:<22}{len(docs) / took:>10.1f}{sentences / took:>10.0f}"
              f"{words / took:>10.0f}{raw / took:>8.0%}{events:>8}"
              f"{took_cpu * per_100:>11.2f}{raw_cpu / took_cpu:>11.0%}")
    print(f"peak memory: {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
