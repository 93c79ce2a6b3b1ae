"""Load on the HTTP API: N read requests from C concurrent clients during an upload.

Starts `detente serve` (python -m detente.cli serve) in a subprocess on a free loopback
port over a synthetic database (or --db), starts an upload of synthetic articles (plus
one file that must fail), and while it is being ingested sends a fixed mix of read
requests with httpx/asyncio. Prints latency percentiles per route and overall,
requests/s and errors, how many reads were answered while the upload was running, the
CPU time the server and the clients spent while the reads ran (on a machine others share,
it moves less than the latencies do), and checks that the upload stored exactly the
documents it should.

    .venv/bin/python benchmarks/bench_api_load.py              # 1,000 requests, 50 clients
    .venv/bin/python benchmarks/bench_api_load.py --requests 200 --upload-files 10
    .venv/bin/python benchmarks/bench_api_load.py --upload-files 0   # reads only
    .venv/bin/python benchmarks/bench_api_load.py --warm-up          # models loaded first

Without --warm-up the upload is the server's first, so it also loads the spaCy and
extractor models while the reads go on.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from detente.records import ActorRef, Document, Event, Sentence, event_id_for
from detente.store import open_store

ACTORS = ["JPN", "RUS", "USA", "CHN", "UKR", "KOR", "DEU", "GBR", "FRA", "IND"]
TYPES = [("CONSULT", "040", 1, 1.0), ("AGREE", "030", 1, 4.0), ("COOPERATE", "061", 2, 6.4),
         ("ACCUSE", "111", 3, -2.0), ("REQUEST", "100", 3, -5.0), ("SANCTION", "163", 4, -8.0),
         ("MOBILIZE", "150", 4, -7.2)]

# Invented sentences for the uploaded articles: (subject, verb phrase, object).
COUNTRIES = ["Norway", "Chile", "Kenya", "Brazil", "Canada", "Egypt", "Peru", "Ghana",
             "Vietnam", "Poland", "Mexico", "Turkey"]
PHRASES = ["signed a fishing agreement with", "recalled its ambassador from",
           "offered flood relief to", "held talks on grain exports with",
           "accused the navy of", "threatened new tariffs against",
           "agreed to extend a currency swap with", "condemned the border closure by"]


def synthetic_db(path: Path, documents: int, seed: int = 7) -> tuple[int, list[str]]:
    """Documents of five sentences with one event each, 2010–2022."""
    rng = random.Random(seed)
    ids, count = [], 0
    with open_store(path) as store:
        for number in range(documents):
            day = dt.date(2010, 1, 1) + dt.timedelta(days=rng.randrange(13 * 365))
            lines, coded = [], []
            for index in range(5):
                source, target = rng.sample(ACTORS, 2)
                plover, cameo, quad, goldstein = rng.choice(TYPES)
                lines.append(f"Report {number}.{index}: {source} and {target} {plover.lower()} "
                             f"over the issue on {day.isoformat()}.")
                coded.append((index, source, target, plover, cameo, quad, goldstein))
            text = " ".join(lines)
            doc = Document.create(text, title=f"Synthetic report {number}", date=day,
                                  source="benchmark")
            sentences, start = [], 0
            for index, line in enumerate(lines):
                sentences.append(Sentence(doc.doc_id, index, start, start + len(line), line))
                start += len(line) + 1
            events = [Event(
                event_id=event_id_for(doc.doc_id, i, s, t, p, sentences[i].start),
                doc_id=doc.doc_id, sentence_index=i, char_start=sentences[i].start,
                char_end=sentences[i].end, evidence=sentences[i].text, date=day.isoformat(),
                date_precision="day", date_source="document", source=ActorRef(s, "GOV"),
                target=ActorRef(t, "GOV"), plover=p, plover_mode="", cameo=c, quad_class=q,
                goldstein=g, confidence=0.8, coder="bench.synthetic.v1")
                for i, s, t, p, c, q, g in coded]
            store.add_document(doc, sentences, events)
            ids.append(doc.doc_id)
            count += len(events)
    return count, ids


def upload_files(count: int, sentences: int, seed: int) -> list[tuple[str, bytes]]:
    """`count` distinct articles of `sentences` invented sentences, then one binary file
    that the server must report as a failure."""
    rng = random.Random(seed)
    files = []
    for number in range(count):
        day = dt.date(2012, 1, 1) + dt.timedelta(days=rng.randrange(3000))
        lines = []
        for index in range(sentences):
            a, b = rng.sample(COUNTRIES, 2)
            lines.append(f"{a} {rng.choice(PHRASES)} {b} on {day:%A}, officials said in "
                         f"statement {number}-{index}.")
        body = f"Title: Bulletin {number}\nDate: {day.isoformat()}\n\n" + " ".join(lines)
        files.append((f"bulletin-{number}.txt", body.encode()))
    files.append(("broken.png", b"\x89PNG\r\n\x1a\n\x00\x00 not an article"))
    return files


def request_mix(doc_ids: list[str], rng: random.Random) -> tuple[str, str, dict[str, str]]:
    """(route name, path, params): mostly the dashboard's own calls."""
    a, b = rng.sample(ACTORS[:5], 2)
    year = str(rng.randrange(2010, 2023))
    choices = [
        (20, "events", "/api/events", {"source": a, "target": b, "since": year,
                                       "until": year, "limit": "200"}),
        (10, "events page", "/api/events", {"limit": "100",
                                            "offset": str(rng.randrange(0, 2000))}),
        (15, "timeline", "/api/timeline", {"a": a, "b": b, "by": "month"}),
        (10, "key-events", "/api/key-events", {"a": a, "b": b, "top": "8"}),
        (10, "network", "/api/network", {}),
        (15, "document", f"/api/docs/{rng.choice(doc_ids)}", {}),
        (10, "health", "/api/health", {}),
        (5, "docs", "/api/docs", {}),
        (5, "bad parameter", "/api/events", {"type": "HUG"}),
    ]
    weights = [c[0] for c in choices]
    _, name, path, params = rng.choices(choices, weights=weights)[0]
    return name, path, params


@dataclass
class Load:
    """What the clients saw: latencies per route, statuses, transport errors, timings."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: list[int] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    finished_at: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    server_cpu: float | None = None  # seconds, its coding worker's included
    client_cpu: float = 0.0


def cpu_seconds(pid: int) -> float | None:
    """The CPU time (user and system) process `pid` and its live descendants (the
    server's coding worker) have used, where /proc tells it."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return None
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu_seconds(int(child)) or 0.0 for child in children)


async def run_load(http: httpx.AsyncClient, total: int, clients: int, doc_ids: list[str],
                   seed: int) -> Load:
    rng = random.Random(seed)
    queue: asyncio.Queue[tuple[str, str, dict[str, str]]] = asyncio.Queue()
    for _ in range(total):
        queue.put_nowait(request_mix(doc_ids, rng))
    load = Load()

    async def client() -> None:
        while True:
            try:
                name, path, params = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            started = time.perf_counter()
            try:
                response = await http.get(path, params=params)
            except httpx.TransportError as exc:
                load.failed.append(f"{name}: {type(exc).__name__}")
                continue
            load.latencies[name].append(time.perf_counter() - started)
            load.finished_at.append(time.perf_counter())
            load.statuses.append(response.status_code)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    load.elapsed = time.perf_counter() - started
    return load


async def scenario(base: str, args: argparse.Namespace, doc_ids: list[str],
                   files: list[tuple[str, bytes]], server: int) -> tuple[Load, dict,
                                                                        float | None, dict,
                                                                        dict]:
    """The upload (if any) in flight, the read load once the server says it is ingesting;
    returns the load, the upload's answer, when it finished, and health before/after."""
    limits = httpx.Limits(max_connections=args.clients + 1,
                          max_keepalive_connections=args.clients + 1)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=300) as http:
        if args.warm_up:
            warm = upload_files(3, 4, seed=args.seed + 1)[:-1]
            response = await http.post("/api/documents", files=[("files", f) for f in warm])
            print(f"warm-up upload of {len(warm)} articles: HTTP {response.status_code}")
        before = (await http.get("/api/health")).json()
        upload, done_at = None, None
        if files:
            upload = asyncio.create_task(http.post(
                "/api/documents", files=[("files", item) for item in files]))
            while not (await http.get("/api/health")).json()["ingesting"]:
                if upload.done():
                    raise SystemExit(f"the upload ended before the load: {upload.result()}")
                await asyncio.sleep(0.05)
        server_before, client_before = cpu_seconds(server), time.process_time()
        load = await run_load(http, args.requests, args.clients, doc_ids, args.seed)
        server_after = cpu_seconds(server)
        if server_before is not None and server_after is not None:
            load.server_cpu = server_after - server_before
        load.client_cpu = time.process_time() - client_before
        answer: dict = {}
        if upload is not None:
            response = await upload
            done_at = time.perf_counter()
            answer = {"status": response.status_code, **response.json()}
        after = (await http.get("/api/health")).json()
    return load, answer, done_at, before, after


def percentiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        only = values[0] * 1000 if values else 0.0
        return only, only, only
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[89] * 1000, cuts[98] * 1000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(base: str, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with code {process.returncode}")
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("the server did not answer in time")


def report(args: argparse.Namespace, load: Load, answer: dict, done_at: float | None,
           before: dict, after: dict, uploaded: int) -> bool:
    """Print the figures; True when every read answered and the upload's counts are right."""
    everything = [v for values in load.latencies.values() for v in values]
    print(f"{len(everything)} requests, {args.clients} concurrent clients, loopback, "
          f"1 uvicorn worker, {os.cpu_count()} CPUs")
    print(f"{'route':<15}{'n':>6}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}")
    for name in sorted(load.latencies):
        p50, p90, p99 = percentiles(load.latencies[name])
        print(f"{name:<15}{len(load.latencies[name]):>6}{p50:>9.1f}{p90:>9.1f}{p99:>9.1f}")
    p50, p90, p99 = percentiles(everything)
    print(f"{'all':<15}{len(everything):>6}{p50:>9.1f}{p90:>9.1f}{p99:>9.1f}")
    counts: dict[int, int] = defaultdict(int)
    for status in load.statuses:
        counts[status] += 1
    # The "bad parameter" requests are meant to be 400s; anything else is an error.
    expected_400 = len(load.latencies.get("bad parameter", []))
    errors = len(load.failed) + sum(n for s, n in counts.items() if s >= 500) + abs(
        counts.get(400, 0) - expected_400) + sum(n for s, n in counts.items()
                                                  if s not in (200, 400) and s < 500)
    print(f"throughput: {len(everything) / load.elapsed:.0f} req/s over {load.elapsed:.1f} s; "
          f"statuses: {dict(sorted(counts.items()))}; errors: {errors}"
          + (f" ({', '.join(sorted(set(load.failed)))})" if load.failed else ""))
    if load.server_cpu is not None:
        print(f"CPU while the reads ran: server {load.server_cpu:.1f} s (its coding worker's, "
              f"the upload's, included), clients {load.client_cpu:.1f} s; load average "
              f"{os.getloadavg()[0]:.1f}")
    ok = errors == 0
    if done_at is not None:
        during = sum(1 for moment in load.finished_at if moment < done_at)
        added, failures = answer.get("added", []), answer.get("failures", [])
        grown = after["counts"]["documents"] - before["counts"]["documents"]
        right = (answer["status"] == 200 and len(added) == uploaded and not answer["present"]
                 and [f["input"] for f in failures] == ["broken.png"] and grown == uploaded)
        print(f"upload: {uploaded} articles + 1 bad file; HTTP {answer['status']}, "
              f"{len(added)} added, {len(answer.get('present', []))} present, "
              f"{len(failures)} failure(s) {[f['input'] for f in failures]}; documents "
              f"{before['counts']['documents']} → {after['counts']['documents']}; "
              f"{during} of {len(everything)} reads answered while it ran; "
              f"counts {'right' if right else 'WRONG'}")
        ok = ok and right
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--documents", type=int, default=300,
                        help="synthetic documents (5 sentences, 5 events each)")
    parser.add_argument("--upload-files", type=int, default=60,
                        help="articles uploaded during the load (0: reads only)")
    parser.add_argument("--upload-sentences", type=int, default=12)
    parser.add_argument("--warm-up", action="store_true",
                        help="upload three small articles first, so the models are loaded")
    parser.add_argument("--db", type=Path, help="use this database instead of a synthetic one")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="detente-bench-") as folder:
        if args.db:
            db = args.db
            with open_store(db, read_only=True) as store:
                doc_ids = [d["doc_id"] for d in store.documents()]
        else:
            db = Path(folder) / "bench.duckdb"
            started = time.perf_counter()
            events, doc_ids = synthetic_db(db, args.documents)
            print(f"synthetic database: {len(doc_ids)} documents, {events} events "
                  f"({time.perf_counter() - started:.1f} s to build)")
        files = upload_files(args.upload_files, args.upload_sentences, args.seed)
        if not args.upload_files:
            files = []
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("DETENTE_")}
        server = subprocess.Popen([sys.executable, "-m", "detente.cli", "serve", "--db", str(db),
                                   "--port", str(port)], env=env, cwd=folder,
                                  stdout=subprocess.DEVNULL)
        try:
            wait_until_up(base, server)
            load, answer, done_at, before, after = asyncio.run(
                scenario(base, args, doc_ids, files, server.pid))
        finally:
            server.terminate()
            server.wait(timeout=30)
    if not report(args, load, answer, done_at, before, after, args.upload_files):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
