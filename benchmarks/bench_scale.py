"""Throughput on every core: raw spaCy parsing against `detente code` and `detente run`
(`--engine local` and `--engine dask`) on the same Reuters stories, side by side.

Prints, for each, documents/s and sentences/s of wall-clock time with the share of raw
spaCy's rate; the CPU time it spent, all its processes together, per 1,000 documents,
with the share of raw spaCy's (the figure a shared machine does not blur: wall time
there depends on what else runs); and the peak resident memory of the main process and
of each worker, at two corpus sizes (--stories and a quarter of it), to show whether a
worker's memory stays flat as the corpus grows. Each measurement runs in a fresh
process; the load average before each is printed.

    .venv/bin/python benchmarks/bench_scale.py [--stories 2000] [--fast] [--workers N]

Times are wall-clock from the call to the last result, worker start-up included (spaCy
forks its workers with the model loaded; detente's start fresh and load theirs). Reads
../shared/corpus/bulk/reuters21578/reuters21578.jsonl (never copied into the repo).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/bulk/reuters21578/reuters21578.jsonl"
RUNS = ("spacy", "code", "local", "dask")
LABELS = {"spacy": "raw spaCy nlp.pipe", "code": "detente code", "local": "run --engine local",
          "dask": "run --engine dask"}


def story_lines(path: Path, limit: int) -> list[str]:
    """The first `limit` stories with a body, as the JSONL `detente code` reads."""
    lines = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record.get("body"):
                lines.append(json.dumps({"id": str(record["newid"]), "text": record["body"],
                                         "title": record.get("title", ""),
                                         "date": record["date"]}))
            if len(lines) == limit:
                break
    return lines


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended."""
    return sum(usage.ru_utime + usage.ru_stime for usage in (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN)))


def measure_spacy(lines: list[str], workers: int) -> dict[str, object]:
    """Raw spaCy on the texts detente parses (cleaned as ingest cleans them)."""
    from detente.errors import InputError
    from detente.ingest.prepare import prepare
    from detente.ingest.readers import jsonl_document
    from detente.nlp import load_nlp

    texts = []
    for number, line in enumerate(lines, start=1):
        try:
            raw = jsonl_document(line, f"stories:{number}")
            if raw is not None:
                texts.append(prepare(raw).text)
        except InputError:
            continue
    nlp = load_nlp()
    started, cpu = time.perf_counter(), cpu_seconds()
    sentences = sum(len(list(doc.sents))
                    for doc in nlp.pipe(texts, batch_size=64, n_process=workers))
    seconds = time.perf_counter() - started
    while multiprocessing.active_children():  # reaped, so that their CPU time counts
        time.sleep(0.05)
    return {"seconds": seconds, "cpu": cpu_seconds() - cpu, "sentences": sentences,
            "documents": len(texts), "main_mb": peak_mb(),
            "worker_mb": [peak_mb(resource.RUSAGE_CHILDREN)]}


def measure_code(lines: list[str], settings: object) -> dict[str, object]:
    from detente import library
    from detente.nlp import load_nlp

    load_nlp()  # loaded before the clock starts, as for raw spaCy
    started, cpu = time.perf_counter(), cpu_seconds()
    documents = events = 0
    for coded in library.code(lines, settings=settings):
        documents += coded.error is None
        events += len(coded.events)
    return {"seconds": time.perf_counter() - started, "cpu": cpu_seconds() - cpu,
            "documents": documents,
            "events": events, "main_mb": peak_mb(),
            "worker_mb": [peak_mb(resource.RUSAGE_CHILDREN)]}


def measure_run(lines: list[str], settings: object, engine: str) -> dict[str, object]:
    from detente.engine import run

    with tempfile.TemporaryDirectory(prefix="detente-bench-") as folder:
        source = Path(folder) / "stories.jsonl"
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        output = Path(folder) / "dataset"
        started, cpu = time.perf_counter(), cpu_seconds()
        if engine == "local":
            report = run([source], output, settings, engine="local")
            workers = [peak_mb(resource.RUSAGE_CHILDREN)]
        else:
            from distributed import Client

            from detente.engine.runner import local_cluster

            with local_cluster(settings.worker_count) as cluster, Client(cluster) as client:
                report = run([source], output, settings, engine="dask",
                             scheduler=cluster.scheduler_address)
                workers = sorted(client.run(peak_mb).values())
        seconds = time.perf_counter() - started
        written = sum(path.stat().st_size for path in output.rglob("*.parquet")) / 1e6
    # The cluster's nannies have reaped its workers, and this process the nannies: their
    # CPU time is in RUSAGE_CHILDREN now, as a pool's is.
    return {"seconds": seconds, "cpu": cpu_seconds() - cpu, "parquet_mb": written,
            "documents": report.documents + report.present,
            "events": report.events, "sentences_written": report.sentences,
            "main_mb": peak_mb(), "worker_mb": workers}


def child(which: str, stories: int, fast: bool, workers: int, corpus: Path) -> None:
    """One measurement in this fresh process; prints its JSON."""
    from detente.settings import load_settings

    lines = story_lines(corpus, stories)
    settings = load_settings({"fast": fast, "workers": workers}, env={})
    if which == "spacy":
        result = measure_spacy(lines, workers)
    elif which == "code":
        result = measure_code(lines, settings)
    else:
        result = measure_run(lines, settings, which)
    print(json.dumps(result))


def measure(which: str, stories: int, args: argparse.Namespace) -> dict[str, object]:
    load = os.getloadavg()[0]
    command = [sys.executable, __file__, "--child", which, "--stories", str(stories),
               "--workers", str(args.workers), "--corpus", str(args.corpus)]
    if args.fast:
        command.append("--fast")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{which} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["load"] = load
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--fast", action="store_true", help="code with --fast")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--quarter", action=argparse.BooleanOptionalAction, default=True,
                        help="also measure a quarter of the stories first (default: yes)")
    parser.add_argument("--child", choices=RUNS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.corpus.exists():
        raise SystemExit(f"corpus not found: {args.corpus} (needs ../shared beside the checkout)")
    if args.child:
        child(args.child, args.stories, args.fast, args.workers, args.corpus)
        return
    mode = "--fast" if args.fast else "default (learned extractor)"
    print(f"{args.workers} workers, coder {mode}, {os.cpu_count()} CPUs visible")
    for stories in (args.stories // 4, args.stories) if args.quarter else (args.stories,):
        results = {which: measure(which, stories, args) for which in RUNS}
        sentences = results["spacy"]["sentences"]
        raw, raw_cpu = results["spacy"]["seconds"], results["spacy"]["cpu"]
        print(f"\n{stories} stories ({results['spacy']['documents']} parsed by spaCy, "
              f"{sentences} sentences)")
        print(f"{'run':<22}{'seconds':>9}{'docs/s':>9}{'sent/s':>9}{'share':>7}"
              f"{'CPU s/1k':>9}{'share':>7}{'events':>8}{'load':>6}  peak MB: main / per worker")
        for which, result in results.items():
            took = result["seconds"]
            workers = " ".join(f"{mb:.0f}" for mb in result["worker_mb"])
            cpu = result["cpu"]
            print(f"{LABELS[which]:<22}{took:>9.1f}{stories / took:>9.1f}"
                  f"{sentences / took:>9.0f}{raw / took:>7.0%}"
                  f"{1000 * cpu / stories:>9.0f}{raw_cpu / cpu:>7.0%}"
                  f"{result.get('events', ''):>8}{result['load']:>6.1f}  "
                  f"{result['main_mb']:.0f} / {workers}")
        if "parquet_mb" in results["local"]:
            print(f"Parquet written: {results['local']['parquet_mb']:.1f} MB "
                  f"({results['local']['sentences_written']} sentences)")


if __name__ == "__main__":
    main()
