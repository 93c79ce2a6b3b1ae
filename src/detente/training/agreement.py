"""Inter-annotator agreement on documents annotated twice (docs/annotation.md §9).

Second annotations live in `data/annotations/double-*.jsonl`; the first ones in the
corpus batches. Two figures:
- pair-level F1: events matched on (document, sentence, source code, target code, type),
  one annotator taken as gold (F1 is symmetric);
- Cohen's kappa on the type, over events both annotators found with the same
  (document, sentence, source code, target code).

    python -m detente.training.agreement            # all double-annotated documents

Dates have their own study (docs/annotation.md §11): events re-dated blind by two
reviewers, each verdict a line `{"doc", "s", "e", "date", "why"}` in
`data/annotations/reviews/`:

    python -m detente.training.agreement --dates FIRST.jsonl SECOND.jsonl
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from detente.training.corpus import CORPUS_DIR, corpus_files, read_records


def _events(record: dict) -> Counter:
    keys: Counter = Counter()
    for number, sentence in enumerate(record["sentences"]):
        for event in sentence["events"]:
            keys[(number, event["source"].split()[0], event["target"].split()[0] if event["target"] else "",
                  event["type"])] += 1
    return keys


def kappa(pairs: list[tuple[str, str]]) -> float:
    """Cohen's kappa of two label sequences."""
    if not pairs:
        return 0.0
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[k] * second[k] for k in first) / (n * n)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def agreement(directory: Path = CORPUS_DIR) -> dict:
    """Figures over every document present in a double file and in the corpus."""
    first = {r["doc"]: r for r in read_records(corpus_files(directory))}
    second = {r["doc"]: r for r in read_records(sorted(directory.glob("double-*.jsonl")))}
    shared = [doc for doc in second if doc in first]
    both = only_first = only_second = sentences = 0
    typed: list[tuple[str, str]] = []
    disagreements = []
    for doc in shared:
        a, b = first[doc], second[doc]
        if [(s["start"], s["end"]) for s in a["sentences"]] != \
                [(s["start"], s["end"]) for s in b["sentences"]]:
            continue  # differently split: not comparable sentence by sentence
        sentences += len(a["sentences"])
        ea, eb = _events(a), _events(b)
        common = ea & eb
        both += sum(common.values())
        only_first += sum((ea - eb).values())
        only_second += sum((eb - ea).values())
        untyped_a = {k[:3]: k[3] for k in ea}
        untyped_b = {k[:3]: k[3] for k in eb}
        for key in untyped_a.keys() & untyped_b.keys():
            typed.append((untyped_a[key], untyped_b[key]))
            if untyped_a[key] != untyped_b[key]:
                disagreements.append({"doc": doc, "sentence": key[0], "pair": key[1:],
                                      "first": untyped_a[key], "second": untyped_b[key]})
    precision = both / (both + only_second) if both + only_second else 0.0
    recall = both / (both + only_first) if both + only_first else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"documents": len(shared), "sentences": sentences, "events_first": both + only_first,
            "events_second": both + only_second, "matched": both, "pair_f1": round(f1, 3),
            "type_kappa": round(kappa(typed), 3), "type_pairs": len(typed),
            "type_disagreements": Counter(f"{d['first']}/{d['second']}"
                                          for d in disagreements).most_common(15)}


def date_agreement(first: Path, second: Path, directory: Path = CORPUS_DIR) -> dict:
    """How often two date reviews give an event reviewed by both the same date. `null`
    stands for the publication date (docs/annotation.md §5), so it agrees with that date
    written out."""
    published = {r["doc"]: r.get("date") for r in read_records(corpus_files(directory))}

    def verdicts(path: Path) -> dict[tuple[str, int, int], str | None]:
        rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip())
        return {(r["doc"], r["s"], r["e"]): r["date"] or published.get(r["doc"])
                for r in rows}

    a, b = verdicts(first), verdicts(second)
    common = sorted(a.keys() & b.keys())
    same = sum(a[key] == b[key] for key in common)
    return {"events": len(common), "documents": len({key[0] for key in common}),
            "agreement": round(same / len(common), 3) if common else None,
            "disagreements": [{"doc": k[0], "sentence": k[1], "event": k[2],
                               "first": a[k], "second": b[k]}
                              for k in common if a[k] != b[k]][:20]}


if __name__ == "__main__":
    if sys.argv[1:2] == ["--dates"]:
        report = date_agreement(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        report = agreement(Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS_DIR)
    json.dump(report, sys.stdout, indent=2)
    print()
