"""End-to-end evaluation: extract events from raw text and match them to gold events
on (record or document, source code, target code, PLOVER type), EVENTS.md §6.

Each gold event matches at most one extracted event. The PLOVER gold records code
international organisations as `IGO`, so an extracted actor of sector IGO counts as IGO.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from detente.coding.ontology import normalise_type
from detente.date_input import read_day
from detente.errors import InputError
from detente.evaluation.scoring import FoundKey, GoldKey, Report, ScoredDocument, score
from detente.ingest.pipeline import Coded, DocumentCoder, prepared, process, raw_documents
from detente.ingest.readers import RawDoc
from detente.jsonio import json_lines
from detente.records import Document, Event

Key = tuple[str, str, str]  # (source code, target code, PLOVER type)
# Typos in the gold data that would otherwise count as misses.
GOLD_CODE_FIXES = {"JAP": "JPN"}


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


def evaluate_gsr(path: Path, coder: DocumentCoder) -> Report:
    """Code each gold record's `text` alone and score (record, source, target, type)."""
    try:
        records = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot read PLOVER gold records ({exc})",
                         hint="Pass a JSON array of PLOVER gold records.") from exc
    records = [r for r in records if r.get("event") and r.get("text")]
    docs = [Document.create(r["text"], title=r["id"], path=r["id"],
                            date=read_day(r.get("date") or "2000-01-01", f"{path}, {r['id']}"))
            for r in records]
    scored = [ScoredDocument(record["id"], "gsr", [GoldKey(*key) for key in gsr_gold(record)],
                             [found_key(e) for e in events_of(coded)])
              for record, coded in zip(records, process(docs, coder), strict=True)]
    return score(scored, name=f"gsr {Path(path).name}")


def events_of(coded) -> list[Event]:
    """The events of a coded document; none for one that failed (its gold counts as missed)."""
    return coded.events if isinstance(coded, Coded) else []


def found_key(event: Event) -> FoundKey:
    return FoundKey(*event_key(event), event.date, event.confidence, event.evidence)


def evaluate_docs(gold_path: Path, docs: Sequence[str | Path], coder: DocumentCoder,
                  max_bytes: int = 20_000_000) -> Report:
    """Score documents against gold lines `{"doc", "quote", "source", "target", "plover",
    "date", "kind"}`; `doc` is a file name or a JSONL id. Adds date accuracy on matched
    events; `kind` (e.g. wire, analysis) groups the per-kind figures."""
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for line in _read_gold(gold_path):
        by_doc.setdefault(line["doc"], []).append(line)
    raws = list(raw_documents(docs, max_bytes))
    names: dict[str, str] = {}  # doc_id -> the document's name in the gold file
    documents = []
    for raw, doc in zip(raws, prepared(raws), strict=True):
        if isinstance(doc, Document) and isinstance(raw, RawDoc):
            names[doc.doc_id] = gold_name(raw)
            documents.append(doc)
    scored = []
    for coded in process(documents, coder):
        if not isinstance(coded, Coded):
            continue  # a document that failed: its gold events count as missed
        doc, events = coded.doc, coded.events
        name = names[doc.doc_id]
        if name in by_doc:
            scored.append(_scored(name, by_doc.pop(name), [found_key(e) for e in events],
                                  doc.date.isoformat() if doc.date else None))
    for name, lines in by_doc.items():  # gold documents that were not found at all
        scored.append(_scored(name, lines, [], None))
    return score(scored, name=f"docs {Path(gold_path).name}")


def _scored(name: str, lines: list[dict[str, Any]], found: list[FoundKey],
            published: str | None) -> ScoredDocument:
    gold = [GoldKey(g["source"], g.get("target") or "", normalise_type(g["plover"]),
                    g.get("date")) for g in lines]
    return ScoredDocument(name, lines[0].get("kind", "docs"), gold, found, published)


def gold_name(raw: RawDoc) -> str:
    """A document's name in gold files: its JSONL record's id, else the file name."""
    return raw.meta.get("id") or Path(raw.name).name


def _read_gold(path: Path) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    try:
        raw: Iterable[str] = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the gold file ({exc.strerror})",
                         hint="Pass a JSONL file of gold events.") from exc
    for item in json_lines(raw, str(path), hint='Each line: {"doc", "quote", "source", '
                                                '"target", "plover", "date"}.'):
        if isinstance(item, InputError):
            raise item
        lines.append(item[1])
    return lines
