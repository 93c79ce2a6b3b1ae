"""Load on the HTTP API: N requests from C concurrent clients against a real server.

Starts `detente serve` (python -m detente.cli_serve) in a subprocess on a free loopback
port over a synthetic database (or --db), then sends a fixed mix of read requests with
httpx/asyncio and prints latency percentiles per route and overall, and requests/s.

    .venv/bin/python benchmarks/bench_api_load.py                 # 2,000 requests, 20 clients
    .venv/bin/python benchmarks/bench_api_load.py --requests 5000 --clients 50
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
from pathlib import Path

import httpx

from detente.records import ActorRef, Document, Event, Sentence, event_id_for
from detente.store import open_store

ACTORS = ["JPN", "RUS", "USA", "CHN", "UKR", "KOR", "DEU", "GBR", "FRA", "IND"]
TYPES = [("CONSULT", "040", 1, 1.0), ("AGREE", "030", 1, 4.0), ("COOPERATE", "061", 2, 6.4),
         ("ACCUSE", "111", 3, -2.0), ("REQUEST", "100", 3, -5.0), ("SANCTION", "163", 4, -8.0),
         ("MOBILIZE", "150", 4, -7.2)]


def synthetic_db(path: Path, documents: int, seed: int = 7) -> tuple[int, list[str]]:
    """Documents of five sentences with one or two events each, 2010–2022."""
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


async def run_load(base: str, total: int, clients: int, doc_ids: list[str],
                   seed: int) -> tuple[dict[str, list[float]], list[int], float]:
    rng = random.Random(seed)
    plan = [request_mix(doc_ids, rng) for _ in range(total)]
    queue: asyncio.Queue[tuple[str, str, dict[str, str]]] = asyncio.Queue()
    for item in plan:
        queue.put_nowait(item)
    latencies: dict[str, list[float]] = defaultdict(list)
    statuses: list[int] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(http: httpx.AsyncClient) -> None:
        while True:
            try:
                name, path, params = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            started = time.perf_counter()
            response = await http.get(path, params=params)
            latencies[name].append(time.perf_counter() - started)
            statuses.append(response.status_code)

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        await http.get("/api/health")  # one warm-up connection
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return latencies, statuses, elapsed


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--documents", type=int, default=300,
                        help="synthetic documents (5 sentences, 5 events each)")
    parser.add_argument("--db", type=Path, help="use this database instead of a synthetic one")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="detente-bench-") as folder:
        if args.db:
            db = args.db
            with open_store(db, read_only=True) as store:
                doc_ids = [d["doc_id"] for d in store.documents()]
                events = store.count("events")
        else:
            db = Path(folder) / "bench.duckdb"
            started = time.perf_counter()
            events, doc_ids = synthetic_db(db, args.documents)
            print(f"synthetic database: {len(doc_ids)} documents, {events} events "
                  f"({time.perf_counter() - started:.1f} s to build)")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("DETENTE_")}
        server = subprocess.Popen([sys.executable, "-m", "detente.cli_serve", "--db", str(db),
                                   "--port", str(port)], env=env, cwd=folder,
                                  stdout=subprocess.DEVNULL)
        try:
            wait_until_up(base, server)
            latencies, statuses, elapsed = asyncio.run(
                run_load(base, args.requests, args.clients, doc_ids, args.seed))
        finally:
            server.terminate()
            server.wait(timeout=30)

    everything = [v for values in latencies.values() for v in values]
    print(f"{len(everything)} requests, {args.clients} concurrent clients, loopback, "
          f"1 uvicorn worker, {os.cpu_count()} CPUs")
    print(f"{'route':<15}{'n':>6}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}")
    for name in sorted(latencies):
        p50, p90, p99 = percentiles(latencies[name])
        print(f"{name:<15}{len(latencies[name]):>6}{p50:>9.1f}{p90:>9.1f}{p99:>9.1f}")
    p50, p90, p99 = percentiles(everything)
    print(f"{'all':<15}{len(everything):>6}{p50:>9.1f}{p90:>9.1f}{p99:>9.1f}")
    counts = defaultdict(int)
    for status in statuses:
        counts[status] += 1
    print(f"throughput: {len(everything) / elapsed:.0f} req/s over {elapsed:.1f} s; "
          f"statuses: {dict(sorted(counts.items()))}")


if __name__ == "__main__":
    main()
