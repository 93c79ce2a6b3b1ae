"""Which candidate events are not coded (EVENTS.md §1): negated, hypothetical,
conditional, recommended, questioned, or the author's opinion or prediction.

Each check returns a reason string (for debugging and tests) or None.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from detente.coding.patterns import lemmas

MODALS = {"should", "could", "would", "might", "may", "must", "ought", "can", "shall"}
CONDITIONAL_MARKS = {"if", "unless", "whether", "once"}
# Governing words that make what they govern a wish, plan, guess or judgement.
HEDGES = {"seem", "appear", "likely", "unlikely", "possible", "impossible", "expect",
          "recommend", "suggest", "hope", "want", "need", "wish", "believe", "think",
          "doubt", "imagine", "consider", "predict", "fail", "refuse", "decline", "attempt",
          "try", "aim", "order", "able", "unable", "difficult",
          "easy", "necessary", "important", "crucial", "essential", "avoid", "prevent",
          "stop", "oppose", "delay", "postpone", "cancel", "suspend", "escape", "possibility",
          "prospect", "chance", "likelihood", "desire", "dream", "reluctant",
          "would-be", "refrain", "abstain"}
# Words that make what they govern a stated intention: "Syria is willing to withdraw" is
# AGREE, "Iraq is prepared to impose martial law" is THREATEN (CAMEO 03 and 13).
INTENT = {"willing", "ready", "prepared", "plan", "intend", "determined", "eager"}
# Verbs that say nothing an event coder should code, even between two actors.
NON_EVENTS = {"be", "have", "become", "remain", "seem", "appear", "perceive", "view", "see",
              "consider", "regard", "know", "think", "believe", "hope", "want", "need",
              "feel", "mean", "include", "involve", "describe", "name", "depend", "rely",
              "exist", "lie", "live", "look", "find", "show", "express"}
# Adjectives that make a nominal event a plan, not a fact ("Putin's scheduled visit").
PLANNED = {"scheduled", "planned", "proposed", "possible", "potential", "expected",
           "future", "prospective", "hypothetical", "eventual", "rumoured", "rumored"}
SPEECH_VERBS = {"say", "tell", "state", "declare", "note", "stress", "add", "claim", "argue",
                "insist", "emphasize", "emphasise", "announce", "warn", "remark", "write",
                "comment", "reply", "respond", "explain"}
# Verbs whose embedded action is announced, asked for or threatened, not done: "agreed to
# hold talks" is AGREE, "called on Russia to withdraw" is REQUEST, not CONSULT or RETREAT.
EMBEDDING = {"agree", "promise", "pledge", "offer", "propose", "vow", "call", "urge", "ask",
             "demand", "request", "invite", "threaten", "warn", "seek", "push", "press"}
NEGATORS = {"not", "n't", "never", "no", "neither", "nor", "without"}


def negation(token: Token) -> str | None:
    for child in token.children:
        if child.dep_ == "neg" or (child.dep_ == "det" and child.lower_ == "no"):
            return f"negated by {child.text!r}"
    for child in token.children:
        if child.dep_ == "aux" and child.lower_ in NEGATORS:
            return f"negated by {child.text!r}"
    if token.dep_ == "pobj" and token.head.lower_ == "without":
        return "negated by 'without'"
    return None


def planned(token: Token) -> str | None:
    """Nominal events that are planned or generic: "Putin's scheduled visit", "any meeting"."""
    if token.pos_ in {"NOUN", "PROPN"}:
        for child in token.children:
            if child.dep_ in {"amod", "compound"} and child.lower_ in PLANNED:
                return f"planned: {child.text!r}"
            if child.dep_ == "det" and child.lower_ in {"any", "every", "each", "another"}:
                return f"generic: {child.text!r}"
    return None


def non_event(token: Token) -> bool:
    """Verbs of being, thinking and wishing, which code nothing even between two actors."""
    return bool(lemmas(token) & NON_EVENTS)


def modality(token: Token) -> str | None:
    for child in token.children:
        if child.dep_ in {"aux", "auxpass"} and child.lower_ in MODALS:
            if child.lower_ == "would" and reported(token):
                continue  # "Palestinian leaders said they would boycott": reported future
            return f"modal {child.text!r}"
    return None


def reported(token: Token) -> bool:
    """The clause is the complement of a speech verb in the past ("said they would")."""
    return token.dep_ == "ccomp" and bool(lemmas(token.head) & SPEECH_VERBS)


def clause_chain(token: Token) -> list[Token]:
    """The trigger and the words governing it up to the sentence root."""
    chain = [token]
    while chain[-1].head.i != chain[-1].i:
        chain.append(chain[-1].head)
    return chain


def governed(token: Token) -> str | None:
    """Conditional, hedged or purpose clauses above the trigger."""
    for node in clause_chain(token):
        for child in node.children:
            if child.dep_ == "mark" and child.lower_ in CONDITIONAL_MARKS:
                return f"conditional {child.text!r}"
            # "Unless Tokyo involves Washington, the US will remain ...": the consequent.
            if child.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in {"if", "unless"}
                                            for c in child.children):
                return "consequent of a condition"
        if node.i != token.i and lemmas(node) & INTENT:
            return f"intent: {node.text!r}"
        if node.i != token.i and lemmas(node) & HEDGES:
            return f"governed by {node.text!r}"
        if node.i != token.i and lemmas(node) & EMBEDDING and crossed_clause(token, node):
            return f"embedded under {node.text!r}"
        if node.i != token.i and modality(node) and node.dep_ != "conj":
            return f"governed by modal clause {node.text!r}"
        if node.i != token.i and negation(node) and node.pos_ in {"VERB", "AUX"}:
            return f"governed by negated {node.text!r}"
        if node.dep_ in {"advcl", "xcomp"} and any(
                c.dep_ in {"aux", "mark"} and c.lower_ == "to" for c in node.children) and any(
                c.lower_ == "order" for c in node.head.children):
            return "purpose clause"
    return None


def crossed_clause(token: Token, ancestor: Token) -> bool:
    """Whether the path from `token` up to `ancestor` enters an infinitive or complement
    clause ("agreed to revive stalled negotiations": the talks are the thing agreed)."""
    node = token
    while node.i != ancestor.i:
        if node.dep_ in {"xcomp", "ccomp"}:
            return True
        node = node.head
    return False


def question(sentence: Span) -> str | None:
    return "question" if sentence.text.rstrip().rstrip('"”’\'').endswith("?") else None


def reason_to_skip(token: Token, sentence: Span) -> str | None:
    """Why the event triggered by `token` must not be coded, or None to code it."""
    return (question(sentence) or negation(token) or modality(token) or planned(token)
            or governed(token))
