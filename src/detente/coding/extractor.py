"""The learned extractor ("coder.pairs.v1"): every actor pair is a candidate, and a
fine-tuned encoder decides whether it is an event and of which type.

The first coder only looked at verbs that a hand-written dependency path or two
agreeing classifiers accepted, which kept precision and lost three events in four.
Here the rules no longer gate: candidates are

- every ordered pair of distinct actors resolved in a sentence (coordinated actors
  are separate mentions, so "A and B met C" gives A→C and B→C, and A→B, B→A);
- each actor alone, for collective events (protests, ceasefires, resignations);
- when a sentence names one side only, its actors paired with the document's topic
  actors (the other side named in the headline or an earlier sentence);

and the encoder (all-MiniLM-L6-v2 fine-tuned on detente's own corpus, int8 ONNX) scores
each over the 16 PLOVER types plus NONE, with source and target marked in the text.

>>> mark("Japan imposed sanctions on Russia", (0, 5), (27, 33))
'[SRC] Japan [/SRC] imposed sanctions on [TGT] Russia [/TGT]'
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from spacy.tokens import Doc, Span, Token

from detente.coding.candidates import Candidate
from detente.coding.classifier import MODELS_DIR, MiniLMClassifier
from detente.coding.coder import EventCoder, Typed, dedupe
from detente.coding.ontology import cameo_for
from detente.coding.patterns import match
from detente.errors import ModelMissingError
from detente.records import Document, Event
from detente.store import StoredMention

if TYPE_CHECKING:
    from detente.actors import Mention

EXTRACTOR_DIR = "extractor"
NONE = "NONE"
#: Distinct actors of a sentence that take part in pairs (the first ones in the text);
#: a sentence listing twenty countries would otherwise give 380 candidates.
MAX_ACTORS = 8
#: Topic actors of a document (most mentioned, headline first) offered as the other
#: side of sentences that name one side only.
TOPIC_ACTORS = 2


@dataclass(frozen=True)
class PairCandidate:
    """A source (and optional target) mention in one sentence, before scoring.
    `context` is true when the target is named outside the sentence."""

    number: int
    sentence: Span
    source: Mention
    target: Mention | None
    context: bool = False

    def text(self) -> str:
        start = self.sentence.start_char
        src = (self.source.start_char - start, self.source.end_char - start)
        if self.target is None:
            return mark(self.sentence.text, src, None)
        if self.context:
            return f"{mark(self.sentence.text, src, None)} | [TGT] {self.target.text} [/TGT]"
        return mark(self.sentence.text, src,
                    (self.target.start_char - start, self.target.end_char - start))


def mark(text: str, source: tuple[int, int], target: tuple[int, int] | None) -> str:
    """`text` with [SRC] ... [/SRC] and [TGT] ... [/TGT] around two character spans,
    whitespace collapsed; the same function marks training and runtime input."""
    spans = [(source[0], source[1], "[SRC]", "[/SRC]")]
    if target is not None:
        spans.append((target[0], target[1], "[TGT]", "[/TGT]"))
    out = text
    for start, end, opening, closing in sorted(spans, reverse=True):
        out = f"{out[:start]} {opening} {out[start:end]} {closing} {out[end:]}"
    return " ".join(out.split())


def entity(mention: Mention) -> tuple[str, str]:
    return mention.code or "", mention.sector or ""


def sentence_actors(sentence: Span, mentions: Sequence[Mention]) -> list[Mention]:
    """The first mention of each distinct resolved actor in the sentence."""
    seen: set[tuple[str, str]] = set()
    actors = []
    for mention in mentions:
        if not mention.code or not (sentence.start_char <= mention.start_char
                                    and mention.end_char <= sentence.end_char):
            continue
        if entity(mention) not in seen:
            seen.add(entity(mention))
            actors.append(mention)
    return actors[:MAX_ACTORS]


def topic_actors(mentions: Sequence[Mention], title_end: int) -> list[Mention]:
    """The document's most mentioned countries, those in the headline first."""
    counts = Counter(m.code for m in mentions if m.code)
    headline = {m.code for m in mentions if m.code and m.end_char <= title_end}
    ranked = sorted(counts, key=lambda code: (code not in headline, -counts[code]))
    first = {}
    for mention in mentions:
        if mention.code and mention.code not in first:
            first[mention.code] = mention
    return [first[code] for code in ranked[:TOPIC_ACTORS]]


def pair_candidates(sentences: Sequence[Span], mentions: Sequence[Mention],
                    title_end: int = 0) -> list[PairCandidate]:
    """Every candidate of a document, in sentence order (see the module docstring)."""
    topics = topic_actors(mentions, title_end)
    candidates = []
    for number, sentence in enumerate(sentences):
        actors = sentence_actors(sentence, mentions)
        for source in actors:
            candidates.append(PairCandidate(number, sentence, source, None))
            candidates.extend(PairCandidate(number, sentence, source, target)
                              for target in actors if entity(target) != entity(source))
        if actors and len({a.code for a in actors}) == 1:
            for topic in topics:
                if topic.code == actors[0].code:
                    continue
                for actor in actors:
                    candidates.append(PairCandidate(number, sentence, actor, topic, True))
    return candidates


def trigger_of(candidate: PairCandidate) -> Token:
    """The word that links the pair: the lowest common head of source and target in the
    parse, else the source's head verb. Dates and places are read around it."""
    doc = candidate.sentence.doc
    source = doc[candidate.source.head]
    chain = [source, *source.ancestors]
    if candidate.target is not None and not candidate.context:
        target_chain = {t.i for t in (doc[candidate.target.head],
                                      *doc[candidate.target.head].ancestors)}
        for token in chain:
            if token.i in target_chain:
                return token
    for token in chain[1:]:
        if token.pos_ in {"VERB", "AUX", "NOUN"}:
            return token
    return candidate.sentence.root


class PairExtractor(EventCoder):
    """The default coder: candidates from actor pairs, types from the encoder.

    Shares actor resolution, dating, places and deduplication with the rule coder.
    """

    def __init__(self, resolver, scorer: MiniLMClassifier, threshold: float,
                 version: str = "") -> None:
        super().__init__(resolver)
        self.scorer = scorer
        self.threshold = threshold
        self.name = f"coder.pairs.v1+{version}" if version else "coder.pairs.v1"

    def code(self, doc: Document, parsed: Doc) -> tuple[list[Event], list[StoredMention]]:
        mentions = self.mentions(doc, parsed)
        sentences = list(parsed.sents)
        starts = [s.start for s in sentences]
        stored = [self._stored(doc, m, parsed, starts) for m in mentions]
        title_end = len(doc.title) if doc.text.startswith(doc.title) else 0
        candidates = pair_candidates(sentences, mentions, title_end)
        if not candidates:
            return [], stored
        probabilities = self.probabilities([c.text() for c in candidates])
        events: list[Event] = []
        for candidate, row in zip(candidates, probabilities, strict=True):
            kind = self.typed(candidate, row)
            if kind is None:
                continue
            trigger = trigger_of(candidate)
            targets = [candidate.target] if candidate.target is not None else []
            events.extend(self._events(doc, candidate.number, Candidate(
                trigger, candidate.sentence, [candidate.source], targets, None), kind))
        return dedupe(events), stored

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        logits = self.scorer.logits(texts)
        exp = np.exp(logits - logits.max(axis=1, keepdims=True))
        return exp / exp.sum(axis=1, keepdims=True)

    def typed(self, candidate: PairCandidate, row: np.ndarray) -> Typed | None:
        """The best type other than NONE, if the encoder is confident enough."""
        labels = self.scorer.labels
        order = np.argsort(-row)
        best = next(int(k) for k in order if labels[int(k)] != NONE)
        if row[best] < self.threshold:
            return None
        plover = labels[best]
        mode, cameo = "", cameo_for(plover)
        pattern = match(trigger_of(candidate))
        if pattern is not None and pattern.plover == plover:
            mode, cameo = pattern.mode, pattern.cameo
        return Typed(plover, mode, cameo, round(float(row[best]), 3), self.name)


def load_extractor(resolver, models_dir: Path | None = None) -> PairExtractor:
    """The shipped extractor (models/extractor), or a clear error if it is absent."""
    folder = (Path(models_dir) if models_dir is not None else MODELS_DIR) / EXTRACTOR_DIR
    if not (folder / "config.json").is_file():
        raise ModelMissingError(
            f"no event extractor model in {folder}",
            hint="build one with `detente train --kind extractor`, or use --fast")
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    return PairExtractor(resolver, MiniLMClassifier(folder), float(config["threshold"]),
                         config.get("version", ""))
