"""The learned extractor's candidates and inputs (detente.coding.extractor)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from detente.actors import ActorResolver
from detente.coding.extractor import (
    PairExtractor,
    PairInput,
    pair_ranges,
    token_range,
    told_in,
    with_topics,
    without_partners_of_a_joint_act,
)
from detente.nlp import load_nlp
from detente.records import Document

OFFSETS = [(0, 0), (0, 7), (8, 16), (17, 20), (21, 30), (31, 35), (36, 42), (43, 44), (0, 0)]
#          [CLS]  Germany  expelled  two  Russian    dipl   omats  .       [SEP]


@pytest.fixture(scope="module")
def extractor():
    return PairExtractor(ActorResolver(), None)


def candidates_of(extractor, text, title=""):
    doc = Document.create(text, title=title, date=dt.date(2021, 5, 4))
    parsed = load_nlp()(text)
    mentions = extractor.mentions(doc, parsed)
    return extractor.candidates(doc, parsed, mentions)


def codes(candidate):
    return (candidate.source.code, candidate.target.code if candidate.target else "",
            candidate.context)


def test_token_range_covers_the_tokens_of_a_character_span():
    assert token_range(OFFSETS, (21, 42)) == (4, 7)
    assert token_range(OFFSETS, (100, 110)) == (0, 0)  # cut off by truncation


def test_the_link_is_the_words_between_source_and_target():
    pair = PairInput("Germany expelled two Russian diplomats.", (0, 7), (21, 42), False,
                     (8, 16))
    assert pair_ranges(OFFSETS, pair) == ((1, 2), (4, 7), (2, 4), (2, 3))
    alone = PairInput("Germany expelled two Russian diplomats.", (0, 7), None, False)
    assert pair_ranges(OFFSETS, alone) == ((1, 2), (0, 0), (2, 8), (0, 0))


def test_the_source_is_marked_and_every_span_follows_the_text():
    pair = PairInput("Sanctions were imposed on Russia by Japan.", (36, 41), (26, 32), False,
                     (15, 22)).marked()
    assert pair.text == "Sanctions were imposed on Russia by [SRC] Japan [/SRC]."
    assert [pair.text[a:b] for a, b in (pair.source, pair.target, pair.trigger)] == [
        "[SRC] Japan [/SRC]", "Russia", "imposed"]


@pytest.mark.slow
def test_every_ordered_pair_and_every_actor_alone_is_a_candidate(extractor):
    found, _ = candidates_of(extractor, "Poland and Lithuania protested to Belarus on Monday.")
    assert sorted(codes(c) for c in found) == sorted([
        ("POL", "", False), ("POL", "LTU", False), ("POL", "BLR", False),
        ("LTU", "", False), ("LTU", "POL", False), ("LTU", "BLR", False),
        ("BLR", "", False), ("BLR", "POL", False), ("BLR", "LTU", False)])


@pytest.mark.slow
def test_a_sentence_naming_one_side_is_paired_with_the_topic_actors(extractor):
    text = ("Chinese coast guard ships entered waters claimed by Vietnam.\n\n"
            "Hanoi lodged a formal protest on Tuesday.")
    found, pairs = candidates_of(extractor, text)
    second = [c for c in found if c.number == 1]
    assert sorted(codes(c) for c in second) == sorted([
        ("VNM", "", False), ("VNM", "CHN", True)])
    context = next(p for c, p in zip(found, pairs, strict=True) if c.context)
    assert context.text.startswith("Hanoi lodged a formal protest on Tuesday. | ")
    start, end = context.target
    assert "Chin" in context.text[start:end]


@pytest.mark.slow
def test_a_dateline_is_no_candidate(extractor):
    found, _ = candidates_of(extractor, "MOSCOW -\n\nRussia recalled its ambassador from Tokyo.")
    assert {c.number for c in found} == {1}


def test_topic_actors_are_appended_once_for_the_whole_sentence():
    class Actor:
        def __init__(self, code, text):
            self.code, self.sector, self.text = code, "", text

    text, spans = with_topics("Seoul protested.", [Actor("JPN", "Japan"), Actor("CHN", "China")])
    assert text == "Seoul protested. | Japan ; China"
    assert [text[a:b] for a, b in spans.values()] == ["Japan", "China"]


def test_the_runtime_coder_imports_no_training_evaluation_or_torch():
    # torch is blocked: spaCy's thinc imports it when installed, and only detente's own
    # imports are under test here.
    code = ("import sys; sys.modules['torch'] = None; "
            "import detente.coding.extractor, detente.coding.coder, detente.library; "
            "bad = [m for m in sys.modules if m.startswith(("
            "'detente.training', 'detente.evaluation'))]; print(bad); sys.exit(bool(bad))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("text, dropped", [
    # acting together on a third: the partners are not each other's targets
    ("Canada, Norway and Australia agreed to freeze the assets of Iran's central bank.",
     {("CAN", "NOR"), ("NOR", "CAN"), ("CAN", "AUS"), ("AUS", "CAN"), ("NOR", "AUS"),
      ("AUS", "NOR")}),
    # acting on each other only: every pair stays
    ("Peru and Chile agreed on Friday to reopen their border.", set()),
    # the third is who reports the joint act, outside its clause: the pair stays
    ("Brazil said that Peru and Chile had agreed to reopen their border.", set()),
])
def test_partners_of_a_joint_act_on_a_third_do_not_act_on_each_other(extractor, text,
                                                                     dropped):
    found, _ = candidates_of(extractor, text)
    accepted = [(c, 1, 0.9) for c in found if c.target is not None]
    kept = {codes(c)[:2] for c, _, _ in without_partners_of_a_joint_act(accepted)}
    assert kept == {codes(c)[:2] for c, _, _ in accepted} - dropped


@pytest.mark.slow
def test_a_source_acting_in_a_clause_below_the_pair_triggers_by_its_own_verb(extractor):
    text = "Japan bought three of the islands last week, a move China called illegal."
    found, _ = candidates_of(extractor, text)
    pair = next(c for c in found if codes(c) == ("CHN", "JPN", False))
    assert pair.trigger.text == "called"


@pytest.mark.slow
@pytest.mark.parametrize(("text", "pair", "word"), [
    # the source acts in a side clause below the pair's meeting point
    (("Chile and Peru signed a fisheries agreement in Lima on Saturday, after last-minute "
      "Brazilian mediation saved the ceremony."), ("BRA", "PER"), "saved"),
    ("The two pilots were exchanged at the border after Brazil's mediation.",
     ("BRA", ""), "mediation"),
    # a clause hung on the source is the source's act
    ("Bolivia, which armed Peru during the crisis, demanded a role in the talks.",
     ("BOL", "PER"), "armed"),
    # a target named in a side clause leaves the source's act where it is
    ("Chile recalled its ambassador on Thursday after Peru expelled two Chilean diplomats.",
     ("CHL", "PER"), "recalled"),
])
def test_an_event_is_told_in_the_side_clause_its_source_acts_in(extractor, text, pair, word):
    found, _ = candidates_of(extractor, text)
    candidate = next(c for c in found if codes(c)[:2] == pair)
    assert told_in(candidate).text == word
