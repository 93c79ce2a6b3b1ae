"""Run a coder over annotated corpus documents and score it (evaluation/scoring.py).

    >>> report = evaluate_corpus(load_coder(settings), split="test")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from detente.evaluation.extraction import event_key, events_of
from detente.evaluation.scoring import FoundKey, GoldKey, Report, ScoredDocument, score
from detente.records import Event
from detente.training.corpus import GoldDocument, load_corpus, split_of
from detente.training.pairs import as_document


def gold_keys(document: GoldDocument) -> list[GoldKey]:
    """The document's gold events, each counted once (docs/annotation.md §8: a repeated
    report is annotated in every sentence, but EVENTS.md counts the event once). An
    actor acting on itself (the same code and sector) is not an event."""
    keys = {GoldKey(e.source_code, e.target_code, e.plover, e.date)
            for s in document.sentences for e in s.events if e.source != e.target}
    dated = {(k.source, k.target, k.plover) for k in keys if k.date}
    # An undated mention of an event that another sentence dates is the same event.
    keys = {k for k in keys if k.date or (k.source, k.target, k.plover) not in dated}
    return sorted(keys, key=lambda k: (k.source, k.target, k.plover, k.date or ""))


def found_key(event: Event, igo_as_one: bool) -> FoundKey:
    """An extracted event as a key; international organisations count as `IGO` where the
    gold codes them so (the PLOVER gold records)."""
    if igo_as_one:
        source, target, plover = event_key(event)
    else:
        source = event.source.code
        target = event.target.code if event.target else ""
        plover = event.plover
    return FoundKey(source, target, plover, event.date, event.confidence, event.evidence)


def coded_documents(documents: Sequence[GoldDocument], coder) -> list[ScoredDocument]:
    """Code each document as ingest would (headline first) and pair it with its gold."""
    from detente.ingest.pipeline import process

    runtime = [as_document(d)[0] for d in documents]
    scored = []
    for gold, coded in zip(documents, process(runtime, coder), strict=True):
        events = events_of(coded)
        # The headline is coded as ingest codes it: an event it reports is the same
        # event as the body's (one copy survives deduplication), so it is scored.
        igo = gold.source == "gsr"
        scored.append(ScoredDocument(gold.doc, gold.kind, gold_keys(gold),
                                     [found_key(e, igo) for e in events], gold.date))
    return scored


def select(documents: Iterable[GoldDocument], split: str | None) -> list[GoldDocument]:
    return [d for d in documents if split in (None, "all") or split_of(d.doc) == split]


def evaluate_corpus(coder, split: str | None = "test", documents=None) -> Report:
    """P/R/F1 of `coder` on one split of the corpus (train, dev, test or all)."""
    chosen = select(documents if documents is not None else load_corpus(), split)
    return score(coded_documents(chosen, coder), name=f"corpus {split or 'all'}")
