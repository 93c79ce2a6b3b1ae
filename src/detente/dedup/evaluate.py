"""Accuracy of deduplication on the evaluation set in data/dedup: pairwise precision,
recall and F1 of document clustering and of event clustering, on the dev half (where
the defaults were tuned) and on the held-out half.

    python -m detente.dedup.evaluate [--data DIR] [--tune]

Pairwise: every two items of one half that the clustering puts together is a predicted
pair; it is right when the gold labels put them together too. `--tune` searches the
parameter grid on the dev half and reports the best setting on both halves.
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from detente.dedup.documents import SHINGLE_WORDS, THRESHOLD, DocumentIndex
from detente.dedup.events import DEFAULT_RULES, EventClusters, EventReport, EventRules
from detente.errors import InputError
from detente.ingest.prepare import prepare
from detente.ingest.readers import RawDoc, read_file, read_html, read_jsonl, read_text
from detente.jsonio import json_lines

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "data" / "dedup"
HALVES = {"dev": "dev (tuned on)", "test": "held-out"}
MAX_BYTES = 10_000_000


@dataclass(frozen=True)
class Pairwise:
    """Pairwise scores: `found` predicted pairs, `gold` gold pairs, `right` in both."""

    found: int
    gold: int
    right: int

    @property
    def precision(self) -> float:
        return self.right / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def pairwise(predicted: Mapping[str, str], gold: Mapping[str, str]) -> Pairwise:
    """Pairwise agreement of two clusterings of the same items (item → cluster label).

    >>> s = pairwise({"a": "1", "b": "1", "c": "1"}, {"a": "x", "b": "x", "c": "y"})
    >>> s.found, s.gold, s.right, round(s.precision, 2), s.recall
    (3, 1, 1, 0.33, 1.0)
    """
    if predicted.keys() != gold.keys():
        raise InputError("the predicted and gold clusterings cover different items",
                         hint="Score one clustering of exactly the gold items.")
    found = gold_pairs = right = 0
    for a, b in itertools.combinations(sorted(gold), 2):
        same_found = predicted[a] == predicted[b]
        same_gold = gold[a] == gold[b]
        found += same_found
        gold_pairs += same_gold
        right += same_found and same_gold
    return Pairwise(found, gold_pairs, right)


@dataclass(frozen=True)
class GoldDocument:
    doc_id: str
    text: str
    cluster: str
    split: str
    kind: str


@dataclass(frozen=True)
class GoldEvent:
    report: EventReport
    cluster: str
    split: str


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSONL file; InputError naming the line that is not one."""
    if not path.exists():
        raise InputError(f"no evaluation data at {path}",
                         hint="Run from a checkout of detente, or pass --data DIR.")
    with path.open(encoding="utf-8") as handle:
        for item in json_lines(handle, str(path), hint="Each line must be one JSON object."):
            if isinstance(item, InputError):
                raise item
            yield item[1]


def raw_document(record: dict[str, Any], root: Path) -> RawDoc:
    """A record's document as ingest reads it: from its file in the checkout (an
    example, or one line of a JSONL file of them) or from its own `text`."""
    if "path" in record:
        path = root / record["path"]
        if "line_id" not in record:
            return read_file(path, MAX_BYTES)[0]
        with path.open(encoding="utf-8") as handle:
            for raw in read_jsonl(handle, str(path)):
                if isinstance(raw, RawDoc) and raw.meta.get("id") == record["line_id"]:
                    return raw
        raise InputError(f"{path} has no document {record['line_id']!r}",
                         hint="Fix `line_id` in data/dedup/documents.jsonl.")
    meta = {key: record[key] for key in ("title", "date", "source") if record.get(key)}
    if record.get("fmt") == "html":
        return replace(read_html(record["text"], record["id"]), meta=meta)
    raw = read_text(record["text"], record["id"], record.get("fmt", "txt"))
    return replace(raw, meta=meta | raw.meta)


def load_documents(data: Path = DATA, root: Path = ROOT) -> list[GoldDocument]:
    """The evaluation documents, cleaned as ingest cleans them, in arrival order."""
    found = []
    for record in read_records(data / "documents.jsonl"):
        doc = prepare(raw_document(record, root))
        found.append(GoldDocument(record["id"], doc.text, record["cluster"], record["split"],
                                  record["kind"]))
    return found


def load_events(data: Path = DATA) -> list[GoldEvent]:
    """The evaluation event reports with their gold clusters, in arrival order."""
    return [GoldEvent(EventReport.from_row(record), record["cluster"], record["split"])
            for record in read_records(data / "events.jsonl")]


def cluster_documents(docs: Sequence[GoldDocument], threshold: float = THRESHOLD,
                      shingle_words: int = SHINGLE_WORDS) -> dict[str, str]:
    """Document id → canonical id, adding the documents one at a time."""
    index = DocumentIndex(threshold, shingle_words)
    return {d.doc_id: index.add(d.doc_id, d.text) or d.doc_id for d in docs}


def cluster_events(events: Sequence[GoldEvent], rules: EventRules = DEFAULT_RULES
                   ) -> dict[str, str]:
    """Event id → cluster id, adding the reports one at a time."""
    clusters = EventClusters(rules)
    return {e.report.event_id: clusters.add(e.report) for e in events}


def score_documents(docs: Sequence[GoldDocument], split: str, **params: Any) -> Pairwise:
    half = [d for d in docs if d.split == split]
    return pairwise(cluster_documents(half, **params), {d.doc_id: d.cluster for d in half})


def score_events(events: Sequence[GoldEvent], split: str, rules: EventRules) -> Pairwise:
    half = [e for e in events if e.split == split]
    return pairwise(cluster_events(half, rules), {e.report.event_id: e.cluster for e in half})


def document_grid() -> Iterator[dict[str, Any]]:
    for step in range(3, 17):
        for shingle_words in (2, 3, 4, 5, 6):
            yield {"shingle_words": shingle_words, "threshold": step / 20}


def event_grid() -> Iterator[EventRules]:
    for window, lookback in itertools.product((0, 1, 2, 3, 5), (0, 3, 7, 14, 31)):
        for day, loose in itertools.product(range(9), range(1, 13)):
            yield EventRules(window, lookback, day / 20, loose / 20)


def best(scored: Iterator[tuple[Any, Pairwise]]) -> tuple[Any, Pairwise]:
    """The setting with the highest F1, then precision; of several such, the middle one
    in grid order (a threshold in the middle of a plateau rather than at its edge)."""
    results = list(scored)
    top = max((score.f1, score.precision) for _, score in results)
    ties = [pair for pair in results if (pair[1].f1, pair[1].precision) == top]
    return ties[len(ties) // 2]


def table(title: str, rows: Sequence[tuple[str, int, int, Pairwise]]) -> str:
    header = (f"  {'half':<16}{'items':>7}{'clusters':>10}{'pairs':>7}{'found':>7}"
              f"{'precision':>11}{'recall':>8}{'F1':>7}")
    lines = [title, header]
    for half, items, clusters, score in rows:
        lines.append(f"  {half:<16}{items:>7}{clusters:>10}{score.gold:>7}{score.found:>7}"
                     f"{score.precision:>11.3f}{score.recall:>8.3f}{score.f1:>7.3f}")
    return "\n".join(lines)


def report(docs: Sequence[GoldDocument], events: Sequence[GoldEvent],
           doc_params: dict[str, Any], rules: EventRules) -> str:
    """Both tables, for the given settings, on both halves."""
    doc_rows, event_rows = [], []
    for split, name in HALVES.items():
        half = [d for d in docs if d.split == split]
        doc_rows.append((name, len(half), len({d.cluster for d in half}),
                         score_documents(docs, split, **doc_params)))
        chosen = [e for e in events if e.split == split]
        event_rows.append((name, len(chosen), len({e.cluster for e in chosen}),
                           score_events(events, split, rules)))
    return "\n\n".join([
        table(f"documents: MinHash over {doc_params['shingle_words']}-word shingles, "
              f"Jaccard >= {doc_params['threshold']}", doc_rows),
        table(f"events: dates within {rules.window_days} days (publication dates reach back "
              f"{rules.lookback_days}), evidence Jaccard >= {rules.day_threshold} (days) / "
              f"{rules.loose_threshold} (otherwise)", event_rows)])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="folder of the evaluation set")
    parser.add_argument("--tune", action="store_true",
                        help="search the parameters on the dev half, then score both halves")
    args = parser.parse_args(argv)
    docs, events = load_documents(args.data), load_events(args.data)
    doc_params: dict[str, Any] = {"shingle_words": SHINGLE_WORDS, "threshold": THRESHOLD}
    rules = DEFAULT_RULES
    if args.tune:
        doc_params, _ = best((p, score_documents(docs, "dev", **p)) for p in document_grid())
        rules, _ = best((r, score_events(events, "dev", r)) for r in event_grid())
        print("tuned on the dev half:")
    else:
        print("defaults (tuned on the dev half):")
    print(report(docs, events, doc_params, rules))


if __name__ == "__main__":
    main()
