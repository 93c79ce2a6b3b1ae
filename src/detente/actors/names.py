"""People named again by surname alone: "British Trade Secretary Paul Channon … Channon
said". The full mention resolves through its title; the later bare surname is often not
even a spaCy entity, so it would be no mention at all.

A proper noun equal to the surname of a person resolved earlier in the document, and
not already inside a mention, becomes a mention of that person (the latest one with that
surname when two share it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from spacy.tokens import Doc

if TYPE_CHECKING:  # pragma: no cover
    from detente.actors.mentions import Mention

__all__ = ["link_surnames"]

#: Person mentions whose surname may be linked later.
PERSON_KINDS = frozenset({"person"})


def link_surnames(doc: Doc, mentions: Sequence[Mention]) -> list[Mention]:
    """`mentions` (in text order) with later bare surnames of resolved people added."""
    from detente.actors.mentions import Mention

    taken = {i for m in mentions for i in range(m.token_start, m.token_end)}
    people = sorted((m for m in mentions if m.kind in PERSON_KINDS and m.code
                     and m.token_end - m.token_start >= 2), key=lambda m: m.start_char)
    if not people:
        return list(mentions)
    added = []
    for token in doc:
        if token.i in taken or token.pos_ != "PROPN" or not token.is_title:
            continue
        earlier = [p for p in people if p.end_char <= token.idx
                   and doc[p.token_end - 1].text == token.text]
        if not earlier:
            continue
        person = earlier[-1]
        added.append(Mention(token.text, token.idx, token.idx + len(token.text), token.i,
                             token.i + 1, token.i, person.code, person.sector, person.name,
                             f"coreference: {token.text} → {person.name or person.text} "
                             f"(named earlier)", "person"))
    return sorted([*mentions, *added], key=lambda m: m.start_char)
