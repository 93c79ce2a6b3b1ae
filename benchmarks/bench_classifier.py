"""Throughput and memory of the event-type classifiers.

Prints pairs/s for the fast (TF-IDF) and the MiniLM (ONNX int8) models, the load
time of each, and the process's peak RSS. Inputs are hand-written sentences
varied by actor, so the benchmark runs without the shared data sets.

    python benchmarks/bench_classifier.py [--pairs 2000] [--batch 256]
"""

from __future__ import annotations

import argparse
import itertools
import resource
import sys
import time

from detente.coding.classifier import ClassifyItem, MiniLMClassifier, TfidfClassifier

TEMPLATES = [
    "{a} imposed sanctions on {b} over its annexation of the peninsula.",
    "{a} met {b} in Sochi to discuss a peace treaty and joint economic activities.",
    "{a} condemned {b} for the missile launch, calling it a grave threat to the region.",
    "{a} called on {b} to return the disputed islands, the foreign ministry said on Tuesday.",
    "{a} agreed to resume talks with {b} next month.",
    "Troops from {a} shelled positions held by {b} near the border overnight.",
    "{a} expelled four diplomats of {b} in retaliation for the poisoning.",
    "{a} rejected the proposal made by {b} to hold a referendum.",
]
ACTORS = ["Japan", "Russia", "the United States", "China", "Prime Minister Shinzo Abe",
          "President Vladimir Putin", "the European Union", "Ukraine"]


def items(n: int) -> list[ClassifyItem]:
    pairs = [(a, b) for a, b in itertools.permutations(ACTORS, 2)]
    out = []
    for template, (a, b) in zip(itertools.cycle(TEMPLATES), itertools.cycle(pairs)):
        out.append(ClassifyItem(template.format(a=a, b=b), a, b))
        if len(out) == n:
            return out
    return out


def peak_rss_mb() -> float:
    # ru_maxrss is KiB on Linux, bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run(name: str, load, inputs: list[ClassifyItem], batch: int) -> None:
    started = time.perf_counter()
    classifier = load()
    loaded = time.perf_counter() - started
    classifier.predict(inputs[:8])  # warm-up
    started = time.perf_counter()
    for start in range(0, len(inputs), batch):
        classifier.predict(inputs[start : start + batch])
    elapsed = time.perf_counter() - started
    print(f"{name:28s} load {loaded:5.2f}s  {len(inputs) / elapsed:8.0f} pairs/s  "
          f"({len(inputs)} pairs, batch {batch})  peak RSS {peak_rss_mb():.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=2000, help="pairs per model")
    parser.add_argument("--batch", type=int, default=256, help="pairs per predict() call")
    args = parser.parse_args()
    inputs = items(args.pairs)
    run(TfidfClassifier.name, TfidfClassifier.load, inputs, args.batch)
    try:
        run(MiniLMClassifier.name, MiniLMClassifier, inputs[: max(200, args.pairs // 4)], args.batch)
    except FileNotFoundError:
        print(f"{MiniLMClassifier.name:28s} not built (detente train --kind minilm)")


if __name__ == "__main__":
    main()
