"""Parties named together by number: "both sides", "the two governments", "the three
leaders", "the six".

News prose names the parties first ("Chile and Peru signed …") and then refers to them
as a group ("… both sides agreed to …"). Without this, every event told of the group has
no actor and is lost. A group phrase becomes one mention per party: the last N distinct
actors named before it, in its sentence or the WINDOW sentences before. When fewer than
N distinct actors are in reach, the phrase stays unresolved (no guess).

>>> NUMBER_WORDS["both"], NUMBER_WORDS["six"]
(2, 6)
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from spacy.tokens import Doc

if TYPE_CHECKING:  # pragma: no cover
    from detente.actors.mentions import Mention

__all__ = ["expand_groups"]

NUMBER_WORDS = {"both": 2, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                "seven": 7, "eight": 8, "nine": 9, "ten": 10}
#: Sentences back (besides the group's own) where its parties are looked for.
WINDOW = 3
#: Nouns that name parties; "the two banks" or "both sides of the river" name none.
_HEADS = (r"(?:(?:prime|foreign|defen[cs]e|trade|finance)\s+)?(?:sides|leaders|countries|"
          r"governments|nations|states|ministers|men|women|presidents|parties|"
          r"neighbou?rs|capitals|allies|powers|delegations|rivals|premiers|"
          r"administrations|armies|militaries|navies|republics|kingdoms)")
_GROUP = re.compile(
    r"\b(?:(?P<both>both)\s+(?P<bhead>" + _HEADS + r")"
    r"|(?:the|all|these|those)\s+(?P<n>two|three|four|five|six|seven|eight|nine|ten)"
    r"(?:\s+(?P<head>" + _HEADS + r"))?)\b(?!\s+of\b)", re.IGNORECASE)


def expand_groups(doc: Doc, mentions: Sequence[Mention]) -> list[Mention]:
    """`mentions` (in text order) with every group phrase of `doc` added as one mention
    per party it refers to."""
    starts = [sentence.start_char for sentence in doc.sents]
    # A place named as where something happened ("met in Lima") is no party.
    actors = [m for m in mentions if not _a_place(doc, m)]
    sentence_of = [bisect.bisect_right(starts, m.start_char) - 1 for m in actors]
    taken = [(m.start_char, m.end_char) for m in mentions]
    added: list[Mention] = []
    for match in _GROUP.finditer(doc.text):
        start, end = match.span()
        if any(a < end and start < b for a, b in taken):
            continue
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or (match.group("n") and not match.group("head")
                            and _noun_follows(doc, span.end)):
            continue  # "the two banks": a count of something else
        count = NUMBER_WORDS[(match.group("n") or "both").lower()]
        here = bisect.bisect_right(starts, start) - 1
        parties = _parties(actors, sentence_of, start, here, count)
        if parties is None:
            continue
        names = ", ".join(p.name or p.text for p in parties)
        added.extend(replace(party, text=span.text, start_char=span.start_char,
                             end_char=span.end_char, token_start=span.start,
                             token_end=span.end, head=span.root.i, kind="group",
                             reason=f"coreference: {span.text} → {names}")
                     for party in parties)
    return sorted([*mentions, *added], key=lambda m: m.start_char)


def _a_place(doc: Doc, mention: Mention) -> bool:
    head = doc[mention.head]
    return head.dep_ == "pobj" and head.head.lower_ in {"in", "at"}


def _noun_follows(doc: Doc, token: int) -> bool:
    return token < len(doc) and doc[token].pos_ in {"NOUN", "PROPN"}


def _parties(mentions: Sequence[Mention], sentence_of: Sequence[int], before: int,
             sentence: int, count: int) -> list[Mention] | None:
    """The last `count` distinct actors named before offset `before`, within reach of
    sentence `sentence`; None when fewer are in reach."""
    parties: list[Mention] = []
    seen: set[str] = set()
    for mention, number in zip(reversed(mentions), reversed(sentence_of), strict=True):
        if mention.start_char >= before:
            continue
        if sentence - number > WINDOW:
            break
        if mention.code and mention.code not in seen:
            seen.add(mention.code)
            parties.append(mention)
            if len(parties) == count:
                return parties[::-1]
    return None
