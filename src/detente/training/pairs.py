"""Training data and fine-tuning for the learned extractor (coding/extractor.py).

Each annotated document is parsed and resolved exactly as at run time; every candidate
pair the extractor would score is labelled from the gold events of its sentence:

- a gold event with the same source and target codes (and, where the annotator marked
  them, overlapping spans) gives its PLOVER type;
- no gold event for the pair gives NONE;
- codes that agree while the marked spans point at other words are left out (the same
  country named twice: which mention acts is unclear).

Gold events that no candidate reaches (the resolver missed an actor) still teach the
encoder: their marked spans become one more example.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from detente.evaluation.extraction import international_codes
from detente.coding.extractor import NONE, PairCandidate, mark, pair_candidates
from detente.coding.ontology import PLOVER_TYPES
from detente.records import Document
from detente.training.corpus import GoldDocument, GoldEvent, Span

LABELS: tuple[str, ...] = (NONE, *PLOVER_TYPES)
IGO_SECTOR = "IGO"


@dataclass(frozen=True)
class PairExample:
    text: str
    label: str
    doc: str
    origin: str  # "corpus", "gold-span", "plv", "synthetic"


def as_document(gold: GoldDocument) -> tuple[Document, int]:
    """The runtime Document of a gold document (headline first, as ingest reads a story)
    and the offset of the annotated text inside it."""
    prefix = f"{gold.title}\n\n" if gold.title else ""
    date = dt.date.fromisoformat(gold.date[:10]) if gold.date and len(gold.date) >= 10 else None
    return Document.create(prefix + gold.text, title=gold.title, path=gold.doc,
                           date=date), len(prefix)


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


def document_examples(gold: GoldDocument, parsed, mentions) -> list[PairExample]:
    """Labelled candidates of one parsed gold document, plus gold-span examples."""
    _, shift = as_document(gold)
    sentences = list(parsed.sents)
    candidates = pair_candidates(sentences, mentions, title_end=shift)
    by_sentence: dict[int, list[PairCandidate]] = {}
    for candidate in candidates:
        by_sentence.setdefault(candidate.number, []).append(candidate)
    examples = []
    reached: set[int] = set()
    for number, sentence in enumerate(sentences):
        lo, hi = sentence.start_char - shift, sentence.end_char - shift
        golds = [(id(e), e) for s in gold.sentences if s.start < hi and lo < s.end
                 for e in s.events]
        covered = any(s.start < hi and lo < s.end for s in gold.sentences)
        if not covered:
            continue  # the headline, or text no annotator read
        for candidate in by_sentence.get(number, []):
            labels = labels_for(candidate, [e for _, e in golds], shift)
            for label in labels or []:
                examples.append(PairExample(candidate.text(), label, gold.doc, "corpus"))
            if labels and labels != [NONE]:
                reached.update(key for key, e in golds if e.plover in labels
                               and _code_matches(e.source_code, candidate.source))
    for gold_sentence in gold.sentences:
        text = gold.text[gold_sentence.start:gold_sentence.end]
        for event in gold_sentence.events:
            if id(event) in reached:
                continue
            example = span_example(text, gold_sentence.start, event)
            if example is not None:
                examples.append(PairExample(example, event.plover, gold.doc, "gold-span"))
    return examples


def span_example(text: str, start: int, event: GoldEvent) -> str | None:
    """A gold event marked by its annotated spans, when they lie in its sentence."""
    def inside(span: Span | None) -> tuple[int, int] | None:
        if span is None or span.start < start or span.end > start + len(text):
            return None
        return span.start - start, span.end - start

    source = inside(event.source_span)
    target = inside(event.target_span)
    if source is None or (event.target and target is None):
        return None
    if target is not None and not (target[1] <= source[0] or source[1] <= target[0]):
        return None
    return mark(text, source, target)


def corpus_examples(documents: Iterable[GoldDocument], coder, log=print) -> list[PairExample]:
    """Parse and resolve each document as at run time, then label its candidates."""
    from detente.nlp import load_nlp

    documents = list(documents)
    nlp = load_nlp()
    pairs = [(as_document(d)[0], d) for d in documents]
    examples: list[PairExample] = []
    parsed_docs = nlp.pipe(((doc.text, (doc, gold)) for doc, gold in pairs),
                           as_tuples=True, batch_size=32)
    for n, (parsed, (doc, gold)) in enumerate(parsed_docs, 1):
        examples.extend(document_examples(gold, parsed, coder.mentions(doc, parsed)))
        if n % 100 == 0:
            log(f"  labelled {n}/{len(documents)} documents, {len(examples)} examples")
    return examples


def extra_examples(shared, synthetic_cap: int = 60, seed: int = 13) -> list[PairExample]:
    """Positive pairs from the open data sets (PLV_train, the synthetic stories), marked
    by phrase; GSR records are in the corpus itself (gsr: documents)."""
    from detente.coding.classifier import mark_pair
    from detente.training.data import data_dir, read_plv, read_synthetic
    from detente.training.data import PLV_TRAIN, SYNTHETIC_ZIP

    base = data_dir(shared)
    rng = random.Random(seed)
    out = [PairExample(mark_pair(e.sentence, e.source, e.target), _sixteen(e.raw_label, e.label),
                       e.uid, "plv") for e in read_plv(base / PLV_TRAIN)]
    by_label: dict[str, list] = {}
    for example in read_synthetic(base / SYNTHETIC_ZIP):
        by_label.setdefault(_sixteen(example.raw_label, example.label), []).append(example)
    for label in sorted(by_label):
        group = by_label[label]
        for e in rng.sample(group, min(synthetic_cap, len(group))):
            out.append(PairExample(mark_pair(e.sentence, e.source, e.target), label, e.uid,
                                   "synthetic"))
    return out


def _sixteen(raw: str, root: str) -> str:
    """A 16-type label; YIELD with no finer label counts as CONCEDE."""
    for name in (raw, root):
        if name in PLOVER_TYPES:
            return name
    return "CONCEDE"
