"""Training data and fine-tuning for the learned extractor (coding/extractor.py).

Each annotated document is parsed and resolved exactly as at run time; every candidate
pair the extractor would score is labelled from the gold events of its sentence:

- a gold event with the same source and target codes (and, where the annotator marked
  them, overlapping spans) gives its PLOVER type;
- no gold event for the pair gives NONE;
- codes that agree while the marked spans point at other words are left out (the same
  country named twice: which mention acts is unclear).

Gold events that no candidate reaches (the resolver missed an actor) still teach the
encoder: their annotated spans become one more pair of the sentence.

Examples are grouped by sentence, because the encoder reads a sentence once for all its
pairs (coding/extractor.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from detente.coding.extractor import (
    NONE,
    PairCandidate,
    PairInput,
    pair_candidates,
    topic_actors,
)
from detente.coding.ontology import PLOVER_TYPES
from detente.date_input import first_day, parse_date
from detente.evaluation.extraction import international_codes
from detente.records import Document
from detente.training.corpus import GoldDocument, GoldEvent, Span

LABELS: tuple[str, ...] = (NONE, *PLOVER_TYPES)
IGO_SECTOR = "IGO"


@dataclass
class SentenceExample:
    """One encoder input and its labelled pairs (several pairs may share a text)."""

    text: str
    pairs: list[tuple[PairInput, str]]
    doc: str
    origin: str  # "corpus" or "plv"


def as_document(gold: GoldDocument) -> tuple[Document, int]:
    """The runtime Document of a gold document (headline first, as ingest reads a story)
    and the offset of the annotated text inside it."""
    prefix = f"{gold.title}\n\n" if gold.title else ""
    iso, precision = parse_date(gold.date) if gold.date else (None, None)
    return Document.create(prefix + gold.text, title=gold.title, path=gold.doc,
                           date=first_day(iso) if iso else None,
                           date_precision=precision), len(prefix)


def _overlaps(span: Span | None, start: int, end: int) -> bool:
    return span is not None and span.start < end and start < span.end


def _code_matches(gold_code: str, mention) -> bool:
    if mention is None:
        return gold_code == ""
    if gold_code == "IGO":  # the PLOVER gold records code every IGO alike
        return mention.sector == IGO_SECTOR or mention.code in international_codes()
    return mention.code == gold_code


def labels_for(candidate: PairCandidate, golds: Sequence[GoldEvent],
               shift: int) -> list[str] | None:
    """The gold types of a candidate, [NONE], or None when the pair is ambiguous."""
    matches = [g for g in golds if _code_matches(g.source_code, candidate.source)
               and _code_matches(g.target_code, candidate.target)]
    if not matches:
        return [NONE]
    lo, hi = candidate.sentence.start_char - shift, candidate.sentence.end_char - shift
    agreed = []
    for gold in matches:
        ok = True
        for span, mention in ((gold.source_span, candidate.source),
                              (gold.target_span, candidate.target)):
            if span is None or mention is None or not _overlaps(span, lo, hi):
                continue  # no span, or the side is named in another sentence
            if not _overlaps(span, mention.start_char - shift, mention.end_char - shift):
                ok = False
        if ok:
            agreed.append(gold.plover)
    return sorted(set(agreed)) or None


def document_examples(gold: GoldDocument, parsed, mentions) -> list[SentenceExample]:
    """Labelled pairs of one parsed gold document, grouped by encoder input."""
    _, shift = as_document(gold)
    sentences = list(parsed.sents)
    topics = topic_actors(mentions, shift)
    candidates = pair_candidates(sentences, mentions, topics)
    by_text: dict[str, SentenceExample] = {}

    def add(pair: PairInput, label: str) -> None:
        by_text.setdefault(pair.text, SentenceExample(pair.text, [], gold.doc, "corpus")
                           ).pairs.append((pair, label))

    reached: set[int] = set()
    for number, sentence in enumerate(sentences):
        lo, hi = sentence.start_char - shift, sentence.end_char - shift
        if not any(s.start < hi and lo < s.end for s in gold.sentences):
            continue  # the headline, or text no annotator read
        golds = [e for s in gold.sentences if s.start < hi and lo < s.end for e in s.events]
        for candidate in (c for c in candidates if c.number == number):
            labels = labels_for(candidate, golds, shift)
            for label in labels or []:
                add(candidate.pair(topics), label)
            if labels and labels != [NONE]:
                reached.update(id(e) for e in golds if e.plover in labels
                               and _code_matches(e.source_code, candidate.source)
                               and _code_matches(e.target_code, candidate.target))
        for event in golds:
            if id(event) not in reached:
                pair = span_pair(sentence.text, sentence.start_char - shift, event)
                if pair is not None:  # its spans lie in this sentence
                    reached.add(id(event))
                    add(pair, event.plover)
    return list(by_text.values())


def span_pair(text: str, start: int, event: GoldEvent) -> PairInput | None:
    """A gold event as a pair of its annotated spans, when they lie in its sentence."""
    def inside(span: Span | None) -> tuple[int, int] | None:
        if span is None or span.start < start or span.end > start + len(text):
            return None
        return span.start - start, span.end - start

    source, target = inside(event.source_span), inside(event.target_span)
    if source is None or (event.target and target is None):
        return None
    if target is not None and not (target[1] <= source[0] or source[1] <= target[0]):
        return None
    return PairInput(text, source, target, False, inside(event.trigger_span))


def corpus_examples(documents: Iterable[GoldDocument], coder, log=print
                    ) -> list[SentenceExample]:
    """Parse and resolve each document as at run time, then label its candidates."""
    from detente.nlp import load_nlp

    documents = list(documents)
    runtime = [(as_document(d)[0], d) for d in documents]
    examples: list[SentenceExample] = []
    parsed_docs = load_nlp().pipe(((doc.text, (doc, gold)) for doc, gold in runtime),
                                  as_tuples=True, batch_size=32)
    for n, (parsed, (doc, gold)) in enumerate(parsed_docs, 1):
        examples.extend(document_examples(gold, parsed, coder.mentions(doc, parsed)))
        if n % 100 == 0:
            log(f"  labelled {n}/{len(documents)} documents")
    return examples


def extra_examples(shared) -> list[SentenceExample]:
    """Positive pairs from PLV_train, their phrases found in the sentence. (GSR records
    are in the corpus itself as gsr: documents; the synthetic stories name no source or
    target phrase, so they cannot teach a pair scorer.)"""
    from detente.training.data import PLV_TRAIN, data_dir, read_plv

    out = []
    for example in read_plv(data_dir(shared) / PLV_TRAIN):
        pair = phrase_pair(example.sentence, example.source, example.target)
        if pair is not None:
            label = sixteen(example.raw_label, example.label)
            out.append(SentenceExample(pair.text, [(pair, label)], example.uid, "plv"))
    return out


def phrase_pair(sentence: str, source: str, target: str) -> PairInput | None:
    """A pair from phrases: their first non-overlapping occurrences in the sentence."""
    text = " ".join(sentence.split())
    src = _phrase(text, source.strip(), None)
    if src is None:
        return None
    tgt = _phrase(text, target.strip(), src) if target.strip() else None
    if target.strip() and tgt is None:
        return None
    return PairInput(text, src, tgt, False)


def _phrase(text: str, phrase: str, taken: tuple[int, int] | None) -> tuple[int, int] | None:
    lowered = text.lower()
    at = lowered.find(phrase.lower()) if phrase else -1
    while at >= 0:
        end = at + len(phrase)
        if taken is None or end <= taken[0] or at >= taken[1]:
            return at, end
        at = lowered.find(phrase.lower(), at + 1)
    return None


def sixteen(raw: str, root: str) -> str:
    """A 16-type label; YIELD with no finer label counts as CONCEDE."""
    for name in (raw, root):
        if name in PLOVER_TYPES:
            return name
    return "CONCEDE"
