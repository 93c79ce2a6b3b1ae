"""End-to-end evaluation: extract events from raw text and match them to gold events
on (record or document, source code, target code, PLOVER type), EVENTS.md §6.

Each gold event matches at most one extracted event. The PLOVER gold records code
international organisations as `IGO`, so an extracted actor of sector IGO counts as IGO.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from rich.table import Table

from detente.coding.ontology import normalise_type
from detente.errors import InputError
from detente.ingest.pipeline import DocumentCoder, prepared, process, raw_documents
from detente.records import Document, Event

Key = tuple[str, str, str]  # (source code, target code, PLOVER type)
# Typos in the gold data that would otherwise count as misses.
GOLD_CODE_FIXES = {"JAP": "JPN"}


@dataclass
class ExtractionReport:
    """Precision, recall and F1 of extracted events against gold events."""

    name: str
    gold: int = 0
    extracted: int = 0
    matched: int = 0
    dated: int = 0
    date_correct: int = 0
    per_type: dict[str, Counter] = field(default_factory=dict)
    misses: list[dict[str, Any]] = field(default_factory=list)
    spurious: list[dict[str, Any]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.matched / self.extracted if self.extracted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def date_accuracy(self) -> float | None:
        return self.date_correct / self.dated if self.dated else None

    def add(self, record: str, gold: Sequence[Key], found: Sequence[Key],
            dates: dict[Key, tuple[str, str | None]] | None = None) -> None:
        self.gold += len(gold)
        self.extracted += len(found)
        remaining = Counter(found)
        for key in gold:
            counts = self.per_type.setdefault(key[2], Counter())
            counts["gold"] += 1
            if remaining[key] > 0:
                remaining[key] -= 1
                self.matched += 1
                counts["matched"] += 1
                if dates and key in dates:
                    gold_date, found_date = dates[key]
                    self.dated += 1
                    self.date_correct += bool(found_date) and found_date[:len(gold_date)] == gold_date
            else:
                self.misses.append({"record": record, "source": key[0], "target": key[1],
                                    "plover": key[2]})
        for key, count in remaining.items():
            for _ in range(count):
                self.per_type.setdefault(key[2], Counter())["spurious"] += 1
                self.spurious.append({"record": record, "source": key[0], "target": key[1],
                                      "plover": key[2]})

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "gold": self.gold, "extracted": self.extracted,
                "matched": self.matched, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "date_accuracy": None if self.date_accuracy is None else round(
                    self.date_accuracy, 4),
                "per_type": {k: dict(v) for k, v in sorted(self.per_type.items())},
                "misses": self.misses, "spurious": self.spurious}

    def to_table(self) -> Table:
        table = Table(title=f"{self.name}: P {self.precision:.3f}  R {self.recall:.3f}  "
                            f"F1 {self.f1:.3f}  (gold {self.gold}, extracted {self.extracted},"
                            f" matched {self.matched})"
                            + (f"  date accuracy {self.date_accuracy:.3f}"
                               if self.date_accuracy is not None else ""))
        for column in ("type", "gold", "matched", "spurious", "recall"):
            table.add_column(column, justify="right" if column != "type" else "left")
        for plover, counts in sorted(self.per_type.items()):
            recall = counts["matched"] / counts["gold"] if counts["gold"] else 0.0
            table.add_row(plover, str(counts["gold"]), str(counts["matched"]),
                          str(counts["spurious"]), f"{recall:.2f}")
        return table


@lru_cache(maxsize=1)
def international_codes() -> frozenset[str]:
    """Codes of actors that belong to no one country (organisations.csv), e.g. UN, G7, WST."""
    text = files("detente.actors").joinpath("data", "organisations.csv").read_text("utf-8")
    return frozenset(row["code"] for row in csv.DictReader(text.splitlines()))


def event_key(event: Event) -> Key:
    def code(ref) -> str:
        if ref is None:
            return ""
        return "IGO" if ref.sector == "IGO" or ref.code in international_codes() else ref.code
    return code(event.source), code(event.target), event.plover


def gold_codes(actors: Any) -> list[str]:
    if not isinstance(actors, list):
        return []
    return [GOLD_CODE_FIXES.get(a["code"], a["code"]) for a in actors if a.get("code")]


def gsr_gold(record: dict[str, Any]) -> list[Key]:
    """Gold keys of one PLOVER gold record; no target means a compound actor
    ("Hungarian and Romanian officials agreed"): each source toward the others."""
    plover = normalise_type(record["event"])
    if plover == "CONCEDE" and record["event"].upper() == "RETREAT":
        plover = "RETREAT"
    sources, targets = gold_codes(record["source"]), gold_codes(record.get("target"))
    if targets:
        return [(s, t, plover) for s in sources for t in targets]
    if len(sources) > 1:
        return [(s, t, plover) for s in sources for t in sources if s != t]
    return [(s, "", plover) for s in sources]


def evaluate_gsr(path: Path, coder: DocumentCoder) -> ExtractionReport:
    """Code each gold record's `text` alone and score (record, source, target, type)."""
    try:
        records = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot read PLOVER gold records ({exc})",
                         hint="Pass a JSON array of PLOVER gold records.") from exc
    records = [r for r in records if r.get("event") and r.get("text")]
    docs = [Document.create(r["text"], title=r["id"], path=r["id"],
                            date=dt.date.fromisoformat(r.get("date") or "2000-01-01"))
            for r in records]
    report = ExtractionReport(name=f"gsr {Path(path).name}")
    for record, (doc, _s, events, _m) in zip(records, process(docs, coder), strict=True):
        report.add(record["id"], gsr_gold(record), [event_key(e) for e in events])
    return report


def evaluate_docs(gold_path: Path, docs: Sequence[str | Path], coder: DocumentCoder,
                  max_bytes: int = 20_000_000) -> ExtractionReport:
    """Score documents against gold lines `{"doc", "quote", "source", "target", "plover",
    "date"}`; `doc` is a file name or a JSONL id. Adds date accuracy on matched events."""
    gold_lines = _read_gold(gold_path)
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for line in gold_lines:
        by_doc.setdefault(line["doc"], []).append(line)
    documents = [d for d in prepared(raw_documents(docs, max_bytes))
                 if isinstance(d, Document)]
    report = ExtractionReport(name=f"docs {Path(gold_path).name}")
    for doc, _s, events, _m in process(documents, coder):
        name = doc_name(doc)
        if name not in by_doc:
            continue
        gold = by_doc.pop(name)
        keys = [(g["source"], g.get("target") or "", normalise_type(g["plover"])) for g in gold]
        found = [event_key(e) for e in events]
        dates = {}
        for key, line in zip(keys, gold, strict=True):
            match = next((e for e in events if event_key(e) == key), None)
            if match is not None and line.get("date"):
                dates[key] = (line["date"], match.date)
        report.add(name, keys, found, dates)
    for name, lines in by_doc.items():  # gold documents that were not found at all
        report.add(name, [(g["source"], g.get("target") or "", g["plover"]) for g in lines], [])
    return report


def doc_name(doc: Document) -> str:
    """A document's name in gold files: the JSONL id, else the file name."""
    if doc.fmt == "jsonl" and "(id " in doc.path:
        return doc.path.rsplit("(id ", 1)[1].rstrip(")")
    return Path(doc.path).name


def _read_gold(path: Path) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    try:
        raw: Iterable[str] = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the gold file ({exc.strerror})",
                         hint="Pass a JSONL file of gold events.") from exc
    for number, line in enumerate(raw, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: malformed JSON ({exc.msg})",
                             hint='Each line: {"doc", "quote", "source", "target", '
                                  '"plover", "date"}.') from exc
        lines.append(record)
    return lines
