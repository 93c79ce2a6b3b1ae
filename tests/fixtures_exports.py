"""Hand-made events for the export tests (tests/test_exports_*.py), stored through the real
Store. Every sentence was written for these tests.

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
from dataclasses import dataclass
from pathlib import Path

from detente.records import ActorRef, Document, Event, Location, Sentence, event_id_for
from detente.store import open_store

NAMES = {"NOR": "Norway", "CHL": "Chile", "KEN": "Kenya", "CAN": "Canada", "BRA": "Brazil",
         "USA": "United States", "G7": "Group of Seven",
         "NATO": "North Atlantic Treaty Organization", "WST": "the West",
         "UN": "World Food Programme"}


@dataclass(frozen=True)
class Row:
    text: str
    source: str
    target: str | None
    plover: str
    cameo: str
    date: str | None
    quad: int
    goldstein: float
    sector: str = "GOV"
    target_sector: str = "GOV"
    mode: str = ""
    place: tuple[str, str] = ("", "")
    negated: bool = False
    source_name: str = ""


TALKS = [
    Row("Norway's fisheries minister visited Chile for talks in Valparaiso.", "NOR", "CHL",
        "CONSULT", "042", "2019-05-08", 1, 1.9, mode="visit", place=("CHL", "Valparaiso")),
    Row("Chile appealed to Norway for help with its salmon farms in April.", "CHL", "NOR",
        "REQUEST", "021", "2019-04", 3, 3.4, place=("CHL", "Chile")),
    Row("The G7 pledged drought relief money to Kenya last year.", "G7", "KEN", "AID",
        "073", "2018", 2, 7.4, sector="IGO"),
    Row("NATO moved troops to Canada's Arctic coast on May 2.", "NATO", "CAN", "MOBILIZE",
        "150", "2019-05-02", 4, -7.2, sector="IGO", target_sector="MIL", mode="troops"),
    Row("Norway did not impose sanctions on Chile on May 1.", "NOR", "CHL", "SANCTION",
        "163", "2019-05-01", 4, -8.0, negated=True),
    Row("Chile turned down a Norwegian quota offer.", "CHL", "NOR", "REJECT", "120", None, 3,
        -4.0),
]
AID = [
    Row("The World Food Programme sent grain to Kenya through Mombasa on March 15.", "UN",
        "KEN", "AID", "071", "2019-03-15", 2, 7.4, sector="IGO", place=("KEN", "Mombasa")),
    Row("Western governments criticised Brazil on March 16.", "WST", "BRA", "ACCUSE", "111",
        "2019-03-16", 3, -2.0, sector="IGO"),
    Row("The Workers' Party blamed the Brazilian cabinet on March 17.", "BRA", "BRA",
        "ACCUSE", "112", "2019-03-17", 3, -2.0, sector="PTY", source_name="Workers' Party"),
    Row("Brazilian newspapers criticised Washington on March 18.", "BRA", "USA", "ACCUSE",
        "111", "2019-03-18", 3, -2.0, sector="MED", place=("USA", "Washington"),
        source_name="Brazilian press"),
]


def _precision(date: str | None) -> str | None:
    return {1: "year", 2: "month", 3: "day"}[len(date.split("-"))] if date else None


def _store(store, rows: list[Row], **meta) -> list[Event]:
    text = " ".join(r.text for r in rows)
    doc = Document.create(text, **meta)
    sentences, events, start = [], [], 0
    for index, row in enumerate(rows):
        end = start + len(row.text)
        sentences.append(Sentence(doc.doc_id, index, start, end, row.text))
        target = (ActorRef(row.target, row.target_sector, NAMES[row.target], NAMES[row.target])
                  if row.target else None)
        name = row.source_name or NAMES[row.source]
        events.append(Event(
            event_id=event_id_for(doc.doc_id, index, row.source, row.target or "", row.plover,
                                  start),
            doc_id=doc.doc_id, sentence_index=index, char_start=start, char_end=end,
            evidence=row.text, date=row.date, date_precision=_precision(row.date),
            date_source="text" if row.date else None,
            source=ActorRef(row.source, row.sector, name, name), target=target,
            plover=row.plover, plover_mode=row.mode, cameo=row.cameo, quad_class=row.quad,
            goldstein=row.goldstein, confidence=0.8, coder="test.v1", negated=row.negated,
            location=Location(*row.place)))
        start = end + 1
    store.add_document(doc, sentences, events)
    return events


def make_export_db(path: Path) -> tuple[Path, list[Event]]:
    """A DuckDB file at `path` holding the two documents above; returns every event."""
    with open_store(path) as store:
        events = _store(store, TALKS, title="talks", source="Harbour Wire",
                        url="https://example.org/talks", date=dt.date(2019, 5, 10),
                        date_precision="day")
        events += _store(store, AID, path="/tmp/upload-3f9a/brief-07.txt",
                         date=dt.date(2019, 1, 1), date_precision="year")
    return path, events
