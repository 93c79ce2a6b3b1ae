"""Event-level scoring (EVENTS.md §6): match extracted to gold events on (document,
source code, target code, PLOVER type), each gold event at most once; report P, R and F1
overall, per type and per text kind with bootstrap 95% intervals over documents, date
accuracy on matched events, and the errors grouped by kind.

>>> doc = ScoredDocument("d1", "wire",
...     gold=[GoldKey("JPN", "RUS", "SANCTION", "2014-03")],
...     found=[FoundKey("JPN", "RUS", "SANCTION", "2014-03-18", 0.9, "...")])
>>> score([doc]).overall.f1
1.0
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.table import Table

EXAMPLES = 20  # errors of each kind listed in the JSON report
ERROR_KINDS = ("missed", "wrong type", "wrong source", "wrong target", "not an event")


@dataclass(frozen=True)
class GoldKey:
    source: str
    target: str
    plover: str
    date: str | None = None  # ISO at the gold precision; None = the document's date


@dataclass(frozen=True)
class FoundKey:
    source: str
    target: str
    plover: str
    date: str | None = None
    confidence: float = 1.0
    evidence: str = ""


@dataclass
class ScoredDocument:
    name: str
    kind: str
    gold: list[GoldKey]
    found: list[FoundKey]
    date: str | None = None  # publication date, for gold events dated by the document


@dataclass(frozen=True)
class Prf:
    tp: int
    gold: int
    found: int

    @property
    def precision(self) -> float:
        return self.tp / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Matched:
    """One document's matching: pairs of (gold, found), and what was left on each side."""

    pairs: list[tuple[GoldKey, FoundKey]]
    missed: list[GoldKey]
    spurious: list[FoundKey]


@dataclass
class Report:
    name: str
    overall: Prf
    interval: dict[str, tuple[float, float]]
    per_type: dict[str, Prf]
    per_kind: dict[str, Prf]
    kind_interval: dict[str, dict[str, tuple[float, float]]]
    date_accuracy: float | None
    dated: int
    errors: dict[str, list[dict]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        def prf(value: Prf) -> dict:
            return {"precision": round(value.precision, 3), "recall": round(value.recall, 3),
                    "f1": round(value.f1, 3), "matched": value.tp, "gold": value.gold,
                    "found": value.found}
        return {
            "name": self.name,
            **prf(self.overall),
            "interval95": {k: [round(a, 3), round(b, 3)] for k, (a, b) in self.interval.items()},
            "date_accuracy": None if self.date_accuracy is None else round(self.date_accuracy, 3),
            "dated": self.dated,
            "per_type": {k: prf(v) for k, v in sorted(self.per_type.items())},
            "per_kind": {k: {**prf(v), "interval95": {m: [round(a, 3), round(b, 3)]
                                                      for m, (a, b) in
                                                      self.kind_interval[k].items()}}
                         for k, v in sorted(self.per_kind.items())},
            "errors": {k: len(v) for k, v in self.errors.items()},
            "error_examples": {k: v[:EXAMPLES] for k, v in self.errors.items()},
        }

    def to_table(self) -> Table:
        """Per-type and per-kind rows under a title with the overall figures."""
        low, high = self.interval["f1"]
        dates = (f"  date accuracy {self.date_accuracy:.3f} (n={self.dated})"
                 if self.date_accuracy is not None else "")
        errors = ", ".join(f"{k} {len(v)}" for k, v in self.errors.items())
        table = Table(title=f"{self.name}: P {self.overall.precision:.3f}  "
                            f"R {self.overall.recall:.3f}  F1 {self.overall.f1:.3f} "
                            f"[{low:.3f}, {high:.3f}]{dates}\nerrors: {errors}")
        for column in ("group", "gold", "found", "matched", "P", "R", "F1"):
            table.add_column(column, justify="left" if column == "group" else "right")
        rows = [(f"kind {k}", v) for k, v in sorted(self.per_kind.items())]
        rows += sorted(self.per_type.items())
        for name, value in rows:
            table.add_row(name, str(value.gold), str(value.found), str(value.tp),
                          f"{value.precision:.2f}", f"{value.recall:.2f}", f"{value.f1:.2f}")
        return table


def match(document: ScoredDocument) -> Matched:
    """Greedy one-to-one matching on (source, target, type); among equal keys the found
    event with the gold date comes first."""
    free = list(document.found)
    pairs, missed = [], []
    for gold in document.gold:
        candidates = [f for f in free if (f.source, f.target, f.plover)
                      == (gold.source, gold.target, gold.plover)]
        if not candidates:
            missed.append(gold)
            continue
        best = next((f for f in candidates if date_right(gold, f, document.date)),
                    candidates[0])
        free.remove(best)
        pairs.append((gold, best))
    return Matched(pairs, missed, free)


def date_right(gold: GoldKey, found: FoundKey, published: str | None) -> bool:
    """The found date agrees with the gold date at the gold's precision."""
    expected = gold.date or published
    if not expected or not found.date:
        return False
    return found.date[:len(expected)] == expected


def _prf(matchings: Sequence[tuple[ScoredDocument, Matched]]) -> Prf:
    return Prf(sum(len(m.pairs) for _, m in matchings),
               sum(len(d.gold) for d, _ in matchings),
               sum(len(d.found) for d, _ in matchings))


def bootstrap(matchings: Sequence[tuple[ScoredDocument, Matched]], rounds: int = 1000,
              seed: int = 7) -> dict[str, tuple[float, float]]:
    """95% percentile intervals of P, R and F1, resampling documents."""
    if not matchings:
        return {m: (0.0, 0.0) for m in ("precision", "recall", "f1")}
    rng = random.Random(seed)
    values: dict[str, list[float]] = defaultdict(list)
    for _ in range(rounds):
        sample = [matchings[rng.randrange(len(matchings))] for _ in matchings]
        prf = _prf(sample)
        values["precision"].append(prf.precision)
        values["recall"].append(prf.recall)
        values["f1"].append(prf.f1)
    return {k: (sorted(v)[int(0.025 * rounds)], sorted(v)[int(0.975 * rounds) - 1])
            for k, v in values.items()}


def group_errors(document: ScoredDocument, matched: Matched) -> dict[str, list[dict]]:
    """Each miss and each spurious event under one error kind: a miss whose pair was
    found with another type is "wrong type", one found with another source (or target)
    is "wrong source" ("wrong target"); other misses are "missed"; spurious events that
    explain no miss are "not an event"."""
    groups: dict[str, list[dict]] = {kind: [] for kind in ERROR_KINDS}
    spurious = list(matched.spurious)
    # Which two of (source, target, type) must agree for a spurious event to explain a miss.
    tests = (("wrong type", ("source", "target")), ("wrong source", ("target", "plover")),
             ("wrong target", ("source", "plover")))
    for gold in matched.missed:
        for kind, fields in tests:
            found = next((f for f in spurious
                          if all(getattr(f, n) == getattr(gold, n) for n in fields)), None)
            if found is not None:
                spurious.remove(found)
                groups[kind].append({"doc": document.name, "gold": gold.__dict__,
                                     "found": found.__dict__})
                break
        else:
            groups["missed"].append({"doc": document.name, "gold": gold.__dict__})
    groups["not an event"] = [{"doc": document.name, "found": f.__dict__} for f in spurious]
    return groups


def score(documents: Sequence[ScoredDocument], name: str = "", rounds: int = 1000) -> Report:
    """The whole report for a set of documents (see the module docstring)."""
    matchings = [(d, match(d)) for d in documents]
    per_type: dict[str, Counter] = defaultdict(Counter)
    for document, matched in matchings:
        for gold in document.gold:
            per_type[gold.plover]["gold"] += 1
        for found in document.found:
            per_type[found.plover]["found"] += 1
        for gold, _ in matched.pairs:
            per_type[gold.plover]["tp"] += 1
    by_kind: dict[str, list] = defaultdict(list)
    for item in matchings:
        by_kind[item[0].kind].append(item)
    pairs = [(d, g, f) for d, m in matchings for g, f in m.pairs if g.date or d.date]
    errors: dict[str, list[dict]] = {kind: [] for kind in ERROR_KINDS}
    for document, matched in matchings:
        for kind, items in group_errors(document, matched).items():
            errors[kind].extend(items)
    return Report(
        name=name,
        overall=_prf(matchings),
        interval=bootstrap(matchings, rounds),
        per_type={k: Prf(c["tp"], c["gold"], c["found"]) for k, c in per_type.items()},
        per_kind={k: _prf(v) for k, v in by_kind.items()},
        kind_interval={k: bootstrap(v, rounds) for k, v in by_kind.items()},
        date_accuracy=(sum(date_right(g, f, d.date) for d, g, f in pairs) / len(pairs)
                       if pairs else None),
        dated=len(pairs),
        errors=errors,
    )
