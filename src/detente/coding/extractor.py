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

and a scorer decides each over the 16 PLOVER types plus NONE. The encoder
(all-MiniLM-L6-v2 fine-tuned on detente's own corpus, int8 ONNX) reads a sentence once
per source actor, with that actor marked, so attention knows who acts; a small head
(numpy) scores each of that actor's pairs from pooled vectors of the sentence, the
source, the target, the words between them, the trigger word that links them in the
parse, and the source-target product. One pass per source rather than per pair keeps the
cost near that of parsing; a pass per sentence, tried first, could not tell pairs apart.

>>> token_range([(0, 0), (0, 5), (6, 13), (14, 23), (0, 0)], (6, 23))
(2, 4)
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from spacy.tokens import Doc, Span, Token

from detente.coding import filters
from detente.coding.candidates import Candidate
from detente.coding.classifier import MODELS_DIR, TfidfClassifier, length_batches
from detente.coding.coder import EventCoder, Typed, dedupe
from detente.coding.dating import clause_head
from detente.coding.ontology import cameo_for, cameo_quad_class
from detente.coding.patterns import match
from detente.errors import ModelMissingError
from detente.known_events import KnownEvent
from detente.records import Document, Event
from detente.store import StoredMention

if TYPE_CHECKING:
    from detente.actors import Mention

EXTRACTOR_DIR = "extractor"
#: The pre-filter in front of the encoder (training/prefilter.py), when the model has one.
PREFILTER_FILE = "prefilter.npz"
MARKERS = ("[SRC]", "[/SRC]")
NONE = "NONE"
#: Distinct actors of a sentence that take part in pairs (the first ones in the text);
#: a sentence listing twenty countries would otherwise give 380 candidates.
MAX_ACTORS = 8
#: Sentences with fewer words are datelines or fragments, never candidates.
MIN_WORDS = 3
#: Rule vetoes (filters.reason_to_skip's first word): questions, negated or modal
#: triggers, conditions. On dev they raise precision at equal recall (F1 +0.002).
VETOES = frozenset({"question", "negated", "modal", "conditional", "consequent"})
#: The probability at which a pair's second most likely type is a second event of the
#: pair ("met and agreed"). Chosen on the corpus dev split: F1 0.449 with none, 0.453 at
#: 0.3, 0.457 at 0.2, 0.453 at 0.1.
SECOND_TYPE = 0.2
#: Topic actors of a document (most mentioned, headline first) offered as the other
#: side of sentences that name one side only.
TOPIC_ACTORS = 2
#: Sentences the encoder reads in one batch (of similar length).
ENCODER_BATCH = 32
#: Sentences encoded and scored at once (a multiple of ENCODER_BATCH): a document's
#: hidden states and pair features are held for this many at a time, so a long
#: document needs no more memory than a short one (docs/scale.md).
TEXTS_AT_ONCE = 2 * ENCODER_BATCH


@dataclass(frozen=True)
class PairCandidate:
    """A source (and optional target) mention in one sentence, before scoring.
    `context` is true when the target is named outside the sentence."""

    number: int
    sentence: Span
    source: Mention
    target: Mention | None
    context: bool = False

    @cached_property
    def trigger(self) -> Token:
        """The word that links the pair (`trigger_of`), found once."""
        return trigger_of(self)

    def pair(self, topics: Sequence[Mention]) -> PairInput:
        """The scorer's input: the sentence (with the document's topic actors appended
        after " | " when the target is one of them) and character spans in it."""
        text, start = self.sentence.text, self.sentence.start_char
        source = (self.source.start_char - start, self.source.end_char - start)
        word = self.trigger
        trigger = (word.idx - start, word.idx + len(word) - start)
        if self.target is None:
            return PairInput(text, source, None, False, trigger)
        if self.context:
            text, spans = with_topics(text, topics)
            return PairInput(text, source, spans[entity(self.target)], True, trigger)
        return PairInput(text, source,
                         (self.target.start_char - start, self.target.end_char - start), False,
                         trigger)


@dataclass(frozen=True)
class PairInput:
    """What the scorer reads for one candidate: a text and character spans in it, of
    the source, the target and the trigger (the word that links them in the parse)."""

    text: str
    source: tuple[int, int]
    target: tuple[int, int] | None
    context: bool
    trigger: tuple[int, int] | None = None

    def marked(self) -> PairInput:
        """The encoder's input: the source wrapped in [SRC] ... [/SRC], every span moved
        with the text. The encoder reads a sentence once per source actor, so attention
        knows who acts; all of that actor's targets are scored from that one pass."""
        start, end = self.source
        opening, closing = f"{MARKERS[0]} ", f" {MARKERS[1]}"

        def move(span: tuple[int, int] | None) -> tuple[int, int] | None:
            # A span's start moves past a marker it does not precede; its end moves past
            # a marker it extends beyond. A span that is the source (or inside it) ends
            # up between the markers; one just before or after stays outside them.
            if span is None:
                return None
            a, b = span
            return (a + (len(opening) if a >= start else 0) + (len(closing) if a >= end else 0),
                    b + (len(opening) if b > start else 0) + (len(closing) if b > end else 0))

        text = f"{self.text[:start]}{opening}{self.text[start:end]}{closing}{self.text[end:]}"
        return PairInput(text, (start, end + len(opening) + len(closing)), move(self.target),
                         self.context, move(self.trigger))


def with_topics(text: str, topics: Sequence[Mention]) -> tuple[str, dict]:
    """`text | topic ; topic`, and the span of each topic actor in it."""
    spans: dict[tuple[str, str], tuple[int, int]] = {}
    for topic in topics:
        text = f"{text}{' | ' if not spans else ' ; '}"
        spans[entity(topic)] = (len(text), len(text) + len(topic.text))
        text += topic.text
    return text, spans


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
                    topics: Sequence[Mention]) -> list[PairCandidate]:
    """Every candidate of a document, in sentence order (see the module docstring);
    `topics` are the document's topic actors (`topic_actors`)."""
    candidates = []
    for number, sentence in enumerate(sentences):
        if sum(t.is_alpha for t in sentence) < MIN_WORDS:
            continue  # a dateline ("MOSCOW -") or a stray fragment reports nothing
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
                # The source's own verb, when it acts in a clause below the meeting point:
                # in "bought the islands, a move China called illegal" China calls.
                if source.dep_ in {"nsubj", "nsubjpass"} and source.head.pos_ == "VERB" \
                        and source.head.i != token.i and source.head.i not in target_chain:
                    return source.head
                return token
    for token in chain[1:]:
        if token.pos_ in {"VERB", "AUX", "NOUN"}:
            return token
    return candidate.sentence.root


#: Clauses on the side of the one they hang on, and prepositions that set an event noun
#: on the side ("after the mediation by …").
SIDE_CLAUSES = frozenset({"advcl", "relcl", "acl"})
RELATIVE_CLAUSES = frozenset({"relcl"})
SIDE_PREPOSITIONS = frozenset({"after", "before", "following", "despite", "amid"})


def told_in(candidate: PairCandidate) -> Token:
    """The word the pair's event is told in, for its date and place: the trigger, unless
    one side acts in a side clause or phrase below it. The source's own ("… signed on
    Saturday, after U.S. mediation saved the talks", "… swapped after the Emirates'
    mediation": the mediation's), or one hung on the source ("Turkey, which armed
    Azerbaijan, demanded …": the arming). A target named in a side clause leaves the
    source's act where it is ("recalled its envoy after Peru expelled …")."""
    trigger = candidate.trigger
    doc = candidate.sentence.doc
    source = doc[candidate.source.head]
    if source.i == trigger.i and candidate.target is not None and not candidate.context:
        side = _side_below(doc[candidate.target.head], trigger, RELATIVE_CLAUSES)
    else:
        side = _side_below(source, trigger, SIDE_CLAUSES)
    return side if side is not None else trigger


def _side_below(token: Token, top: Token, clauses: frozenset[str]) -> Token | None:
    """The first side clause (a verb of one of `clauses`) or side phrase's noun on the way
    from `token` up to `top`; None when there is none, or `top` is not above `token`."""
    side = None
    for word in token.ancestors:
        if word.i == top.i:
            return side
        if side is None and ((word.dep_ in clauses and word.pos_ in {"VERB", "AUX"}) or (
                word.dep_ == "pobj" and word.pos_ == "NOUN"
                and word.head.lower_ in SIDE_PREPOSITIONS)):
            side = word
    return None


# --- the scorer ---------------------------------------------------------------------

#: Tokens after the source read as its "verb" when there is no target in the sentence.
WINDOW = 8


def token_range(offsets: Sequence[tuple[int, int]], span: tuple[int, int]) -> tuple[int, int]:
    """Tokens (end exclusive) whose characters overlap `span`; special tokens, which
    have empty offsets, never do. (0, 0) when the span was cut off by truncation."""
    inside = [i for i, (a, b) in enumerate(offsets) if b > a and a < span[1] and span[0] < b]
    return (inside[0], inside[-1] + 1) if inside else (0, 0)


def pair_ranges(offsets: Sequence[tuple[int, int]], pair: PairInput
                ) -> tuple[tuple[int, int], ...]:
    """Token ranges of the source, the target ((0, 0) if none), the words that link
    them (those between two spans in the sentence, else the WINDOW tokens after the
    source) and the trigger ((0, 0) if unknown)."""
    source = token_range(offsets, pair.source)
    target = token_range(offsets, pair.target) if pair.target is not None else (0, 0)
    last = max(1, len(offsets) - 1)  # before [SEP]
    if pair.target is not None and not pair.context and target != (0, 0):
        first, second = sorted([source, target])
        middle = (first[1], second[0]) if second[0] > first[1] else (0, 0)
    else:
        middle = (source[1], min(last, source[1] + WINDOW)) if source[1] < last else (0, 0)
    trigger = token_range(offsets, pair.trigger) if pair.trigger is not None else (0, 0)
    return source, target, middle, trigger


def pair_features(hidden: np.ndarray, ranges, pair: PairInput) -> np.ndarray:
    """[CLS; source; target; link; trigger; source*target; flags], from one sentence's
    hidden states (tokens × size). Training builds the same vector in torch."""
    size = hidden.shape[1]

    def pool(r: tuple[int, int]) -> np.ndarray:
        return hidden[r[0]:r[1]].mean(axis=0) if r[1] > r[0] else np.zeros(size, hidden.dtype)

    source, target, middle, trigger = (pool(r) for r in ranges)
    return np.concatenate([hidden[0], source, target, middle, trigger, source * target,
                           np.array(pair_flags(pair), dtype=hidden.dtype)])


def pair_flags(pair: PairInput) -> list[float]:
    """No target; target from the document's topics; trigger unknown."""
    return [float(pair.target is None), float(pair.context), float(pair.trigger is None)]


#: Words that, between the target and the linking word, turn an act against the target
#: ("signed a statement holding Russia responsible", "joined the calls blaming B").
AGAINST_WORDS = frozenset({"responsible", "blame", "blaming", "blamed", "culpable", "guilty"})


def turned_against(candidate: PairCandidate, plover: str) -> bool:
    """A cooperative type for a target that the words linking it to the act put in the
    wrong: between the target and the trigger stands one of AGAINST_WORDS (or has it as
    its complement). Vetoing on every conflict verb pattern on that path was tried: dev
    F1 0.457 -> 0.454."""
    if candidate.target is None or candidate.context or not cooperative(plover):
        return False
    trigger = candidate.trigger
    token = candidate.sentence.doc[candidate.target.head]
    while token != trigger and token.head.i != token.i:
        token = token.head
        if token == trigger:
            break
        words = [token, *(c for c in token.children if c.dep_ in {"acomp", "oprd", "ccomp"})]
        if any(word.lower_ in AGAINST_WORDS for word in words):
            return True
    return False


def cooperative(plover: str) -> bool:
    """The type is on the side of cooperation (quad classes 1 and 2)."""
    return cameo_quad_class(cameo_for(plover)) <= 2


def agent_is_target(candidate: PairCandidate) -> bool:
    """The pair runs against a passive: in "the visit was condemned by Beijing" Beijing,
    the agent, acts; Beijing as target of the visit's country is the inverted reading."""
    if candidate.target is None or candidate.context:
        return False
    head = candidate.sentence.doc[candidate.target.head]
    return head.dep_ == "pobj" and head.head.dep_ == "agent"


#: Prepositions that introduce what an act is about, never whom it is done to:
#: "sanctions on A over B", "talks with A about B", "a statement regarding B".
TOPIC_PREPOSITIONS = frozenset({"over", "about", "regarding", "concerning", "re"})
#: "on" introduces a topic after these words ("agreed with A on B", "talks on B"), but the
#: target after others ("sanctions on B", "an attack on B", "called on B to …").
TOPIC_ON = frozenset({"talk", "talks", "negotiation", "negotiate", "agree", "agreement",
                      "accord", "deal", "consult", "consultation", "meeting", "meet",
                      "discuss", "discussion", "statement", "comment", "position", "stance",
                      "dispute", "row", "speak", "resolution", "cooperate", "cooperation",
                      "dialogue", "summit", "conference", "treaty", "work"})
#: Relations through which a topic phrase reaches its actor: "over the fate of C's ships".
_PHRASE_LINKS = frozenset({"pobj", "prep", "conj", "appos", "compound", "poss", "nmod",
                           "amod", "cc"})


def topic_is_target(candidate: PairCandidate) -> bool:
    """The target is what the act is about: in "A expanded sanctions on B over C", C is
    the topic, never the target (introduced by over, about, regarding, or on after talks
    and agreements)."""
    if candidate.target is None or candidate.context:
        return False
    token = candidate.sentence.doc[candidate.target.head]
    while token.dep_ in _PHRASE_LINKS and token.head.i != token.i:
        head = token.head
        if token.dep_ == "pobj" and head.pos_ == "ADP":
            word = head.lower_
            if word in TOPIC_PREPOSITIONS or (
                    word == "on" and head.head.lemma_.lower() in TOPIC_ON):
                return True
        token = head
    return False


def without_partners_of_a_joint_act(accepted: list[tuple[PairCandidate, int, float]]
                                    ) -> list[tuple[PairCandidate, int, float]]:
    """Coordinated actors that act together on a third ("A, B and C agreed to freeze D's
    assets") do not act on each other: a pair of two conjuncts is dropped when the same
    source has an event with a target inside the clause the conjuncts belong to."""
    kept = []
    for item in accepted:
        candidate = item[0]
        source = candidate.sentence.doc[candidate.source.head]
        members = {source.i, *(t.i for t in source.conjuncts)}
        if candidate.target is not None and not candidate.context \
                and candidate.target.head in members:
            clause = clause_head(source.doc[min(members)])
            if any(other.source.head == source.i  # the same mention, so the same sentence
                   and other.target is not None and not other.context
                   and other.target.head not in members
                   and clause.left_edge.i <= other.target.head <= clause.right_edge.i
                   for other, _, _ in accepted):
                continue
        kept.append(item)
    return kept


class PairScorer:
    """The int8 ONNX encoder and the numpy head of models/extractor."""

    def __init__(self, folder: Path, threads: int | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.labels: tuple[str, ...] = tuple(config["labels"])
        self.threshold = float(config["threshold"])
        self.version = str(config.get("version", ""))
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(int(config.get("max_length", 128)))
        self.tokenizer.no_padding()
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        # Idle threads sleep rather than spin: the batches of one document are small, so
        # spinning between them doubled the CPU (and, on busy cores, the wall time too)
        # for the same states. No effect with one thread.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(folder / config["model_file"]), options,
                                            providers=["CPUExecutionProvider"])
        # The CPU arena hands back what a run added at its end: else it keeps every region
        # it ever took (each twice the last), and a worker's memory grows with the corpus
        # (docs/scale.md). Same speed, measured on 11,000 Reuters stories.
        self.run_options = ort.RunOptions()
        self.run_options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
        with np.load(folder / config["head_file"]) as head:
            self.head = {k: head[k].astype(np.float32) for k in head.files}
        prefilter = config.get("prefilter")
        self.prefilter = TfidfClassifier.load(folder / prefilter["file"]) if prefilter else None
        self.prefilter_threshold = float(prefilter["threshold"]) if prefilter else 0.0
        from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]

        self._blas = ThreadpoolController()

    def worth_reading(self, texts: Sequence[str]) -> list[bool]:
        """Whether the encoder should read each text: the pre-filter drops those it is
        sure hold no event with the marked source (all, without a pre-filter)."""
        if self.prefilter is None or not texts:
            return [True] * len(texts)
        scores = self.prefilter.probabilities(texts)[:, 1]
        return (scores >= self.prefilter_threshold).tolist()

    def encode(self, encodings: Sequence) -> list[np.ndarray]:
        """Hidden states of each tokenized text, batched by length."""
        hidden: list[np.ndarray] = [np.zeros(0)] * len(encodings)
        for chunk, ids, mask in length_batches(encodings, ENCODER_BATCH):
            (states,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask},
                                         self.run_options)
            for row, i in enumerate(chunk):
                hidden[i] = states[row, :len(encodings[i].ids)]
        return hidden

    def probabilities(self, pairs: Sequence[PairInput]) -> np.ndarray:
        """NONE + 16 type probabilities per pair; each sentence is encoded once per
        source actor, unless the pre-filter is sure it holds no event (then NONE).
        Sentences are read TEXTS_AT_ONCE at a time in order of length, so the encoder's
        batches are those of one pass over the document (and so are its states: int8
        activations are scaled per batch)."""
        pairs = [p.marked() for p in pairs]
        probabilities = np.zeros((len(pairs), len(self.labels)), dtype=np.float32)
        probabilities[:, self.labels.index(NONE)] = 1.0
        texts = list(dict.fromkeys(p.text for p in pairs))
        texts = [t for t, keep in zip(texts, self.worth_reading(texts), strict=True) if keep]
        encodings = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), TEXTS_AT_ONCE):
            chunk = {texts[i]: encodings[i] for i in order[start:start + TEXTS_AT_ONCE]}
            read = [i for i, p in enumerate(pairs) if p.text in chunk]
            probabilities[read] = self._score(chunk, [pairs[i] for i in read])
        return probabilities

    def one_blas_thread(self) -> AbstractContextManager:
        """NumPy's BLAS kept to one thread for the head's small products (a document's
        pairs × 2307 × 256): a second thread costs far more CPU than it saves, its
        spinning after each product counted (1.5 s of CPU per 100 Reuters stories, ten
        times the products' own cost)."""
        return self._blas.limit(limits=1, user_api="blas")

    def _score(self, encoded: dict[str, Any], pairs: Sequence[PairInput]) -> np.ndarray:
        """The pairs' probabilities, from their texts' encodings (text: encoding)."""
        hidden = dict(zip(encoded, self.encode(list(encoded.values())), strict=True))
        ranges = [pair_ranges(encoded[p.text].offsets, p) for p in pairs]
        features = np.stack([pair_features(hidden[p.text], r, p)
                             for p, r in zip(pairs, ranges, strict=True)])
        h = self.head
        with self.one_blas_thread():
            z = features @ h["w1"].T + h["b1"]
            z = 0.5 * z * (1.0 + np.tanh(0.7978845608 * (z + 0.044715 * z ** 3)))  # GELU
            logits = z @ h["w2"].T + h["b2"]
        exp = np.exp(logits - logits.max(axis=1, keepdims=True))
        probabilities = exp / exp.sum(axis=1, keepdims=True)
        # A source cut off by truncation was never seen by the encoder: no event.
        lost = [i for i, r in enumerate(ranges) if r[0] == (0, 0)]
        probabilities[lost] = 0.0
        probabilities[lost, self.labels.index(NONE)] = 1.0
        return probabilities


class PairExtractor(EventCoder):
    """The default coder: candidates from actor pairs, types from the scorer.

    Shares actor resolution, dating, places and deduplication with the rule coder.
    """

    def __init__(self, resolver, scorer: PairScorer | None, threshold: float | None = None,
                 vetoes: frozenset[str] = VETOES, known: Sequence[KnownEvent] | None = None
                 ) -> None:
        super().__init__(resolver, known=known)
        self.scorer = scorer
        self.vetoes = vetoes
        self.threshold = threshold if threshold is not None else (
            scorer.threshold if scorer is not None else 1.0)
        version = scorer.version if scorer is not None else ""
        self.name = f"coder.pairs.v1+{version}" if version else "coder.pairs.v1"

    def candidates(self, doc: Document, parsed: Doc, mentions: Sequence[Mention]
                   ) -> tuple[list[PairCandidate], list[PairInput]]:
        """The document's candidates and the scorer's input for each."""
        title_end = len(doc.title) if doc.title and doc.text.startswith(doc.title) else 0
        topics = topic_actors(mentions, title_end)
        candidates = pair_candidates(list(parsed.sents), mentions, topics)
        return candidates, [c.pair(topics) for c in candidates]

    def code(self, doc: Document, parsed: Doc) -> tuple[list[Event], list[StoredMention]]:
        mentions = self.mentions(doc, parsed)
        starts = [s.start for s in parsed.sents]
        stored = [self._stored(doc, m, parsed, starts) for m in mentions]
        candidates, pairs = self.candidates(doc, parsed, mentions)
        if not candidates or self.scorer is None:
            return [], stored
        labels = self.scorer.labels
        accepted: list[tuple[PairCandidate, int, float]] = []
        for candidate, row in zip(candidates, self.scorer.probabilities(pairs), strict=True):
            ranked = sorted((k for k in range(len(labels)) if labels[k] != NONE),
                            key=row.__getitem__, reverse=True)
            if row[ranked[0]] < self.threshold:
                continue
            if agent_is_target(candidate) or topic_is_target(candidate):
                continue
            # A pair may do two things in one sentence ("met and agreed on …"): a second
            # type counts when the model gives it SECOND_TYPE or more, on the same side of
            # cooperation and conflict (else it is the model's doubt about the polarity).
            second = [k for k in ranked[1:2] if row[k] >= SECOND_TYPE
                      and cooperative(labels[k]) == cooperative(labels[ranked[0]])]
            for best in [ranked[0], *second]:
                if self.vetoed(candidate.trigger, candidate.sentence, labels[best]) \
                        or turned_against(candidate, labels[best]):
                    continue
                accepted.append((candidate, best, float(row[best])))
        events: list[Event] = []
        for candidate, best, probability in without_partners_of_a_joint_act(accepted):
            kind = self.typed(labels[best], probability, candidate.trigger)
            targets = [candidate.target] if candidate.target is not None else []
            events.extend(self._events(doc, candidate.number, Candidate(
                told_in(candidate), candidate.sentence, [candidate.source], targets, None),
                kind))
        return dedupe(events), stored

    def vetoed(self, trigger: Token, sentence: Span, plover: str) -> bool:
        """Whether the parse puts the linking word under a veto: a question, a negation, a
        modal, a condition (filters.py; which ones are chosen on dev, see VETOES). A
        threat is conditional by nature ("threatened to strike if the drills go on")."""
        reason = filters.reason_to_skip(trigger, sentence)
        if reason is None:
            return False
        kind = reason.split()[0].rstrip(":")
        if plover == "THREATEN" and kind in {"conditional", "consequent"}:
            return False
        return kind in self.vetoes

    def typed(self, plover: str, confidence: float, trigger: Token) -> Typed:
        """Type, mode and CAMEO code: the trigger's pattern refines the code when it
        agrees on the type ("urged" is an appeal, 020; "demanded" a demand, 100). Letting
        verb-and-object patterns overrule the type was tried and did not help on dev."""
        mode, cameo = "", cameo_for(plover)
        pattern = match(trigger)
        if pattern is not None and pattern.plover == plover:
            mode, cameo = pattern.mode, pattern.cameo
        return Typed(plover, mode, cameo, round(confidence, 3), self.name)


def load_extractor(resolver, models_dir: Path | None = None,
                   known: Sequence[KnownEvent] | None = None,
                   threads: int | None = None) -> PairExtractor:
    """The shipped extractor (models/extractor), or a clear error if it is absent;
    `threads` caps onnxruntime's threads (None: its default, one per core)."""
    folder = (Path(models_dir) if models_dir is not None else MODELS_DIR) / EXTRACTOR_DIR
    if not (folder / "config.json").is_file():
        raise ModelMissingError(
            f"no event extractor model in {folder}",
            hint="build one with `detente train --kind extractor`, or use the rule coder "
                 "(the fast option)")
    return PairExtractor(resolver, PairScorer(folder, threads), known=known)
