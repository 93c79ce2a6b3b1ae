"""The tests' two example stores: hand-made events stored through the real Store.

Imported explicitly by the tests that need them. Every sentence was written for these
tests; `Spec` describes one event, `make_event` turns it into a record.

The dyad store (`make_db`: the analysis, API and export tests). The JPN–RUS dyad,
dated and not negated; the sentences are generated from the events:
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

The export store (`make_export_db`: tests/test_exports_*.py), with written sentences.
Document "talks" (URL, publisher, dated 2019-05-10), events by sentence:
  0  NOR GOV → CHL GOV  CONSULT/visit  042  2019-05-08  in Valparaiso (city)
  1  CHL GOV → NOR GOV  REQUEST        021  2019-04     (month; CAMEO 02x: quad 1)  in Chile
  2  G7 IGO  → KEN GOV  AID            073  2018        (year)
  3  NATO IGO → CAN MIL MOBILIZE/troops 150  2019-05-02
  4  NOR GOV → CHL GOV  SANCTION       163  2019-05-01  negated
  5  CHL GOV → NOR GOV  REJECT         120  undated
Document "aid" (no URL, no title, read from a temporary folder; publication year 2019 only):
  0  UN (World Food Programme) IGO → KEN GOV  AID  071  2019-03-15  in Mombasa (city)
  1  WST IGO → BRA GOV   ACCUSE         111  2019-03-16  (a region: PLOVER does not code it)
  2  BRA PTY → BRA GOV   ACCUSE         112  2019-03-17  (a party: no CAMEO type)
  3  BRA MED → USA GOV   ACCUSE         111  2019-03-18  in Washington (US city)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from detente.records import ActorRef, Document, Event, Location, Sentence, event_id_for
from detente.store import Store, open_store

NAMES = {"JPN": "Japan", "RUS": "Russia", "USA": "United States", "G7": "Group of Seven",
         "NOR": "Norway", "CHL": "Chile", "KEN": "Kenya", "CAN": "Canada", "BRA": "Brazil",
         "NATO": "North Atlantic Treaty Organization", "WST": "the West",
         "UN": "World Food Programme"}


@dataclass(frozen=True)
class Spec:
    """One event to store: the fields a test cares about, the rest filled in. `place` is
    a place name in `place_country` (default: the target's country)."""

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
    place_country: str = ""
    mode: str = ""
    source_name: str = ""
    text: str = ""  # the sentence, when written by hand


def _precision(date: str | None) -> str | None:
    return {1: "year", 2: "month", 3: "day"}[len(date.split("-"))] if date else None


def _actor(code: str, sector: str, name: str = "") -> ActorRef:
    name = name or NAMES.get(code, code)
    return ActorRef(code, sector, name, name)


def make_event(doc_id: str, spec: Spec, evidence: str, char_start: int = 0) -> Event:
    """The event `spec` describes, found at `char_start` of document `doc_id`."""
    if spec.place:
        location = Location(spec.place_country or spec.target or "", spec.place)
    else:
        location = Location()
    return Event(
        event_id=event_id_for(doc_id, spec.sentence, spec.source, spec.target or "",
                              spec.plover, char_start),
        doc_id=doc_id, sentence_index=spec.sentence, char_start=char_start,
        char_end=char_start + len(evidence), evidence=evidence, date=spec.date,
        date_precision=_precision(spec.date), date_source="text" if spec.date else None,
        source=_actor(spec.source, spec.sector, spec.source_name),
        target=_actor(spec.target, spec.target_sector) if spec.target else None,
        plover=spec.plover, plover_mode=spec.mode, cameo=spec.cameo, quad_class=spec.quad,
        goldstein=spec.goldstein, confidence=spec.confidence, coder="test.v1",
        negated=spec.negated, location=location,
    )


# -- the dyad store ------------------------------------------------------------------------
def add_document(store: Store, title: str, date: str | None, specs: list[Spec],
                 url: str = "") -> tuple[str, list[Event]]:
    """Store one document (`date` None: undated) whose sentences are generated from its
    events ("Japan sanction Russia (2014-03-18)."); returns its id and events."""
    sentences_text: dict[int, str] = {}
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
    # Events of one sentence start one character apart, so that their ids differ.
    events = [make_event(doc.doc_id, spec, sentences_text[spec.sentence],
                         starts[spec.sentence] + n) for n, spec in enumerate(specs)]
    store.add_document(doc, sentences, events)
    return doc.doc_id, events


def fill(store: Store) -> list[Event]:
    """Store the dyad store's documents (see the module docstring); returns every event."""
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
    """A DuckDB file at `path` holding the dyad store's documents."""
    with open_store(path) as store:
        events = fill(store)
    return path, events


# -- the export store ----------------------------------------------------------------------
TALKS = [
    Spec("NOR", "CHL", "CONSULT", "2019-05-08", 1.9, 1, "042", mode="visit", place="Valparaiso",
         text="Norway's fisheries minister visited Chile for talks in Valparaiso."),
    Spec("CHL", "NOR", "REQUEST", "2019-04", 3.4, 3, "021", place="Chile", place_country="CHL",
         text="Chile appealed to Norway for help with its salmon farms in April."),
    Spec("G7", "KEN", "AID", "2018", 7.4, 2, "073", sector="IGO",
         text="The G7 pledged drought relief money to Kenya last year."),
    Spec("NATO", "CAN", "MOBILIZE", "2019-05-02", -7.2, 4, "150", sector="IGO",
         target_sector="MIL", mode="troops",
         text="NATO moved troops to Canada's Arctic coast on May 2."),
    Spec("NOR", "CHL", "SANCTION", "2019-05-01", -8.0, 4, "163", negated=True,
         text="Norway did not impose sanctions on Chile on May 1."),
    Spec("CHL", "NOR", "REJECT", None, -4.0, 3, "120",
         text="Chile turned down a Norwegian quota offer."),
]
AID = [
    Spec("UN", "KEN", "AID", "2019-03-15", 7.4, 2, "071", sector="IGO", place="Mombasa",
         text="The World Food Programme sent grain to Kenya through Mombasa on March 15."),
    Spec("WST", "BRA", "ACCUSE", "2019-03-16", -2.0, 3, "111", sector="IGO",
         text="Western governments criticised Brazil on March 16."),
    Spec("BRA", "BRA", "ACCUSE", "2019-03-17", -2.0, 3, "112", sector="PTY",
         source_name="Workers' Party",
         text="The Workers' Party blamed the Brazilian cabinet on March 17."),
    Spec("BRA", "USA", "ACCUSE", "2019-03-18", -2.0, 3, "111", sector="MED",
         place="Washington", source_name="Brazilian press",
         text="Brazilian newspapers criticised Washington on March 18."),
]


def add_written_document(store: Store, specs: list[Spec], **meta: Any) -> list[Event]:
    """Store one document of the specs' written sentences, one event each, in order;
    `meta` goes to `Document.create`. Returns the events."""
    doc = Document.create(" ".join(spec.text for spec in specs), **meta)
    sentences, events, start = [], [], 0
    for index, spec in enumerate(specs):
        sentences.append(Sentence(doc.doc_id, index, start, start + len(spec.text), spec.text))
        events.append(make_event(doc.doc_id, replace(spec, sentence=index), spec.text, start))
        start += len(spec.text) + 1
    store.add_document(doc, sentences, events)
    return events


def make_export_db(path: Path) -> tuple[Path, list[Event]]:
    """A DuckDB file at `path` holding the export store's two documents; returns every
    event."""
    with open_store(path) as store:
        events = add_written_document(store, TALKS, title="talks", source="Harbour Wire",
                                      url="https://example.org/talks",
                                      date=dt.date(2019, 5, 10), date_precision="day")
        events += add_written_document(store, AID, path="/tmp/upload-3f9a/brief-07.txt",
                                       date=dt.date(2019, 1, 1), date_precision="year")
    return path, events
