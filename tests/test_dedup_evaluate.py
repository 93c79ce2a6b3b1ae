"""The deduplication evaluation: pairwise scores, the evaluation set in data/dedup, and
the figures the shipped defaults reach on it."""

from __future__ import annotations

from collections import defaultdict

import pytest

from detente.dedup.evaluate import (
    Pairwise,
    best,
    load_documents,
    load_events,
    main,
    pairwise,
    score_documents,
    score_events,
)
from detente.dedup.events import DEFAULT_RULES
from detente.errors import InputError


@pytest.fixture(scope="module")
def documents():
    return load_documents()


@pytest.fixture(scope="module")
def events():
    return load_events()


def test_pairwise_counts_pairs_found_gold_and_right():
    predicted = {"a": "1", "b": "1", "c": "1", "d": "2"}
    gold = {"a": "x", "b": "x", "c": "y", "d": "y"}
    score = pairwise(predicted, gold)
    assert (score.found, score.gold, score.right) == (3, 2, 1)
    assert (round(score.precision, 3), score.recall, round(score.f1, 3)) == (0.333, 0.5, 0.4)
    with pytest.raises(InputError, match="different items"):
        pairwise({"a": "1"}, {"b": "1"})


def test_best_takes_the_middle_of_a_plateau():
    scored = [(0.1, Pairwise(4, 4, 3)), (0.2, Pairwise(4, 4, 4)), (0.3, Pairwise(4, 4, 4)),
              (0.4, Pairwise(4, 4, 4)), (0.5, Pairwise(2, 4, 2))]
    assert best(iter(scored))[0] == 0.3


def test_the_document_set_holds_originals_and_copies_of_every_kind(documents):
    ids = [d.doc_id for d in documents]
    assert len(ids) == len(set(ids))
    kinds = defaultdict(set)
    for d in documents:
        kinds[d.split].add(d.kind)
        assert d.text.strip(), d.doc_id
    expected = {"original", "repost", "wire_edit", "boilerplate", "follow_up"}
    assert kinds == {"dev": expected, "test": expected}
    # an HTML original is read as ingest reads it: the article, not the page
    sochi = next(d for d in documents if d.doc_id.endswith("sochi-new-approach.html"))
    assert "cookies" not in sochi.text and "new approach" in sochi.text


def test_gold_clusters_never_cross_the_halves(documents, events):
    for items in ([(d.cluster, d.split) for d in documents],
                  [(e.cluster, e.split) for e in events]):
        halves = defaultdict(set)
        for cluster, split in items:
            halves[cluster].add(split)
        assert all(len(s) == 1 for s in halves.values())


def test_the_event_set_has_look_alike_events_in_one_block(events):
    clusters_per_block = defaultdict(set)
    for e in events:
        clusters_per_block[e.report.block, e.split].add(e.cluster)
    # e.g. Japan's three sanction rounds of 2014, two meetings of one month
    assert sum(len(c) >= 3 for c in clusters_per_block.values()) >= 3
    assert len({e.report.event_id for e in events}) == len(events)


@pytest.mark.parametrize("split", ["dev", "test"])
def test_document_clustering_finds_the_copies_and_only_them(documents, split):
    score = score_documents(documents, split)
    assert (score.precision, score.recall) == (1.0, 1.0)


@pytest.mark.parametrize("split", ["dev", "test"])
def test_event_clustering_reaches_its_measured_figures(events, split):
    score = score_events(events, split, DEFAULT_RULES)
    assert score.precision >= 0.9 and score.recall >= 0.9


def test_the_entry_point_prints_both_halves(capsys):
    main([])
    out = capsys.readouterr().out
    assert out.count("dev (tuned on)") == 2 and out.count("held-out") == 2
