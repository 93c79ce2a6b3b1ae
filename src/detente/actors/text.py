"""One tokenizer shared by the registry, the resolver and the mention finder.

Names in the data files, phrases given to `ActorResolver.resolve` and spaCy tokens
are all cut into the same pieces here, so a key built from "Guinea-Bissau" or
"Russia's" in a CSV file matches the same words in a document.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

# Abbreviations that keep their full stop ("Mr.", "Gen."); any other word loses a
# following full stop, so that "Iraq." at the end of a sentence is still "iraq".
ABBREVIATIONS = frozenset(
    "mr mrs ms dr gen lt col maj adm sgt capt cmdr brig st jr sr prof sen rep gov pres "
    "messrs no co corp inc ltd vs".split()
)

# Calendar words that are also surnames ("May", "March"): a surname match on one of
# them needs a title, an honorific or the full name next to it.
CALENDAR_WORDS = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)

_TOKEN = re.compile(
    r"(?:[A-Za-z]\.){2,}"  # acronyms with full stops: U.S., U.N., D.P.R.K.
    r"|\w+(?:'(?![sS]\b)\w+)*"  # words, keeping O'Brien together but not Russia's
    r"|'[sS]\b"  # possessive
    r"|[^\w\s]"  # any other single character
)
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'",
                         "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
                         "\u2010": "-", "\u2011": "-"})


class Tok(NamedTuple):
    """A token: `text` as written, `norm` for lookups, character offsets in the input.
    (A NamedTuple: documents make millions of these.)"""

    text: str
    norm: str
    start: int
    end: int

    @property
    def is_capitalised(self) -> bool:
        return self.text[:1].isupper()

    @property
    def is_word(self) -> bool:
        return self.text[:1].isalnum()


def fold(text: str) -> str:
    """Lower-case, straight quotes, no diacritics: "Élysée’s" → "elysee's"."""
    if text.isascii():
        return text.lower()
    text = text.translate(_QUOTES)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def tokenize(text: str) -> list[Tok]:
    """Cut text into tokens with offsets.

    >>> [t.norm for t in tokenize("Russia’s Lt. Gen. Ivanov, U.S.-Japan")]
    ['russia', "'s", 'lt.', 'gen.', 'ivanov', ',', 'u.s.', '-', 'japan']
    """
    clean = text.translate(_QUOTES)
    raw = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(clean)]
    tokens: list[Tok] = []
    i = 0
    while i < len(raw):
        word, start, end = raw[i]
        nxt = raw[i + 1] if i + 1 < len(raw) else None
        if (nxt and nxt[0] == "." and nxt[1] == end and fold(word) in ABBREVIATIONS):
            tokens.append(Tok(text[start:nxt[2]], fold(word) + ".", start, nxt[2]))
            i += 2
            continue
        tokens.append(Tok(text[start:end], fold(word), start, end))
        i += 1
    return tokens


def key_of(text: str) -> tuple[str, ...]:
    """Lookup key of a name: its folded tokens, without a leading "the"."""
    norms = tuple(t.norm for t in tokenize(text))
    if len(norms) > 1 and norms[0] == "the":
        norms = norms[1:]
    return norms


def case_matches(pattern: tuple[str, ...], written: list[Tok], acronyms_only: bool = False) -> bool:
    """Whether the text is written the way a proper name must be.

    Acronyms ("US", "EU", "LDP") must be written in capitals, so "us" is not the
    United States; capitalised words must not be written in lower case, so
    "china" and "turkey" in running text are not countries.
    """
    for pat, tok in zip(pattern, written, strict=True):
        letters = [c for c in pat if c.isalpha()]
        if not letters:
            continue
        if len(letters) >= 2 and all(c.isupper() for c in letters):
            if tok.text.upper() != tok.text:
                return False
        elif pat[:1].isupper() and tok.text[:1].islower() and not acronyms_only:
            return False
    return True


def key_and_pattern(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`key_of` and `pattern_of` at once (one tokenisation)."""
    toks = tokenize(text)
    if len(toks) > 1 and toks[0].norm == "the":
        toks = toks[1:]
    return tuple(t.norm for t in toks), tuple(t.text for t in toks)


def pattern_of(text: str) -> tuple[str, ...]:
    """Tokens of a name as written (for `case_matches`), without a leading "the"."""
    toks = [t.text for t in tokenize(text)]
    if len(toks) > 1 and toks[0].lower() == "the":
        toks = toks[1:]
    return tuple(toks)


def edit_distance_one(a: str, b: str) -> bool:
    """True when a and b differ by one insertion, deletion, substitution or swap."""
    if a == b:
        return False
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (len(diffs) == 2 and diffs[1] == diffs[0] + 1
                and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]])
    short, long_ = (a, b) if la < lb else (b, a)
    for i in range(len(long_)):
        if long_[:i] + long_[i + 1:] == short:
            return True
    return False
