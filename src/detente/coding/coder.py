"""The event coder: mentions → candidates → filters → type, CAMEO, date → Event records.

Type assignment: a trigger that matches a pattern in data/patterns.csv takes that
pattern's type and CAMEO code; a verb with no pattern that links two actors goes to
the trained classifier, which must be confident enough to code it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from spacy.tokens import Doc, Span

from detente.coding.candidates import (
    SYMMETRIC,
    TARGETLESS,
    Candidate,
    MentionIndex,
    sentence_candidates,
    skip_reason,
)
from detente.coding.dating import DocumentDates
from detente.coding.ontology import cameo_for, cameo_quad_class, goldstein, quad_class
from detente.coding.patterns import PATTERNS_VERSION
from detente.date_input import first_day
from detente.known_events import KnownEvent, load_known_events
from detente.records import ActorRef, Document, Event, Location, event_id_for
from detente.store import StoredMention

if TYPE_CHECKING:
    from detente.actors import Mention

RETREAT_LEMMAS = {"withdraw", "pull", "release", "free", "return", "resign", "retreat",
                  "evacuate", "leave", "hand"}
CLASSIFIER_THRESHOLD = 0.55
# In default mode the fast TF-IDF model must agree with MiniLM, at this confidence, before
# a verb no pattern knows is coded: MiniLM is confident even on sentences that hold no
# event (it has no "none" class), and the agreement halves its false events in analysis
# prose (measured on examples/gold and the seeds) at no cost on the PLOVER gold records.
GATE_THRESHOLD = 0.5
# Words before a place name that make it the venue of an event.
VENUE_WORDS = {"in", "at", "on", "to", "near", "off", "around", "into", "of"}
# Material actions that, with no actor named as target, fall on the place they happen in.
PLACE_TARGETED = {"COERCE", "ASSAULT", "MOBILIZE"}
# Cooperative types that, announced for the future, are coded as AGREE (CAMEO 03x).
INTENT_TYPES = {"CONSULT", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT"}


@dataclass(frozen=True)
class Typed:
    plover: str
    mode: str
    cameo: str
    confidence: float
    coder: str


class EventCoder:
    """Codes one parsed document. Build once; `code()` is called per document."""

    def __init__(self, resolver, classifier=None, gate=None,
                 known: Sequence[KnownEvent] | None = None) -> None:
        self.resolver = resolver
        self.classifier = classifier
        self.gate = gate
        self.known = load_known_events() if known is None else known
        self._dates: DocumentDates | None = None
        parts = ["coder.rules.v1", PATTERNS_VERSION]
        if classifier is not None:
            parts.append(classifier.name)
        self.name = "+".join(parts)

    # -- public -----------------------------------------------------------------
    def mentions(self, doc: Document, parsed: Doc) -> list[Mention]:
        """Every actor mention of the document, officials named by title alone taking
        the dateline's country."""
        from detente.actors import find_mentions

        return with_home_country(find_mentions(parsed, doc.date, self.resolver),
                                 self.home_country(doc))

    def code(self, doc: Document, parsed: Doc) -> tuple[list[Event], list[StoredMention]]:
        mentions = self.mentions(doc, parsed)
        sentences = list(parsed.sents)
        starts = [s.start for s in sentences]
        stored = [self._stored(doc, m, parsed, starts) for m in mentions]
        index = MentionIndex(mentions)
        candidates: list[tuple[int, Candidate]] = []
        for number, sentence in enumerate(sentences):
            for candidate in sentence_candidates(sentence, index):
                reason = skip_reason(candidate)
                if reason is None or reason.startswith("intent"):
                    candidate.intent = reason is not None
                    candidates.append((number, candidate))
        typed = [as_intent(kind, self.name) if kind and candidate.intent else kind
                 for (_, candidate), kind in zip(candidates, self._type(candidates),
                                                 strict=True)]
        events: list[Event] = []
        for (number, candidate), kind in zip(candidates, typed, strict=True):
            if kind is not None:
                events.extend(self._events(doc, number, candidate, kind))
        return dedupe(events), stored

    def home_country(self, doc: Document) -> str | None:
        """The country of the wire dateline ("TOKYO -"), for officials the text names
        by title alone ("Vice Foreign Minister Takeo Mori")."""
        first = doc.text.lstrip().split("\n", 1)[0].strip()
        if not first.endswith(" -"):
            return None
        place = first[:-2].split(",")[0].strip().title()
        # Only a capital: a reporter in "SOCHI, Russia" may well be writing about Japanese
        # officials, one in "TOKYO" about Japan's.
        return self.resolver.resolve(place, doc.date).code

    # -- steps ------------------------------------------------------------------
    def _type(self, candidates: Sequence[tuple[int, Candidate]]) -> list[Typed | None]:
        result: list[Typed | None] = []
        pending: list[int] = []
        for position, (_, candidate) in enumerate(candidates):
            pattern = candidate.pattern
            if candidate.speech and candidate.note == "reported demand":
                result.append(Typed("REQUEST", "", "100", 0.7, self.name))
            elif candidate.speech:
                result.append(Typed("ACCUSE", "disapprove", "111", 0.7, self.name))
            elif pattern is not None and pattern.plover in INTENT_TYPES and future(candidate):
                # Cooperation announced for later is an intent to cooperate (CAMEO 03x).
                cameo = "036" if pattern.plover == "CONSULT" else "030"
                result.append(Typed("AGREE", "", cameo, 0.75, self.name))
            elif pattern is not None:
                confidence = 0.9 if pattern.specific else 0.75
                result.append(Typed(pattern.plover, pattern.mode, pattern.cameo, confidence,
                                    self.name))
            else:
                result.append(None)
                pending.append(position)
        if pending and self.classifier is not None:
            from detente.coding.classifier import ClassifyItem

            items = [ClassifyItem(candidates[i][1].sentence.text,
                                  candidates[i][1].sources[0].text,
                                  candidates[i][1].targets[0].text) for i in pending]
            gate = self.gate.predict(items) if self.gate is not None else [None] * len(items)
            for position, prediction, check in zip(pending, self.classifier.predict(items),
                                                   gate, strict=True):
                if prediction.confidence < CLASSIFIER_THRESHOLD:
                    continue
                if check is not None and (check.plover != prediction.plover
                                          or check.confidence < GATE_THRESHOLD):
                    continue
                plover = prediction.plover
                if plover == "YIELD":
                    lemma = candidates[position][1].trigger.lemma_.lower()
                    plover = "RETREAT" if lemma in RETREAT_LEMMAS else "CONCEDE"
                mode = prediction.mode or ""
                result[position] = Typed(plover, mode, cameo_for(plover, mode or None),
                                         round(prediction.confidence, 3), self.name)
        return result

    def _events(self, doc: Document, number: int, candidate: Candidate,
                kind: Typed) -> list[Event]:
        sentence = candidate.sentence
        location = location_of(sentence, self.resolver, doc, candidate.trigger)
        pairs = actor_pairs(candidate, kind.plover)
        place_target = None
        if kind.plover in PLACE_TARGETED and location.code and all(t is None for _, t in pairs):
            # "imposed a curfew in Cizre", "fired shells at targets in Jericho": the force
            # lands on the country of the place.
            pairs = [(source, None) for source in candidate.sources]
            place_target = ActorRef(code=location.code, name=location.place,
                                    text=location.place)
        if not pairs:
            return []
        dates = self.dates(doc, sentence)
        on = None
        events = []
        for source, target in pairs:
            when = dates.when(number, candidate.trigger, (
                source.code or "", target.code or "" if target is not None else "",
                kind.plover))
            on = event_day(when) if when is not None and when.source == "text" else None
            source_ref = self._at(actor_ref(source), source, on, sentence.text)
            target_ref = self._at(actor_ref(target), target, on, sentence.text) \
                if target is not None else place_target
            if target_ref is None and kind.plover == "PROTEST":
                target_ref = protest_target(source_ref, location)
            events.append(Event(
                event_id=event_id_for(doc.doc_id, number, source_ref.code,
                                      target_ref.code if target_ref else "", kind.plover,
                                      candidate.trigger.idx),
                doc_id=doc.doc_id, sentence_index=number,
                char_start=sentence.start_char, char_end=sentence.end_char,
                evidence=sentence.text.strip(),
                date=when.date if when else None,
                date_precision=when.precision if when else None,
                date_source=when.source if when else None,
                date_end=when.end_date if when else None,
                source=source_ref, target=target_ref,
                plover=kind.plover, plover_mode=kind.mode, cameo=kind.cameo,
                quad_class=cameo_quad_class(kind.cameo), goldstein=goldstein(kind.cameo),
                confidence=kind.confidence, coder=kind.coder, location=location,
            ))
        return events

    def dates(self, doc: Document, sentence: Span) -> DocumentDates:
        """The dating of the document `sentence` belongs to, built once per document."""
        if self._dates is None or self._dates.sentences[0].doc is not sentence.doc:
            sentences = list(sentence.doc.sents)
            first = sentences[0]
            headline = bool(doc.title) and doc.text.startswith(doc.title) \
                and first.start_char + len(first.text.rstrip()) <= len(doc.title)
            self._dates = DocumentDates(doc.date, getattr(doc, "date_precision", None),
                                        sentences, self.known, headline=headline)
        return self._dates

    def _at(self, ref: ActorRef, mention: Mention, day: dt.date | None,
            context: str) -> ActorRef:
        """A person named in a dated event takes the role held on the event's date: in
        "the Tokyo Declaration, signed by Yeltsin in October 1993", Yeltsin is RUS GOV,
        though a former president when the article was written."""
        if day is None or mention.kind != "person":
            return ref
        resolution = self.resolver.resolve(mention.text, day, context=context)
        if not resolution.code:
            return ref
        return ActorRef(code=resolution.code, sector=resolution.sector or "",
                        name=resolution.name or ref.name, text=ref.text)

    @staticmethod
    def _stored(doc: Document, mention: Mention, parsed: Doc,
                starts: list[int]) -> StoredMention:
        number = max(i for i, start in enumerate(starts) if start <= mention.token_start)
        span = parsed[mention.token_start:mention.token_end]
        return StoredMention(doc.doc_id, number, span.start_char, span.end_char, mention.text,
                             mention.code, mention.sector, mention.name, mention.kind,
                             getattr(mention, "reason", ""))


def as_intent(kind: Typed, coder: str) -> Typed:
    """A stated intention: to cooperate is AGREE (030), to act against is THREATEN (130)."""
    if quad_class(kind.plover) <= 2:
        return Typed("AGREE", "", "030", kind.confidence, coder)
    return Typed("THREATEN", "", "130", kind.confidence, coder)


def event_day(when) -> dt.date:
    """The first day of a resolved event date of any precision."""
    return first_day(when.date)


def future(candidate: Candidate) -> bool:
    """Announced, not yet happened: "will visit", "is to meet", "plans to hold talks"."""
    trigger = candidate.trigger
    for node in (trigger, trigger.head):
        for child in node.children:
            if child.dep_ == "aux" and child.lower_ in {"will", "'ll", "shall"}:
                return True
        if node.lemma_.lower() in {"plan", "schedule", "intend", "expect"}:
            return True
    return False


def with_home_country(mentions: list, home: str | None) -> list:
    """Officials with a sector but no country take the dateline's country."""
    if not home:
        return mentions
    return [replace(m, code=home, reason=f"{m.reason}; country from the dateline ({home})")
            if m.code is None and m.sector in {"GOV", "MIL", "LEG", "JUD"} else m
            for m in mentions]


def actor_ref(mention: Mention) -> ActorRef:
    return ActorRef(code=mention.code or "", sector=mention.sector or "",
                    name=mention.name or "", text=mention.text)


def same_actor(a: Mention, b: Mention) -> bool:
    return a.code == b.code and (a.sector or "") == (b.sector or "")


def actor_pairs(candidate: Candidate, plover: str) -> list[tuple[Mention, Mention | None]]:
    """(source, target) pairs: every source with every target; "A and B met" and
    "talks between A and B" give both directions; collective actions need no target."""
    sources, targets = candidate.sources, candidate.targets
    pairs: list[tuple[Mention, Mention | None]] = []
    if not targets and len(sources) >= 2 and (plover in SYMMETRIC or candidate.note == "between"):
        for a in sources:
            for b in sources:
                if a is not b and not same_actor(a, b):
                    pairs.append((a, b))
        return pairs
    if not targets:
        return [(s, None) for s in sources] if plover in TARGETLESS else []
    for source in sources:
        for target in targets:
            # Domestic events need two different sectors (GOV → REB), not one actor twice.
            if source is not target and not same_actor(source, target) and (
                    source.code != target.code or (source.sector and target.sector)):
                pairs.append((source, target))
    return pairs


def location_of(sentence: Span, resolver, doc: Document, trigger=None) -> Location:
    """The place the sentence names after in/at/on/to (a venue, not an actor), preferring
    one in the trigger's own phrase. The registry decides what is a place: the small model
    tags "Crimea" as an organisation."""
    near = {t.i for t in trigger.subtree} if trigger is not None else set()
    for ent in sorted(sentence.ents, key=lambda e: e.start not in near):
        before = sentence.doc[ent.start - 1].lower_ if ent.start > 0 else ""
        after = sentence.doc[ent.end].lower_ if ent.end < len(sentence.doc) else ""
        if before not in VENUE_WORDS or after in {"'s", "’s"}:  # "due to Russia's ..."
            continue
        resolution = resolver.resolve(ent.text, doc.date)
        place_country = getattr(resolution, "location", None)
        if place_country:  # a place: "in Sochi", "annexation of Crimea"
            return Location(code=place_country, place=ent.text)
        if before != "of" and ent.label_ in {"GPE", "LOC", "FAC"} and resolution.code:
            return Location(code=resolution.code, place=ent.text)  # a country as venue
    return Location()


def protest_target(source: ActorRef, location: Location) -> ActorRef:
    """A protest that names no target is aimed at the government where it takes place
    (or, with no place, the protesters' own government): the usual CAMEO convention."""
    code = location.code or source.code
    return ActorRef(code=code, sector="GOV", name=f"government ({code})",
                    text=location.place or "")


def dedupe(events: list[Event]) -> list[Event]:
    """An event reported several times in a document is coded once, at its most specific
    mention (EVENTS.md §1): the same source, target and type keep one record per date,
    the most confident copy; undated (document-dated) repeats of an event that the text
    dates elsewhere are dropped, and so is a repeat dated less precisely within another's
    date (a headline's "2018-11" beside the body's "2018-11-14"). Keeping the most
    confident copy makes a confidence threshold applied afterwards behave as one applied
    before."""
    dated: dict[tuple[str, str, str], set[str]] = {}
    for e in events:
        if e.date_source == "text" and e.date:
            dated.setdefault(_key3(e), set()).add(e.date)
    best: dict[tuple[str, str, str, str | None], Event] = {}
    for event in events:
        key3 = _key3(event)
        if event.date_source == "document" and key3 in dated:
            continue
        if event.date and any(len(d) > len(event.date) and d.startswith(event.date)
                              for d in dated.get(key3, ())):
            continue
        key = (*key3, event.date)
        if key not in best or event.confidence > best[key].confidence:
            best[key] = event
    kept = set(map(id, best.values()))
    return [e for e in events if id(e) in kept]


def _key3(event: Event) -> tuple[str, str, str]:
    return event.source.code, event.target.code if event.target else "", event.plover
