"""Verb and noun patterns (data/patterns.csv): a trigger lemma, optionally with the
object nouns it needs, maps to a PLOVER type, mode and CAMEO code.

Rows with an object list are more specific and are tried first ("impose sanctions" is
SANCTION 163 while a bare "impose" is COERCE 172); the object `!` means "used without a
direct object" ("demonstrators demonstrated", not "demonstrated its willingness").
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from spacy.tokens import Token

PATTERNS_VERSION = "patterns.v1"

# Dependencies under which a trigger's object nouns are found.
OBJECT_DEPS = {"dobj", "obj", "nsubjpass", "attr", "oprd", "pobj", "conj"}


@dataclass(frozen=True)
class Pattern:
    lemma: str
    pos: str
    objects: frozenset[str]
    plover: str
    mode: str
    cameo: str

    @property
    def specific(self) -> bool:
        return bool(self.objects)


@lru_cache(maxsize=4)
def load_patterns(path: Path | None = None) -> dict[tuple[str, str], list[Pattern]]:
    """Patterns keyed by (lemma, POS), specific ones first."""
    text = (path.read_text(encoding="utf-8") if path
            else files("detente.coding").joinpath("data", "patterns.csv").read_text("utf-8"))
    table: dict[tuple[str, str], list[Pattern]] = defaultdict(list)
    for row in csv.DictReader(text.splitlines()):
        objects = frozenset(o for o in row["object"].split("|") if o)
        table[(row["lemma"], row["pos"])].append(
            Pattern(row["lemma"], row["pos"], objects, row["plover"], row["mode"], row["cameo"]))
    for patterns in table.values():
        patterns.sort(key=lambda p: not p.specific)
    return dict(table)


def object_words(token: Token) -> set[str]:
    """Lower-cased words of the trigger's objects, including `to`-infinitive objects
    ("decided to expand sanctions") and prepositional ones ("call for talks")."""
    words: set[str] = set()
    for child in token.children:
        if child.dep_ in OBJECT_DEPS or child.dep_ in {"xcomp", "prep", "compound", "amod"}:
            words.add(child.lower_)
            words.add(child.lemma_.lower())
            for grandchild in child.children:
                if grandchild.dep_ in {"pobj", "dobj", "conj", "compound"}:
                    words.add(grandchild.lower_)
                    words.add(grandchild.lemma_.lower())
    if token.dep_ in {"dobj", "nsubjpass", "pobj"}:  # noun trigger: "sanctions" itself
        words.add(token.lower_)
    return words


def lemmas(token: Token) -> set[str]:
    """The token's lemma plus stems of its surface form: the small model's lemmatizer slips
    on some verbs ("hoped" → "hop"), so membership tests look at all of them."""
    lower = token.lower_
    forms = {token.lemma_.lower(), lower}
    for suffix, replacement in (("ied", "y"), ("ed", "e"), ("ed", ""), ("d", ""), ("ing", "e"),
                                ("ing", ""), ("es", ""), ("s", "")):
        if lower.endswith(suffix) and len(lower) > len(suffix) + 2:
            forms.add(lower[: -len(suffix)] + replacement)
    return forms


def is_verb(token: Token) -> bool:
    """A verb, including ones the tagger calls nouns in verb slots ("to sanction Russia")."""
    if token.pos_ in {"VERB", "AUX"}:
        return True
    return token.pos_ == "NOUN" and token.dep_ in {"advcl", "xcomp", "ccomp", "relcl"} and any(
        c.dep_ == "aux" and c.lower_ == "to" for c in token.children)


def match(token: Token) -> Pattern | None:
    """The first pattern that fits this token, or None."""
    pos = "VERB" if is_verb(token) else "NOUN" if token.pos_ in {"NOUN", "PROPN"} else ""
    if not pos:
        return None
    table = load_patterns()
    candidates = table.get((token.lemma_.lower(), pos))
    if not candidates:
        candidates = next((table[(f, pos)] for f in sorted(lemmas(token)) if (f, pos) in table),
                          None)
    if not candidates:
        return None
    objects: set[str] | None = None
    for pattern in candidates:
        if pattern.objects == {"!"}:  # intransitive use only ("protesters demonstrated")
            if not any(c.dep_ in {"dobj", "ccomp"} for c in token.children):
                return pattern
            continue
        if not pattern.specific:
            return pattern
        if objects is None:
            objects = object_words(token)
        if objects & pattern.objects:
            return pattern
    return None
