"""People the registry lacks, placed by the apposition that describes them.

"Marek Nowak, Poland's ambassador to Chile, said ..." names a person the registry does
not know; the apposition gives their country and sector (POL GOV), as a title before
the name would ("Polish Ambassador Marek Nowak"). Both orders are read from the parse:
the description after the name ("Nowak, Poland's ambassador") and the name after the
description ("Poland's ambassador to Chile, Marek Nowak"). A description that names an
office holder instead of a country ("Tomas Rivera, the president's adviser") takes the
country of that office holder as named earlier in the document; with no such mention
the person keeps the sector alone, and the coder may still place them by the dateline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

from spacy.tokens import Doc, Span, Token

from detente.actors.coref import PENDING, link_description

if TYPE_CHECKING:  # pragma: no cover
    from detente.actors.mentions import Mention
    from detente.actors.resolver import ActorResolver

# Readings of an apposition that describe a person: an office or a sector of a country.
DESCRIBING = frozenset({"description", "government", "group"})
POSSESSIVE = frozenset({"'s", "’s", "'", "’"})


def describe_people(doc: Doc, mentions: list[Mention], sentences: list[int],
                    resolver: ActorResolver, date: dt.date | None) -> list[Mention]:
    """`mentions` with each unplaced person (no code) given the country and sector of
    the apposition describing them. `sentences[i]` is the sentence of `mentions[i]`."""
    out = list(mentions)
    for k, person in enumerate(out):
        if person.kind != "person" or person.code is not None:
            continue
        span = _apposition(doc, person)
        if span is None:
            continue
        res = resolver.resolve_strict(span.text, date, span.sent.text)
        if not res.sector or res.kind not in DESCRIBING:
            continue
        code, reason = res.code, res.reason
        if code is None:
            history = list(zip(out[:k], sentences[:k], strict=True))
            linked = _owner_named_earlier(doc, span, out, sentences, history)
            if linked is not None:
                code = linked.code
                reason += f"; '{linked.text}' is {linked.name or linked.code} ({code}), " \
                          "named earlier"
        name = person.name or person.text
        out[k] = replace(person, code=code, sector=person.sector or res.sector, name=name,
                         reason=f"'{name}' is not in the registry; described as "
                                f"'{span.text}': {reason}")
    return out


def _apposition(doc: Doc, person: Mention) -> Span | None:
    """The noun phrase in apposition to a person's name, before or after it."""
    head = doc[person.head]
    for child in head.children:  # "Nowak, Poland's ambassador to Chile,"
        if child.dep_ == "appos" and child.i >= person.token_end:
            return _noun_phrase(doc, child, len(doc))
    if head.dep_ == "appos" and head.head.i < person.token_start:
        # "Poland's ambassador to Chile, Marek Nowak": the small model may attach the
        # name to "Chile"; the described noun is the one the prepositions hang from.
        noun = head.head
        while noun.dep_ in ("pobj", "prep") and noun.head.i < noun.i:
            noun = noun.head
        return _noun_phrase(doc, noun, person.token_start)
    return None


def _noun_phrase(doc: Doc, noun: Token, stop: int) -> Span | None:
    """`noun` with its modifiers and prepositional phrases, ending before token `stop`
    (relative clauses are left out: "the adviser who met Peruvian officials")."""
    end = noun.i + 1
    for child in noun.rights:
        if child.dep_ == "prep":
            end = max(end, child.right_edge.i + 1)
    end = min(end, stop)
    start = noun.left_edge.i
    while end > start and doc[end - 1].is_punct:
        end -= 1
    return doc[start:end] if end > start else None


def _owner_named_earlier(doc: Doc, span: Span, mentions: list[Mention], sentences: list[int],
                         history: list[tuple[Mention, int]]) -> Mention | None:
    """"the president's adviser": the earlier mention that "the president" refers to."""
    for owner, s_index in zip(mentions, sentences, strict=True):
        inside = span.start <= owner.token_start and owner.token_end <= span.end
        if not inside or owner.reason != PENDING or owner.token_end >= len(doc):
            continue
        if doc[owner.token_end].text in POSSESSIVE:
            linked = link_description(owner, s_index, history)
            if linked is not None:
                return linked
    return None
