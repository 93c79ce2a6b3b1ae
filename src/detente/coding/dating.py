"""When an event happened: the date its own clause gives, else its sentence's, else the
document's (EVENTS.md §4).

Date expressions are found by `detente.dates.find_dates`; the parse decides which of them
belongs to the event. Each expression is owned by the clause it sits in, or by the noun it
is written into ("the 1956 declaration", "Monday's attack"). An event takes, in order:

1. an expression owned by its trigger or the trigger's clause ("imposed sanctions in 2014"),
   where a trigger naming a party stands for its act ("signed … by the commanders");
2. one owned by a clause coordinated with it ("protested on Monday and summoned …"), or
   by an infinitive or same-time clause of it ("declined to sign in 1992");
3. the sentence's: one owned by the main clause, when the trigger is the main clause or
   a complement of it ("said on Monday it would …"), not a side clause, a noun or what a
   statement reports of another ("said on Monday that Kim had agreed"); for a reporting
   verb, one owned by the clause it reports ("… on Friday, officials said");
4. for a side clause set a span from its clause ("on Monday, three days after Chile
   expelled …"), that clause's date moved by the span;
5. for a nominal event in a side clause ("after B's annexation of C"), the date of the
   known event the text names (data/known_events.csv, extended by the user);
6. for an event told in the simple past in a main clause, the story's date: the one the
   sentence before gave ("On 21 July the ministry ordered … Beijing retaliated"), in its
   main clause or else in a side clause of it, unless that sentence looks back in the
   perfect ("had warned in 2014"); when that sentence
   gave none but itself went on in the simple past, the one the story had reached there,
   however far back (docs/annotation.md §5 and §11, context dates). A year alone, unless
   set before its verb ("In 1964 troops landed"), and a period of the text's own news
   ("last week", "this month") start no story, and an
   event told as coming "later" or "subsequently" leaves it; for the headline's
   main event, the date the lead's main clause gives ("Chile and Peru agree …" over
   "Chile and Peru agreed on Friday …");
7. the document's publication date.

A side clause with no time of its own shares its clause's: "on Monday as its troops
withdrew", "to help", a bare participle ("stormed it on Sunday, killing 13"), a relative
clause not in the perfect ("met Kim in June, who agreed to …"), and a noun the act
happened during or in ("during the visit", "in talks"); a gerund after a preposition
("retaliated by expelling") takes its clause's tense, and a participle dates the noun it
describes ("a truce agreed in December"). The other way round, the date of a bare present
participle is its clause's: "signed a treaty ending the war on 3 June".
Expressions owned by a side clause ("the first visit since B annexed C in 2014") or by
another noun or name ("talks on the basis of the 1956 declaration", "the 1992 Consensus")
never date the event, nor do
those that bound a span ("suspended since 2011") or set a deadline ("will withdraw by
July"). A date
after publication is kept only when the text announces the event for later; otherwise the
event takes the publication date.

>>> import datetime
>>> from detente.nlp import load_nlp
>>> doc = load_nlp()("Following the crisis of 1990, Chile imposed sanctions last fall.")
>>> dating = DocumentDates(datetime.date(2015, 3, 25), "day", list(doc.sents))
>>> dating.when(0, doc[6]).date   # "imposed"
'2014-09'
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from spacy.tokens import Span, Token

from detente.date_input import Precision
from detente.dates import DateRef, find_dates, number_of, shifted
from detente.known_events import KnownEvent

__all__ = ["DocumentDates"]

#: Dependencies by which a date is written into a noun phrase and dates that noun.
NOUN_MODIFIERS = frozenset({"compound", "nummod", "amod", "poss", "npadvmod", "nmod"})
#: Relations that put a clause under the main one as what was said, wanted or done.
COMPLEMENTS = frozenset({"ccomp", "xcomp", "conj", "ROOT", "parataxis"})
#: Where a noun names an event on the side of the clause: "after B's annexation of C".
NOMINAL_SLOTS = frozenset({"pobj", "poss", "compound", "nmod", "appos", "npadvmod"})
#: How many sentences back the story's date is looked for.
STORY_WINDOW = 1
#: How many sentences back the story's date is looked for to read a yearless date or a
#: count ("on 12 August", "three days later") in a story told of an earlier year.
READING_WINDOW = 3
#: Sentences after a headline where its date is looked for (a fragment the parser split
#: off, such as a lone name, can come first).
LEAD_SENTENCES = 2
#: Conjunctions of a side clause that happens when the main clause does.
SAME_TIME = frozenset({"as", "when", "while"})
#: Verbs whose complement's date is their own: "began leaving on 13 January".
ASPECTUAL = frozenset({"begin", "start", "continue", "resume", "stop", "end", "finish",
                       "keep", "cease"})
#: Verbs that report what another clause tells: "ships entered the waters on Friday, the
#: coast guard said". An event whose pair meets at such a verb happened in what it reports.
REPORTING = frozenset({"say", "tell", "report", "announce", "confirm", "add", "state",
                       "claim"})
#: Prepositions whose object happens when the clause does (unlike after, since, before):
#: "during the visit", "at the summit", "in talks with …".
SAME_TIME_PREPOSITIONS = frozenset({"during", "at", "amid", "in"})
#: Words that set an act for a date: "the summit is expected to open on 3 May".
SCHEDULED = frozenset({"due", "set", "expect", "expected", "schedule", "scheduled", "plan",
                       "slate", "slated"})
#: Units of "two days after …"; "hours after …" keeps the day.
INTERVAL_UNITS = frozenset({"day", "week", "month", "year"})
SAME_DAY_UNITS = frozenset({"hour", "minute"})
#: Adverbs that move an act an unsaid time past the story's ("later", not "two days later").
AFTERWARDS = frozenset({"later", "subsequently", "afterwards", "eventually"})
#: Words that announce an event for later: a date after publication is then kept.
ANNOUNCED = re.compile(r"\b(?:will|shall|would|to be|due|scheduled|planned|plans?|set to|"
                       r"expected|next|upcoming|coming|tomorrow|later this)\b|['’]ll\b", re.IGNORECASE)
#: A period counted from publication ("last week", "this month"): the frame of the
#: document's own news, not a point a story goes on from.
_PERIOD = re.compile(r"\b(?:this|last|next|past|coming)\s+(?:week|month)\b", re.IGNORECASE)
#: What joins two dates of one span: "in March and April".
_AND = re.compile(r"\s+and\s+")
#: A date after these words bounds a span ("since 2014") and is no point in a story.
_SPAN_WORDS = re.compile(r"\b(?:since|until|till|by|before|after|from|through)\s*$", re.IGNORECASE)
#: A date after these words is where a state began or ends, never when the event
#: happened: "suspended since 2011" (docs/annotation.md §5).
_BOUND_WORDS = re.compile(r"\b(?:since|until|till)\s*$", re.IGNORECASE)
#: In a sentence announcing an event, a date after "by" is its deadline: "will withdraw
#: by July" is not dated July (while "by July the armies were massed" is).
_DEADLINE = re.compile(r"\bby\s*$", re.IGNORECASE)


def clause_head(token: Token) -> Token:
    """The verb heading the clause a token sits in (or the sentence root)."""
    while token.pos_ not in {"VERB", "AUX"} and token.head.i != token.i:
        token = token.head
    # A date the parser hung on an auxiliary ("By May they had massed") is its verb's.
    return token.head if token.dep_ in {"aux", "auxpass"} else token


def first_conjunct(token: Token) -> Token:
    while token.dep_ == "conj" and token.head.i != token.i:
        token = token.head
    return token


def owner(token: Token) -> Token:
    """What a date expression (given by its head token) dates: the common noun it is
    written into ("the 1956 declaration"), else its clause ("On 13 August 2020 President
    X announced", which the parser may attach to the name)."""
    if token.dep_ == "conj" and token.head.pos_ == "NUM":  # "the 1923 and 1947 treaties"
        return owner(token.head)
    before = token.doc[token.left_edge.i - 1] if token.left_edge.i > 0 else None
    # A time the parser hung after the object is its clause's ("announced an embargo
    # the next day").
    if token.dep_ in NOUN_MODIFIERS and token.head.pos_ == "NOUN" and \
            (before is None or before.pos_ != "ADP") and \
            not (token.dep_ == "npadvmod" and token.i > token.head.i
                 and token.head.dep_ == "dobj"):
        return token.head
    # "the 1992 Consensus", "under the 1957 Treaty of Rome": a date in a name
    if token.dep_ in NOUN_MODIFIERS and token.head.pos_ == "PROPN" and \
            before is not None and before.pos_ == "DET":
        return token.head
    if token.head.i == token.i:
        return token
    head = clause_head(token.head)
    # "Speaking on 19 September, X said": a participle set before its clause has its
    # clause's date; one after it describes ("relations, broken off in 1961").
    if head.dep_ == "advcl" and head.tag_ in {"VBG", "VBN"} and token.head.pos_ != "NOUN" \
            and not any(c.dep_.startswith("nsubj") for c in head.children) \
            and head.i < head.head.i:
        return clause_head(head.head)
    return head


def on_the_side(token: Token) -> bool:
    """A noun naming an event on the side of its clause ("after B's annexation of C"),
    not one written into the clause's subject or object ("offered an aid package")."""
    if token.pos_ != "NOUN" or token.dep_ not in NOMINAL_SLOTS:
        return False
    # A noun of an "of" phrase plays its head noun's part: "the ministers of the two
    # countries signed" is the subject, "after the seizure of two trawlers" on the side.
    while token.head.i != token.i and (token.dep_ in {"compound", "nmod"} or (
            token.dep_ == "pobj" and token.head.lower_ == "of"
            and token.head.head.pos_ in {"NOUN", "PROPN", "PRON", "NUM"})):
        token = token.head if token.dep_ != "pobj" else token.head.head
    return token.dep_ in NOMINAL_SLOTS


def in_main_clause(token: Token) -> bool:
    """The trigger is the main clause or a complement of it, not a side clause or a
    noun in a phrase ("after B's annexation of C")."""
    if on_the_side(token):
        return False
    head = clause_head(token)
    while head.dep_ != "ROOT" and head.head.i != head.i:
        if head.dep_ not in COMPLEMENTS and not _at_the_same_time(head):
            return False
        head = clause_head(head.head)
    return True


def _at_the_same_time(clause: Token) -> bool:
    """A side clause that shares the main clause's time: "… on Monday as its troops
    withdrew", "… on Monday to help" (unlike "since B annexed C in 2014")."""
    # An infinitive of purpose ("offered aid on Monday to help Peru") has no time of its
    # own either: its act is the main clause's. So has a bare present participle
    # ("stormed the tower on Sunday, killing 13"; "a letter expressing regret").
    if clause.dep_ in {"advcl", "acl"} and clause.tag_ == "VBG":
        return not any(c.dep_ in {"mark", "nsubj", "nsubjpass"} for c in clause.children)
    if clause.dep_ == "relcl":  # "met Kim, who agreed to …"; not "which had annexed"
        # nor a reaction to the act, told on a noun set after it: "bought the islands
        # last week, a move China called illegal"
        noun = clause.head
        after_comma = noun.left_edge.i > 0 and noun.doc[noun.left_edge.i - 1].text == ","
        return not _perfect(clause) and not after_comma
    # spaCy's parser makes "as" and "while" the clause's mark, but "when" its advmod
    return clause.dep_ == "advcl" and any(
        (c.dep_ in {"mark", "advmod"} and c.lower_ in SAME_TIME)
        or (c.dep_ == "aux" and c.tag_ == "TO") for c in clause.children)


def _sharing_time(clause: Token) -> Token | None:
    """The clause whose time a same-time side clause shares (see _at_the_same_time)."""
    if not _at_the_same_time(clause) or clause.head.i == clause.i:
        return None
    return clause_head(clause.head)


def _time_clause(trigger: Token) -> Token:
    """The clause that gives the trigger's tense: its own, or for an infinitive, a
    gerund after a preposition or a same-time participle, the clause it hangs on
    ("agreed to suspend", "retaliated by expelling", "stormed it, killing 13")."""
    clause = clause_head(trigger)
    while clause.head.i != clause.i and (clause.dep_ in {"xcomp", "pcomp"}
                                         or _at_the_same_time(clause)):
        clause = clause_head(clause.head)
    return clause


def _during(noun: Token) -> bool:
    """A noun naming what the clause's act happened during, which shares its time:
    "agreed during the visit last month", "expressed regret at a meeting yesterday"."""
    return noun.dep_ == "pobj" and noun.head.lower_ in SAME_TIME_PREPOSITIONS


def _frames(clause: Token, complement: Token) -> bool:
    """`clause` only frames the act of its complement, whose date is then its own:
    "began leaving on 13 January", "the talks are due to open on 3 May"."""
    if complement.dep_ != "xcomp":
        return False
    frame = complement.head
    if frame.dep_ == "acomp" and frame.head == clause:  # "are due to …"
        return frame.lemma_ in SCHEDULED
    return frame == clause and (clause.lemma_ in ASPECTUAL or clause.lemma_ in SCHEDULED)


def _perfect(clause: Token) -> bool:
    """A clause in the perfect ("had warned a year earlier") looks back from the story's
    time instead of moving it."""
    return any(c.dep_ == "aux" and c.lemma_ == "have" for c in clause.children)


def _told_in_the_past(trigger: Token) -> bool:
    """The event is told in the simple past ("Beijing retaliated", "were attacked"), which
    continues the story's time; the present and the perfect ("has refused") speak of the
    text's own."""
    head = _time_clause(trigger)
    helpers = [c for c in head.children if c.dep_ in {"aux", "auxpass"}]
    if head.tag_ == "VBN":
        # the simple past of the passive ("were attacked"), or a simple past the tagger
        # took for a participle: a clause of its own with no auxiliary ("named envoys")
        return [(c.dep_, c.tag_) for c in helpers] == [("auxpass", "VBD")] or (
            not helpers and head.dep_ in {"ROOT", "conj", "ccomp"})
    return head.tag_ == "VBD" and not helpers


def _later(clause: Token) -> bool:
    """The clause happens an unsaid time after the story's ("were later allowed back",
    "subsequently withdrew"), so it leaves the story's date (docs/annotation.md §11)."""
    return any(c.dep_ == "advmod" and c.lower_ in AFTERWARDS
               # "two days later", "hours later" count from the story's date
               and not any(True for _ in c.children)
               and (c.i == 0 or c.doc[c.i - 1].pos_ not in {"NOUN", "NUM"})
               for c in clause.children)


def _reported(clause: Token) -> bool:
    """The clause is what a statement reports ("said on Monday that Kim had agreed"),
    which takes a date only from its own words (docs/annotation.md §11, rule 2)."""
    while clause.dep_ == "conj" and clause.head.i != clause.i:
        clause = clause.head
    # (a speaker telling its own act, "said on Monday it had recalled", is left to the
    # statement's date: the guide leaves that case open)
    return clause.dep_ == "ccomp" and clause_head(clause.head).lemma_ in REPORTING \
        and not any(c.dep_ in {"nsubj", "nsubjpass"} and c.pos_ == "PRON"
                    for c in clause.children)


def _follows(sentence: Span, ref: DateRef, trigger: Token) -> bool:
    """The expression comes right after the trigger ("said on Monday it would …"), which
    dates the trigger whatever the parser attached it to."""
    first = sentence.char_span(ref.start, ref.end, alignment_mode="expand")
    return first is not None and 0 < first.start - trigger.i <= 2


def _tier(owned_by: Token, trigger: Token, follows: bool = False) -> int | None:
    """How closely a date expression owned by `owned_by` belongs to the trigger's event
    (see the module docstring); None when it does not."""
    if follows and trigger.pos_ in {"VERB", "AUX"}:
        return 1
    if on_the_side(trigger) and not _during(trigger):  # "after B's invasion"
        return 0 if owned_by == trigger else None
    here = clause_head(trigger)
    if owned_by in (trigger, here) or _frames(here, owned_by) or (
            owned_by.dep_ == "acl" and owned_by.head == trigger):  # "a truce agreed in May"
        return 0
    if _during(owned_by) and clause_head(owned_by) == here:  # "… during talks on Monday"
        return 1
    if owned_by.dep_ == "xcomp" and clause_head(owned_by.head) == here \
            and _told_in_the_past(here):
        return 1  # "applied to join the bloc on 18 May", "declined to sign it in 1992"
    if (owned_by.tag_ == "VBG" or owned_by.dep_ == "advcl") and _sharing_time(owned_by) == here:
        # "signed a treaty ending the war on 3 June": a bare participle's date; "became
        # the first to visit Lima in May": that of a clause of purpose or of the same time
        return 1
    shared = _sharing_time(here)
    if first_conjunct(owned_by) == first_conjunct(here) or (
            shared is not None and first_conjunct(owned_by) == first_conjunct(shared)):
        return 1
    if first_conjunct(owned_by).dep_ == "ROOT" and in_main_clause(_time_clause(trigger)) \
            and not _reported(_time_clause(trigger)):
        return 2
    if _reports(here, first_conjunct(owned_by)):
        return 2
    if here.dep_ == "ROOT" and here.pos_ not in {"VERB", "AUX"} \
            and owned_by.pos_ in {"VERB", "AUX"} and not _perfect(owned_by):
        return 2  # no main verb in the parse ("Kenyan troops … crossed … on Sunday")
    return None


def interval(clause: Token) -> tuple[int, str] | None:
    """How far a side clause lies from the clause it hangs on, when the text says:
    "recalled its envoy on Monday, three days after Chile expelled a diplomat" puts the
    expulsion at (-3, "day") from the recall ("before": after it; "hours after": the
    same day). None for any other clause."""
    marks = [c for c in clause.children if c.dep_ == "mark"]
    if clause.dep_ != "advcl" or not {m.lower_ for m in marks} & {"after", "before"}:
        return None
    # the span hangs on the clause or, as the parser often has it, on its "after"
    for child in [*clause.children, *(c for m in marks for c in m.children)]:
        unit = child.lemma_.lower()
        if child.dep_ != "npadvmod" or unit not in INTERVAL_UNITS | SAME_DAY_UNITS:
            continue
        if unit in SAME_DAY_UNITS:
            return 0, "day"
        count = next((n for c in child.children if c.dep_ in {"nummod", "det"}
                      for n in [number_of(c.lower_)] if n is not None), None)
        if count is None:
            return None
        return (-count if any(m.lower_ == "after" for m in marks) else count), unit
    return None


#: Prepositions that bring a party into an act: "signed by the commander", "talks between
#: Chile and Peru", "exchanged for an officer".
PARTY_PREPOSITIONS = frozenset({"by", "between", "among", "with", "for", "of"})


def _act(trigger: Token, dated: Sequence[Token]) -> Token:
    """What a trigger that names a party rather than an act stands for, when no date is
    written on it (`dated` holds what the sentence's dates are owned by): the act a
    party in a "by", "between" … phrase takes part in ("signed on 27 July by the
    commanders", "the clash between Chilean and Peruvian patrols on 9 March"), or the
    dated relative clause told of it ("Peruvian troops, which crossed on 9 March, now
    hold …")."""
    if trigger in dated:
        return trigger
    token = first_conjunct(trigger)
    climbed = False
    while token.pos_ in {"NOUN", "PROPN"} and token.dep_ == "pobj" \
            and token.head.lower_ in PARTY_PREPOSITIONS and token.head.head.i != token.head.i:
        token, climbed = first_conjunct(token.head.head), True
    act = token if climbed and token.pos_ in {"NOUN", "VERB", "AUX"} else trigger
    if act.pos_ in {"NOUN", "PROPN"}:
        told = [c for c in act.children if c.dep_ == "relcl" and c in dated]
        if told:
            return told[0]
    return act


def _reports(clause: Token, owned_by: Token) -> bool:
    """`clause` is a reporting verb and `owned_by` the clause it reports ("ships entered
    the waters on Friday, the coast guard said"): the pair of an event told that way
    often meets at the reporting verb, one of its actors being the one who reports it."""
    return (clause.lemma_ in REPORTING and owned_by.dep_ == "ccomp"
            and clause_head(owned_by.head) == clause)


class DocumentDates:
    """The dates of one document's events, reading each sentence once."""

    def __init__(self, published: dt.date | None, precision: Precision | None,
                 sentences: Sequence[Span], known: Sequence[KnownEvent] = (),
                 headline: bool = False) -> None:
        self.published, self.precision = published, precision or "day"
        self.sentences = sentences
        self.known = known
        self.headline = headline  # the first sentence is the document's headline
        self._refs: dict[int, list[tuple[DateRef, Token | None]]] = {}

    def refs(self, number: int) -> list[tuple[DateRef, Token | None]]:
        """The date expressions of sentence `number` with what each one dates, read in a
        narrative that may have moved to an earlier year (`detente.dates.find_dates`)."""
        # In text order, so that each sentence's story date is known without recursion.
        for earlier in range(len(self._refs), number + 1):
            sentence = self.sentences[earlier]
            found = find_dates(sentence.text, self.published, self.precision,
                               self.narrative(earlier, READING_WINDOW, reading=True))
            self._refs[earlier] = [(ref, owner(head) if head is not None else None)
                                   for ref in found for head in [_head_of(sentence, ref)]]
        return self._refs[number]

    def narrative(self, number: int, window: int = STORY_WINDOW, reading: bool = False
                  ) -> DateRef | None:
        """The date the story has reached before sentence `number`: the last point in
        time the sentence before it gave in its main clause (or an infinitive of it told
        in the past, "applied to join on 18 May"), or in the clause its main verb reports
        ("… seized two posts on Monday, officials said"), or, when the main clause gave
        none, in a side clause of it ("were killed when troops stormed the post on
        Monday"); a wider window measured worse on the corpus dev split. "Three days
        later" counts from it, and a yearless "on 12 August" after "7 August 2008" falls
        in 2008; when `reading` such a date, a year alone sets nothing ("signed in 1974 …
        visited Dhaka on 6 June" is this June)."""
        for earlier in range(number - 1, max(-1, number - 1 - window), -1):
            sentence = self.sentences[earlier]
            refs = [(ref, owned_by) for ref, owned_by in self.refs(earlier)
                    if owned_by is not None]
            for ref, owned_by in reversed(refs):
                told = first_conjunct(owned_by)  # the main clause, or one it reports
                if told.dep_ == "xcomp" and told.head.dep_ == "ROOT" \
                        and _told_in_the_past(told.head):
                    told = told.head
                if told.dep_ == "advcl" and told.head.dep_ == "ROOT" and not any(
                        first_conjunct(o).dep_ == "ROOT" for _, o in refs):
                    told = told.head
                if (told.dep_ == "ROOT" or _reports(sentence.root, told)) \
                        and not _perfect(owned_by) \
                        and not _SPAN_WORDS.search(sentence.text, 0, ref.start) \
                        and self._plausible(ref, ""):
                    if reading and ref.precision == "year":
                        return None
                    return _first_of_pair(self.refs(earlier), ref, sentence.text)
        return None

    def story(self, number: int) -> DateRef | None:
        """The date of the story an event told in the simple past continues: the one the
        sentence before gave (`narrative`), or, when that sentence gave none but told the
        story on in the simple past itself, the one the story had reached there ("On 4
        May Chile closed the pass. Peru summoned its envoy. Bolivia offered to mediate":
        4 May), however far back the story runs (docs/annotation.md §11; a limit of two
        sentences measured 0.78 on the dev split's re-checked dates, none 0.80). A
        sentence in the present or perfect between them ends the story, and a year alone
        (unless set before its verb) or a period of the text's own news ("last week",
        "this month") starts none."""
        for earlier in range(number, 0, -1):
            story = self.narrative(earlier)
            if story is not None:
                return story if (story.precision != "year" or self._fronted(earlier - 1, story)) \
                    and not _PERIOD.search(story.text) else None
            if earlier - 1 < (1 if self.headline else 0) or \
                    not _told_in_the_past(self.sentences[earlier - 1].root):
                return None
        return None

    def _fronted(self, number: int, ref: DateRef) -> bool:
        """The expression is written before the verb it dates ("In 1964 troops landed")."""
        sentence = self.sentences[number]
        return any(r is ref and owned_by is not None and owned_by.pos_ in {"VERB", "AUX"}
                   and sentence.start_char + ref.start < owned_by.idx
                   for r, owned_by in self.refs(number))

    def lead(self) -> DateRef | None:
        """The date the lead's main clause gives, which the headline's news takes: the
        first of the LEAD_SENTENCES after the headline that gives one."""
        for number in range(2, min(len(self.sentences), LEAD_SENTENCES + 1) + 1):
            story = self.narrative(number)  # the date sentence `number - 1` gave
            if story is not None:
                return story
        return None

    def when(self, number: int, trigger: Token, key: tuple[str, str, str] = ("", "", "")
             ) -> DateRef | None:
        """The date of the event whose trigger is `trigger` in sentence `number`; `key`
        is its (source, target, type), for the known-events table."""
        sentence = self.sentences[number]
        trigger = _act(trigger, [owned_by for _, owned_by in self.refs(number)
                                 if owned_by is not None])
        ranked = [(tier, abs(ref.start + sentence.start_char - trigger.idx), ref)
                  for ref, owned_by in self.refs(number) if owned_by is not None
                  and not self._bounds(sentence.text, ref, owned_by)
                  for tier in [_tier(owned_by, trigger, _follows(sentence, ref, trigger))]
                  if tier is not None]
        if ranked:
            chosen = _first_of_pair(self.refs(number), min(ranked, key=lambda item: item[:2])[2],
                                    sentence.text)
            if self._plausible(chosen, sentence.text):
                return chosen
        clause = clause_head(trigger)
        gap = interval(clause) if not ranked else None
        if gap is not None:  # "on Monday, three days after Chile expelled …"
            main = self.when(number, clause_head(clause.head), key)
            if main is not None:
                date, precision = shifted(main.date, main.precision, *gap)
                return DateRef(date, precision, "text", main.text, main.start, main.end)
        if not ranked and self.known and not in_main_clause(trigger):
            text = trigger.doc[trigger.left_edge.i:trigger.right_edge.i + 1].text
            for event in self.known:
                if event.matches(text, *key):
                    return DateRef(event.date, _precision(event.date), "text", event.name,
                                   -1, -1)
        if not on_the_side(trigger) and in_main_clause(_time_clause(trigger)) \
                and _told_in_the_past(trigger) and not _later(_time_clause(trigger)):
            story = self.story(number)
            if story is not None:
                return story
        if number == 0 and self.headline and in_main_clause(_time_clause(trigger)):
            lead = self.lead()
            if lead is not None:
                return lead
        if self.published is None:
            return None
        return DateRef(_at_precision(self.published, self.precision), self.precision,
                       "document", "", -1, -1)

    @staticmethod
    def _bounds(sentence: str, ref: DateRef, owned_by: Token) -> bool:
        """The expression bounds a span or sets a deadline rather than dating an event:
        "by" sets one in an announcement or an infinitive ("asked it to leave by May")."""
        return bool(_BOUND_WORDS.search(sentence, 0, ref.start) or (
            _DEADLINE.search(sentence, 0, ref.start)
            and (ANNOUNCED.search(sentence) or owned_by.dep_ == "xcomp")))

    def _plausible(self, ref: DateRef, sentence: str) -> bool:
        """No event after publication unless the text announces it for later."""
        if self.published is None or ANNOUNCED.search(sentence):
            return True
        published = _at_precision(self.published, self.precision)
        width = min(len(ref.date), len(published))
        return ref.date[:width] <= published[:width]


def _first_of_pair(refs: Sequence[tuple[DateRef, Token | None]], ref: DateRef,
                   sentence: str) -> DateRef:
    """The first of two dates joined by "and" ("in March and April", "in late July and
    early August"), which a span of both starts at (docs/annotation.md §11, ranges)."""
    owner_of = next((owned_by for r, owned_by in refs if r is ref), None)
    for other, owned_by in refs:
        if other.end <= ref.start and owned_by is not None and owned_by == owner_of \
                and _AND.fullmatch(sentence, other.end, ref.start):
            return other
    return ref


def _head_of(sentence: Span, ref: DateRef) -> Token | None:
    """The token of a date expression whose head lies outside it."""
    start, end = sentence.start_char + ref.start, sentence.start_char + ref.end
    inside = [t for t in sentence if start <= t.idx < end]
    for token in inside:
        if not start <= token.head.idx < end or token.head.i == token.i:
            return token
    return inside[0] if inside else None


def _precision(iso: str) -> Precision:
    return {4: "year", 7: "month"}.get(len(iso), "day")  # type: ignore[return-value]


def _at_precision(day: dt.date, precision: Precision) -> str:
    return day.isoformat()[:{"year": 4, "month": 7, "day": 10}[precision]]
