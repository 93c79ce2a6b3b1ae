"""Hand-made events for the analysis and export tests, stored through the real Store.

Imported explicitly by tests/test_analysis*.py and tests/test_export.py.

The JPN–RUS dyad (dated, not negated):
  1956        JPN SUPPORT RUS   +8.0 q1  (year precision)            doc "history"
  2014-03-18  JPN SANCTION RUS  -8.0 q4                               doc "sanctions"
  2014-03-18  JPN ACCUSE RUS    -2.0 q3                               doc "sanctions"
  2014-03     JPN SANCTION RUS  -8.0 q4  (month; second report)       doc "protest"
  2014-03-24  RUS ACCUSE JPN    -2.0 q3                               doc "protest"
  2014-08-05  JPN SANCTION RUS  -8.0 q4                               doc "assets"
  2016-12-15  JPN CONSULT RUS   +1.0 q1  (same sentence as the next)  doc "visit"
  2016-12-15  RUS CONSULT JPN   +1.0 q1                               doc "visit"
  2016-12-16  RUS COOPERATE JPN +6.4 q2                               doc "visit"
plus, outside the dyad: USA SANCTION RUS, G7 ACCUSE RUS, JPN CONSULT USA, an untargeted
RUS MOBILIZE, a negated JPN SANCTION RUS (2018) and an undated JPN REQUEST RUS.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from detente.records import ActorRef, Document, Event, Location, Sentence, event_id_for
from detente.store import Store, open_store

NAMES = {"JPN": "Japan", "RUS": "Russia", "USA": "United States", "G7": "Group of Seven"}


@dataclass(frozen=True)
class Spec:
    """One event to store: the fields a test cares about, the rest filled in."""

    source: str
    target: str | None
    plover: str
    date: str | None
    goldstein: float
    quad: int
    cameo: str
    sentence: int = 0
    sector: str = "GOV"
    target_sector: str = "GOV"
    negated: bool = False
    confidence: float = 0.9
    place: str = ""


def make_event(doc_id: str, spec: Spec, evidence: str, char_start: int = 0) -> Event:
    precision = None
    if spec.date:
        precision = {1: "year", 2: "month", 3: "day"}[len(spec.date.split("-"))]
    target = ActorRef(spec.target, spec.target_sector, NAMES.get(spec.target, spec.target),
                      NAMES.get(spec.target, spec.target)) if spec.target else None
    return Event(
        event_id=event_id_for(doc_id, spec.sentence, spec.source, spec.target or "",
                              spec.plover, char_start),
        doc_id=doc_id, sentence_index=spec.sentence, char_start=char_start,
        char_end=char_start + len(evidence), evidence=evidence, date=spec.date,
        date_precision=precision, date_source="text" if spec.date else None,
        source=ActorRef(spec.source, spec.sector, NAMES.get(spec.source, spec.source),
                        NAMES.get(spec.source, spec.source)),
        target=target, plover=spec.plover, plover_mode="", cameo=spec.cameo,
        quad_class=spec.quad, goldstein=spec.goldstein, confidence=spec.confidence,
        coder="test.v1", negated=spec.negated,
        location=Location(spec.target or "", spec.place) if spec.place else Location(),
    )


def add_document(store: Store, title: str, date: str | None, specs: list[Spec],
                 url: str = "") -> tuple[str, list[Event]]:
    """Store one document (`date` None: undated) whose sentences are the events' evidence;
    returns its events."""
    sentences_text = {}
    for spec in specs:
        target = NAMES.get(spec.target or "", "")
        sentences_text.setdefault(
            spec.sentence, f"{NAMES.get(spec.source, spec.source)} {spec.plover.lower()}"
                           f"{' ' + target if target else ''} ({spec.date}).")
    text = " ".join(sentences_text[i] for i in sorted(sentences_text)) + f" [{title}]"
    doc = Document.create(text, title=title, source="Test Wire", url=url,
                          date=dt.date.fromisoformat(date) if date else None)
    sentences, offset = [], 0
    for index in sorted(sentences_text):
        sentence = sentences_text[index]
        sentences.append(Sentence(doc.doc_id, index, offset, offset + len(sentence), sentence))
        offset += len(sentence) + 1
    starts = {s.index: s.start for s in sentences}
    events = [make_event(doc.doc_id, spec, sentences_text[spec.sentence],
                         starts[spec.sentence] + n) for n, spec in enumerate(specs)]
    store.add_document(doc, sentences, events)
    return doc.doc_id, events


def fill(store: Store) -> list[Event]:
    """Store the documents described in the module docstring; returns every event."""
    docs = [
        ("history", "2016-10-19", [Spec("JPN", "RUS", "SUPPORT", "1956", 8.0, 1, "057")]),
        ("sanctions", "2014-03-19", [
            Spec("JPN", "RUS", "SANCTION", "2014-03-18", -8.0, 4, "163", place="Crimea"),
            Spec("JPN", "RUS", "ACCUSE", "2014-03-18", -2.0, 3, "111", sentence=1),
            Spec("USA", "RUS", "SANCTION", "2014-03-17", -8.0, 4, "163", sentence=2),
            Spec("G7", "RUS", "ACCUSE", "2014-03", -2.0, 3, "111", sentence=3, sector="IGO"),
            Spec("JPN", "USA", "CONSULT", "2014-03-20", 1.0, 1, "040", sentence=4),
        ]),
        ("protest", "2014-03-25", [
            Spec("JPN", "RUS", "SANCTION", "2014-03", -8.0, 4, "163", confidence=0.7),
            Spec("RUS", "JPN", "ACCUSE", "2014-03-24", -2.0, 3, "111", sentence=1),
        ]),
        ("assets", "2014-08-06", [
            Spec("JPN", "RUS", "SANCTION", "2014-08-05", -8.0, 4, "163"),
            Spec("RUS", None, "MOBILIZE", "2014-08-12", -7.2, 4, "150", sentence=5,
                 sector="MIL"),
        ]),
        ("visit", "2016-12-17", [
            Spec("JPN", "RUS", "CONSULT", "2016-12-15", 1.0, 1, "040"),
            Spec("RUS", "JPN", "CONSULT", "2016-12-15", 1.0, 1, "040"),
            Spec("RUS", "JPN", "COOPERATE", "2016-12-16", 6.4, 2, "061", sentence=3),
        ]),
        ("no expulsions", "2018-04-18", [
            Spec("JPN", "RUS", "SANCTION", "2018-03-26", -8.0, 4, "163", negated=True),
            Spec("JPN", "RUS", "REQUEST", None, -5.0, 3, "1056", sentence=1),
        ]),
    ]
    events: list[Event] = []
    for title, date, specs in docs:
        events += add_document(store, title, date, specs,
                               url=f"https://example.org/{title.replace(' ', '-')}")[1]
    return events


def make_db(path: Path) -> tuple[Path, list[Event]]:
    """A DuckDB file at `path` holding the fixture documents."""
    with open_store(path) as store:
        events = fill(store)
    return path, events
