"""One dyad's timeline, key events and network over a synthetic Parquet dataset of 10M
events, read in place (the dataset as a store: `store.open_dataset`).

The dataset has the layout `detente run` writes (documents and events, Hive-partitioned
by publication year and month, three events a document over 25 years), with actor codes
skewed as in news: the first codes of the list are the most frequent, as the USA and
China are in GDELT. The columns it does not set (the ids deduplication adds) are NULL, as
in a store written before deduplication: each event is a canonical event of its own. It
is generated into a temporary folder (never the repository) and kept for the next run
unless --fresh.

    .venv/bin/python benchmarks/bench_timeline_parquet.py [--events 10000000] [--fresh]
        [--view both|canonical|raw] [--since 2010-01-01] [--until 2010-12-31]

With --since/--until every question asks for that range only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import duckdb

from detente.engine import dataset
from detente.store import DATASET_MANIFEST, DYAD_SQL, is_dataset, table_columns

FOLDER = Path(tempfile.gettempdir()) / "detente-bench-parquet"
CODES = ["USA", "CHN", "RUS", "GBR", "FRA", "DEU", "JPN", "IND", "ISR", "IRN", "UKR", "TUR",
         "PAK", "SAU", "KOR", "PRK", "BRA", "CAN", "AUS", "EGY", "SYR", "IRQ", "AFG", "MEX",
         "ITA", "ESP", "POL", "NGA", "ZAF", "KEN", "IDN", "PHL", "VNM", "THA", "EU", "UN",
         "NATO", "G7", "ARG", "COL"]
TYPES = [("AGREE", 1, "030", 4.0), ("CONSULT", 1, "040", 1.0), ("SUPPORT", 1, "057", 8.0),
         ("CONCEDE", 2, "080", 5.0), ("COOPERATE", 2, "060", 6.0), ("AID", 2, "070", 7.0),
         ("RETREAT", 2, "087", 9.0), ("REQUEST", 3, "100", -5.0), ("ACCUSE", 3, "111", -2.0),
         ("REJECT", 3, "120", -4.0), ("THREATEN", 3, "130", -6.0), ("PROTEST", 4, "140", -6.5),
         ("SANCTION", 4, "163", -8.0), ("MOBILIZE", 4, "150", -7.2), ("COERCE", 4, "170", -7.0),
         ("ASSAULT", 4, "190", -10.0)]
DAYS = 25 * 365


def sql_list(values: list[Any]) -> str:
    return "[" + ", ".join(repr(v) if isinstance(v, str) else str(v) for v in values) + "]"


def generate(root: Path, events: int) -> None:
    """Write `events` events (and a third as many documents) as a dataset at `root`."""
    dataset.create(root)
    codes, kinds = sql_list(CODES), [sql_list([t[i] for t in TYPES]) for i in range(4)]
    # A document's day; a skewed code: index 1 + floor(n * u^2) for u uniform in [0, 1).
    day = f"DATE '2000-01-01' + CAST(((doc * 7919) % {DAYS}) AS INTEGER)"
    pick = "1 + CAST(floor({n} * pow((hash({x}) % 100003) / 100003.0, 2)) AS INTEGER)"
    source, target = pick.format(n=len(CODES), x="i"), pick.format(n=len(CODES), x="i * 31 + 7")
    kind = "1 + CAST(hash(i * 13) % 16 AS INTEGER)"
    con = duckdb.connect()
    events_sql = f"""
            SELECT substr(md5(CAST(i AS VARCHAR)), 1, 16) AS event_id,
                   substr(md5(CAST(doc AS VARCHAR) || 'd'), 1, 16) AS doc_id,
                   CAST(i % 3 AS INTEGER) AS sentence_index, 0 AS char_start, 90 AS char_end,
                   'Synthetic evidence sentence number ' || i AS evidence,
                   strftime(day, '%Y-%m-%d') AS date, 'day' AS date_precision,
                   'document' AS date_source, day AS date_start, day AS date_end,
                   {codes}[s] AS source_code, 'GOV' AS source_sector,
                   {codes}[s] AS source_name, {codes}[s] AS source_text,
                   {codes}[t] AS target_code, 'GOV' AS target_sector,
                   {codes}[t] AS target_name, {codes}[t] AS target_text,
                   {kinds[0]}[k] AS plover, '' AS plover_mode, {kinds[2]}[k] AS cameo,
                   CAST({kinds[1]}[k] AS INTEGER) AS quad_class,
                   CAST({kinds[3]}[k] AS DOUBLE) AS goldstein, FALSE AS negated,
                   0.9 AS confidence, '' AS location_code, '' AS location_place,
                   'synthetic.v1' AS coder, day AS doc_date,
                   {DYAD_SQL.format('')} AS dyad, year(day) AS year,
                   month(day) AS month
            FROM (SELECT i, doc, {day} AS day, {source} AS s, {target} AS t, {kind} AS k
                  FROM (SELECT range AS i, range // 3 AS doc FROM range({events})))"""
    documents_sql = f"""
            SELECT substr(md5(CAST(doc AS VARCHAR) || 'd'), 1, 16) AS doc_id,
                   'Synthetic story ' || doc AS title, 'synthetic' AS source, '' AS url,
                   'synthetic.jsonl' AS path, day AS date, FALSE AS date_inferred,
                   'metadata' AS date_reason, 'jsonl' AS fmt, '' AS text,
                   TIMESTAMP '2025-01-01' AS ingested_at, 'day' AS date_precision,
                   year(day) AS year, month(day) AS month
            FROM (SELECT doc, {day} AS day FROM range({-(-events // 3)}) AS r(doc))"""
    for folder, sql in (("events", events_sql), ("documents", documents_sql)):
        con.execute(f"""
            COPY ({with_store_columns(con, folder, sql)})
            TO '{root / folder}' (FORMAT parquet, PARTITION_BY (year, month),
                                  FILENAME_PATTERN 'part-synthetic-{{i}}')""")
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.parquet"))
    line = {"part": "synthetic", "inputs": [], "files": files,
            "documents": -(-events // 3), "events": events}
    (root / DATASET_MANIFEST).write_text(json.dumps(line) + "\n", encoding="utf-8")


def with_store_columns(con: duckdb.DuckDBPyConnection, folder: str, sql: str) -> str:
    """`sql` with the other columns of the store's table for `folder`, NULL (as in rows
    stored before those columns were added), so that the dataset has them all."""
    given = {row[0] for row in con.execute(f"DESCRIBE {sql}").fetchall()}
    extra = "".join(f', CAST(NULL AS {kind}) AS "{name}"'
                    for name, kind in table_columns()[folder] if name not in given)
    return f"SELECT *{extra} FROM ({sql})"


def documents(root: Path) -> int:
    from detente.store import open_store

    with open_store(root) as store:
        return store.count("documents")


def timed(label: str, call: Callable[[], Any], repeat: int = 3) -> Any:
    """Run `call` `repeat` times; print each run's wall-clock time (the first includes cold
    caches), then the CPU time of the fastest (DuckDB's threads included), which moves less
    with what else the machine runs."""
    runs = []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        result = call()
        runs.append((time.perf_counter() - started, time.process_time() - cpu))
    print(f"{label:<42}" + " ".join(f"{wall:>7.2f}" for wall, _ in runs)
          + f"  s; CPU {min(runs)[1]:.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--folder", type=Path, default=FOLDER)
    parser.add_argument("--fresh", action="store_true", help="generate the dataset again")
    parser.add_argument("--dyad", nargs=2, default=["USA", "CHN"])
    parser.add_argument("--view", choices=["both", "canonical", "raw"], default="both",
                        help="the view(s) of the events to ask (default: both)")
    parser.add_argument("--since", help="ask for the events dated from this day on")
    parser.add_argument("--until", help="ask for the events dated up to this day")
    args = parser.parse_args()
    dates = {"since": args.since, "until": args.until}
    root = args.folder
    if args.fresh or not is_dataset(root):
        shutil.rmtree(root, ignore_errors=True)
        started = time.perf_counter()
        generate(root, args.events)
        print(f"generated {args.events} events in {time.perf_counter() - started:.0f} s")
    from detente import library
    from detente.analysis import key_events, network, timeline
    from detente.store import open_store

    size = sum(p.stat().st_size for p in root.rglob("*.parquet")) / 1e6
    files = len(list(root.rglob("*.parquet")))
    print(f"dataset {root}: {files} files, {size:.0f} MB; load average "
          f"{os.getloadavg()[0]:.1f} on {len(os.sched_getaffinity(0))} cores")
    a, b = args.dyad
    with open_store(root) as store:
        total = store.count("events")
        dyad = store.one("SELECT count(*) FROM events WHERE (source_code = ? AND target_code = ?)"
                         " OR (source_code = ? AND target_code = ?)", [a, b, b, a])[0]
    print(f"{total} events; {a}-{b}: {dyad} events (both directions)"
          + (f"; dated {args.since or '...'} to {args.until or '...'}"
             if args.since or args.until else ""))
    print(f"{'question':<42}{'runs (the first cold)':>23}")
    timed("open the dataset, count documents", lambda: documents(root))
    # Each question in the canonical view (the default: one event per happening) and in
    # the raw view (every report, what detente read before deduplication).
    for raw in {"both": (False, True), "canonical": (False,), "raw": (True,)}[args.view]:
        view = ", raw" if raw else ""
        timed(f"timeline {a} {b} by month{view}", partial(timeline, root, a, b, by="month",
                                                          raw=raw, **dates))
        timed(f"timeline {a} {b} by year{view}", partial(timeline, root, a, b, by="year",
                                                         raw=raw, **dates))
        timed(f"key events {a} {b} (top 10){view}", partial(key_events, root, a, b, top=10,
                                                            raw=raw, **dates))
        timed(f"events {a}->{b}, first 100{view}", partial(library.events, root, source=a,
                                                           target=b, limit=100, raw=raw,
                                                           **dates))
        timed(f"network, all events{view}", partial(network, root, raw=raw, **dates),
              repeat=2)


if __name__ == "__main__":
    main()
