"""Peak memory of `detente ingest` against document size, up to the 20 MB limit.

Each run ingests one generated document into a fresh database in a process of its own
and prints that process's peak resident memory (RSS), its time and what it stored. Three
layouts: `lines` (paragraphs of a few sentences), `line` (the same sentences on one line)
and `words` (one line with no sentence end at all, which only a hard window cuts).
Long documents are parsed in windows (detente/ingest/windows.py), so the peak should
stay flat as the size grows.

    .venv/bin/python benchmarks/bench_memory.py [--sizes 0.1,1,5,20] [--layouts lines,line]
        [--coder default|fast|none]

The sentences are generated here from invented templates (no corpus is read).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COUNTRIES = ["Brazil", "Argentina", "Kenya", "Ethiopia", "Canada", "Norway", "Peru", "Chile",
             "Germany", "Sudan", "India", "Nepal", "Mexico", "Spain", "Ghana", "Nigeria",
             "Poland", "Lithuania", "Egypt", "Jordan"]
TEMPLATES = [
    "{a} and {b} signed a trade agreement in the capital on day {n} of the talks",
    "The foreign minister of {a} criticised {b} over its fishing policy after meeting {n}",
    "{a} sent troops to the border after clashes with militias from {b} on day {n}",
    "Officials said {a} would host talks with {b} at the summit planned for week {n}",
    "{a} pledged {n} million dollars in aid to {b} during a visit by its minister",
    "{a} recalled its ambassador from {b} in protest at remarks made on day {n}",
]
LAYOUTS = ("lines", "line", "words")


def generate(size: int, layout: str) -> str:
    """`size` characters of invented news sentences in the given layout."""
    parts, total, number = [], 0, 0
    while total < size:
        a = COUNTRIES[number % len(COUNTRIES)]
        b = COUNTRIES[(number * 7 + 3) % len(COUNTRIES)]
        sentence = TEMPLATES[number % len(TEMPLATES)].format(a=a, b=b, n=number)
        if layout == "words":
            sentence += " "
        else:
            sentence += ". "
            if layout == "lines" and number % 4 == 3:
                sentence = sentence.rstrip() + "\n\n"
        parts.append(sentence)
        total += len(sentence)
        number += 1
    return "".join(parts)[:size]


def child(path: str, db: str, coder: str) -> None:
    """Ingest one file and print what was stored (run in its own process)."""
    from detente.ingest.pipeline import ingest
    from detente.library import default_coder
    from detente.settings import load_settings

    settings = load_settings({"db": db, "fast": coder == "fast", "max_doc_mb": 20}, env={})
    chosen = default_coder(settings) if coder != "none" else None
    started = time.perf_counter()
    report = ingest([path], settings, coder=chosen)
    print(json.dumps({"seconds": time.perf_counter() - started, "docs": len(report.added),
                      "sentences": report.sentences, "events": report.events,
                      "failures": [f.message for f in report.failures]}))


def measure(size: int, layout: str, coder: str, folder: Path) -> dict[str, object]:
    """Run one ingest in a fresh process; its own peak RSS comes from wait4."""
    text_path = folder / f"{layout}-{size}.txt"
    text_path.write_text(generate(size, layout), encoding="utf-8")
    db = folder / f"{layout}-{size}.duckdb"
    process = subprocess.Popen([sys.executable, __file__, "--child", str(text_path),
                                "--db", str(db), "--coder", coder],
                               stdout=subprocess.PIPE, text=True)
    output = process.stdout.read() if process.stdout else ""
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    text_path.unlink()
    result = json.loads(output.strip().splitlines()[-1]) if process.returncode == 0 else {
        "error": f"exit {process.returncode}"}
    return {"layout": layout, "chars": size, "peak_mb": usage.ru_maxrss / 1024, **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="0.01,0.1,0.5,1,2,5,10,20",
                        help="document sizes in MB (millions of characters)")
    parser.add_argument("--layouts", default=",".join(LAYOUTS))
    parser.add_argument("--coder", default="default", choices=("default", "fast", "none"))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.db, args.coder)
        return
    print(f"coder: {args.coder}")
    print(f"{'layout':<7}{'chars':>12}{'peak RSS MB':>13}{'seconds':>9}{'sentences':>11}"
          f"{'events':>8}  notes")
    with tempfile.TemporaryDirectory() as tmp:
        for layout in args.layouts.split(","):
            for mb in args.sizes.split(","):
                row = measure(int(float(mb) * 1_000_000), layout, args.coder, Path(tmp))
                notes = row.get("error") or "; ".join(row.get("failures") or [])
                print(f"{row['layout']:<7}{row['chars']:>12,}{row['peak_mb']:>13.0f}"
                      f"{row.get('seconds', 0):>9.1f}{row.get('sentences', 0):>11,}"
                      f"{row.get('events', 0):>8}  {notes}", flush=True)


if __name__ == "__main__":
    main()
