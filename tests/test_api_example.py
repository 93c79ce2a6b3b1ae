"""A small hand-made Japan–Russia database (2014–2022) for the API and browser tests.

The events are written by hand and stored with `Store.add_document`, so these tests do
not depend on the event coder. Offsets follow the coder's convention: an event's
`char_start`/`char_end` is its evidence sentence's span in the document text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from detente.records import ActorRef, Document, Event, Sentence, doc_id_for, event_id_for
from detente.store import EventFilter, open_store

# (plover, cameo, quad class, Goldstein) for the types used below.
TYPES = {
    "AGREE": ("030", 1, 4.0), "CONSULT": ("040", 1, 1.0), "SUPPORT": ("057", 1, 8.0),
    "COOPERATE": ("061", 2, 6.4), "AID": ("070", 2, 7.0), "REQUEST": ("100", 3, -5.0),
    "ACCUSE": ("111", 3, -2.0), "REJECT": ("120", 3, -4.0), "THREATEN": ("130", 3, -4.4),
    "MOBILIZE": ("150", 4, -7.2), "SANCTION": ("163", 4, -8.0), "COERCE": ("192", 4, -9.6),
    "ASSAULT": ("190", 4, -10.0),
}

# (date, title, [(sentence, [(source, target, type, event date or None), ...]), ...])
DOCUMENTS = [
    ("2014-03-18", "Japan announces first sanctions over Crimea", [
        ("Japan announced sanctions against Russia on Tuesday over the annexation of Crimea.",
         [("JPN", "RUS", "SANCTION", None)]),
        (("Chief Cabinet Secretary Yoshihide Suga said Tokyo had suspended talks on easing "
          "visa requirements."), [("JPN", "RUS", "SANCTION", None)]),
        ("Russia annexed Crimea from Ukraine this month.", [("RUS", "UKR", "COERCE", "2014-03")]),
        ("Moscow criticised the decision.", [("RUS", "JPN", "ACCUSE", None)]),
    ]),
    ("2014-08-05", "Japan freezes assets of Crimea officials", [
        (("The Japanese government froze the assets of 40 individuals linked to the "
          "annexation."), [("JPN", "RUS", "SANCTION", None)]),
        ("Russia's foreign ministry said it would respond to the measures.",
         [("RUS", "JPN", "THREATEN", None)]),
        ("Officials in Tokyo said the step was coordinated with the G7.", []),
    ]),
    ("2014-08-13", "Russian drills on the Kurils draw a Japanese protest", [
        ("Russian forces held military exercises on the disputed Kuril Islands.",
         [("RUS", "JPN", "MOBILIZE", None)]),
        ("Tokyo lodged a formal protest with Moscow.", [("JPN", "RUS", "ACCUSE", None)]),
    ]),
    ("2016-12-16", "Abe hosts Putin in Nagato", [
        (("Prime Minister Shinzo Abe hosted President Vladimir Putin at a hot spring resort "
          "in Nagato."), [("JPN", "RUS", "CONSULT", None)]),
        ("The two leaders agreed to start talks on joint economic activities on the islands.",
         [("JPN", "RUS", "AGREE", None), ("RUS", "JPN", "AGREE", None)]),
        ("Japan will fund projects in the Russian Far East.", [("JPN", "RUS", "COOPERATE", None)]),
    ]),
    ("2018-11-14", "Abe and Putin agree to speed up treaty talks", [
        ("Abe met Putin on the sidelines of a summit in Singapore.",
         [("JPN", "RUS", "CONSULT", None)]),
        ("They agreed to accelerate negotiations on the basis of the 1956 Joint Declaration.",
         [("JPN", "RUS", "AGREE", None), ("RUS", "JPN", "AGREE", None)]),
    ]),
    ("2019-01-22", 'Moscow rejects Tokyo\'s "<b>demand</b>" & talks stall', [
        ("Russia rejected Japan's demand for the return of the four islands.",
         [("RUS", "JPN", "REJECT", None)]),
        ("Japan called on Russia to resume <negotiations> without conditions.",
         [("JPN", "RUS", "REQUEST", None)]),
    ]),
    ("2020-09-29", "Suga and Putin hold their first phone talks", [
        ("Prime Minister Yoshihide Suga held telephone talks with Vladimir Putin.",
         [("JPN", "RUS", "CONSULT", None)]),
        ("Both sides said they would continue dialogue on a peace treaty.",
         [("JPN", "RUS", "AGREE", None)]),
    ]),
    ("2022-03-08", "Japan joins Western sanctions after the invasion of Ukraine", [
        ("Russia invaded Ukraine on 24 February.", [("RUS", "UKR", "ASSAULT", "2022-02-24")]),
        ("Japan imposed sanctions on Russian banks and froze the assets of President Putin.",
         [("JPN", "RUS", "SANCTION", None)]),
        ("The United States praised Japan's decision.", [("USA", "JPN", "SUPPORT", None)]),
        ("Japan pledged emergency aid to Ukraine.", [("JPN", "UKR", "AID", None)]),
    ]),
    ("2022-03-22", "Russia suspends peace treaty talks with Japan", [
        ("Russia suspended peace treaty negotiations with Japan in response to the sanctions.",
         [("RUS", "JPN", "SANCTION", None)]),
        ("Tokyo condemned the move as unjust.", [("JPN", "RUS", "ACCUSE", None)]),
    ]),
    ("2022-04-08", "Japan expels eight Russian diplomats", [
        ("Japan expelled eight Russian diplomats and trade officials.",
         [("JPN", "RUS", "SANCTION", None)]),
        ("Moscow warned it would retaliate.", [("RUS", "JPN", "THREATEN", None)]),
    ]),
]

NAMES = {"JPN": "Japan", "RUS": "Russia", "UKR": "Ukraine", "USA": "United States"}


def example_records() -> list[tuple[Document, list[Sentence], list[Event]]]:
    records = []
    for date, title, sentences in DOCUMENTS:
        text = " ".join(s for s, _ in sentences)
        doc = Document.create(text, title=title, source="detente test corpus",
                              date=dt.date.fromisoformat(date), path=f"{date}.txt")
        parts, events, start = [], [], 0
        for index, (sentence, coded) in enumerate(sentences):
            end = start + len(sentence)
            parts.append(Sentence(doc.doc_id, index, start, end, sentence))
            for source, target, plover, when in coded:
                cameo, quad, goldstein = TYPES[plover]
                day = when or date
                events.append(Event(
                    event_id=event_id_for(doc.doc_id, index, source, target, plover, start),
                    doc_id=doc.doc_id, sentence_index=index, char_start=start, char_end=end,
                    evidence=sentence, date=day,
                    date_precision=("day", "month", "year")[3 - len(day.split("-"))],
                    date_source="text" if when else "document",
                    source=ActorRef(source, "GOV", NAMES[source], NAMES[source]),
                    target=ActorRef(target, "GOV", NAMES[target], NAMES[target]),
                    plover=plover, plover_mode="", cameo=cameo, quad_class=quad,
                    goldstein=goldstein, confidence=0.9, coder="tests.handmade.v1"))
            start = end + 1
        records.append((doc, parts, events))
    return records


def build_example_db(path: Path) -> Path:
    """Write the example documents and events into a new DuckDB file at `path`."""
    with open_store(path) as store:
        for doc, sentences, events in example_records():
            store.add_document(doc, sentences, events)
    return path


def test_example_offsets_point_at_the_evidence(tmp_path: Path) -> None:
    db = build_example_db(tmp_path / "example.duckdb")
    with open_store(db, read_only=True) as store:
        events = store.events(EventFilter())
        assert len(events) == sum(len(c) for _, _, s in DOCUMENTS for _, c in s)
        for event in events:
            text = store.document(event.doc_id)["text"]
            assert text[event.char_start:event.char_end] == event.evidence
    assert doc_id_for(" ".join(s for s, _ in DOCUMENTS[0][2])) in {e.doc_id for e in events}
