"""Candidate events from the dependency parse: a trigger word linking actor mentions.

Handles active and passive verbs, nominalisations ("Japan's decision to expand
sanctions", "talks between Abe and Putin", "the expulsion of diplomats"), coordinated
actors, the subject carried into a following clause or an infinitive, and reported
speech ("Suga told reporters that Russia's annexation violated ..." is Suga ACCUSE RUS).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from spacy.tokens import Span, Token

from detente.coding import filters
from detente.coding.filters import SPEECH_VERBS
from detente.coding.patterns import Pattern, is_verb, lemmas, match

if TYPE_CHECKING:
    from detente.actors import Mention

# Prepositions that introduce the actor an action is aimed at ("in Tokyo" is a place).
TARGET_PREPS = {"on", "against", "with", "to", "toward", "towards", "over", "into", "of",
                "for"}
SYMMETRIC = {"CONSULT", "AGREE", "COOPERATE", "SUPPORT"}
# Words in reported speech that make the statement a criticism of the actor it names.
CRITICAL_WORDS = {"violate", "violation", "illegal", "illegally", "unacceptable", "regret",
                  "regrettable", "unfriendly", "harm", "harmful", "wrong", "aggression",
                  "aggressive", "provocative", "provocation", "destabilize", "destabilise",
                  "hostile", "undermine", "inability", "pressure", "unlawful", "breach",
                  "contradict", "deplorable", "irresponsible", "dangerous", "threat"}
COOPERATIVE_HEADS = {"side", "join", "align", "team", "unite", "work", "coordinate"}
TARGETLESS = {"PROTEST", "MOBILIZE", "RETREAT"}


@dataclass
class Candidate:
    """A trigger with its actors, before typing, dating and filtering."""

    trigger: Token
    sentence: Span
    sources: list[Mention]
    targets: list[Mention]
    pattern: Pattern | None
    note: str = ""
    speech: bool = False
    intent: bool = False  # stated, not done: "is willing to withdraw"


class MentionIndex:
    """Resolved mentions of one document, looked up by token."""

    def __init__(self, mentions: Sequence[Mention]) -> None:
        self.by_token: dict[int, Mention] = {}
        for mention in mentions:
            if not mention.code:
                continue
            for i in range(mention.token_start, mention.token_end):
                self.by_token.setdefault(i, mention)

    def at(self, token: Token) -> Mention | None:
        return self.by_token.get(token.i)

    def phrase(self, token: Token, deep: bool = True) -> list[Mention]:
        """Mentions a phrase headed by `token` stands for: the token's own mention, its
        coordinated mentions ("the U.S., France and Britain"), else (if `deep`) the first
        mention among its modifiers ("officials from Japan")."""
        found: list[Mention] = []
        own = self.at(token)
        if own is not None:
            found.append(own)
            # "the U.S. and European states": a coordinated modifier names another actor.
            for child in token.children:
                if child.dep_ in {"nmod", "amod"} and self.at(child) and self.at(child) is not own:
                    found.extend(self.phrase(child, deep=False))
        else:
            for child in token.children:  # "the Turkish and Greek sides": all modifiers
                if child.dep_ in {"poss", "compound", "amod", "nmod"} and self.at(child):
                    found.extend(self.phrase(child, deep=False))
                    break
            if not found and deep:
                for child in token.children:
                    if child.dep_ == "prep" and child.lower_ in {"from", "of"}:
                        for pobj in child.children:
                            if pobj.dep_ == "pobj" and (mention := self.at(pobj)):
                                found.append(mention)
        for child in token.children:
            if child.dep_ == "conj":
                found.extend(self.phrase(child, deep))
            elif child.dep_ == "appos" and not found and (mention := self.at(child)):
                found.append(mention)
        return unique(found)


def unique(mentions: Sequence[Mention]) -> list[Mention]:
    seen, kept = set(), []
    for mention in mentions:
        if id(mention) not in seen:
            seen.add(id(mention))
            kept.append(mention)
    return kept


def subject_of(verb: Token, index: MentionIndex) -> tuple[list[Mention], str]:
    """The acting mentions of a verb, climbing through conjoined verbs, infinitives,
    relative clauses and reported speech ("Russia said it had ...") when the verb has
    no resolvable subject of its own."""
    node = verb
    for _hop in range(5):
        step = _own_subject(node, index)
        if step is None:  # no subject here: climb to the governing clause
            if node.dep_ in {"conj", "xcomp", "advcl", "acomp"} and node.head.i != node.i:
                node = node.head
                continue
            if node.dep_ in {"acl", "relcl"} and node.head.pos_ in {"NOUN", "PROPN"}:
                if node.tag_ == "VBN":  # "subjects banned from the U.S.": the noun is acted on
                    return [], "passive participle"
                return index.phrase(node.head, deep=False), "relative clause"
            return [], "no subject"
        found, how = step
        if found:
            return found, how if node.i == verb.i else f"{how} of {node.text!r}"
        if how == "pronoun" and node.dep_ == "ccomp" and \
                node.head.lemma_.lower() in SPEECH_VERBS:
            node = node.head
            continue
        return [], "unresolved subject"
    return [], "no subject"


def _own_subject(node: Token, index: MentionIndex) -> tuple[list[Mention], str] | None:
    """The node's own subject: (mentions, how), or None when it has no subject at all."""
    for child in node.children:
        if child.dep_ in {"nsubj", "csubj"}:
            found = index.phrase(child)
            return found, "subject" if found or child.pos_ != "PRON" else "pronoun"
        if child.dep_ == "agent":
            for pobj in child.children:
                if pobj.dep_ == "pobj":
                    return index.phrase(pobj), "agent"
        if child.dep_ == "aux":  # "Japan has, albeit reluctantly, imposed": parser slip
            for grandchild in child.children:
                if grandchild.dep_ == "nsubj":
                    return index.phrase(grandchild), "subject of the auxiliary"
    return None


def co_sources(verb: Token, index: MentionIndex) -> list[Mention]:
    """Partners of a verb like "sided with the U.S. and Europe to sanction Russia"."""
    head = verb.head
    if verb.dep_ not in {"advcl", "xcomp", "conj"} or head.lemma_.lower() not in COOPERATIVE_HEADS:
        return []
    partners: list[Mention] = []
    for child in head.children:
        if child.dep_ == "prep" and child.lower_ == "with":
            for pobj in child.children:
                if pobj.dep_ == "pobj":
                    partners.extend(index.phrase(pobj))
    return partners


def objects_of(trigger: Token, index: MentionIndex) -> list[Mention]:
    """The mentions an action is directed at: direct, dative and prepositional objects,
    including a noun object's own prepositions ("imposed sanctions on Russia")."""
    found: list[Mention] = []
    passive = any(c.dep_ == "nsubjpass" for c in trigger.children)
    for child in trigger.children:
        if child.dep_ in {"dobj", "dative", "iobj", "obj"} or (passive and child.dep_ == "nsubjpass"):
            own = index.phrase(child)
            found.extend(own or prep_objects(child, index))
        elif child.dep_ == "prep" and child.lower_ in TARGET_PREPS:
            found.extend(prep_objects_of(child, index))
        elif child.dep_ == "prt":
            for sibling in child.children:
                if sibling.dep_ == "prep":
                    found.extend(prep_objects_of(sibling, index))
    if not found:  # "refused to accuse Russia", "demanded that Hamas renounce ...":
        for child in trigger.children:  # the embedded clause's subject, else its object
            if child.dep_ in {"xcomp", "ccomp"} and is_verb(child):
                subjects = [index.phrase(c) for c in child.children if c.dep_ == "nsubj"]
                found.extend([m for group in subjects for m in group]
                             or objects_of(child, index))
    return unique(found)


def prep_objects(noun: Token, index: MentionIndex) -> list[Mention]:
    found: list[Mention] = []
    for child in noun.children:
        if child.dep_ == "prep" and child.lower_ in TARGET_PREPS:
            found.extend(prep_objects_of(child, index))
    return found


def prep_objects_of(prep: Token, index: MentionIndex) -> list[Mention]:
    found: list[Mention] = []
    for pobj in prep.children:
        if pobj.dep_ in {"pobj", "pcomp"}:
            found.extend(index.phrase(pobj))
    return found


# Dependencies a target may hang from inside the verb's own clause.
CLAUSE_DEPS = {"dobj", "obj", "dative", "prep", "pobj", "pcomp", "compound", "amod", "nmod",
               "poss", "appos", "attr", "npadvmod", "acomp", "xcomp", "aux", "det", "conj",
               "cc", "advmod", "oprd", "nsubjpass", "agent"}


# Prepositions whose objects are circumstances, never the target ("despite the ceasefire
# in Ukraine", "after talks with Russia").
NON_TARGET_PREPS = {"despite", "after", "before", "since", "during", "following", "amid",
                    "because", "until", "like", "unlike", "as", "than", "without", "besides",
                    "including", "except", "via", "through", "by"}


def subtree_targets(verb: Token, sources: Sequence[Mention],
                    index: MentionIndex) -> list[Mention]:
    """For a verb no pattern knows: the first other actor in its own clause, right of the
    verb ("Israeli tanks fired shells at targets in Jericho"); the classifier then decides.
    Subordinate, relative and coordinated clauses are left to their own verbs."""
    for token in verb.subtree:
        if token.i <= verb.i:
            continue
        node, inside = token, True
        while node.i != verb.i:
            if node.dep_ not in CLAUSE_DEPS or (node.dep_ == "conj" and is_verb(node)) or (
                    node.dep_ == "prep" and node.lower_ in NON_TARGET_PREPS):
                inside = False
                break
            node = node.head
        mention = index.at(token)
        if inside and mention is not None and all(
                mention is not s and mention.code != s.code for s in sources):
            return [mention]
    return []


def noun_actors(noun: Token, index: MentionIndex) -> tuple[list[Mention], list[Mention], str]:
    """Sources and targets of a nominalised event: possessor or compound ("Japan's
    sanctions", "Japan-Russia talks"), `by` agents, `between A and B`, `with`/`on`/`of`."""
    sources: list[Mention] = []
    targets: list[Mention] = []
    note = "nominal"
    for child in noun.children:
        if child.dep_ in {"poss", "compound", "amod", "nmod"} and index.at(child):
            sources.extend(index.phrase(child, deep=False))
        elif child.dep_ == "prep":
            word = child.lower_
            objs = prep_objects_of(child, index)
            if word == "by":
                sources.extend(objs)
            elif word == "between":
                note = "between"
                sources.extend(objs)
            elif word in TARGET_PREPS:
                targets.extend(objs)
    if not sources and noun.dep_ in {"dobj", "attr", "nsubjpass"}:
        verb = noun.head
        if verb.pos_ in {"VERB", "AUX"}:
            sources, _ = subject_of(verb, index)
            if not targets:
                targets = [m for m in objects_of(verb, index) if m not in sources]
    return unique(sources), unique(targets), note


def speech_demand(complement: Token, sources: Sequence[Mention],
                  index: MentionIndex) -> Mention | None:
    """"Russia said that Sudan must return the helicopter": a demand on Sudan."""
    if not any(c.dep_ == "aux" and c.lower_ in {"must", "should"} for c in complement.children):
        return None
    for child in complement.children:
        if child.dep_ == "nsubj":
            for mention in index.phrase(child):
                if all(mention.code != s.code for s in sources):
                    return mention
    return None


def speech_candidate(verb: Token, sentence: Span, index: MentionIndex) -> Candidate | None:
    """Reported criticism: a speech verb whose complement names an actor in critical words."""
    complement = next((c for c in verb.children if c.dep_ in {"ccomp", "parataxis"}), None)
    if complement is None:
        complement = next((c for c in verb.head.children if c.dep_ == "ccomp"), None) \
            if verb.dep_ == "parataxis" else None
    if complement is None:
        return None
    sources, _ = subject_of(verb, index)
    demand = speech_demand(complement, sources, index)
    if demand is not None:
        return Candidate(verb, sentence, sources, [demand], None, note="reported demand",
                         speech=True)
    words = {t.lemma_.lower() for t in complement.subtree} | {t.lower_ for t in complement.subtree}
    if not words & CRITICAL_WORDS:
        return None
    targets = [m for t in complement.subtree if (m := index.at(t))]
    targets = [m for m in unique(targets) if all(m.code != s.code for s in sources)]
    if not sources or not targets:
        return None
    return Candidate(verb, sentence, sources, targets[:1], None, note="reported criticism",
                     speech=True)


def sentence_candidates(sentence: Span, index: MentionIndex) -> list[Candidate]:
    """Every candidate event in one sentence (unfiltered)."""
    found: list[Candidate] = []
    handled_nouns: set[int] = set()
    for token in sentence:
        pattern = match(token)
        verb = is_verb(token)
        if verb and lemmas(token) & SPEECH_VERBS and pattern is None:
            candidate = speech_candidate(token, sentence, index)
            if candidate:
                found.append(candidate)
            continue
        if pattern is None and not (verb and token.dep_ in {"ROOT", "conj", "ccomp", "xcomp",
                                                                   "advcl", "relcl"}
                                    and not filters.non_event(token)):
            continue
        if verb:
            sources, note = subject_of(token, index)
            sources = unique(sources + co_sources(token, index))
            targets = objects_of(token, index)
            passive = any(c.dep_ in {"nsubjpass", "auxpass"} for c in token.children)
            if passive and note == "no subject":
                note = "passive"
            objects = [c for c in token.children if c.dep_ in {"dobj", "nsubjpass"}]
            if pattern is None and any(match(c) for c in objects):
                continue  # light verb: "lodged a protest" is coded from its noun
            handled_nouns.update(c.i for c in objects)  # "imposed sanctions": one event
            if not targets and token.dep_ in {"xcomp", "advcl"} and is_verb(token.head):
                # "summoned the ambassador to protest the visit": the head verb's object
                targets = [m for m in objects_of(token.head, index) if m not in sources]
            if sources and not targets:
                targets = subtree_targets(token, sources, index)
            if pattern is None and not (sources and targets):
                continue  # an unknown verb is only a candidate when it links two actors
            found.append(Candidate(token, sentence, sources, targets, pattern, note))
        elif token.i not in handled_nouns:
            sources, targets, note = noun_actors(token, index)
            found.append(Candidate(token, sentence, sources, targets, pattern, note))
    return found


def skip_reason(candidate: Candidate) -> str | None:
    return filters.reason_to_skip(candidate.trigger, candidate.sentence)
