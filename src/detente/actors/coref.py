"""Coreference inside one document: pronouns, bare surnames and descriptions.

Deliberately simple and explainable: each link says what it points to.
  * "he", "she", "his", "her", "him" → the most recent named person mentioned in
    the same or the previous two sentences;
  * an unresolved surname ("Abe" when the date alone cannot choose) → the person
    named in full earlier in the document;
  * "the ministry", "the president", "the government" with no country → the most
    recent mention (within five sentences) whose words or name contain that word;
  * "police", "protesters", "troops" with no country and nothing to link to → the
    country or government named last in the sentence or the two before.
Descriptions that cannot be linked are dropped: they are not actors on their own.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

from spacy.tokens import Doc, Token

if TYPE_CHECKING:  # pragma: no cover
    from detente.actors.mentions import Mention

# Reason of a description mention ("the ministry") that waits for a link.
PENDING = "description with no country: waiting for an earlier mention"
PRONOUNS = frozenset({"he", "she", "him", "his", "her", "hers", "himself", "herself"})
PRONOUN_WINDOW = 2  # sentences back
DESCRIPTION_WINDOW = 5
STORY_WINDOW = 2  # sentences back
SUBJECTS = frozenset({"nsubj", "nsubjpass"})


def _singular(word: str) -> str:
    word = word.lower()
    for many, one in (("ies", "y"), ("men", "man"), ("s", "")):
        if word.endswith(many) and len(word) > len(many) + 2:
            return word[: len(word) - len(many)] + one
    return word


def link_description(m: Mention, s_index: int,
                     history: list[tuple[Mention, int]]) -> Mention | None:
    """`m` ("the ministry", "the president") linked to the latest mention, within
    DESCRIPTION_WINDOW sentences of `history`, whose words or name contain its head."""
    head = _singular(m.text.split()[-1])
    for earlier, s_earlier in reversed(history):
        if s_index - s_earlier > DESCRIPTION_WINDOW:
            break
        if not earlier.resolved or earlier.kind == "pronoun":
            continue
        words = {_singular(w.strip(".,'’")) for w in f"{earlier.text} {earlier.name or ''}".split()}
        if head in words:
            return replace(m, code=earlier.code, sector=earlier.sector, name=earlier.name,
                           reason=f"coreference: {m.text} → {earlier.name or earlier.text}")
    return None


def in_the_story(doc: Doc, m: Mention, s_index: int,
                 history: list[tuple[Mention, int]]) -> Mention | None:
    """A domestic actor named without its country ("police", "protesters": IN_THE_STORY)
    in the country of the latest country or government named in its sentence or the
    STORY_WINDOW sentences before ("Protests spread across Peru … police fired"). Not a
    modifier ("military talks") nor an owned phrase ("its troops", which is the owner's)."""
    from detente.actors.mentions import IN_THE_STORY

    head = doc[m.head]
    if m.text.lower().removeprefix("the ").strip() not in IN_THE_STORY or not m.sector \
            or head.dep_ in {"amod", "compound", "nmod", "poss"} \
            or any(c.dep_ == "poss" for c in head.children):
        return None
    for earlier, s_earlier in reversed(history):
        if s_index - s_earlier > STORY_WINDOW:
            break
        if earlier.kind in ("country", "government") and earlier.code:
            return replace(m, code=earlier.code, reason=f"in the story: {m.text} of "
                                                        f"{earlier.name or earlier.text}")
    return None


def _link_surname(m: Mention, history: list[tuple[Mention, int]]) -> Mention | None:
    surname = m.text.split()[-1].lower()
    for earlier, _ in reversed(history):
        if earlier.kind == "person" and earlier.resolved and earlier.name and (
                earlier.name.lower().split()[-1] == surname and earlier.name.lower() != surname):
            return replace(m, code=earlier.code, sector=earlier.sector, name=earlier.name,
                           reason=f"coreference: {m.text} → {earlier.name} (named earlier; "
                                  f"{m.reason})")
    return None


def _antecedent(doc: Doc, tok, s_index: int,
                history: list[tuple[Mention, int]]) -> Mention | None:
    """The person a pronoun most likely means: the most recent person mentioned in the
    last two sentences; a subject pronoun ("he said") prefers the most recent person
    who was a subject, as news prose keeps its topic in subject position."""
    people = [m for m, s in reversed(history)
              if m.kind == "person" and s_index - s <= PRONOUN_WINDOW]
    if not people:
        return None
    if tok.dep_ in SUBJECTS:
        subjects = [m for m in people if doc[m.head].dep_ in SUBJECTS]
        if subjects:
            return subjects[0]
    return people[0]


def resolve_references(doc: Doc, mentions: list[Mention], sentences: list[int],
                       date: dt.date | None) -> list[Mention]:
    """Link descriptions, surnames and pronouns to earlier mentions; drop the
    descriptions that stay unlinked. `sentences[i]` is the sentence of `mentions[i]`."""
    from detente.actors.mentions import Mention

    starts = [sent.start for sent in doc.sents]
    taken: set[int] = set()
    for m in mentions:
        taken.update(range(m.token_start, m.token_end))
    pronouns = [(tok, bisect.bisect_right(starts, tok.i) - 1) for tok in doc
                if tok.lower_ in PRONOUNS and tok.i not in taken and tok.pos_ == "PRON"]

    events = sorted([(m.start_char, 0, m, s) for m, s in zip(mentions, sentences, strict=True)]
                    + [(tok.idx, 1, tok, s) for tok, s in pronouns], key=lambda e: (e[0], e[1]))
    history: list[tuple[Mention, int]] = []
    out: list[Mention] = []
    # Sorted by offset, a mention before a pronoun at the same place (the 0/1 flag).
    for _, _, item, s_index in events:
        if isinstance(item, Token):
            tok = item
            person = _antecedent(doc, tok, s_index, history)
            if person is None:
                continue
            who = person.name or person.text
            note = "" if person.resolved else " (unresolved)"
            mention = Mention(tok.text, tok.idx, tok.idx + len(tok.text), tok.i, tok.i + 1, tok.i,
                              person.code, person.sector, person.name,
                              f"coreference: {tok.text} → {who}{note}", "pronoun")
            out.append(mention)
            history.append((mention, s_index))
            continue
        m = item
        if m.reason == PENDING:
            linked = link_description(m, s_index, history) \
                or in_the_story(doc, m, s_index, history)
            if linked is None:
                continue
            m = linked
        elif m.kind == "person" and not m.resolved and len(m.text.split()) == 1:
            m = _link_surname(m, history) or m
        out.append(m)
        history.append((m, s_index))
    return out
